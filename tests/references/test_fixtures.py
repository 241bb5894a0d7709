"""Each fixture chart has one broken reference and yields exactly the finding that names it."""

from __future__ import annotations

import pytest

from platformctl.findings import Finding

from .conftest import Check

# fixture chart -> (referring kind/name, substrings of the message: field, missing target, hint)
CASES = {
    "service-selector-typo": (
        "Service/web",
        [
            "spec.selector",
            "pods with labels app=webb in namespace fixture",
            "did you mean app=web (Deployment fixture/web)",
        ],
    ),
    "target-port-unknown": (
        "Service/web",
        ["spec.ports[http].targetPort", "container port htp", "declare ports: http:8080", "did you mean http?"],
    ),
    "ingress-missing-service": (
        "Ingress/web",
        ["spec.rules[0].http.paths[0].backend.service", "Service fixture/webb", "did you mean web?"],
    ),
    "servicemonitor-no-service": (
        "ServiceMonitor/web",
        [
            "spec.selector",
            "Services with labels app=web-api in namespace fixture",
            "did you mean app=web (Service fixture/web)",
        ],
    ),
    "servicemonitor-not-selected": (
        "ServiceMonitor/web",
        ["a Prometheus that loads it", "Prometheus fixture/kps selects serviceMonitors with labels release=kps"],
    ),
    "externalsecret-missing-store": (
        "ExternalSecret/db",
        ["spec.secretStoreRef", "ClusterSecretStore azure-keyvault", "did you mean azure-key-vault?"],
    ),
    "env-key-missing": (
        "Deployment/web",
        [
            "containers[app].env[DB_PASSWORD].valueFrom.secretKeyRef",
            "key 'password' of Secret fixture/db, which provides only: db-password",
            "(created by ExternalSecret fixture/db)",
            "did you mean db-password?",
        ],
    ),
    "missing-serviceaccount": (
        "Deployment/web",
        ["spec.template.spec.serviceAccountName", "ServiceAccount fixture/web"],
    ),
    "unknown-storage-class": (
        "PersistentVolumeClaim/data",
        ["spec.storageClassName", "StorageClass managed-csi-premuim", "did you mean managed-csi-premium?"],
    ),
    "issuer-typo": (
        "Certificate/web-tls",
        ["spec.issuerRef", "ClusterIssuer letsencrypt-prd", "did you mean letsencrypt-prod?"],
    ),
}


def _show(findings: list[Finding]) -> str:
    return "\n".join(f.one_line() for f in findings)


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_fixture_yields_exactly_its_finding(check: Check, fixture: str) -> None:
    found = check(fixture)
    assert len(found) == 1, _show(found)
    finding = found[0]
    referrer, parts = CASES[fixture]
    assert f"{finding.kind}/{finding.name}" == referrer, _show(found)
    assert (finding.gate, finding.env, finding.application, finding.severity) == (
        "references",
        "test",
        fixture,
        "error",
    )
    for part in parts:
        assert part in finding.message, f"{part!r} not in {finding.message}"
    assert finding.fix


def test_every_reference_kind_resolves_in_the_clean_fixture(check: Check) -> None:
    assert check("clean") == []


def test_a_missing_secret_read_by_three_workloads_is_one_finding(check: Check) -> None:
    found = check("missing-secret-shared")
    assert len(found) == 1, _show(found)
    message = found[0].message
    assert found[0].name == "api" and "Secret fixture/database-credentials" in message
    assert "also referred to by Deployment fixture/scheduler" in message and "Deployment fixture/worker" in message


def test_targets_resolve_across_applications(check: Check) -> None:
    """The Service the ingress fixture misses exists once another Application of the env renders it."""
    assert check("ingress-missing-service", "provides-service-webb") == []
