"""Argo CD's sync order, table-driven against its documentation and gitops-engine's sync_tasks_test.go.

Documented order (Argo CD "Sync Phases and Waves"): phase, then wave (lower first), then kind
(Namespaces first, then the other built-in kinds, custom resources last), then name; a hook's
Helm weight is its wave; Namespaces and CRDs move before the objects that need them.
"""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.manifests import CLUSTER_SCOPED_KINDS
from platformctl.syncsim.order import KIND_ORDER, apply_groups, delete_policies, sort_tasks, sync_phases, tasks_for
from platformctl.syncsim.order import WAVE_ANNOTATION as WAVE


def obj(
    kind: str, name: str, api_version: str = "v1", namespace: str | None = None, wave: str | None = None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    if wave is not None:
        metadata["annotations"] = {WAVE: wave}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


def hook(kind: str, name: str, value: str, annotation: str = "argocd.argoproj.io/hook", **more: str) -> dict[str, Any]:
    found = obj(kind, name, "batch/v1" if kind == "Job" else "v1")
    found["metadata"]["annotations"] = {annotation: value, **more}
    return found


def order(*objects: dict[str, Any]) -> list[str]:
    def namespaced(group: str, kind: str) -> bool:
        return (group, kind) not in CLUSTER_SCOPED_KINDS

    return [f"{t.phase}:{t.wave}:{t.kind}/{t.name}" for t in sort_tasks(tasks_for(objects, "apps", namespaced))]


def crd(kind: str, group: str, wave: str | None = None) -> dict[str, Any]:
    found = obj("CustomResourceDefinition", f"{kind.lower()}s.{group}", "apiextensions.k8s.io/v1", wave=wave)
    found["spec"] = {"group": group, "names": {"kind": kind, "plural": f"{kind.lower()}s"}}
    return found


CASES = [
    pytest.param(
        [obj("Deployment", "a", "apps/v1"), obj("Service", "a"), obj("ConfigMap", "a"), obj("Namespace", "apps")],
        ["Sync:0:Namespace/apps", "Sync:0:ConfigMap/a", "Sync:0:Service/a", "Sync:0:Deployment/a"],
        id="kinds: Namespace, ConfigMap, Service, Deployment",
    ),
    pytest.param(
        [
            obj("Widget", "a", "example.com/v1"),
            obj("Ingress", "z", "networking.k8s.io/v1"),
            obj("APIService", "v1.x", "apiregistration.k8s.io/v1"),
        ],
        ["Sync:0:Ingress/z", "Sync:0:APIService/v1.x", "Sync:0:Widget/a"],
        id="custom resources after every listed kind",
    ),
    pytest.param(
        [
            obj("ValidatingWebhookConfiguration", "kps-admission", "admissionregistration.k8s.io/v1"),
            obj("PrometheusRule", "kps-alertmanager.rules", "monitoring.coreos.com/v1"),
            obj("Alertmanager", "kps-alertmanager", "monitoring.coreos.com/v1"),
        ],
        [
            "Sync:0:ValidatingWebhookConfiguration/kps-admission",
            "Sync:0:Alertmanager/kps-alertmanager",
            "Sync:0:PrometheusRule/kps-alertmanager.rules",
        ],
        id="unlisted kinds share order 0: by name across kinds",
    ),
    pytest.param(
        [obj("ConfigMap", "b", wave="-1"), obj("Namespace", "a", wave="1")],
        ["Sync:-1:ConfigMap/b", "Sync:1:Namespace/a"],
        id="wave before kind",
    ),
    pytest.param(
        [
            obj("ConfigMap", "early", wave="-10"),
            hook("Job", "migrate", "PreSync", **{WAVE: "5"}),
            hook("Job", "smoke", "PostSync"),
        ],
        ["PreSync:5:Job/migrate", "Sync:-10:ConfigMap/early", "PostSync:0:Job/smoke"],
        id="phase before wave",
    ),
    pytest.param(
        [
            hook("Job", "create", "pre-install,pre-upgrade", "helm.sh/hook", **{"helm.sh/hook-weight": "-5"}),
            hook("Job", "patch", "post-install,post-upgrade", "helm.sh/hook"),
            hook("Job", "weighted", "pre-install", "helm.sh/hook", **{"helm.sh/hook-weight": "3", WAVE: "-7"}),
        ],
        ["PreSync:-7:Job/weighted", "PreSync:-5:Job/create", "PostSync:0:Job/patch"],
        id="helm hooks: pre -> PreSync, post -> PostSync, weight is the wave unless sync-wave is set",
    ),
    pytest.param(
        [hook("Job", "both", "Sync", **{"helm.sh/hook": "pre-install"})],
        ["Sync:0:Job/both"],
        id="an Argo CD hook annotation wins over the Helm one",
    ),
    pytest.param(
        [
            hook("Pod", "test", "test", "helm.sh/hook"),
            hook("Job", "cleanup", "post-delete", "helm.sh/hook"),
            hook("Job", "gone", "PostDelete"),
            hook("ConfigMap", "skipped", "Skip"),
            hook("ConfigMap", "crds", "crd-install", "helm.sh/hook"),
        ],
        ["Sync:0:ConfigMap/crds"],
        id="never synced: helm test/post-delete, PostDelete, Skip; crd-install is a plain object",
    ),
    pytest.param(
        [hook("Job", "twice", "PreSync,PostSync"), hook("Job", "fail", "SyncFail")],
        ["PreSync:0:Job/twice", "PostSync:0:Job/twice", "SyncFail:0:Job/fail"],
        id="one hook in two phases; SyncFail last",
    ),
    pytest.param(
        [obj("ConfigMap", "c", namespace="team", wave="0"), obj("Namespace", "team", wave="3")],
        ["Sync:0:Namespace/team", "Sync:0:ConfigMap/c"],
        id="a Namespace moves before the first object in it, into its wave",
    ),
    pytest.param(
        [obj("Widget", "w", "example.com/v1", wave="1"), crd("Widget", "example.com", wave="5")],
        ["Sync:1:CustomResourceDefinition/widgets.example.com", "Sync:1:Widget/w"],
        id="a CRD moves before the first custom resource of its kind",
    ),
    pytest.param(
        [obj("Secret", "b"), obj("Secret", "a"), obj("ServiceAccount", "z")],
        ["Sync:0:ServiceAccount/z", "Sync:0:Secret/a", "Sync:0:Secret/b"],
        id="same kind: by name",
    ),
]


@pytest.mark.parametrize(("objects", "expected"), CASES)
def test_argo_cd_sync_order(objects: list[dict[str, Any]], expected: list[str]) -> None:
    assert order(*objects) == expected


def test_kind_order_values_match_gitops_engine() -> None:
    """sync_tasks_test.go: Namespace is the lowest, APIService -1, any other kind 0."""
    assert KIND_ORDER["Namespace"] == -len(KIND_ORDER)
    assert KIND_ORDER["APIService"] == -1
    assert KIND_ORDER.get("MyCRD", 0) == 0


def test_invalid_wave_counts_as_zero() -> None:
    assert order(obj("ConfigMap", "a", wave="soon"), obj("ConfigMap", "b")) == [
        "Sync:0:ConfigMap/a",
        "Sync:0:ConfigMap/b",
    ]


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        ({}, ["BeforeHookCreation"]),
        (
            {"helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded"},
            ["BeforeHookCreation", "HookSucceeded"],
        ),
        ({"argocd.argoproj.io/hook-delete-policy": "HookFailed"}, ["HookFailed"]),
    ],
)
def test_hook_delete_policies(annotations: dict[str, str], expected: list[str]) -> None:
    found = hook("Job", "j", "PreSync", **annotations)
    assert sync_phases(found) == ["PreSync"]
    assert delete_policies(found) == expected


def test_apply_groups_split_a_step_at_each_kind_change() -> None:
    tasks = sort_tasks(
        tasks_for(
            [
                obj("Service", "s"),
                obj("Deployment", "d", "apps/v1"),
                obj("Deployment", "e", "apps/v1"),
                hook("Job", "p", "PostSync"),
            ],
            "apps",
            lambda group, kind: True,
        )
    )
    assert apply_groups(tasks) == [0, 1, 1, 0]
