"""The policy gate end to end with the real checkov: a compliant tree passes, seeded violations fail.

Every custom check (and every mapped checkov built-in) has its passing fixture (the compliant tree,
where each check must report at least one PASSED result, so it ran) and its failing fixture (one
seeded violation per class, which must fail naming the check and the object).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from platformctl.policy.catalogue import ADMISSION_CHECKS, KUBERNETES_CHECKS, RENDERED_CHECK, UPSTREAM_VALUES_CHECKS
from platformctl.policy.gate import PolicyReport, run_policy
from platformctl.policy.results import EXCEPTED, FAILED, PASSED

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 11, 26)
APP = "exposition-api"


PolicyRunner = Callable[[list[str], Path], PolicyReport]


@pytest.fixture
def policy(mirror: Path) -> PolicyRunner:
    """Run the gate on a repository copy's rendered tree: policy(["prod"], root) -> PolicyReport."""

    def run(envs: list[str], root: Path) -> PolicyReport:
        return run_policy(envs, rendered_root=root / "rendered", root=root, mirror=mirror, today=TODAY)

    return run


def read_documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def write_documents(path: Path, documents: list[dict]) -> None:
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")


def _deployment(documents: list[dict]) -> dict:
    return next(d for d in documents if d["kind"] == "Deployment")


def _variant(base: dict, name: str, change: Callable[[dict], None]) -> dict:
    """A copy of the compliant Deployment under a new name (its own labels), changed by `change`."""
    clone = copy.deepcopy(base)
    clone["metadata"]["name"] = name
    clone["metadata"]["labels"]["app.kubernetes.io/name"] = name
    clone["spec"]["selector"]["matchLabels"] = {"app.kubernetes.io/name": name}
    clone["spec"]["template"]["metadata"]["labels"] = {"app.kubernetes.io/name": name}
    change(clone)
    return clone


def _pod(d: dict) -> dict:
    return d["spec"]["template"]["spec"]


def _container(d: dict) -> dict:
    return _pod(d)["containers"][0]


