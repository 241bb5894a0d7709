"""The commands as a person (and CI) runs them: exit codes, --json, human output, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from platformctl.paths import tools_bin_dir

from .conftest import edit

pytestmark = pytest.mark.slow


def platformctl(
    root: Path, repo_root: Path, mirror: Path, *args: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command on the fixture copy `root`, whatever PLATFORM_* settings the caller's shell holds.

    The chart cache is pinned to the copy's own (absent) `.cache/charts`, as the in-process `gate`
    fixture pins an empty one: an inherited $PLATFORM_CHART_CACHE holding real chart archives would
    otherwise replace the mirror's defaults (and schemas) and change what the values gate reports.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("PLATFORM_")}
    env.update(
        PLATFORM_REPO_ROOT=str(root),
        PLATFORM_UPSTREAM_MIRROR=str(mirror),
        PLATFORM_CHART_CACHE=str(root / ".cache" / "charts"),
        PATH=path if path is not None else f"{tools_bin_dir(repo_root)}{os.pathsep}{env.get('PATH', '')}",
    )
    return subprocess.run(
        [sys.executable, "-m", "platformctl", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_validate_json_lists_findings_and_fails(fixture_repo: Path, repo_root: Path, mirror: Path) -> None:
    edit(fixture_repo / "platform" / "kube-prometheus-stack" / "values.yaml", "retention: 10d", "retenton: 10d")
    result = platformctl(fixture_repo, repo_root, mirror, "validate", "dev", "--json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    keys = {"gate", "env", "application", "kind", "name", "file", "message", "fix"}
    assert findings and all(keys <= set(f) for f in findings)
    values_errors = [f for f in findings if f["gate"] == "values" and f["severity"] == "error"]
    typo = [f for f in values_errors if f["application"] == "kube-prometheus-stack"]
    assert len(typo) == 1, f"values-gate errors: {values_errors}"
    assert typo[0]["message"].startswith("unknown key `prometheus.prometheusSpec.retenton`"), typo[0]
    assert typo[0]["file"] == "$values/platform/kube-prometheus-stack/values.yaml", typo[0]


def test_validate_human_output_has_table_and_one_line_findings(
    fixture_repo: Path, repo_root: Path, mirror: Path
) -> None:
    result = platformctl(fixture_repo, repo_root, mirror, "validate", "--all")
    # The fixture lacks most of the platform's required components, so it fails on exactly those.
    assert result.returncode == 1
    out = result.stdout
    assert "application" in out and "wave" in out and "project" in out and "objects" in out and "findings" in out
    assert "ERROR [graph] env dev, application datahub" in out and "-> fix: enable components.datahub" in out
    # Upstream charts not rendered (no chart cache) are named once, in one line, never per env and app.
    coverage = [line for line in out.splitlines() if line.startswith("WARNING [charts] not rendered")]
    assert len(coverage) == 1, out
    assert "values-checked only against the mirror: cert-manager v1.21.1, kube-prometheus-stack 88.5.3" in coverage[0]
    assert "not checked at all (not in the mirror either): dagster 1.13.27" in coverage[0]
    assert "-> fix: `make charts`" in coverage[0]
    assert "not verifiable offline" not in out
    # The lock's unknown digests are lock facts: one line each, not one per env.
    assert out.count("digest of chart kube-prometheus-stack 88.5.3") == 1
    assert "validate FAILED: 2 env(s)" in out
    assert "Traceback" not in result.stderr


def test_bad_input_is_one_line_never_a_traceback(fixture_repo: Path, repo_root: Path, mirror: Path) -> None:
    (fixture_repo / "clusters" / "dev" / "cluster.yaml").write_text("spec: [1\n")
    result = platformctl(fixture_repo, repo_root, mirror, "validate", "dev")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "clusters/dev/cluster.yaml" in result.stdout and "malformed YAML" in result.stdout


def test_render_and_graph_commands(fixture_repo: Path, repo_root: Path, mirror: Path, tmp_path: Path) -> None:
    result = platformctl(fixture_repo, repo_root, mirror, "render", "dev", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "web" / "manifest.yaml").is_file()
    text = platformctl(fixture_repo, repo_root, mirror, "graph", "dev")
    assert "AppProject apps" in text.stdout and "wave   1  web" in text.stdout
    svg = tmp_path / "tree.svg"
    picture = platformctl(fixture_repo, repo_root, mirror, "graph", "dev", "--format", "svg", "--out", str(svg))
    assert picture.returncode == 0, picture.stderr
    picture_text = svg.read_text()
    assert picture_text.lstrip().startswith("<?xml") and "<svg" in picture_text
    assert "AppProject" in picture_text and "wave 1" in picture_text


@pytest.mark.parametrize(
    "command", [("validate", "dev"), ("validate", "--all", "--json"), ("render", "dev"), ("graph", "dev")]
)
def test_missing_helm_stops_the_command_in_one_line(
    command: tuple[str, ...], fixture_repo: Path, repo_root: Path, mirror: Path, tmp_path: Path
) -> None:
    """A missing tool is the workstation's problem, not a finding: one line on stderr, exit 2, nothing passes."""
    # The fixture copy has no .tools/bin and PATH holds only an empty folder: no helm anywhere.
    result = platformctl(fixture_repo, repo_root, mirror, *command, path=str(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"platformctl {command[0]}: required tool `helm` not found"), result.stderr
    assert "make tools" in result.stderr and result.stderr.count("\n") == 1
    assert "PASSED" not in result.stdout
