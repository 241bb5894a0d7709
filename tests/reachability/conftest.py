"""Fixtures of the reachability gate: seeded cases run through `platformctl.reachability.check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from platformctl.findings import Finding
from platformctl.reachability import Application, check

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "case.yaml").is_file())


def load_case(name: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / name / "case.yaml").read_text(encoding="utf-8"))


def cluster(**network: Any) -> dict[str, Any]:
    """A cluster.yaml with the fixtures' network facts, `network` overriding them."""
    facts = yaml.safe_load((FIXTURES / "network.yaml").read_text(encoding="utf-8"))
    facts.update(network)
    return {"spec": {"network": facts}}


def applications(case: str) -> list[Application]:
    """`_base` and the case's Applications; values folders (flows.yaml) are relative to FIXTURES."""
    apps = [_application("_base", "cluster", "kube-system")]
    apps += [_application(case, name, namespace) for name, namespace in load_case(case)["apps"].items()]
    return apps


def _application(folder: str, name: str, namespace: str) -> Application:
    values = f"{folder}/apps/{name}"
    manifest = FIXTURES / values / "manifest.yaml"
    objects = [obj for obj in yaml.safe_load_all(manifest.read_text(encoding="utf-8")) if obj]
    return Application(name, namespace, True, objects, f"{values}/manifest.yaml", values)


def run(apps: list[Application], **network: Any) -> list[Finding]:
    return check("dev", apps, cluster(**network), FIXTURES)


def replace_objects(apps: list[Application], name: str, objects: list[dict[str, Any]]) -> list[Application]:
    return [
        Application(a.name, a.namespace, a.rendered, objects, a.file, a.values) if a.name == name else a for a in apps
    ]