def seed_violations(env_dir: Path, repo: Path) -> set[tuple[str, str]]:
    """Write one violation of each class into a rendered prod tree; return the (check, object) pairs."""
    manifest = env_dir / APP / "manifest.yaml"
    documents = read_documents(manifest)
    base = _deployment(documents)
    acr = "acrdataplatform.azurecr.io/data-platform/exposition-api"
    deployments = {
        ("CKV_PLATFORM_1", "no-owner"): lambda d: d["metadata"]["labels"].pop("platform.example/owner"),
        ("CKV_PLATFORM_2", "docker-hub"): lambda d: _container(d).update(image="docker.io/library/nginx:1.27.0"),
        ("CKV_PLATFORM_3", "minor-tag"): lambda d: _container(d).update(image=f"{acr}:1.2"),
        ("CKV_K8S_14", "latest-tag"): lambda d: _container(d).update(image=f"{acr}:latest"),
        ("CKV_PLATFORM_4", "one-replica"): lambda d: d["spec"].update(replicas=1),
        ("CKV_PLATFORM_7", "no-spread"): lambda d: _pod(d).pop("topologySpreadConstraints"),
        ("CKV_PLATFORM_9", "host-path"): lambda d: _pod(d)["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
        ("CKV_K8S_16", "privileged"): lambda d: _container(d)["securityContext"].update(privileged=True),
        ("CKV_K8S_17", "host-pid"): lambda d: _pod(d).update(hostPID=True),
        ("CKV_K8S_18", "host-ipc"): lambda d: _pod(d).update(hostIPC=True),
        ("CKV_K8S_19", "host-network"): lambda d: _pod(d).update(hostNetwork=True),
        # An inline checkov skip annotation is not an exception: the failure still counts.
        ("CKV_K8S_20", "escalates"): lambda d: (
            _container(d)["securityContext"].update(allowPrivilegeEscalation=True),
            d["metadata"].setdefault("annotations", {}).update({"checkov.io/skip1": "CKV_K8S_20=not needed"}),
        ),
        ("CKV_K8S_22", "writable-root"): lambda d: _container(d)["securityContext"].pop("readOnlyRootFilesystem"),
        ("CKV_K8S_23", "root-user"): lambda d: (
            _pod(d)["securityContext"].pop("runAsNonRoot"),
            _container(d)["securityContext"].pop("runAsNonRoot"),
        ),
        ("CKV_K8S_31", "no-seccomp"): lambda d: _pod(d)["securityContext"].pop("seccompProfile"),
        ("CKV_K8S_37", "keeps-capabilities"): lambda d: _container(d)["securityContext"].pop("capabilities"),
    }
    expected = {(check, f"Deployment/data-apps/{name}") for check, name in deployments}
    documents += [_variant(base, name, change) for (_, name), change in deployments.items()]
    # An autoscaler whose floor is one replica makes its Deployment a single-replica one.
    documents.append(_variant(base, "scales-to-one", lambda d: None))
    documents.append(
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "scales-to-one", "namespace": "data-apps"},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "scales-to-one"},
                "minReplicas": 1,
                "maxReplicas": 3,
            },
        }
    )
    expected.add(("CKV_PLATFORM_4", "Deployment/data-apps/scales-to-one"))
    # Argo CD's application controller: one replica per destination cluster (the tree has one), not two.
    controller = {"app.kubernetes.io/part-of": "argocd", "app.kubernetes.io/component": "application-controller"}
    for name, replicas in (("argocd-controller", 1), ("argocd-controller-idle-shard", 2)):

        def shard(d: dict, r: int = replicas) -> None:
            d["spec"]["replicas"] = r
            d["metadata"]["labels"].update(controller)

        documents.append(_variant(base, name, shard))
    expected.add(("CKV_PLATFORM_4", "Deployment/data-apps/argocd-controller-idle-shard"))
    # A data app Deployment without PodDisruptionBudget and HorizontalPodAutoscaler, and without a
    # namespace (as Helm renders it): it lands in the Application's destination namespace data-apps.
    documents.append(_variant(base, "unprotected", lambda d: d["metadata"].pop("namespace", None)))
    expected |= {("CKV_PLATFORM_5", "Deployment/data-apps/unprotected")}
    expected |= {("CKV_PLATFORM_6", "Deployment/data-apps/unprotected")}
    # A namespace without the classification label and without a default-deny NetworkPolicy.
    documents.append(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "unguarded", "labels": {"app.kubernetes.io/name": "x", "platform.example/owner": "t"}},
        }
    )
    expected |= {("CKV_PLATFORM_1", "Namespace/unguarded"), ("CKV_PLATFORM_8", "Namespace/unguarded")}
    for name, service_type in (("node-port", "NodePort"), ("load-balancer", "LoadBalancer")):
        documents.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": "data-apps"},
                "spec": {"type": service_type, "selector": {"a": "b"}, "ports": [{"port": 80}]},
            }
        )
        expected.add(("CKV_PLATFORM_10", f"Service/data-apps/{name}"))
    documents.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "in-git", "namespace": "data-apps"},
            "stringData": {"greeting": "hello"},
        }
    )
    expected.add(("CKV_PLATFORM_11", "Secret/data-apps/in-git"))
    write_documents(manifest, documents)

    root_file = env_dir / "_root" / "applications.yaml"
    root_objects = read_documents(root_file)
    by_name = {(d["kind"], d["metadata"]["name"]): d for d in root_objects}
    template = by_name[("Application", APP)]
    in_default = copy.deepcopy(template)
    in_default["metadata"]["name"] = "in-default"
    in_default["spec"]["project"] = "default"
    on_head = copy.deepcopy(template)
    on_head["metadata"]["name"] = "on-head"
    on_head["spec"]["sources"][0]["targetRevision"] = "HEAD"
    by_name[("Application", "datahub")]["spec"]["syncPolicy"]["automated"]["prune"] = True
    open_project = copy.deepcopy(by_name[("AppProject", "data-apps")])
    open_project["metadata"]["name"] = "open"
    open_project["spec"]["sourceRepos"] = ["*"]
    by_name[("AppProject", "data-apps")]["spec"]["clusterResourceWhitelist"] = [{"group": "*", "kind": "*"}]
    # An in-repo Application whose chart did not render: nothing of it could be checked.
    unrendered = copy.deepcopy(by_name[("Application", "ingress")])
    unrendered["metadata"]["name"] = "not-rendered"
    write_documents(root_file, [*root_objects, in_default, on_head, open_project, unrendered])
    expected.add(("CKV_PLATFORM_R1", "Application/argocd/not-rendered"))
    expected |= {
        ("CKV_PLATFORM_12", "Application/argocd/in-default"),
        ("CKV_PLATFORM_13", "Application/argocd/on-head"),
        ("CKV_PLATFORM_14", "Application/argocd/datahub"),
        ("CKV_PLATFORM_15", "AppProject/argocd/open"),
        ("CKV_PLATFORM_16", "AppProject/argocd/data-apps"),
    }

    prod_values = repo / "platform" / "datahub" / "values-prod.yaml"
    values = read_documents(prod_values)[0]
    # The chart's defaults size datahub-gms; a null in our values removes its memory limit (Helm semantics).
    values["datahub-gms"]["resources"] = {"limits": {"memory": None}}
    values["datahub-frontend"]["securityContext"] = {"allowPrivilegeEscalation": True}
    write_documents(prod_values, [values])
    expected |= {
        ("CKV_PLATFORM_V1", "Values/datahub/datahub-gms"),
        ("CKV_PLATFORM_V2", "Values/datahub/datahub-frontend"),
    }
    cluster_file = repo / "clusters" / env_dir.name / "cluster.yaml"
    cluster_file.write_text(cluster_file.read_text(encoding="utf-8").replace("effect: deny", "effect: audit"))
    expected.add(("CKV_PLATFORM_A1", f"AksCluster/aks-dataplatform-{env_dir.name}"))
    return expected


