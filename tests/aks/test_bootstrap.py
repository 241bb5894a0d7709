"""`platformctl bootstrap ENV`: the dry run on every env, bad input, and a real run against no cluster."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.aks import bootstrap
from platformctl.cli import main
from platformctl.environments import get_environment

ENVIRONMENTS = ["dev", "staging", "prod"]


@pytest.fixture
def repo_copy(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The files bootstrap reads, copied so a test can break them; the CLI is pointed at the copy."""
    for folder in ("clusters", ".argocd", "platform/argo-cd", "platform/secret-store"):
        shutil.copytree(repo_root / folder, tmp_path / folder)
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def _no_kubeconfig(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_dry_run_prints_every_step_and_manifest(
    env_name: str, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bootstrap", env_name, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# bootstrap {env_name} (dry run: nothing is sent to a cluster): 5 steps")
    commands = [line.strip()[2:].split() for line in out.splitlines() if line.startswith("  $ ")]
    assert [Path(argv[0]).name + " " + argv[1] for argv in commands] == [
        "helm upgrade",
        "az keyvault",
        "az keyvault",
        "az keyvault",
        "kubectl apply",  # the repository credentials, on stdin
        "kubectl wait",
        "kubectl apply",
        "kubectl get",
    ]
    helm = commands[0]
    assert helm[helm.index("--version") + 1] == "10.1.1"
    assert helm[helm.index("--repo") + 1] == "https://argoproj.github.io/argo-helm"
    values = [helm[i + 1] for i, arg in enumerate(helm) if arg == "--values"]
    assert values == [  # base then env: later wins, as in every Application of the repository
        str(repo_root / "platform/argo-cd/values.yaml"),
        str(repo_root / f"platform/argo-cd/values-{env_name}.yaml"),
    ]
    for manifest in ("platform/argo-cd/values.yaml", f"platform/argo-cd/values-{env_name}.yaml"):
        assert f"--- # {manifest}\n" in out
        assert (repo_root / manifest).read_text().rstrip() in out
    assert f"--- # .argocd/bootstrap/{env_name}.yaml\n" in out
    assert (repo_root / f".argocd/bootstrap/{env_name}.yaml").read_text().rstrip() in out
    assert not any(arg.startswith("--kubeconfig") for argv in commands for arg in argv)
    vault = get_environment(env_name, repo_root).cluster["spec"]["keyVault"]["name"]
    assert {argv[argv.index("--vault-name") + 1] for argv in commands if argv[1] == "keyvault"} == {vault}
    assert "githubAppPrivateKey: <Key Vault secret argocd-github-app-private-key>" in out
    assert out.rstrip().endswith(f"bootstrap {env_name}: dry run complete, 5 steps printed")


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_bootstrap_installs_what_argo_cd_then_manages_itself_with(env_name: str, repo_root: Path) -> None:
    """Same chart version, release name and namespace as the argo-cd Application: Argo CD adopts, not duplicates."""
    env = get_environment(env_name, repo_root)
    catalogue = yaml.safe_load((repo_root / ".argocd/apps/values.yaml").read_text())["components"]["argo-cd"]
    pinned = env.platform["components"]["argo-cd"]["chart"]["version"]
    install = bootstrap.argo_cd_install(env)
    assert install.chart.version == pinned == "10.1.1"
    assert install.chart.repo_url == catalogue["chart"]["repoURL"]
    assert install.release == catalogue.get("releaseName", "argo-cd")
    assert install.namespace == catalogue["namespace"] == "argocd"
    root_app = bootstrap.load_root_application(env, install.namespace)
    assert root_app.name == f"platform-{env_name}"


def test_kubeconfig_and_context_reach_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bootstrap", "dev", "--dry-run", "--kubeconfig", "/k/config", "--context", "aks-dev"]) == 0
    commands = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("  $ ")]
    assert commands[0][-2:] == ["--kubeconfig=/k/config", "--kube-context=aks-dev"]
    kubectl = [argv for argv in commands[1:] if Path(argv[1]).name == "kubectl"]  # argv[0] is "$"
    assert len(kubectl) == 4 and all(argv[-2:] == ["--kubeconfig=/k/config", "--context=aks-dev"] for argv in kubectl)


def test_without_kubeconfig_a_real_run_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bootstrap", "dev"]) == 2
    err = capsys.readouterr().err
    assert "no kubeconfig for the cluster" in err
    assert "az aks get-credentials" in err


