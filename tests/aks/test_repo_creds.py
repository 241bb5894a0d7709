"""`platformctl bootstrap` gives Argo CD its repository credentials from Key Vault, for the ExternalSecret to keep.

The step runs against recorded `az` answers (a fake runner: no Azure, no cluster): it reads each Key Vault
secret the repo-creds ExternalSecret maps, then sends one Secret on stdin with the ExternalSecret's name,
keys and labels, so External Secrets takes it over. No value is printed or written to disk.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from platformctl.aks import bootstrap
from platformctl.aks.repo_creds import repo_credentials
from platformctl.environments import get_environment
from platformctl.errors import PlatformError
from platformctl.paths import repo_root
from platformctl.tools import find_tool

# What `az keyvault secret show --query value --output tsv` printed for each secret (test values).
RECORDED = {
    "argocd-github-app-id": "123456\n",
    "argocd-github-app-installation-id": "98765432\n",
    "argocd-github-app-private-key": "-----BEGIN RSA PRIVATE KEY-----\nnot-a-real-key\n-----END RSA PRIVATE KEY-----\n",
}


def rendered_secret_store(env_name: str) -> list[dict]:
    """`helm template` of platform/secret-store for the env (what Argo CD applies)."""
    chart = repo_root() / "platform/secret-store"
    argv = [str(find_tool("helm")), "template", "secret-store", str(chart), "-f", str(chart / "values.yaml"),
            "-f", str(chart / f"values-{env_name}.yaml")]  # fmt: skip
    output = subprocess.run(argv, capture_output=True, text=True, check=True, env=bootstrap.tool_environment()).stdout
    return [d for d in yaml.safe_load_all(output) if d]


def _plan(env_name: str, root: Path | None = None) -> bootstrap.BootstrapPlan:
    return bootstrap.plan_bootstrap(get_environment(env_name, root or repo_root()), kubeconfig="/k/config")


class RecordedAz:
    """Answers `az keyvault secret show` from RECORDED; records every command and what was sent on stdin."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.commands: list[list[str]] = []
        self.applied: list[tuple[list[str], str]] = []

    def read(self, argv: Sequence[str]) -> str:
        self.commands.append(list(argv))
        name = argv[argv.index("--name") + 1]
        if name not in self.answers:
            raise PlatformError(
                f"`az keyvault secret` failed (exit 3): (SecretNotFound) A secret with (name/id) {name}"
            )
        return self.answers[name]

    def apply(self, argv: Sequence[str], stdin: str) -> str:
        self.applied.append((list(argv), stdin))
        return "secret/argocd-repo-creds-github created\n"


@pytest.mark.parametrize("env_name", ["dev", "staging", "prod"])
def test_bootstrap_creates_the_repo_creds_the_external_secret_takes_over(env_name: str) -> None:
    plan = _plan(env_name)
    (step,) = [s for s in plan.steps if s.secret is not None]
    assert plan.steps.index(step) == 1  # after Argo CD's namespace exists, before the root Application
    az = RecordedAz(RECORDED)
    bootstrap.run_secret_step(step, az.read, az.apply)
    vault = get_environment(env_name, repo_root()).cluster["spec"]["keyVault"]["name"]
    assert {c[c.index("--vault-name") + 1] for c in az.commands} == {vault}
    ((argv, stdin),) = az.applied
    assert argv[1:6] == ["apply", "--namespace", "argocd", "--filename", "-"]
    secret = yaml.safe_load(stdin)
    name = secret["metadata"]["name"]
    objects = rendered_secret_store(env_name)
    (external_secret,) = [o for o in objects if o["kind"] == "ExternalSecret" and o["metadata"]["name"] == name]
    target = external_secret["spec"]["target"]
    assert target["creationPolicy"] == "Orphan"  # ESO updates the Secret bootstrap created
    assert secret["metadata"]["namespace"] == external_secret["metadata"]["namespace"] == "argocd"
    assert secret["metadata"]["labels"] == target["template"]["metadata"]["labels"]
    assert secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "repo-creds"
    fetched = {d["secretKey"] for d in external_secret["spec"]["data"]}
    assert set(secret["stringData"]) == fetched | set(target["template"]["data"])
    assert secret["stringData"]["githubAppID"] == "123456"
    assert secret["stringData"]["githubAppPrivateKey"].endswith("-----END RSA PRIVATE KEY-----")
    assert "https://github.com/example-org/data-platform-gitops.git".startswith(secret["stringData"]["url"])


def test_a_missing_key_vault_secret_names_it_and_applies_nothing() -> None:
    (step,) = [s for s in _plan("dev").steps if s.secret is not None]
    az = RecordedAz({k: v for k, v in RECORDED.items() if k != "argocd-github-app-private-key"})
    with pytest.raises(PlatformError) as error:
        bootstrap.run_secret_step(step, az.read, az.apply)
    assert "reading Key Vault secret argocd-github-app-private-key of vault kv-dataplatform-dev" in error.value.message
    assert "az keyvault secret set --vault-name kv-dataplatform-dev" in (error.value.fix or "")
    assert az.applied == []


def test_the_dry_run_never_shows_a_value(capsys: pytest.CaptureFixture[str]) -> None:
    from platformctl.cli import main

    assert main(["bootstrap", "prod", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "<Key Vault secret argocd-github-app-id>" in out
    assert "BEGIN RSA" not in out


def test_without_repo_creds_in_the_secret_store_bootstrap_refuses(tmp_path: Path) -> None:
    for folder in ("clusters", ".argocd", "platform/argo-cd", "platform/secret-store"):
        shutil.copytree(repo_root() / folder, tmp_path / folder)
    values = tmp_path / "platform/secret-store/values.yaml"
    document = yaml.safe_load(values.read_text())
    del document["externalSecrets"]["argocd-repo-creds-github"]
    values.write_text(yaml.safe_dump(document))
    with pytest.raises(PlatformError, match=r"no ExternalSecret labelled argocd\.argoproj\.io/secret-type: repo-creds"):
        repo_credentials(get_environment("dev", tmp_path), "argocd")
