"""The part of cluster.yaml `platformctl aks` needs: the whole AKS spec, not only the facts the gates read.

`clusters/cluster.schema.json` types every field; its top-level `required` lists what every gate reads,
and `$defs/aksReady` lists the sections a cluster must also declare to be planned, diffed or applied.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from platformctl.environments import CLUSTER_SCHEMA, Environment
from platformctl.errors import PlatformError


def aks_cluster(env: Environment) -> dict[str, Any]:
    """cluster.yaml of `env`, checked against the schema and `$defs/aksReady`."""
    document = env.cluster
    schema = json.loads((env.root / CLUSTER_SCHEMA).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/aksReady"})
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path) or "(document)"
        raise PlatformError(
            f"{env.cluster_file}: {location}: {error.message} (needed by `platformctl aks`)",
            fix=f"declare it as clusters/dev/cluster.yaml does ({CLUSTER_SCHEMA} $defs/aksReady)",
        )
    return document
