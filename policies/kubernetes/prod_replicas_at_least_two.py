"""Prod: a Deployment or StatefulSet never runs fewer than two replicas.

The floor is the HorizontalPodAutoscaler's minReplicas when one scales the workload (charts then omit
`replicas`, and the HPA owns the count), otherwise `spec.replicas` (Kubernetes defaults it to 1).
"""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, context, metadata, namespace, object_spec

MINIMUM_REPLICAS = 2


class ProdReplicasAtLeastTwo(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_4"
    TITLE = "Prod: Deployments and StatefulSets run at least 2 replicas (HPA minReplicas or spec.replicas)"
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
        return isinstance(floor, int) and floor >= MINIMUM_REPLICAS


check = ProdReplicasAtLeastTwo()