def test_missing_env_values_file_is_named(repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo_copy / "platform/argo-cd/values-staging.yaml").unlink()
    assert main(["bootstrap", "staging", "--dry-run"]) == 2
    assert "platform/argo-cd/values-staging.yaml: Argo CD values file not found" in capsys.readouterr().err


def _edit_root_application(repo_copy: Path, env_name: str, change: Any) -> None:
    path = repo_copy / f".argocd/bootstrap/{env_name}.yaml"
    documents = list(yaml.safe_load_all(path.read_text()))
    change(next(doc for doc in documents if doc["kind"] == "Application"))
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))


def test_root_application_breaking_the_crd_schema_is_rejected(
    repo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit_root_application(repo_copy, "dev", lambda app: app["spec"]["syncPolicy"]["automated"].update(prune="yes"))
    assert main(["bootstrap", "dev", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert ".argocd/bootstrap/dev.yaml: Application/platform-dev: spec/syncPolicy/automated/prune:" in err
    assert "'yes' is not of type 'boolean'" in err
    assert "Traceback" not in err


def test_root_application_outside_the_argo_cd_namespace_is_rejected(
    repo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit_root_application(repo_copy, "prod", lambda app: app["metadata"].update(namespace="default"))
    assert main(["bootstrap", "prod", "--dry-run"]) == 2
    assert "Application/platform-prod is not in namespace 'argocd'" in capsys.readouterr().err


def test_bootstrap_file_with_two_applications_is_rejected(repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo_copy / ".argocd/bootstrap/dev.yaml"
    application = next(doc for doc in yaml.safe_load_all(path.read_text()) if doc["kind"] == "Application")
    path.write_text(path.read_text() + "---\n" + yaml.safe_dump({**application, "metadata": {"name": "second"}}))
    assert main(["bootstrap", "dev", "--dry-run"]) == 2
    assert "expected one Application (and its AppProjects)" in capsys.readouterr().err


def test_real_run_against_an_unreachable_cluster_fails_in_one_line(
    tmp_path: Path,
    unreachable_kubeconfig: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real pinned helm, pointed at a closed port on 127.0.0.1: the first step fails, nothing after it runs."""
    for name in ("CACHE", "CONFIG", "DATA"):
        monkeypatch.setenv(f"HELM_{name}_HOME", str(tmp_path / "helm" / name.lower()))
    assert main(["bootstrap", "dev", "--kubeconfig", str(unreachable_kubeconfig), "--timeout", "5"]) == 2
    captured = capsys.readouterr()
    assert "running step 1:" in captured.out
    assert "running step 2:" not in captured.out
    assert captured.err.startswith("platformctl bootstrap: `helm upgrade --install` failed (exit 1): ")
    assert "127.0.0.1:1" in captured.err
    assert captured.err.count("\n") == 1


def _application(sync: str, health: str, message: str = "") -> str:
    status: dict[str, Any] = {"sync": {"status": sync}, "health": {"status": health}}
    if message:
        status["conditions"] = [{"type": "SyncError", "message": message}]
    return json.dumps({"kind": "Application", "metadata": {"name": "platform-dev"}, "status": status})


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_polls_until_synced_and_healthy() -> None:
    answers = iter(
        [_application("OutOfSync", "Missing"), _application("Synced", "Progressing"), _application("Synced", "Healthy")]
    )
    clock, seen = _Clock(), []
    step = bootstrap.Step("wait", ["kubectl", "get", "application", "platform-dev"])
    status = bootstrap.wait_for_root_app(
        step, lambda argv: next(answers), timeout=60, interval=10, clock=clock, sleep=clock.sleep, progress=seen.append
    )
    assert status.ready
    assert clock.now == 20
    assert seen[-1] == "  root Application: sync Synced, health Healthy"


def test_wait_gives_up_at_the_timeout_with_the_reason() -> None:
    clock = _Clock()
    step = bootstrap.Step("wait", ["kubectl", "get", "application", "platform-dev"])
    status = bootstrap.wait_for_root_app(
        step,
        lambda argv: _application("OutOfSync", "Degraded", "ComparisonError: repository not accessible"),
        timeout=30,
        interval=10,
        clock=clock,
        sleep=clock.sleep,
        progress=lambda line: None,
    )
    assert not status.ready
    assert (status.sync, status.health) == ("OutOfSync", "Degraded")
    assert status.message == "ComparisonError: repository not accessible"
    assert clock.now == 30
