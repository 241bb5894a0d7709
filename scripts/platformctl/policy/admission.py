"""Admission-time enforcement: the AKS Azure Policy add-on enforces the restricted pod-security initiative.

The add-on is declared in clusters/<env>/cluster.yaml (`spec.azurePolicy`, owned by the AKS part); the
policy gate checks that it is there, denies (not only audits), uses the built-in "pod security restricted
standards" initiative, and exempts none of the namespaces this repository creates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from platformctl.admission.azure.initiative import RESTRICTED_INITIATIVE_ID, initiative_of
from platformctl.admission.namespaces import namespace_objects
from platformctl.environments import Environment
from platformctl.paths import relative_path
from platformctl.policy.catalogue import ADMISSION_CHECKS
from platformctl.policy.results import PolicyResult, rule_result


def admission_problems(cluster: dict[str, Any], our_namespaces: set[str]) -> list[str]:
    initiative = initiative_of(cluster)
    if initiative is None:
        return ["spec.azurePolicy is missing or not enabled"]
    problems = []
    if not initiative.restricted:
        problems.append(f"initiative is not the pod security restricted one ({RESTRICTED_INITIATIVE_ID})")
    if initiative.effect != "deny":
        problems.append(f"effect is {initiative.effect!r}, not 'deny'")
    exempted = sorted(set(initiative.excluded_namespaces) & our_namespaces)
    if exempted:
        problems.append(f"exempts namespaces this repository deploys: {', '.join(exempted)}")
    return problems


def check_admission(environment: Environment, objects: Iterable[dict[str, Any]]) -> list[PolicyResult]:
    (check,) = ADMISSION_CHECKS
    our_namespaces = set(namespace_objects(objects))
    problems = admission_problems(environment.cluster, our_namespaces)
    name = (environment.cluster.get("metadata") or {}).get("name", environment.name)
    return [
        rule_result(
            check,
            env=environment.name,
            framework="admission",
            object=f"AksCluster/{name}",
            application="",
            file=relative_path(environment.cluster_file, environment.root),
            passed=not problems,
            detail="; ".join(problems),
        )
    ]
