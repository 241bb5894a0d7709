"""Deleting (or renaming, which prunes) the external-secrets or secret-store Application keeps every Secret.

Argo CD's cascade and Kubernetes' garbage collection are simulated on the rendered objects
(`platformctl.deletion`): the secret-store chart of this repository, and the external-secrets CRDs as the
upstream chart renders them (fixture chart reproducing its `crds.annotations`; the real chart too when
its archive is in the chart cache).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from platformctl.deletion import ARGO_FINALIZER, SYNC_OPTIONS, delete_application, materialised_secrets
from platformctl.paths import chart_cache

ESO_FIXTURE = "tests/argocd/fixtures/external-secrets-crds"
ESO_ARCHIVE = "external-secrets-2.9.0.tgz"


def _values(component: str, env: str) -> tuple[str, str]:
    return (f"platform/{component}/values.yaml", f"platform/{component}/values-{env}.yaml")


def eso_charts() -> list[Any]:
    archive = chart_cache() / ESO_ARCHIVE
    real = pytest.param(
        str(archive),
        id="real-chart",
        marks=pytest.mark.skipif(not archive.is_file(), reason=f"{ESO_ARCHIVE} not in the chart cache"),
    )
    return [pytest.param(ESO_FIXTURE, id="fixture-chart"), real]


@pytest.fixture(params=eso_charts())
def managed(request: pytest.FixtureRequest, env: str, helm_template: Any) -> dict[str, list[dict[str, Any]]]:
    """Objects each Application manages (the external-secrets chart: only its CRDs matter here)."""
    eso = helm_template(request.param, _values("external-secrets", env)).objects
    store = list(helm_template("platform/secret-store", _values("secret-store", env)).objects)
    return {
        "external-secrets": [o for o in eso if o["kind"] == "CustomResourceDefinition"],
        "secret-store": store,
    }


def cluster_of(managed: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    objects = [obj for objs in managed.values() for obj in objs]
    return objects + materialised_secrets(objects)


def deleted_secrets(application: dict[str, Any], managed: dict[str, Any], name: str) -> list[str]:
    gone = delete_application(application, managed[name], cluster_of(managed))
    return sorted(f"{r.namespace}/{r.name}" for r in gone if r.kind == "Secret")


@pytest.mark.parametrize("name", ["external-secrets", "secret-store"])
def test_deleting_the_application_deletes_no_secret(
    apps: Any, managed: dict[str, list[dict[str, Any]]], name: str
) -> None:
    secrets = [o for o in cluster_of(managed) if o["kind"] == "Secret"]
    assert len(secrets) >= 8  # every platform Secret is in the simulated cluster
    assert deleted_secrets(apps.applications[name], managed, name) == []


def test_the_eso_crds_are_kept_even_by_a_cascading_delete(managed: dict[str, list[dict[str, Any]]]) -> None:
    """`argocd app delete --cascade` adds the finalizer back: the CRDs (Delete=false) still stay."""
    cascading = {"metadata": {"name": "external-secrets", "finalizers": [ARGO_FINALIZER]}}
    assert deleted_secrets(cascading, managed, "external-secrets") == []
    for crd in managed["external-secrets"]:
        assert crd["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_orphan_secrets_survive_their_external_secrets(managed: dict[str, list[dict[str, Any]]]) -> None:
    cascading = {"metadata": {"name": "secret-store", "finalizers": [ARGO_FINALIZER]}}
    gone = delete_application(cascading, managed["secret-store"], cluster_of(managed))
    assert {r.kind for r in gone} >= {"ExternalSecret", "ClusterSecretStore"}  # the cascade did run
    assert not [r for r in gone if r.kind == "Secret"]


def test_without_the_protections_every_secret_would_be_deleted(managed: dict[str, list[dict[str, Any]]]) -> None:
    """The simulation catches the original defect: finalizer + unprotected CRDs + creationPolicy Owner."""
    unprotected = copy.deepcopy(managed)
    for crd in unprotected["external-secrets"]:
        crd["metadata"]["annotations"].pop(SYNC_OPTIONS)
    for obj in unprotected["secret-store"]:
        if obj["kind"] == "ExternalSecret":
            obj["spec"]["target"]["creationPolicy"] = "Owner"
    every_secret = sorted(
        f"{s['metadata']['namespace']}/{s['metadata']['name']}"
        for s in materialised_secrets(unprotected["secret-store"])
    )
    for name in ("external-secrets", "secret-store"):
        cascading = {"metadata": {"name": name, "finalizers": [ARGO_FINALIZER + "/background"]}}
        assert deleted_secrets(cascading, unprotected, name) == every_secret
