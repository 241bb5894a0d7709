"""The in-repo platform charts rendered by the real helm: namespaces, secret-store, cluster-issuers."""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.errors import PlatformError


def render(helm_template: Any, chart: str, env: str, overrides: str = "") -> Any:
    return helm_template(chart, (f"{chart}/values.yaml", f"{chart}/values-{env}.yaml"), overrides)


def test_every_namespace_has_labels_and_a_default_deny_policy(helm_template: Any, env: str) -> None:
    rendered = render(helm_template, "platform/namespaces", env)
    namespaces = rendered.of_kind("Namespace")
    assert {"argocd", "monitoring", "datahub", "dagster", "data-apps", "ingress"} <= set(namespaces)
    policies = [obj for obj in rendered.objects if obj["kind"] == "NetworkPolicy"]
    for name, namespace in namespaces.items():
        labels = namespace["metadata"]["labels"]
        assert labels["platform.example/owner"] and labels["platform.example/data-classification"], name
        assert labels["pod-security.kubernetes.io/enforce"] in {"restricted", "baseline", "privileged"}, name
        assert "Delete=false" in namespace["metadata"]["annotations"]["argocd.argoproj.io/sync-options"], name
        deny = [p for p in policies if p["metadata"]["namespace"] == name and p["metadata"]["name"] == "default-deny"]
        assert len(deny) == 1, name
        assert deny[0]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, name
    assert namespaces["data-apps"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_only_the_ingress_namespace_is_open_to_the_internet(helm_template: Any) -> None:
    rendered = render(helm_template, "platform/namespaces", "prod")
    open_to_all = {
        p["metadata"]["namespace"]
        for p in rendered.objects
        if p["kind"] == "NetworkPolicy" and {} in p["spec"].get("ingress", [])
    }
    assert open_to_all == {"ingress"}


def test_unknown_namespace_reference_fails(helm_template: Any) -> None:
    with pytest.raises(PlatformError, match=r"namespace dagster refers to namespace \"warehouse\""):
        render(helm_template, "platform/namespaces", "dev", "namespaces:\n  dagster:\n    egressTo: [warehouse]\n")


def test_secret_store_serves_exactly_the_namespaces_that_use_it(helm_template: Any, env: str) -> None:
    rendered = render(helm_template, "platform/secret-store", env)
    (store,) = rendered.of_kind("ClusterSecretStore").values()
    provider = store["spec"]["provider"]["azurekv"]
    assert provider["authType"] == "WorkloadIdentity"
    assert provider["vaultUrl"] == f"https://kv-dataplatform-{env}.vault.azure.net"
    external_secrets = rendered.of_kind("ExternalSecret")
    used_by = {es["metadata"]["namespace"] for es in external_secrets.values()}
    assert set(store["spec"]["conditions"][0]["namespaces"]) == used_by | {"data-apps"}
    assert "Secret" not in {obj["kind"] for obj in rendered.objects}  # only ExternalSecrets, never a Secret
    for es in external_secrets.values():
        assert es["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": store["metadata"]["name"]}


def test_secret_store_without_a_vault_name_fails(helm_template: Any) -> None:
    with pytest.raises(PlatformError, match=r"keyVault.name is required .*spec.keyVault.name"):
        render(helm_template, "platform/secret-store", "dev", "keyVault: {name: ''}\n")


def test_cluster_issuers_solve_dns01_on_the_envs_zone(helm_template: Any, env: str) -> None:
    rendered = render(helm_template, "platform/cluster-issuers", env)
    issuers = rendered.of_kind("ClusterIssuer")
    assert set(issuers) == {"letsencrypt", "letsencrypt-staging"}
    for issuer in issuers.values():
        (solver,) = issuer["spec"]["acme"]["solvers"]
        assert solver["dns01"]["azureDNS"]["managedIdentity"]["clientID"]
        assert solver["selector"]["dnsZones"] == [solver["dns01"]["azureDNS"]["hostedZoneName"]]
