"""Prod: a Deployment or StatefulSet never runs fewer than two replicas.

The floor is the HorizontalPodAutoscaler's minReplicas when one scales the workload (charts then omit
`replicas`, and the HPA owns the count), otherwise `spec.replicas` (Kubernetes defaults it to 1).

One workload is sharded rather than replicated: Argo CD's application controller gives each replica the
destination clusters of one shard, so it runs exactly one replica per destination cluster (more would
own no shard and sit idle; its StatefulSet restarts a lost pod). For it the rule is "replicas equal the
number of destination clusters of the env's Applications".
"""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, context, labels, metadata, namespace, object_spec

MINIMUM_REPLICAS = 2
#: Labels argo-helm puts on the application controller (StatefulSet, or Deployment with dynamic sharding).
ARGO_CD_CONTROLLER = {"app.kubernetes.io/part-of": "argocd", "app.kubernetes.io/component": "application-controller"}


class ProdReplicasAtLeastTwo(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_4"
    TITLE = (
        "Prod: Deployments and StatefulSets run at least 2 replicas (HPA minReplicas or spec.replicas); "
        "Argo CD's application controller one per destination cluster"
    )
    ENTITIES = ["Deployment", "StatefulSet"]

    def passes(self, conf: dict[str, Any]) -> bool:
        name, kind = metadata(conf).get("name"), conf.get("kind")
        autoscaler = next(
            (
                hpa
                for hpa in context()["horizontal_pod_autoscalers"]
                if hpa["namespace"] == namespace(conf) and hpa["target_kind"] == kind and hpa["target_name"] == name
            ),
            None,
        )
        spec = object_spec(conf)
        floor = autoscaler["min_replicas"] if autoscaler else spec.get("replicas", 1)
        if not isinstance(floor, int):
            return False
        if all(labels(conf).get(key) == value for key, value in ARGO_CD_CONTROLLER.items()):
            return floor == max(1, len(context()["destination_clusters"]))
        return floor >= MINIMUM_REPLICAS


check = ProdReplicasAtLeastTwo()
