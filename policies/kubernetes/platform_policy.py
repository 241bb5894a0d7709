"""Shared helpers of the platform's custom checkov checks (imported by the check modules).

checkov executes every module of this folder; this one registers no check. Checks that need facts
beyond the object they inspect (the environment's registry, the PodDisruptionBudgets of a namespace,
which namespaces hold data apps) read the policy context: a JSON file that `platformctl policy`
writes from the same rendered manifests and from clusters/<env>/ before it starts checkov, and
passes through $PLATFORM_POLICY_CONTEXT.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check

CONTEXT_ENV_VAR = "PLATFORM_POLICY_CONTEXT"

OWNER_LABEL = "platform.example/owner"
DATA_CLASSIFICATION_LABEL = "platform.example/data-classification"
NAME_LABEL = "app.kubernetes.io/name"
REQUIRED_LABELS = (OWNER_LABEL, DATA_CLASSIFICATION_LABEL, NAME_LABEL)

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet")
POD_KINDS = ("Pod", *WORKLOAD_KINDS)
ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone"


@cache
def context() -> dict[str, Any]:
    """The policy context of the environment under check (see module docstring)."""
    path = os.environ.get(CONTEXT_ENV_VAR)
    if not path:
        raise RuntimeError(f"${CONTEXT_ENV_VAR} is not set: run these checks through `platformctl policy`")
    with open(path, encoding="utf-8") as handle:  # noqa: PTH123 (checkov loads this file outside our package)
        return json.load(handle)


def clean(value: Any) -> Any:
    """The value without checkov's __startline__/__endline__ bookkeeping keys."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("__"))}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def metadata(conf: dict[str, Any]) -> dict[str, Any]:
    value = conf.get("metadata")
    return clean(value) if isinstance(value, dict) else {}


def object_spec(conf: dict[str, Any]) -> dict[str, Any]:
    """The object's `spec` without checkov's bookkeeping; {} when it has none."""
    value = conf.get("spec")
    return clean(value) if isinstance(value, dict) else {}


def labels(conf: dict[str, Any]) -> dict[str, str]:
    value = metadata(conf).get("labels")
    return value if isinstance(value, dict) else {}


def namespace(conf: dict[str, Any]) -> str:
    return str(metadata(conf).get("namespace") or "default")


def pod_template(conf: dict[str, Any]) -> dict[str, Any]:
    """The pod (metadata + spec) a workload creates; {} when the object has none."""
    kind = conf.get("kind")
    spec = conf.get("spec")
    if not isinstance(spec, dict):
        return {}
    if kind == "Pod":
        return {"metadata": conf.get("metadata") or {}, "spec": spec}
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template")
    return clean(template) if isinstance(template, dict) else {}


def pod_spec(conf: dict[str, Any]) -> dict[str, Any]:
    spec = pod_template(conf).get("spec")
    return clean(spec) if isinstance(spec, dict) else {}


def containers(conf: dict[str, Any]) -> list[dict[str, Any]]:
    """Every container of the pod, init and ephemeral containers included."""
    spec = pod_spec(conf)
    found: list[dict[str, Any]] = []
    for key in ("initContainers", "containers", "ephemeralContainers"):
        found.extend(c for c in spec.get(key) or [] if isinstance(c, dict))
    return found


def selector_matches(selector: dict[str, Any] | None, target_labels: dict[str, str]) -> bool:
    """Whether a LabelSelector (matchLabels and matchExpressions) selects `target_labels`."""
    if not selector:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if target_labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        present = key in target_labels
        if (
            (operator == "In" and target_labels.get(key) not in values)
            or (operator == "NotIn" and present and target_labels[key] in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


class PlatformCheck(BaseK8Check):
    """One platform rule: a subclass sets CHECK_ID, TITLE and ENTITIES (the kinds it inspects) and says
    in `passes` whether an object complies. Defining this base registers nothing: checkov registers a
    check when a module instantiates it (`check = MyCheck()`)."""

    CHECK_ID: ClassVar[str]
    TITLE: ClassVar[str]
    ENTITIES: ClassVar[Sequence[str]]

    def __init__(self) -> None:
        super().__init__(
            name=self.TITLE,
            id=self.CHECK_ID,
            categories=[CheckCategories.KUBERNETES],
            supported_entities=list(self.ENTITIES),
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if self.passes(conf) else CheckResult.FAILED

    def passes(self, conf: dict[str, Any]) -> bool:
        raise NotImplementedError