def test_compliant_tree_passes_every_check(policy_repo: Callable[..., Path], policy: PolicyRunner) -> None:
    root = policy_repo()
    report = policy(["prod"], root)
    failures = [(r.check_id, r.object) for r in report.failures()]
    assert failures == []
    passed = {r.check_id for r in report.results if r.status == PASSED}
    every_check = {c.id for c in (*KUBERNETES_CHECKS, *UPSTREAM_VALUES_CHECKS, *ADMISSION_CHECKS, RENDERED_CHECK)}
    assert every_check - passed == set(), "a check that never reports PASSED on the compliant tree did not run"


def test_each_seeded_violation_fails_naming_check_and_object(
    policy_repo: Callable[..., Path], policy: PolicyRunner
) -> None:
    root = policy_repo()
    expected = seed_violations(root / "rendered" / "prod", root)
    report = policy(["prod"], root)
    failed = {(r.check_id, r.object) for r in report.failures()}
    assert expected - failed == set()
    every_check = {c.id for c in (*KUBERNETES_CHECKS, *UPSTREAM_VALUES_CHECKS, *ADMISSION_CHECKS, RENDERED_CHECK)}
    assert every_check - {check for check, _ in expected} == set(), "a check has no failing fixture"
    # The compliant objects of the tree still pass, and a one-replica controller for the one cluster too.
    assert not [r for r in report.failures() if r.object == "Deployment/data-apps/exposition-api"]
    assert ("CKV_PLATFORM_4", "Deployment/data-apps/argocd-controller") not in failed


def test_prod_only_checks_do_not_run_in_dev(policy_repo: Callable[..., Path], policy: PolicyRunner) -> None:
    root = policy_repo()
    seed_violations(root / "rendered" / "dev", root)
    report = policy(["dev"], root)
    checks = {r.check_id for r in report.results}
    assert {"CKV_PLATFORM_4", "CKV_PLATFORM_5", "CKV_PLATFORM_13", "CKV_PLATFORM_V1"} & checks == set()
    assert ("CKV_PLATFORM_2", "Deployment/data-apps/docker-hub") in {(r.check_id, r.object) for r in report.failures()}


def test_valid_exception_covers_a_failure_and_others_still_fail(
    policy_repo: Callable[..., Path], policy: PolicyRunner
) -> None:
    root = policy_repo(
        exceptions="exceptions:\n"
        "  - check: CKV_PLATFORM_2\n"
        "    object: Deployment/data-apps/docker-*\n"
        "    application: exposition-api\n"
        "    envs: [prod]\n"
        "    reason: upstream image mirrored to ACR next sprint\n"
        "    owner: data-platform-team\n"
        "    expires: 2026-12-31\n"
    )
    seed_violations(root / "rendered" / "prod", root)
    report = policy(["prod"], root)
    statuses = {(r.check_id, r.object): r.status for r in report.results}
    assert statuses[("CKV_PLATFORM_2", "Deployment/data-apps/docker-hub")] == EXCEPTED
    assert statuses[("CKV_PLATFORM_3", "Deployment/data-apps/minor-tag")] == FAILED
    assert not [r for r in report.failures() if r.check_id == "PLATFORM_EXCEPTION"]


def test_dockerfile_and_secret_findings_fail_the_gate(policy_repo: Callable[..., Path], policy: PolicyRunner) -> None:
    root = policy_repo()
    (root / "apps" / "demo").mkdir(parents=True)
    (root / "apps" / "demo" / "Dockerfile").write_text('FROM python:latest\nUSER root\nCMD ["python"]\n')
    # Assembled at run time so that this test file itself carries no secret.
    key = "AKIA" + "Z7QW3RT5YU8IOP2A"
    (root / "apps" / "demo" / "settings.yaml").write_text(f"aws_access_key_id: {key}\n")
    report = policy(["dev"], root)
    failed = {(r.framework, r.object) for r in report.failures()}
    assert ("dockerfile", "Dockerfile/apps/demo/Dockerfile") in failed
    assert ("secrets", "File/apps/demo/settings.yaml") in failed
