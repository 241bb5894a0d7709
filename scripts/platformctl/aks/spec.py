"""The part of cluster.yaml `platformctl aks` needs: the whole AKS spec, not only the facts the gates read.

`clusters/cluster.schema.json` types every field; its top-level `required` lists what every gate reads,
and `$defs/aksReady` lists the sections a cluster must also declare to be planned, diffed or applied.
"""

from __future__ import annotations

from typing import Any

from platformctl.environments import CLUSTER_SCHEMA, Environment, check_cluster_document


def aks_cluster(env: Environment) -> dict[str, Any]:
    """cluster.yaml of `env`, checked against the schema and `$defs/aksReady`."""
    document = env.cluster
    aks_ready = {"$defs": env.cluster_schema["$defs"], "$ref": "#/$defs/aksReady"}
    check_cluster_document(
        document,
        aks_ready,
        env.cluster_file,
        fix=f"declare it as clusters/dev/cluster.yaml does ({CLUSTER_SCHEMA} $defs/aksReady)",
        needed_by="`platformctl aks`",
    )
    return document
