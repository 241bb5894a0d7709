"""Files a new app takes from the reference data app, renamed: its Dockerfile, values files and flows.

These files carry the platform's conventions (registry, probes, replicas per env, PDB/HPA/zone spread
in prod, warehouse per env, Key Vault secret names, ingress hosts, the flows.yaml of the reachability
gate: its pods as an endpoint and what it reaches), which change with the platform;
copying them from the app the catalogue already deploys keeps a scaffold current without a second copy
of those conventions here. Only names change, plus what is the new app's own: owner, data
classification, and the managed identity (left empty until the identity exists).
"""

from __future__ import annotations

import re
from pathlib import Path

from platformctl.errors import PlatformError
from platformctl.promote.yamledit import set_scalar
from platformctl.scaffold.naming import AppNames

DERIVED = ("Dockerfile", "values.yaml", "values-*.yaml", "flows.yaml")
_IDENTITY = re.compile(r"^(\s*workloadIdentityClientId:)\s*\S+.*$", re.MULTILINE)


def rename(text: str, old: AppNames, new: AppNames) -> str:
    """`text` with every spelling of the old app's names (component, package, env prefix, title) replaced."""
    for before, after in (
        (old.name, new.name),
        (old.package, new.package),
        (old.package.upper(), new.package.upper()),
        (old.title, new.title),
    ):
        text = text.replace(before, after)
    return text


def derived_files(reference_dir: Path, new: AppNames, owner: str, classification: str) -> dict[Path, str]:
    """Relative path -> content for every DERIVED file of the reference app, renamed for `new`."""
    old = AppNames.parse(reference_dir.name)
    files: dict[Path, str] = {}
    for pattern in DERIVED:
        for source in sorted(reference_dir.glob(pattern)):
            text = rename(source.read_text(encoding="utf-8"), old, new)
            if source.suffix == ".yaml":
                text = _IDENTITY.sub(
                    rf'\1 ""  # client id of the managed identity of {new.name} (create it first)', text
                )
            files[Path(source.name)] = text
    if "values.yaml" not in {path.name for path in files} or "Dockerfile" not in {path.name for path in files}:
        raise PlatformError(
            f"reference app {reference_dir} has no values.yaml or Dockerfile", fix="complete the reference app first"
        )
    base = files[Path("values.yaml")]
    base = set_scalar(base, ("app", "owner"), owner, source="values.yaml")
    files[Path("values.yaml")] = set_scalar(base, ("app", "dataClassification"), classification, source="values.yaml")
    return files
