"""Admission-time enforcement: the AKS Azure Policy add-on enforces the restricted pod-security initiative.

The add-on is declared in clusters/<env>/cluster.yaml (`spec.azurePolicy`, owned by the AKS part); the
policy gate checks that it is there, denies (not only audits), uses the built-in "pod security restricted
standards" initiative, and exempts none of the namespaces this repository creates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from platformctl.environments import Environment
from platformctl.paths import relative_path
from platformctl.policy.catalogue import ADMISSION_CHECKS
from platformctl.policy.results import PolicyResult, rule_result

# Built-in initiative "Kubernetes cluster pod security restricted standards for Linux-based workloads".
RESTRICTED_INITIATIVE_ID = "42b8ef37-b724-4e24-bbc8-7a7708edfe00"


def admission_problems(azure_policy: dict[str, Any], our_namespaces: set[str]) -> list[str]:
    if not azure_policy.get("enabled"):
        return ["spec.azurePolicy is missing or not enabled"]
    initiative = azure_policy.get("initiative") or {}
    problems = []
    if not str(initiative.get("definitionId", "")).endswith(RESTRICTED_INITIATIVE_ID):
        problems.append(f"initiative is not the pod security restricted one ({RESTRICTED_INITIATIVE_ID})")
    if initiative.get("effect") != "deny":
        problems.append(f"effect is {initiative.get('effect')!r}, not 'deny'")
    exempted = sorted(set(initiative.get("excludedNamespaces") or []) & our_namespaces)
    if exempted:
        problems.append(f"exempts namespaces this repository deploys: {', '.join(exempted)}")
    return problems


def check_admission(environment: Environment, objects: Iterable[dict[str, Any]]) -> list[PolicyResult]:
    (check,) = ADMISSION_CHECKS
    our_namespaces = {str((o.get("metadata") or {}).get("name")) for o in objects if o.get("kind") == "Namespace"}
    problems = admission_problems((environment.cluster.get("spec") or {}).get("azurePolicy") or {}, our_namespaces)
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
