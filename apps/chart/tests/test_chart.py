"""The shared Flask data-app chart, rendered by the real helm binary with each app's values per env."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from platformctl.environments import get_environment
from platformctl.tools import find_tool

CHART = Path(__file__).resolve().parents[1]
APPS_DIR = CHART.parent
APPS = ("exposition-api", "enrichment-api")
ENVS = ("dev", "staging", "prod")


def _helm(*args: str) -> subprocess.CompletedProcess[str]:
    cache = CHART.parents[1] / ".cache" / "helm"
    env = {**os.environ, "HELM_CACHE_HOME": str(cache / "cache"), "HELM_CONFIG_HOME": str(cache / "config"),
           "HELM_DATA_HOME": str(cache / "data")}  # fmt: skip
    return subprocess.run([str(find_tool("helm")), *args], capture_output=True, text=True, env=env, check=False)


def _values(app: str, env: str) -> list[str]:
    return ["-f", str(APPS_DIR / app / "values.yaml"), "-f", str(APPS_DIR / app / f"values-{env}.yaml")]


def render(app: str, env: str, *extra: str) -> dict[tuple[str, str], dict]:
    result = _helm("template", app, str(CHART), "--namespace", "data-apps", *_values(app, env), *extra)
    assert result.returncode == 0, result.stderr
    objects = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in objects}


def render_error(*args: str) -> str:
    result = _helm("template", "x", str(CHART), *_values("exposition-api", "dev"), *args)
    assert result.returncode != 0, "helm accepted values it should reject"
    return result.stderr


@pytest.fixture(scope="module", params=[(app, env) for app in APPS for env in ENVS], ids=lambda p: f"{p[0]}-{p[1]}")
def rendered(request: pytest.FixtureRequest) -> tuple[str, str, dict[tuple[str, str], dict]]:
    app, env = request.param
    return app, env, render(app, env)


def _pod(objects: dict, app: str) -> dict:
    return objects[("Deployment", app)]["spec"]["template"]["spec"]


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("env", ENVS)
def test_helm_lint_strict(app: str, env: str) -> None:
    result = _helm("lint", "--strict", str(CHART), *_values(app, env))
    assert result.returncode == 0, result.stdout + result.stderr


def test_expected_objects_and_no_plain_secret(rendered) -> None:
    app, _, objects = rendered
    kinds = {kind for kind, _ in objects}
    assert {"Deployment", "Service", "ServiceAccount", "NetworkPolicy", "ServiceMonitor", "Ingress",
            "ExternalSecret"} <= kinds  # fmt: skip
    assert "Secret" not in kinds
    for obj in objects.values():
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == app
        assert labels["platform.example/owner"] == "data-engineering"
        assert labels["platform.example/data-classification"] == "confidential"


def test_core_objects_validate_against_kubernetes_schemas(rendered) -> None:
    _, env, objects = rendered
    version = get_environment(env).kubernetes_version  # the cluster's version, from clusters/<env>/cluster.yaml
    for obj in objects.values():
        if obj["apiVersion"].split("/")[0] in ("monitoring.coreos.com", "external-secrets.io"):
            continue  # CRD kinds: validated by the manifest gate against the mirrored CRDs
        kubernetes_validate.validate(obj, version, strict=True)


def test_pods_are_restricted_non_root_read_only(rendered) -> None:
    app, _, objects = rendered
    pod = _pod(objects, app)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"] + pod.get("initContainers", []):
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert context["seccompProfile"]["type"] == "RuntimeDefault"
        assert container["image"].startswith("acrdataplatform.azurecr.io/data-apps/")
        assert not container["image"].endswith(":latest")
        assert container["resources"]["limits"]["memory"]


def test_probes_and_gunicorn_entrypoint(rendered) -> None:
    app, _, objects = rendered
    container = _pod(objects, app)["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["args"] == ["-c", "/app/gunicorn.conf.py", f"{app.replace('-', '_')}.wsgi:app"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert env["AUTH_MODE"] == "entra" and env["ENTRA_TENANT_ID"]


def test_prod_is_highly_available(rendered) -> None:
    app, env, objects = rendered
    deployment = objects[("Deployment", app)]
    spread = _pod(objects, app)["topologySpreadConstraints"]
    zone = next(c for c in spread if c["topologyKey"] == "topology.kubernetes.io/zone")
    if env != "prod":
        assert zone["whenUnsatisfiable"] == "ScheduleAnyway"
        return
    assert "replicas" not in deployment["spec"]  # the HPA owns the replica count
    hpa = objects[("HorizontalPodAutoscaler", app)]
    assert hpa["spec"]["minReplicas"] >= 2
    assert objects[("PodDisruptionBudget", app)]["spec"]["minAvailable"] >= 2
    assert zone["whenUnsatisfiable"] == "DoNotSchedule"


def test_every_env_reads_snowflake_with_the_key_from_key_vault(rendered) -> None:
    """Dev included: every env serves the gold its pipeline publishes (no sample gold in the cluster). Which
    database, schema and role: apps/pipeline/tests/test_catalog_contract.py."""
    app, _, objects = rendered
    pod = _pod(objects, app)
    container = pod["containers"][0]
    url = next(e["value"] for e in container["env"] if e["name"] == "WAREHOUSE_URL")
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert url.startswith("snowflake://") and "private_key_file=/var/run/secrets/snowflake/key.p8" in url
    assert "initContainers" not in pod
    assert "/var/run/secrets/snowflake" in mounts
    secret_keys = {d["secretKey"] for d in objects[("ExternalSecret", app)]["spec"]["data"]}
    assert "snowflake-private-key" in secret_keys


def test_network_policy_admits_only_ingress_prometheus_and_the_hook(rendered) -> None:
    app, _, objects = rendered
    policy = objects[("NetworkPolicy", app)]["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    peers = [peer for rule in policy["ingress"] for peer in rule["from"]]
    sources = {peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
               for peer in peers if "namespaceSelector" in peer}  # fmt: skip
    assert sources == {"ingress", "monitoring"}
    pods = [peer["podSelector"]["matchLabels"] for peer in peers if "podSelector" in peer]
    assert pods == [{"app.kubernetes.io/name": f"{app}-verify", "app.kubernetes.io/instance": app,
                     "app.kubernetes.io/component": "verify"}]  # fmt: skip


def test_service_monitor_scrapes_the_service(rendered) -> None:
    app, _, objects = rendered
    monitor = objects[("ServiceMonitor", app)]["spec"]
    service = objects[("Service", app)]
    assert monitor["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["endpoints"][0] == monitor["endpoints"][0] | {"port": "http", "path": "/metrics"}
    assert service["spec"]["ports"][0]["name"] == "http"


def test_ingress_uses_class_tls_and_cluster_issuer(rendered) -> None:
    app, _, objects = rendered
    ingress = objects[("Ingress", app)]
    assert ingress["spec"]["ingressClassName"] == "traefik"
    assert ingress["spec"]["tls"][0]["secretName"] == f"{app}-tls"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"].startswith("letsencrypt")
    assert ingress["spec"]["rules"][0]["host"].startswith(app)


def test_workload_identity(rendered) -> None:
    app, _, objects = rendered
    account = objects[("ServiceAccount", app)]
    assert account["metadata"]["annotations"]["azure.workload.identity/client-id"]
    labels = objects[("Deployment", app)]["spec"]["template"]["metadata"]["labels"]
    assert labels["azure.workload.identity/use"] == "true"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "app.nmae=x"], "nmae"),
        (["--set", "image.registry=docker.io"], "image.registry"),
        (["--set", "image.tag=latest"], "image.tag"),
        (["--set", "warehouse.url=postgres://x"], "warehouse.url"),
        (["--set", "warehouse.url=duckdb:///data/gold.duckdb"], "warehouse.url"),
        (["--set", "app.dataClassification=secret"], "dataClassification"),
    ],
)
def test_schema_rejects_bad_values(args: list[str], message: str) -> None:
    assert message in render_error(*args)


def test_missing_required_value_names_it() -> None:
    assert "ingress.host is required" in render_error("--set", "ingress.host=")
    assert "warehouse.url is required" in render_error("--set", "warehouse.url=")


def test_slo_block_is_in_values_for_the_monitoring_rules() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert values["slo"]["availability"]["objective"] < 1
    assert {"objective", "thresholdSeconds"} <= set(values["slo"]["latency"])


def _verify_job(objects: dict, app: str) -> dict:
    return objects[("Job", f"{app}-verify")]


def test_verification_hook_runs_after_sync_bounded_and_restricted(rendered) -> None:
    app, env, objects = rendered
    job = _verify_job(objects, app)
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "PostSync"
    assert annotations["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
    assert job["spec"]["backoffLimit"] == 0 and 60 <= job["spec"]["activeDeadlineSeconds"] <= 1800
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert (
        pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    )
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert (
        container["securityContext"]["readOnlyRootFilesystem"]
        and not container["securityContext"]["allowPrivilegeEscalation"]
    )
    assert container["image"].startswith("acrdataplatform.azurecr.io/platform/platformctl:")
    args = container["args"]
    assert args[:2] == ["verify", app] and f"--target=http://{app}.data-apps.svc" in args
    loads = any(arg.startswith("--load-seconds=") for arg in args)
    assert loads == (env != "prod"), "dev and staging run the load part, prod the smoke part only"
    service_account = objects[("ServiceAccount", f"{app}-verify")]
    assert pod["serviceAccountName"] == f"{app}-verify"
    assert service_account["metadata"]["annotations"]["azure.workload.identity/client-id"]
    assert job["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"] == "true"


def test_verification_hook_is_reachable_and_not_behind_the_service(rendered) -> None:
    app, env, objects = rendered
    pod_labels = _verify_job(objects, app)["spec"]["template"]["metadata"]["labels"]
    selector = objects[("Service", app)]["spec"]["selector"]
    assert not all(pod_labels.get(k) == v for k, v in selector.items()), "the Service must not route to the hook"
    app_policy = objects[("NetworkPolicy", app)]["spec"]["ingress"][0]["from"]
    assert any(
        peer.get("podSelector", {}).get("matchLabels", {}).items() <= pod_labels.items() and "podSelector" in peer
        for peer in app_policy
    ), "the app's NetworkPolicy must admit the hook's pods"
    hook_policy = objects[("NetworkPolicy", f"{app}-verify")]["spec"]
    assert hook_policy["podSelector"]["matchLabels"].items() <= pod_labels.items()
    egress_namespaces = {
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for rule in hook_policy["egress"]
        for peer in rule.get("to", [])
        if "namespaceSelector" in peer
    }
    assert ("monitoring" in egress_namespaces) == (env != "prod"), "Prometheus only for the load part"


def test_verification_can_be_switched_off() -> None:
    objects = render("exposition-api", "dev", "--set", "verify.enabled=false")
    assert ("Job", "exposition-api-verify") not in objects
    peers = objects[("NetworkPolicy", "exposition-api")]["spec"]["ingress"][0]["from"]
    assert all("podSelector" not in peer for peer in peers)


def test_verification_needs_its_identity() -> None:
    assert "verify.testIdentityClientId is required" in render_error("--set", "verify.testIdentityClientId=")
