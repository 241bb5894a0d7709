"""A scaffolded app passes the gates untouched: each gate runs on a copy of the repository without
and with `platformctl new-app sales-api --kind api`, and the scaffold may add no finding at all.

The copies hold every file git tracks here; the gates run as CI runs them (the platformctl CLI in a
subprocess, real helm, checkov, promtool, gunicorn, locust, Prometheus).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import TOOLING_BIN, Gates, Scaffold

APP = "sales-api"
pytestmark = pytest.mark.slow
SCAFFOLD = Scaffold(APP, "api", in_tooling_venv=True, timeout=400)


def test_lint(gates: Gates, scaffolded: Path) -> None:
    gates.assert_lint_passes(scaffolded, "clusters")


def test_the_apps_own_tests_pass(gates: Gates, scaffolded: Path) -> None:
    done = gates.run(scaffolded, str(TOOLING_BIN / "pytest"), f"apps/{APP}/tests", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout


def test_manifest_gate(gates: Gates, pristine: Path, scaffolded: Path) -> None:
    gates.assert_no_new_finding(pristine, scaffolded, "validate", "--all")
    for env in ("dev", "staging", "prod"):
        manifest = scaffolded / "build" / "rendered" / env / APP / "manifest.yaml"
        assert manifest.is_file() and "kind: Deployment" in manifest.read_text(), f"{APP} not rendered in {env}"


def test_policy_gate(gates: Gates, pristine: Path, scaffolded: Path) -> None:
    output = gates.assert_no_new_finding(pristine, scaffolded, "policy", "--all")
    assert f"apps/{APP}/Dockerfile" in output, "the policy gate did not look at the new app"


def test_monitoring_gate(gates: Gates, pristine: Path, scaffolded: Path) -> None:
    gates.assert_no_new_finding(pristine, scaffolded, "monitoring")


@pytest.mark.load
def test_load_gate(gates: Gates, scaffolded: Path) -> None:
    done = gates.platformctl(scaffolded, "loadtest", APP, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.rstrip().endswith("PASS")
