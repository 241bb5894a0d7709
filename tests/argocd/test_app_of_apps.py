"""The app-of-apps chart rendered by the real helm for each environment: Applications, projects,
waves, value-file order, sync safety. Negative cases live in test_app_of_apps_input.py."""

from __future__ import annotations

import re
from typing import Any

from platformctl.paths import upstream_mirror

Rendered = Any  # conftest.Rendered: .objects, .applications, .projects

EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+$")
PROJECTS = {"platform", "data-apps"}


def enabled_components(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: c for name, c in values["components"].items() if c["enabled"]}


def wave(application: dict[str, Any]) -> int:
    return int(application["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])


def test_one_application_per_enabled_component(apps: Rendered, platform_values: dict[str, Any]) -> None:
    assert set(apps.applications) == set(enabled_components(platform_values))
    assert set(apps.projects) == PROJECTS
    assert {obj["kind"] for obj in apps.objects} == {"Application", "AppProject"}


def test_no_application_in_the_default_project(apps: Rendered) -> None:
    for name, application in apps.applications.items():
        assert application["spec"]["project"] in PROJECTS, name
        assert application["metadata"]["namespace"] == "argocd", name


def test_upstream_sources_are_pinned_and_values_come_base_then_env(apps: Rendered, env: str) -> None:
    for name, application in apps.applications.items():
        chart_source, values_source = application["spec"]["sources"]
        assert values_source == {
            "repoURL": "https://github.com/example-org/data-platform-gitops.git",
            "targetRevision": values_source["targetRevision"],
            "ref": "values",
        }
        value_files = chart_source["helm"]["valueFiles"]
        assert len(value_files) == 2, name
        assert value_files[0].endswith("/values.yaml"), name
        assert value_files[1].endswith(f"/values-{env}.yaml"), name
        assert value_files[0].rsplit("/", 1)[0] == value_files[1].rsplit("/", 1)[0], name
        assert value_files[0].startswith("$values/"), name
        if "chart" in chart_source:
            assert EXACT_VERSION.match(chart_source["targetRevision"]), f"{name}: {chart_source['targetRevision']}"
        else:
            assert chart_source["repoURL"] == values_source["repoURL"], name
            assert chart_source["targetRevision"] == values_source["targetRevision"], name


def test_mirrored_upstream_charts_are_pinned_to_the_mirrored_version(apps: Rendered) -> None:
    mirror = upstream_mirror() / "charts"
    checked = 0
    for name, application in apps.applications.items():
        source = application["spec"]["sources"][0]
        if "chart" not in source or not (mirror / source["chart"]).is_dir():
            continue
        mirrored = sorted(p.name for p in (mirror / source["chart"]).iterdir())
        assert source["targetRevision"] in mirrored, f"{name}: {source['targetRevision']} not in {mirrored}"
        checked += 1
    assert checked >= 7  # argo-cd, external-secrets, cert-manager, kube-prometheus-stack, grafana, datahub x2


def test_prod_deploys_a_release_tag(render_apps: Any) -> None:
    for application in render_apps("prod").applications.values():
        for source in application["spec"]["sources"]:
            assert EXACT_VERSION.match(source["targetRevision"]), source


def test_waves_put_providers_before_their_users(apps: Rendered, platform_values: dict[str, Any]) -> None:
    applications = apps.applications
    for name, component in enabled_components(platform_values).items():
        for provider in component.get("dependsOn", []):
            assert wave(applications[provider]) < wave(applications[name]), f"{provider} -> {name}"
    platform_waves = [wave(a) for a in applications.values() if a["spec"]["project"] == "platform"]
    for application in applications.values():
        if application["spec"]["project"] == "data-apps":
            assert wave(application) > max(platform_waves)
    assert wave(applications["kube-prometheus-stack"]) < wave(applications["external-secrets"])
    assert wave(applications["monitoring"]) > wave(applications["grafana"])
    assert all(
        int(p["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) < min(platform_waves)
        for p in apps.projects.values()
    )


def test_stateful_components_are_neither_pruned_nor_cascade_deleted(
    apps: Rendered, platform_values: dict[str, Any]
) -> None:
    for name, component in enabled_components(platform_values).items():
        application = apps.applications[name]
        policy = application["spec"]["syncPolicy"]
        finalizers = application["metadata"].get("finalizers", [])
        if component.get("stateful"):
            assert policy["automated"]["prune"] is False, name
            assert finalizers == [], name
        else:
            assert policy["automated"]["prune"] is True, name
            assert finalizers == ["resources-finalizer.argocd.argoproj.io"], name
    for name in ("datahub", "datahub-prerequisites", "dagster", "kube-prometheus-stack", "argo-cd"):
        assert "finalizers" not in apps.applications[name]["metadata"], name


def seconds(duration: str) -> int:
    """An Argo CD backoff duration (`10s`, `3m`, `1h`) in seconds."""
    number, unit = int(duration[:-1]), duration[-1]
    return number * {"s": 1, "m": 60, "h": 3600}[unit]


def test_sync_retries_forever_with_a_capped_backoff(apps: Rendered) -> None:
    """A first bootstrap waits on earlier waves for longer than any fixed number of tries (5 tries gave up
    after ~5 minutes); a negative limit is Argo CD's "retry forever", and the cap keeps recovery quick."""
    import jsonschema
    import yaml

    crd = yaml.safe_load((upstream_mirror() / "crds/argo-cd/application-crd.yaml").read_text(encoding="utf-8"))
    retry_schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    retry_schema = retry_schema["syncPolicy"]["properties"]["retry"]
    for name, application in apps.applications.items():
        retry = application["spec"]["syncPolicy"]["retry"]
        jsonschema.validate(retry, retry_schema)
        assert retry["limit"] < 0, f"{name}: retry.limit {retry['limit']} gives up"
        backoff = retry["backoff"]
        assert backoff["factor"] >= 2, name
        assert seconds(backoff["duration"]) <= seconds(backoff["maxDuration"]) <= 300, name


def test_charts_with_crds_over_the_client_side_limit_apply_server_side(apps: Rendered) -> None:
    mirror = upstream_mirror() / "crds"
    largest = max(path.stat().st_size for path in mirror.glob("*/*.yaml"))
    assert largest > 262_144  # the last-applied-configuration annotation limit of client-side apply
    for name in ("kube-prometheus-stack", "external-secrets", "cert-manager", "argo-cd"):
        assert "ServerSideApply=true" in apps.applications[name]["spec"]["syncPolicy"]["syncOptions"], name


def test_kube_prometheus_stack_is_applied_server_side(apps: Rendered) -> None:
    application = apps.applications["kube-prometheus-stack"]
    options = application["spec"]["syncPolicy"]["syncOptions"]
    assert "ServerSideApply=true" in options
    assert "SkipDryRunOnMissingResource=true" in options
    assert "RespectIgnoreDifferences=true" in options


# A webhook as cert-manager v1.21.1 renders it (its own selector), then as AKS' Admissions Enforcer
# rewrites it (Azure/AKS#1771, openkruise/charts#155) and its CA injector fills it.
CHART_WEBHOOK = {
    "name": "webhook.cert-manager.io",
    "namespaceSelector": {
        "matchExpressions": [{"key": "cert-manager.io/disable-validation", "operator": "NotIn", "values": ["true"]}]
    },
    "clientConfig": {"service": {"name": "cert-manager-webhook", "namespace": "cert-manager", "path": "/validate"}},
}
AKS_EXPRESSIONS = [
    {"key": "control-plane", "operator": "DoesNotExist"},
    {"key": "control-plane", "operator": "NotIn", "values": ["true"]},
    {"key": "kubernetes.azure.com/managedby", "operator": "NotIn", "values": ["aks"]},
]


def argo_jq_normalize(obj: dict[str, Any], expressions: list[str]) -> dict[str, Any]:
    """What Argo CD compares: the object with `del(<expression>)` applied for each jqPathExpression."""
    import json
    import shutil
    import subprocess

    jq = shutil.which("jq")
    assert jq, "jq not found: scripts/bootstrap/tools.sh installs it"
    for expression in expressions:
        completed = subprocess.run([jq, "-c", f"del({expression})"], input=json.dumps(obj), capture_output=True,
                                   text=True, check=True)  # fmt: skip
        obj = json.loads(completed.stdout)
    return obj


def test_webhooks_rewritten_by_aks_and_ca_injectors_do_not_flap(apps: Rendered) -> None:
    """Every component shipping admission webhooks ignores exactly what AKS and the CA injectors write."""
    import copy

    with_ignores = {n for n, a in apps.applications.items() if "ignoreDifferences" in a["spec"]}
    assert with_ignores == {"kube-prometheus-stack", "cert-manager", "external-secrets"}
    desired = {"apiVersion": "admissionregistration.k8s.io/v1", "webhooks": [CHART_WEBHOOK]}
    live = copy.deepcopy(desired)
    live["webhooks"][0]["namespaceSelector"]["matchExpressions"] += AKS_EXPRESSIONS
    live["webhooks"][0]["clientConfig"]["caBundle"] = "LS0tLS1CRUdJTi0tLS0t"
    for name in with_ignores:
        application = apps.applications[name]
        assert "RespectIgnoreDifferences=true" in application["spec"]["syncPolicy"]["syncOptions"], name
        ignores = {d["kind"]: d for d in application["spec"]["ignoreDifferences"]}
        for kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            ignore = ignores[kind]
            assert ignore["group"] == "admissionregistration.k8s.io", name
            # AKS owns the (atomic) namespaceSelector as field manager admissionsenforcer.
            assert ignore["managedFieldsManagers"] == ["admissionsenforcer"], name
            expressions = ignore["jqPathExpressions"]
            assert argo_jq_normalize(live, expressions) == argo_jq_normalize(desired, expressions), name
            kept = argo_jq_normalize(desired, expressions)["webhooks"][0]["namespaceSelector"]
            assert kept == CHART_WEBHOOK["namespaceSelector"], f"{name}: the chart's own selector is still compared"


def test_applications_carry_the_platform_labels(apps: Rendered, env: str) -> None:
    for name, application in apps.applications.items():
        labels = application["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == name
        assert labels["app.kubernetes.io/part-of"] == "data-platform"
        assert labels["platform.example/environment"] == env
        assert labels["platform.example/owner"]
        assert labels["platform.example/data-classification"] in {"public", "internal", "confidential", "restricted"}


def test_projects_are_least_privilege(apps: Rendered) -> None:
    for name, project in apps.projects.items():
        spec = project["spec"]
        assert spec["sourceRepos"] and all("*" not in repo for repo in spec["sourceRepos"]), name
        assert all("*" not in d["namespace"] and "*" not in d["server"] for d in spec["destinations"]), name
        assert all(d["kind"] != "*" and d["group"] != "*" for d in spec["clusterResourceWhitelist"]), name
    data_apps = apps.projects["data-apps"]["spec"]
    assert data_apps["clusterResourceWhitelist"] == []
    assert data_apps["namespaceResourceWhitelist"]
    assert [d["namespace"] for d in data_apps["destinations"]] == ["data-apps"]
    assert data_apps["sourceRepos"] == ["https://github.com/example-org/data-platform-gitops.git"]


def test_every_application_is_allowed_by_its_project(apps: Rendered) -> None:
    for name, application in apps.applications.items():
        project = apps.projects[application["spec"]["project"]]["spec"]
        assert application["spec"]["destination"]["namespace"] in {d["namespace"] for d in project["destinations"]}
        for source in application["spec"]["sources"]:
            assert source["repoURL"] in project["sourceRepos"], f"{name}: {source['repoURL']}"
