"""`platformctl aks ...` as a person or CI runs it: output, exit codes, one-line errors (no traceback)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from platformctl.aks import arm
from platformctl.cli import main
from platformctl.environments import Environment, get_environment


def _plan_sections(output: str) -> dict[str, Any]:
    """`aks plan` output: a `PUT <path>` line followed by that request's JSON body, per request."""
    sections: dict[str, Any] = {}
    target, lines = None, []
    for line in output.splitlines()[1:]:
        if line.startswith("PUT /"):
            if target:
                sections[target] = json.loads("\n".join(lines))
            target, lines = line, []
        else:
            lines.append(line)
    if target:
        sections[target] = json.loads("\n".join(lines))
    return sections


@pytest.mark.parametrize("env_name", ["dev", "staging", "prod"])
def test_plan_prints_the_exact_request_bodies(env_name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["aks", "plan", env_name]) == 0
    sections = _plan_sections(capsys.readouterr().out)
    rules = get_environment(env_name).cluster["spec"]["containerRegistry"].get("cacheRules", [])
    assert len(sections) == 4 + len(rules)  # cluster, upgrade schedule, policy assignment, public IP, cache rules
    cluster_target = next(t for t in sections if t.endswith(f"managedClusters/aks-dataplatform-{env_name}"))
    assert sections[cluster_target]["properties"]["kubernetesVersion"] == "1.34"
    assert any(t.endswith("/policyAssignments/pod-security-restricted") for t in sections)
    ip_target = next(t for t in sections if "/publicIPAddresses/" in t)
    ip_path = f"/resourceGroups/rg-dataplatform-{env_name}/providers/Microsoft.Network/publicIPAddresses"
    assert ip_target.endswith(f"{ip_path}/pip-dataplatform-{env_name}-ingress")


def test_check_passes_for_every_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["aks", "check"]) == 0
    assert "0 problem(s) in dev, staging, prod" in capsys.readouterr().out


@pytest.fixture
def cli_against_replay(
    monkeypatch: pytest.MonkeyPatch,
    recorded_env: Environment,
    arm_server: Any,
    tls_files: tuple[Path, Path],
    fixed_token_credential: Any,
) -> Any:
    """The CLI pointed at the replay server: repository copy, fixed-token credential, trusted test CA."""
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(recorded_env.root))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_files[0]))
    monkeypatch.setattr(arm, "default_credential", lambda: fixed_token_credential)
    return arm_server


def test_diff_cli_prints_a_drift_table(cli_against_replay: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cli_against_replay.load("diff-drifted")
    code = main(["aks", "diff", "dev", "--exit-code", "--arm-endpoint", cli_against_replay.base_url])
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"managedCluster +properties\.agentPoolProfiles\[general\]\.maxCount +4 +8", out)
    assert "aks diff dev: 7 field(s) drifted" in out  # the ingress public IP is missing too


def test_apply_cli_with_yes(cli_against_replay: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cli_against_replay.load("apply-created")
    code = main(["aks", "apply", "dev", "--yes", "--poll-interval", "0", "--arm-endpoint", cli_against_replay.base_url])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("# aks plan dev: 4 requests")
    assert out.rstrip().endswith(
        "aks apply dev: aks-dataplatform-dev Succeeded, Kubernetes 1.34.1, "
        "API server aks-dataplatform-dev-x1y2z3.hcp.westeurope.azmk8s.io"
    )


def test_apply_cli_error_is_one_line_with_code_and_message(
    cli_against_replay: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_against_replay.load("apply-quota-exceeded")
    code = main(["aks", "apply", "dev", "--yes", "--poll-interval", "0", "--arm-endpoint", cli_against_replay.base_url])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert err.count("\n") == 1
    assert err.startswith(
        "platformctl aks: creating/updating cluster aks-dataplatform-dev: ARM error ErrCode_InsufficientVCPUQuota"
    )


def test_apply_without_yes_and_without_terminal_refuses(
    cli_against_replay: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["aks", "apply", "dev", "--arm-endpoint", cli_against_replay.base_url])
    assert code == 2
    assert "refusing to apply without confirmation" in capsys.readouterr().err
    assert cli_against_replay.received == []


def test_missing_credentials_are_reported_with_fix(
    monkeypatch: pytest.MonkeyPatch, recorded_env: Environment, tls_files: tuple[Path, Path],
    arm_server: Any, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The real DefaultAzureCredential, restricted to the developer-tool credentials none of which exist here."""
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, azd or pwsh to ask for a token
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(recorded_env.root))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_files[0]))
    code = main(["aks", "diff", "dev", "--arm-endpoint", arm_server.base_url])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("platformctl aks: reading cluster aks-dataplatform-dev: no usable Azure credentials")
    assert err.count("\n") == 1
    assert "fix: run `az login`" in err
    assert "Traceback" not in err
    assert arm_server.received == []


def test_check_fails_and_plan_refuses_when_an_invariant_breaks(
    tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(repo_root / "clusters", tmp_path / "clusters")
    prod = tmp_path / "clusters" / "prod" / "cluster.yaml"
    prod.write_text(prod.read_text().replace("private: true", "private: false"))
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(tmp_path))
    assert main(["aks", "check"]) == 1
    out = capsys.readouterr().out
    assert (
        "ERROR [aks] env prod, AksCluster/aks-dataplatform-prod, clusters/prod/cluster.yaml: prod API server is public"
        in out
    )
    assert main(["aks", "plan", "prod"]) == 2
    assert "fix: set spec.apiServer.private: true" in capsys.readouterr().err
