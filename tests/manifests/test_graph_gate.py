"""Graph gate: sources, AppProject permissions, ownership, waves, required components, prod pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.images import mutable_image_problem

from .conftest import GateRunner, add_web_objects, edit, errors_of, messages

pytestmark = pytest.mark.slow

APPS_VALUES = Path(".argocd") / "apps" / "values.yaml"
APPLICATIONS = Path(".argocd") / "apps" / "templates" / "applications.yaml"


def only(report_findings: list, text: str) -> None:
    assert len(report_findings) == 1, messages(report_findings)
    assert text in report_findings[0].message, messages(report_findings)


def test_in_repo_chart_path_must_exist(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / APPS_VALUES, "path: platform/web", "path: platform/webb")
    found = errors_of(gate("dev"), "graph")
    assert any("chart path platform/webb has no Chart.yaml" in f.message for f in found), messages(found)


def test_value_files_must_exist(gate: GateRunner, fixture_repo: Path) -> None:
    (fixture_repo / "platform" / "cert-manager" / "values-dev.yaml").unlink()
    only(errors_of(gate("dev"), "graph"), "value file $values/platform/cert-manager/values-dev.yaml does not exist")


def test_value_files_come_base_then_env(gate: GateRunner, fixture_repo: Path) -> None:
    edit(
        fixture_repo / APPLICATIONS,
        "          - $values/{{ $c.values }}/values.yaml\n          - $values/{{ $c.values }}/values-{{ $env }}.yaml",
        "          - $values/{{ $c.values }}/values-{{ $env }}.yaml\n          - $values/{{ $c.values }}/values.yaml",
    )
    found = errors_of(gate("dev"), "graph")
    assert len(found) == 4 and all("wrong order" in f.message for f in found), messages(found)


def test_project_must_allow_the_source_repository(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / APPS_VALUES, "      - https://charts.jetstack.io\n", "")
    found = errors_of(gate("dev"), "graph")
    only(found, "AppProject platform does not allow source repository https://charts.jetstack.io")
    assert found[0].application == "cert-manager"


def test_project_must_allow_the_destination_namespace(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / APPS_VALUES, "namespaces: [monitoring, cert-manager,", "namespaces: [monitoring,")
    only(
        errors_of(gate("dev"), "graph"),
        "does not allow destination https://kubernetes.default.svc namespace cert-manager",
    )


def test_object_in_a_namespace_the_project_does_not_allow(gate: GateRunner, fixture_repo: Path) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "kube-system"}}
    add_web_objects(fixture_repo, cm)
    only(errors_of(gate("dev"), "graph"), "renders into namespace kube-system, which AppProject apps does not allow")


def test_cluster_scoped_kind_outside_the_whitelist(gate: GateRunner, fixture_repo: Path) -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "web"}}
    add_web_objects(fixture_repo, role)
    found = errors_of(gate("dev"), "graph")
    only(found, "AppProject apps does not allow cluster-scoped ClusterRole.rbac.authorization.k8s.io")
    assert (found[0].kind, found[0].name) == ("ClusterRole", "web")


def test_namespaced_kind_outside_the_whitelist(gate: GateRunner, fixture_repo: Path) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}}
    add_web_objects(fixture_repo, secret)
    only(errors_of(gate("dev"), "graph"), "AppProject apps does not allow namespaced Secret.core")


def test_two_applications_may_not_own_the_same_object(gate: GateRunner, fixture_repo: Path) -> None:
    # A second in-repo Application of the same chart in the same namespace renders the same objects.
    edit(
        fixture_repo / APPS_VALUES,
        "  web:\n",
        "  web-copy:\n    project: apps\n    namespace: web\n    wave: 1\n    path: platform/web\n"
        "    values: platform/web\n  web:\n",
    )
    edit(fixture_repo / APPLICATIONS, "releaseName: {{ $name }}", "releaseName: web")
    found = errors_of(gate("dev"), "graph")
    assert found and all("is also deployed by Application" in f.message for f in found), messages(found)
    assert {f.kind for f in found} == {"Deployment", "Service", "ServiceMonitor"}


def test_depends_on_needs_a_lower_wave(gate: GateRunner, fixture_repo: Path) -> None:
    edit(
        fixture_repo / APPS_VALUES, "dependsOn: [kube-prometheus-stack]", "dependsOn: [kube-prometheus-stack, dagster]"
    )
    edit(
        fixture_repo / APPS_VALUES,
        "    wave: 0\n    chart: {repoURL: https://dagster",
        "    wave: 5\n    chart: {repoURL: https://dagster",
    )
    only(errors_of(gate("dev"), "graph"), "wave 1 is not after its dependency dagster (wave 5)")


def test_required_component_missing(gate: GateRunner) -> None:
    found = errors_of(gate("dev", required=("web", "datahub")), "graph")
    only(found, "required component datahub is missing from env dev")


def test_prod_chart_versions_must_be_exact(gate: GateRunner, fixture_repo: Path) -> None:
    edit(
        fixture_repo / "clusters" / "prod" / "platform.yaml",
        "environment: prod\n",
        "environment: prod\ncomponents:\n  cert-manager: {chart: {version: ~1.21.0}}\n",
    )
    found = errors_of(gate("prod"), "graph")
    assert any("chart cert-manager version '~1.21.0' is not an exact version" in f.message for f in found), messages(
        found
    )


def test_prod_target_revision_must_not_be_a_branch(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "clusters" / "prod" / "platform.yaml", "targetRevision: v1.0.0", "targetRevision: main")
    found = errors_of(gate("prod"), "graph")
    assert found and all("targetRevision 'main'" in f.message for f in found), messages(found)


def test_prod_images_must_be_immutable(gate: GateRunner, fixture_repo: Path) -> None:
    (fixture_repo / "platform" / "web" / "values-prod.yaml").write_text("image: acrfixture.azurecr.io/web:latest\n")
    found = errors_of(gate("prod"), "graph")
    only(found, "image acrfixture.azurecr.io/web:latest uses the tag 'latest', which is not an exact X.Y.Z version")
    assert (found[0].kind, found[0].name) == ("Deployment", "web")
    # dev may use any tag
    (fixture_repo / "platform" / "web" / "values-dev.yaml").write_text("image: acrfixture.azurecr.io/web:latest\n")
    assert not errors_of(gate("dev"), "graph")


@pytest.mark.parametrize(
    ("image", "mutable"),
    [
        ("acr.io/web:1.2.3", False),
        ("acr.io/web:v1.2.3-rc.1", False),
        ("acr.io/web@sha256:" + "a" * 64, False),
        ("acr.io/web:main@sha256:" + "b" * 64, False),
        ("acr.io/web", True),
        ("acr.io/web:latest", True),
        ("acr.io/web:HEAD", True),
        ("acr.io/web:1.2", True),
        ("localhost:5000/web", True),
    ],
)
def test_mutable_image_detection(image: str, mutable: bool) -> None:
    assert bool(mutable_image_problem(image)) is mutable


def test_root_application_must_use_the_env_platform_file(gate: GateRunner, fixture_repo: Path) -> None:
    edit(
        fixture_repo / ".argocd" / "bootstrap" / "prod.yaml",
        "clusters/prod/platform.yaml",
        "clusters/dev/platform.yaml",
    )
    found = errors_of(gate("prod"), "graph")
    only(found, "root Application value files ['../../clusters/dev/platform.yaml'] are not clusters/prod/platform.yaml")
    assert found[0].file == ".argocd/bootstrap/prod.yaml"


def test_root_project_must_allow_what_the_app_of_apps_renders(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / ".argocd" / "bootstrap" / "dev.yaml", "    - {group: argoproj.io, kind: AppProject}\n", "")
    found = errors_of(gate("dev"), "graph")
    assert len(found) == 2 and all("root project app-of-apps does not allow AppProject" in f.message for f in found)


def test_bootstrap_objects_are_schema_validated(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / ".argocd" / "bootstrap" / "dev.yaml", "  project: app-of-apps", "  projekt: app-of-apps")
    found = errors_of(gate("dev"), "schema")
    assert any(f.application == "_bootstrap" and "'projekt' was unexpected" in f.message for f in found), messages(
        found
    )


def test_namespace_must_be_created_by_someone(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / APPLICATIONS, "    syncOptions: [CreateNamespace=true]\n", "")
    found = errors_of(gate("dev"), "graph")
    assert {f.application for f in found} == {"web", "cert-manager", "kube-prometheus-stack", "dagster"}
    assert any(f.message == "deploys into namespace web, which no Application creates" for f in found), messages(found)


def test_namespace_must_be_created_in_an_earlier_wave(gate: GateRunner, fixture_repo: Path) -> None:
    add_web_objects(fixture_repo, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "monitoring"}})
    edit(fixture_repo / APPLICATIONS, "    syncOptions: [CreateNamespace=true]\n", "")
    found = errors_of(gate("dev"), "graph")
    expected = "deploys into namespace monitoring in wave -1, but web creates it in wave 1"
    assert any(f.application == "kube-prometheus-stack" and f.message == expected for f in found), messages(found)


def test_namespaced_kind_on_the_blacklist(gate: GateRunner, fixture_repo: Path) -> None:
    # web moves to project platform (no namespaced whitelist), which blacklists ResourceQuota.
    edit(
        fixture_repo / APPS_VALUES,
        "    clusterResourceWhitelist:\n      - {group: apiextensions.k8s.io",
        "    namespaceResourceBlacklist:\n      - {group: '', kind: ResourceQuota}\n"
        "    clusterResourceWhitelist:\n      - {group: apiextensions.k8s.io",
    )
    edit(fixture_repo / APPS_VALUES, "  web:\n    project: apps", "  web:\n    project: platform")
    edit(
        fixture_repo / APPS_VALUES,
        "    namespaces: [monitoring, cert-manager,",
        "    namespaces: [web, monitoring, cert-manager,",
    )
    edit(
        fixture_repo / APPS_VALUES,
        "      - https://dagster-io.github.io/helm",
        "      - https://dagster-io.github.io/helm",
    )
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "10"}}}
    add_web_objects(fixture_repo, quota)
    found = errors_of(gate("dev"), "graph")
    only(found, "AppProject platform does not allow namespaced ResourceQuota.core")
