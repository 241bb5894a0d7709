"""Bootstrap roots, in-repo platform charts, and the cluster facts copied into component values."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from platformctl.environments import get_environment
from platformctl.paths import chart_cache, repo_root

IN_REPO_CHARTS = ("platform/namespaces", "platform/secret-store", "platform/cluster-issuers")


def bootstrap(env: str) -> dict[str, dict[str, Any]]:
    text = (repo_root() / ".argocd" / "bootstrap" / f"{env}.yaml").read_text(encoding="utf-8")
    return {doc["kind"]: doc for doc in yaml.safe_load_all(text) if doc}


def values(relative: str) -> dict[str, Any]:
    return yaml.safe_load((repo_root() / relative).read_text(encoding="utf-8"))


def test_root_application_renders_this_envs_platform_file(env: str) -> None:
    documents = bootstrap(env)
    root, project = documents["Application"], documents["AppProject"]
    assert root["spec"]["project"] == project["metadata"]["name"] != "default"
    source = root["spec"]["source"]
    assert source["path"] == ".argocd/apps"
    (value_file,) = source["helm"]["valueFiles"]
    assert (repo_root() / ".argocd" / "apps" / value_file).resolve() == repo_root() / "clusters" / env / "platform.yaml"
    assert root["metadata"].get("finalizers", []) == []  # deleting the root never cascades into the platform
    # Every root tracks main, so a change of clusters/<env>/platform.yaml (prod: a new release tag) is
    # a Git operation; the children's pin is repo.targetRevision (a tag in prod, refused otherwise).
    assert source["targetRevision"] == "main"
    assert project["spec"]["clusterResourceWhitelist"] == []
    assert {k["kind"] for k in project["spec"]["namespaceResourceWhitelist"]} == {"Application", "AppProject"}
    assert project["spec"]["destinations"] == [{"server": "https://kubernetes.default.svc", "namespace": "argocd"}]


@pytest.mark.parametrize("chart", IN_REPO_CHARTS)
def test_in_repo_charts_pass_helm_lint_strict(chart: str, env: str, helm_lint_strict: Any) -> None:
    result = helm_lint_strict(chart, (f"{chart}/values.yaml", f"{chart}/values-{env}.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_of_apps_chart_passes_helm_lint_strict(env: str, helm_lint_strict: Any) -> None:
    result = helm_lint_strict(".argocd/apps", (f"clusters/{env}/platform.yaml",))
    assert result.returncode == 0, result.stdout + result.stderr


def test_in_repo_chart_schema_rejects_a_typo(helm_template: Any) -> None:
    from platformctl.errors import PlatformError

    chart = "platform/secret-store"
    with pytest.raises(PlatformError, match="keyValt"):
        helm_template(chart, (f"{chart}/values.yaml", f"{chart}/values-dev.yaml"), "keyValt: {name: x}\n")


def test_argo_cd_sso_and_rbac_use_the_clusters_entra_ids(env: str) -> None:
    entra = get_environment(env, repo_root()).cluster["spec"]["entra"]
    argocd = values(f"platform/argo-cd/values-{env}.yaml")["configs"]
    oidc = yaml.safe_load(argocd["cm"]["oidc.config"])
    assert oidc["issuer"] == f"https://login.microsoftonline.com/{entra['tenantId']}/v2.0"
    # No client secret: argocd-server signs in to Entra ID with its federated service account token, so
    # SSO works before External Secrets (wave -2) exists.
    assert "clientSecret" not in oidc
    assert oidc["azure"] == {"useWorkloadIdentity": True}
    grants = dict(re.findall(r"^g, ([0-9a-f-]+), (role:[a-z-]+)$", argocd["rbac"]["policy.csv"], flags=re.M))
    assert grants == {
        entra["groups"]["admins"]: "role:admin",
        entra["groups"]["platformOperators"]: "role:platform-operator",
        entra["groups"]["readOnly"]: "role:readonly",
    }


def test_prod_promotion_is_a_change_of_platform_yaml_on_main(render_apps: Any) -> None:
    """The prod root reads platform.yaml from main; moving repo.targetRevision there moves every child."""
    root = bootstrap("prod")["Application"]["spec"]["source"]
    assert root["targetRevision"] == "main"
    pinned = values("clusters/prod/platform.yaml")["repo"]["targetRevision"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", pinned)
    promoted = render_apps("prod", "repo:\n  targetRevision: v9.8.7\n")
    for name, application in promoted.applications.items():
        in_repo = [s for s in application["spec"]["sources"] if s["repoURL"] == root["repoURL"]]
        assert in_repo and {s["targetRevision"] for s in in_repo} == {"v9.8.7"}, name


def test_argo_cd_sso_trusts_the_federated_credential_of_cluster_yaml(env: str, helm_template: Any) -> None:
    """The client id of oidc.config, of the server's service account and of cluster.yaml's credential agree,
    and the credential's subject is the service account the chart gives argocd-server."""
    credentials = get_environment(env, repo_root()).cluster["spec"]["workloadIdentity"]["federatedCredentials"]
    (sso,) = [c for c in credentials if c["name"] == "argocd-sso"]
    base, mine = values("platform/argo-cd/values.yaml"), values(f"platform/argo-cd/values-{env}.yaml")
    oidc = yaml.safe_load(mine["configs"]["cm"]["oidc.config"])
    assert oidc["clientID"] == sso["clientId"]
    assert mine["server"]["serviceAccount"]["annotations"]["azure.workload.identity/client-id"] == sso["clientId"]
    assert base["server"]["podLabels"]["azure.workload.identity/use"] == "true"
    archive = chart_cache() / "argo-cd-10.1.1.tgz"
    if not archive.is_file():
        pytest.skip("argo-cd-10.1.1.tgz not in the chart cache: the service account name is the chart default")
    files = ("platform/argo-cd/values.yaml", f"platform/argo-cd/values-{env}.yaml")
    rendered = helm_template(str(archive), files)
    namespace, name = sso["serviceAccount"].split("/")
    accounts = rendered.of_kind("ServiceAccount")
    assert accounts[name]["metadata"]["annotations"]["azure.workload.identity/client-id"] == sso["clientId"]
    server = rendered.of_kind("Deployment")["release-argocd-server"]["spec"]["template"]
    assert server["spec"]["serviceAccountName"] == name
    assert server["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    assert namespace == "argocd"


def test_key_vault_and_dns_facts_match_cluster_yaml(env: str) -> None:
    spec = get_environment(env, repo_root()).cluster["spec"]
    store = values(f"platform/secret-store/values-{env}.yaml")
    assert store["keyVault"] == {"name": spec["keyVault"]["name"], "tenantId": spec["entra"]["tenantId"]}
    issuers = values(f"platform/cluster-issuers/values-{env}.yaml")
    assert issuers["email"] == spec["dns"]["acmeEmail"]
    dns = issuers["dns"]
    assert (dns["zone"], dns["subscriptionId"], dns["resourceGroup"]) == (
        spec["dns"]["zone"],
        spec["subscriptionId"],
        spec["resourceGroup"],
    )


def test_traefik_uses_the_clusters_static_public_ip(env: str) -> None:
    public_ip = get_environment(env, repo_root()).cluster["spec"]["ingress"]["publicIp"]
    annotations = values(f"platform/ingress/values-{env}.yaml")["service"]["annotations"]
    assert annotations["service.beta.kubernetes.io/azure-pip-name"] == public_ip["name"]
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-resource-group"] == public_ip["resourceGroup"]


def test_argo_cd_runs_one_controller_shard_per_destination_cluster(apps: Any, env: str) -> None:
    """The controller shards by cluster: a replica beyond the number of clusters owns nothing."""
    clusters = {a["spec"]["destination"]["server"] for a in apps.applications.values()}
    merged = {**values("platform/argo-cd/values.yaml"), **values(f"platform/argo-cd/values-{env}.yaml")}
    controller = merged.get("controller", {})
    assert controller.get("replicas", 1) == len(clusters) == 1
    assert "pdb" not in controller  # minAvailable 1 on one replica would block every node drain
    params = (merged.get("configs") or {}).get("params") or {}
    assert not any(key.startswith("controller.sharding") for key in params)


def test_prod_images_come_from_the_platform_registry() -> None:
    registry = get_environment("prod", repo_root()).cluster["spec"]["containerRegistry"]["loginServer"]
    components = (
        "argo-cd",
        "external-secrets",
        "cert-manager",
        "kube-prometheus-stack",
        "grafana",
        "ingress",
        "datahub",
    )
    text = "\n".join(
        (repo_root() / "platform" / c / "values-prod.yaml").read_text(encoding="utf-8") for c in components
    )
    registries = set(re.findall(r"(?:repository|[rR]egistry): ([a-z0-9.-]+\.[a-z]{2,})", text))
    assert registries == {registry}


def test_charts_that_would_generate_passwords_read_external_secrets() -> None:
    secrets = values("platform/secret-store/values.yaml")["externalSecrets"]
    assert values("platform/grafana/values.yaml")["admin"]["existingSecret"] in secrets
    assert values("platform/datahub-prerequisites/values.yaml")["mysql"]["auth"]["existingSecret"] in secrets
    datahub = values("platform/datahub/values.yaml")["global"]["datahub"]
    assert datahub["encryptionKey"]["provisionSecret"]["autoGenerate"] is False
    assert datahub["encryptionKey"]["secretRef"] in secrets
    assert datahub["metadata_service_authentication"]["provisionSecrets"]["autoGenerate"] is False
