"""The reference gate runs as a timed stage of `platformctl validate` on every rendered Application."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import GateRunner, add_web_objects, errors_of, messages

pytestmark = pytest.mark.slow


def test_reference_gate_is_a_timed_stage_and_clean_on_the_fixture(gate: GateRunner) -> None:
    report = gate("dev")
    assert "references" in report.timings
    assert not errors_of(report, "references"), messages(report.findings)


def test_an_ingress_to_a_missing_service_fails_validate(gate: GateRunner, fixture_repo: Path) -> None:
    backend = {"service": {"name": "api", "port": {"name": "http"}}}
    rule = {"host": "web.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web"},
        "spec": {"rules": [rule]},
    }
    add_web_objects(fixture_repo, ingress)
    report = gate("dev")
    found = errors_of(report, "references")
    assert len(found) == 1 and not report.clean, messages(report.findings)
    assert (found[0].application, found[0].kind, found[0].name) == ("web", "Ingress", "web")
    assert "Service web/api, which no Application of the env renders" in found[0].message
