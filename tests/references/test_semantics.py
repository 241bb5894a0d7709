"""The semantics the resolvers follow (prometheus-operator selectors, ESO stores and keys, operator-created
objects, undecidable targets), on small in-memory envs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from platformctl.crds import CrdCatalogue
from platformctl.findings import Finding
from platformctl.references import check_references
from platformctl.render import RenderedApplication

from .conftest import environment

MONITORING = "monitoring.coreos.com/v1"


def obj(api_version: str, kind: str, name: str, namespace: str = "", **fields: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **fields.pop("metadata", {})}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **fields}


def app(name: str, *objects: dict[str, Any], namespace: str = "apps", rendered: bool = True, project: str = "platform"):
    return RenderedApplication(name, project, 0, namespace, "in-repo", name, "main", list(objects), rendered, None)


def deployment(name: str, namespace: str = "apps", **pod: Any) -> dict[str, Any]:
    spec = {"containers": [{"name": "app", "image": "x", "ports": [{"name": "http", "containerPort": 8080}]}], **pod}
    template = {"metadata": {"labels": {"app": name}}, "spec": spec}
    return obj(
        "apps/v1",
        "Deployment",
        name,
        namespace,
        spec={"selector": {"matchLabels": {"app": name}}, "template": template},
    )


def prometheus(namespace: str = "monitoring", **spec: Any) -> dict[str, Any]:
    return obj(MONITORING, "Prometheus", "kps", namespace, spec=spec)


def rule(namespace: str = "apps", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return obj(MONITORING, "PrometheusRule", "slo", namespace, metadata={"labels": labels or {}}, spec={"groups": []})


@pytest.fixture
def run(repo_root: Path, mirror: Path):
    crds = CrdCatalogue(mirror)

    def check(*apps: RenderedApplication, root_objects: list | None = None) -> list[Finding]:
        return check_references(environment(*apps, root_objects=root_objects), repo_root, crds.is_cluster_scoped)

    return check


def only(found: list[Finding], *parts: str) -> None:
    assert len(found) == 1, "\n".join(f.one_line() for f in found)
    for part in parts:
        assert part in found[0].message, found[0].message


# -- prometheus-operator: a nil selector selects nothing, {} everything; a nil namespace selector = own namespace
def test_nil_rule_selector_selects_nothing(run) -> None:
    only(run(app("p", prometheus(ruleNamespaceSelector={}), rule())), "selects rules with nothing (nil selector)")


def test_empty_rule_selector_selects_every_rule(run) -> None:
    assert run(app("p", prometheus(ruleSelector={}, ruleNamespaceSelector={}), rule())) == []


def test_nil_namespace_selector_means_the_prometheus_namespace_only(run) -> None:
    found = run(app("p", prometheus(ruleSelector={}), rule("apps"), rule("monitoring")))
    only(found, "namespace monitoring only")
    assert found[0].name == "slo" and "namespace apps" in found[0].message


def test_namespace_selector_reads_the_rendered_namespace_labels(run) -> None:
    selected = {"matchLabels": {"monitoring": "on"}}
    namespace = obj("v1", "Namespace", "apps", metadata={"labels": {"monitoring": "on"}})
    assert run(app("p", prometheus(ruleSelector={}, ruleNamespaceSelector=selected), namespace, rule())) == []
    only(run(app("p", prometheus(ruleSelector={}, ruleNamespaceSelector=selected), rule())), "namespaces with labels")


# -- external-secrets
def store(**spec: Any) -> dict[str, Any]:
    return obj("external-secrets.io/v1", "ClusterSecretStore", "vault", spec={"provider": {}, **spec})


def external_secret(name: str, **spec: Any) -> dict[str, Any]:
    ref = {"kind": "ClusterSecretStore", "name": "vault"}
    return obj("external-secrets.io/v1", "ExternalSecret", name, "apps", spec={"secretStoreRef": ref, **spec})


def reads(secret: str, key: str) -> dict[str, Any]:
    env = [{"name": "V", "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}]
    pod = deployment("web")
    pod["spec"]["template"]["spec"]["containers"][0]["env"] = env
    return pod


def test_cluster_secret_store_conditions_must_allow_the_namespace(run) -> None:
    conditions = [{"namespaces": ["platform"]}, {"namespaceSelector": {"matchLabels": {"secrets": "on"}}}]
    only(
        run(app("s", store(conditions=conditions), external_secret("db"))),
        "whose spec.conditions do not serve namespace apps",
    )
    assert run(app("s", store(conditions=[{"namespaceRegexes": ["app.*"]}]), external_secret("db"))) == []


def test_data_from_makes_the_keys_unknown_and_any_key_is_accepted(run) -> None:
    extract = [{"extract": {"key": "db"}}]
    assert run(app("s", store(), external_secret("db", dataFrom=extract), reads("db", "whatever"))) == []


def test_a_template_replaces_the_data_keys(run) -> None:
    target = {"name": "dsn", "template": {"data": {"DSN": "postgres://{{ .password }}@db"}}}
    data = [{"secretKey": "password", "remoteRef": {"key": "db"}}]
    only(run(app("s", store(), external_secret("db", target=target, data=data), reads("dsn", "password"))), "only: DSN")


def test_creation_policy_none_creates_no_secret(run) -> None:
    target = {"creationPolicy": "None"}
    data = [{"secretKey": "password", "remoteRef": {"key": "db"}}]
    only(
        run(app("s", store(), external_secret("db", target=target, data=data), reads("db", "password"))),
        "Secret apps/db,",
    )


# -- objects operators create at run time (platform/cluster-provided.yaml)
def test_a_certificate_secret_provides_exactly_the_tls_keys(run) -> None:
    issuer = obj("cert-manager.io/v1", "ClusterIssuer", "le", spec={"selfSigned": {}})
    cert = obj(
        "cert-manager.io/v1",
        "Certificate",
        "web",
        "apps",
        spec={"secretName": "web-tls", "issuerRef": {"kind": "ClusterIssuer", "name": "le"}},
    )
    assert run(app("c", issuer, cert, reads("web-tls", "tls.key"))) == []
    only(
        run(app("c", issuer, cert, reads("web-tls", "tls.pem"))),
        "provides only: ca.crt, tls.crt, tls.key",
        "created at run time for Certificate apps/web",
    )


def test_a_webhook_port_must_be_a_port_of_its_service(run) -> None:
    service = obj(
        "v1",
        "Service",
        "hook",
        "apps",
        spec={"selector": {"app": "web"}, "ports": [{"name": "https", "port": 443, "targetPort": "http"}]},
    )
    hook = {"name": "h.example.com", "clientConfig": {"service": {"namespace": "apps", "name": "hook", "port": 8443}}}
    webhook = obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook", webhooks=[hook])
    only(run(app("w", deployment("web"), service, webhook)), "port 8443 of Service apps/hook", "did you mean 443?")


# -- undecidable targets: an Application that is not rendered could hold them
def test_a_missing_target_in_the_namespace_of_an_unrendered_application_is_not_reported(run) -> None:
    assert run(app("web", reads("from-chart", "password")), app("chart", namespace="apps", rendered=False)) == []
    only(
        run(app("web", reads("from-chart", "password")), app("chart", namespace="other", rendered=False)),
        "Secret apps/from-chart",
    )


def test_a_cluster_scoped_target_is_undecidable_only_when_the_unrendered_app_may_create_its_kind(run) -> None:
    claim = obj("v1", "PersistentVolumeClaim", "data", "apps", spec={"storageClassName": "fast"})
    project = obj(
        "argoproj.io/v1alpha1",
        "AppProject",
        "platform",
        "argocd",
        spec={"clusterResourceWhitelist": [{"group": "storage.k8s.io", "kind": "*"}]},
    )
    unrendered = app("chart", namespace="other", rendered=False)
    only(run(app("web", claim), unrendered), "StorageClass fast")
    assert run(app("web", claim), unrendered, root_objects=[project]) == []


def test_a_store_authenticates_as_a_service_account_that_must_exist(run) -> None:
    provider = {
        "azurekv": {"authType": "WorkloadIdentity", "serviceAccountRef": {"name": "eso", "namespace": "secrets"}}
    }
    found = run(app("s", store(provider=provider)))
    only(found, "spec.provider.azurekv.serviceAccountRef", "ServiceAccount secrets/eso")
    account = obj("v1", "ServiceAccount", "eso", "secrets")
    assert run(app("s", store(provider=provider)), app("eso", account, namespace="secrets")) == []


def test_prometheus_mounts_secrets_that_must_exist(run) -> None:
    found = run(app("p", prometheus(ruleSelector={}, secrets=["etcd-client"])))
    only(found, "spec.secrets[etcd-client]", "Secret monitoring/etcd-client")


def test_an_ingress_tls_secret_comes_from_the_ingress_shim_only_with_an_issuer_annotation(run) -> None:
    tls = {"tls": [{"hosts": ["web.example.com"], "secretName": "web-tls"}]}
    annotated = {"annotations": {"cert-manager.io/cluster-issuer": "le"}}
    issuer = obj("cert-manager.io/v1", "ClusterIssuer", "le", spec={"selfSigned": {}})
    plain = obj("networking.k8s.io/v1", "Ingress", "web", "apps", spec=tls)
    only(run(app("i", plain)), "spec.tls[0].secretName", "Secret apps/web-tls")
    shimmed = obj("networking.k8s.io/v1", "Ingress", "web", "apps", metadata=annotated, spec=tls)
    assert run(app("i", issuer, shimmed, reads("web-tls", "tls.crt"))) == []


def test_a_malformed_object_is_left_to_the_schema_gate(run) -> None:
    broken = obj("v1", "Service", "web", "apps", spec={"selector": {"app": "web"}, "ports": ["http"]})
    assert run(app("m", broken, deployment("web"), obj("v1", "Pod", "p", "apps", metadata={"labels": ["x"]}))) == []


def test_monitor_selection_is_judged_against_the_rendered_prometheus_even_when_an_app_is_unrendered(run) -> None:
    unrendered = app("chart", namespace="other", rendered=False)
    only(run(app("p", prometheus(ruleSelector={"matchLabels": {"release": "kps"}}), rule()), unrendered), "release=kps")
    assert run(app("p", rule()), unrendered) == []  # no Prometheus rendered: the unrendered chart may hold it


def test_objects_an_operator_creates_from_its_arguments(run) -> None:
    """prometheus-operator's --kubelet-service and kube-webhook-certgen's --secret-name (cluster-provided.yaml)."""
    operator = deployment("operator", "monitoring")
    operator["spec"]["template"]["spec"]["containers"][0]["args"] = ["--kubelet-service=kube-system/kps-kubelet"]
    kubelet = {"matchLabels": {"k8s-app": "kubelet"}}
    monitor = obj(
        MONITORING,
        "ServiceMonitor",
        "kubelet",
        "monitoring",
        spec={
            "selector": kubelet,
            "namespaceSelector": {"matchNames": ["kube-system"]},
            "endpoints": [{"port": "https-metrics"}],
        },
    )
    loader = prometheus(serviceMonitorSelector={}, serviceMonitorNamespaceSelector={})
    assert run(app("kps", operator, monitor, loader, namespace="monitoring")) == []
    only(
        run(app("kps", deployment("operator", "monitoring"), monitor, loader, namespace="monitoring")),
        "k8s-app=kubelet",
    )

    labels = {"app.kubernetes.io/component": "prometheus-operator-webhook"}
    job = obj(
        "batch/v1",
        "Job",
        "admission-create",
        "monitoring",
        metadata={"labels": labels},
        spec={
            "template": {
                "spec": {
                    "containers": [{"name": "create", "image": "x", "args": ["create", "--secret-name=kps-admission"]}]
                }
            }
        },
    )
    mounts = deployment(
        "operator",
        "monitoring",
        volumes=[
            {"name": "tls", "secret": {"secretName": "kps-admission", "items": [{"key": "cert", "path": "tls.crt"}]}}
        ],
    )
    assert run(app("kps", job, mounts, namespace="monitoring")) == []
    job["metadata"]["labels"] = {}
    only(run(app("kps", job, mounts, namespace="monitoring")), "Secret monitoring/kps-admission")
