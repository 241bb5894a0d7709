"""Argo CD's repository credentials for a fresh cluster, read from Key Vault by `platformctl bootstrap`.

Argo CD must read this (private) repository before External Secrets exists: its root Application renders
every other component, External Secrets included. So bootstrap creates the repo-creds Secret once, from
the same Key Vault secrets and with the same name, keys and labels as the ExternalSecret of
`platform/secret-store/values.yaml` that takes it over afterwards (`creationPolicy: Orphan` updates an
existing Secret; Key Vault stays the only source). A GitHub App is used (app id, installation id and
private key): its tokens are short-lived and scoped to the installation, unlike a personal token.

The values never touch the disk or the terminal: `az` prints each one to a pipe, the Secret is sent to
`kubectl apply --filename -` on stdin, and the dry run shows `<Key Vault secret NAME>` in their place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.environments import Environment, load_yaml
from platformctl.errors import PlatformError

SECRET_STORE_VALUES = "platform/secret-store/values.yaml"
SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
REPO_CREDS = "repo-creds"
#: Keys of an Argo CD repo-creds Secret for a GitHub App (Argo CD declarative setup).
GITHUB_APP_KEYS = frozenset({"githubAppID", "githubAppInstallationID", "githubAppPrivateKey"})


@dataclass(frozen=True)
class SecretFromKeyVault:
    """A Secret whose `from_vault` keys are Key Vault secrets of `vault` (read at run time); `constants` are not."""

    name: str
    namespace: str
    labels: dict[str, str]
    constants: dict[str, str]
    from_vault: dict[str, str]  # Secret key -> Key Vault secret name
    vault: str

    def read_command(self, az: str, vault_secret: str) -> list[str]:
        return [az, "keyvault", "secret", "show", "--vault-name", self.vault, "--name", vault_secret,
                "--query", "value", "--output", "tsv"]  # fmt: skip

    def manifest(self, values: dict[str, str]) -> str:
        """The Secret as YAML with `values` (Secret key -> value) for the keys read from Key Vault."""
        document = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": self.name, "namespace": self.namespace, "labels": dict(self.labels)},
            "type": "Opaque",
            "stringData": {**self.constants, **{key: values[key] for key in self.from_vault}},
        }
        return yaml.safe_dump(document, sort_keys=False)

    def redacted_manifest(self) -> str:
        return self.manifest({key: f"<Key Vault secret {name}>" for key, name in self.from_vault.items()})


def repo_credentials(env: Environment, namespace: str) -> list[SecretFromKeyVault]:
    """The repo-creds ExternalSecrets of the secret store in Argo CD's namespace, as Secrets to create now."""
    path = env.root / SECRET_STORE_VALUES
    relative = Path(SECRET_STORE_VALUES)
    entries: dict[str, Any] = (load_yaml(path) or {}).get("externalSecrets") or {} if path.is_file() else {}
    vault = env.cluster["spec"]["keyVault"]["name"]
    found = []
    for name, entry in entries.items():
        labels = entry.get("labels") or {}
        if labels.get(SECRET_TYPE_LABEL) != REPO_CREDS:
            continue
        if entry.get("namespace") != namespace:
            raise PlatformError(
                f"{relative}: externalSecrets.{name} is labelled {REPO_CREDS} but lives in {entry.get('namespace')!r}",
                fix=f"set its namespace to {namespace}, where Argo CD reads repository credentials",
            )
        missing = sorted(GITHUB_APP_KEYS - set(entry.get("data") or {}))
        if missing or "url" not in (entry.get("constants") or {}):
            what = ", ".join([*missing, *([] if "url" in (entry.get("constants") or {}) else ["constants.url"])])
            raise PlatformError(
                f"{relative}: externalSecrets.{name} (GitHub App repository credentials) lacks {what}",
                fix="map githubAppID, githubAppInstallationID, githubAppPrivateKey to Key Vault secrets and set "
                "constants.url to the organisation URL",
            )
        found.append(
            SecretFromKeyVault(name, namespace, dict(labels), dict(entry["constants"]), dict(entry["data"]), vault)
        )
    if not found:
        raise PlatformError(
            f"{relative}: no ExternalSecret labelled {SECRET_TYPE_LABEL}: {REPO_CREDS} in namespace {namespace}",
            fix="add the GitHub App repository credentials (see docs/gitops-operations.md); Argo CD cannot read "
            "this repository without them",
        )
    return found
