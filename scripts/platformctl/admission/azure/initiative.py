"""The Azure Policy pod-security initiative a cluster assigns (clusters/<env>/cluster.yaml, spec.azurePolicy).

One reader for every part of the tooling: the AKS model assigns it, the policy gate checks it is the
restricted one with effect deny, the admission gate evaluates its policies. The defaults are those of
the built-in set "Kubernetes cluster pod security restricted standards for Linux-based workloads"
(policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00, version 2.5.0, Azure/azure-policy
built-in-policies/policySetDefinitions/Kubernetes/PSPRestrictedStandard.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RESTRICTED_INITIATIVE_ID = "42b8ef37-b724-4e24-bbc8-7a7708edfe00"
DEFAULT_EXCLUDED_NAMESPACES = ("kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system")
DEFAULT_ALLOWED_CAPABILITIES = (
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
)
# The set's parameters besides effect and excludedNamespaces, with their defaults.
PARAMETER_DEFAULTS: dict[str, tuple[str, ...]] = {
    "namespaces": (),
    "allowedCapabilities": DEFAULT_ALLOWED_CAPABILITIES,
    "requiredDropCapabilities": (),
}
SEVERITY_BY_EFFECT = {"deny": "error", "audit": "warning"}  # disabled: nothing


@dataclass(frozen=True)
class Initiative:
    name: str
    definition_id: str
    effect: str  # lower case: deny | audit | disabled
    excluded_namespaces: tuple[str, ...]  # as assigned in cluster.yaml
    parameters: dict[str, tuple[str, ...]]  # PARAMETER_DEFAULTS overridden by cluster.yaml

    @property
    def restricted(self) -> bool:
        return self.definition_id.endswith(RESTRICTED_INITIATIVE_ID)

    @property
    def severity(self) -> str | None:
        return SEVERITY_BY_EFFECT.get(self.effect)

    def covers(self, namespace: str) -> bool:
        """Evaluated in `namespace`: not excluded (the set's defaults and cluster.yaml's; a trailing `*` is a
        prefix, as in Gatekeeper) and, when the `namespaces` parameter lists some, one of them."""
        excluded = {*DEFAULT_EXCLUDED_NAMESPACES, *self.excluded_namespaces}
        if any(namespace == e or (e.endswith("*") and namespace.startswith(e[:-1])) for e in excluded):
            return False
        included = self.parameters["namespaces"]
        return not included or namespace in included


def initiative_of(cluster: dict[str, Any]) -> Initiative | None:
    """The initiative cluster.yaml assigns (None without an enabled spec.azurePolicy)."""
    policy = (cluster.get("spec") or {}).get("azurePolicy") or {}
    initiative = policy.get("initiative") if policy.get("enabled") else None
    if not isinstance(initiative, dict):
        return None
    given = initiative.get("parameters") or {}
    return Initiative(
        name=str(initiative.get("name", "")),
        definition_id=str(initiative.get("definitionId", "")),
        effect=str(initiative.get("effect", "")).lower(),
        excluded_namespaces=tuple(str(n) for n in initiative.get("excludedNamespaces") or ()),
        parameters={key: tuple(str(v) for v in given.get(key, default)) for key, default in PARAMETER_DEFAULTS.items()},
    )
