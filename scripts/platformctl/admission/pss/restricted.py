"""The restricted checks of the Pod Security Standards (on top of baseline).

Pod-level fields are inherited: a container without its own runAsNonRoot or seccompProfile passes
when the pod sets it. From 1.25 Windows pods (spec.os.name: windows) skip the Linux-only rules, and
from 1.35 a pod in its own user namespace (hostUsers: false) may run as uid 0.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.baseline import proc_mount, seccomp_type
from platformctl.admission.pss.model import RESTRICTED, Check, CheckPod, VersionedCheck
from platformctl.admission.violations import Part, group

ALLOWED_VOLUME_TYPES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)


def restricted_volumes(pod: PodTemplate) -> list[Part]:
    bad = []
    for volume in pod.spec.get("volumes") or []:
        if not isinstance(volume, dict):
            continue
        types = sorted(set(volume) - {"name"})
        if not ALLOWED_VOLUME_TYPES & set(types):
            bad.append(f'volume "{volume.get("name")}" of type {", ".join(types) or "unknown"}')
    return [Part(pod.container_names, ", ".join(bad))] if bad else []


def allow_privilege_escalation(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        value = c.security.get("allowPrivilegeEscalation")
        if value is not False:
            state = " unset" if value is None else f"={str(value).lower()}"
            pairs.append((c.name, f"securityContext.allowPrivilegeEscalation{state}"))
    return group(pairs)


def _linux_only(check: CheckPod) -> CheckPod:
    def checked(pod: PodTemplate) -> list[Part]:
        return [] if pod.windows else check(pod)

    checked.__doc__ = f"{getattr(check, '__name__', 'check')}, skipped for Windows pods (1.25+)"
    return checked


def _not_in_user_namespace(check: CheckPod) -> CheckPod:
    def checked(pod: PodTemplate) -> list[Part]:
        return [] if pod.user_namespace else check(pod)

    checked.__doc__ = f"{getattr(check, '__name__', 'check')}, relaxed for pods with hostUsers: false (1.35+)"
    return checked


def run_as_non_root(pod: PodTemplate) -> list[Part]:
    pod_value = pod.security.get("runAsNonRoot")
    pairs = []
    for c in pod.containers:
        own = c.security.get("runAsNonRoot")
        if own is False:
            pairs.append((c.name, "securityContext.runAsNonRoot=false"))
        elif own is None and pod_value is not True:
            pairs.append((c.name, "securityContext.runAsNonRoot unset (pod and container)"))
    parts = group(pairs)
    if pod_value is False:
        parts.insert(0, Part(pod.container_names, "spec.securityContext.runAsNonRoot=false"))
    return parts


def run_as_user(pod: PodTemplate) -> list[Part]:
    parts = group((c.name, "securityContext.runAsUser=0") for c in pod.containers if c.security.get("runAsUser") == 0)
    if pod.security.get("runAsUser") == 0:
        parts.insert(0, Part(pod.container_names, "spec.securityContext.runAsUser=0"))
    return parts


def seccomp_restricted(pod: PodTemplate) -> list[Part]:
    allowed = ("RuntimeDefault", "Localhost")
    pod_type = seccomp_type(pod.security)
    pairs = []
    for c in pod.containers:
        own = seccomp_type(c.security)
        if own is not None and own not in allowed:
            pairs.append((c.name, f"securityContext.seccompProfile.type={own}"))
        elif own is None and pod_type not in allowed:
            pairs.append((c.name, "securityContext.seccompProfile.type unset (pod and container)"))
    parts = group(pairs)
    if pod_type is not None and pod_type not in allowed:
        parts.insert(0, Part(pod.container_names, f"spec.securityContext.seccompProfile.type={pod_type}"))
    return parts


def capabilities_restricted(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        capabilities = c.security.get("capabilities") or {}
        if "ALL" not in [str(cap) for cap in capabilities.get("drop") or []]:
            pairs.append((c.name, 'securityContext.capabilities.drop without "ALL"'))
        added = [str(cap) for cap in capabilities.get("add") or [] if cap != "NET_BIND_SERVICE"]
        if added:
            pairs.append((c.name, f"securityContext.capabilities.add {', '.join(added)}"))
    return group(pairs)


CHECKS: tuple[Check, ...] = (
    Check(
        "restrictedVolumes",
        RESTRICTED,
        "restricted volume types",
        "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret",
        (VersionedCheck((1, 0), restricted_volumes, overrides=("hostPathVolumes",)),),
    ),
    Check(
        "allowPrivilegeEscalation",
        RESTRICTED,
        "allowPrivilegeEscalation != false",
        "set securityContext.allowPrivilegeEscalation: false on every container",
        (
            VersionedCheck((1, 8), allow_privilege_escalation),
            VersionedCheck((1, 25), _linux_only(allow_privilege_escalation)),
        ),
    ),
    Check(
        "runAsNonRoot",
        RESTRICTED,
        "runAsNonRoot != true",
        "set securityContext.runAsNonRoot: true on the pod (or on every container)",
        (VersionedCheck((1, 0), run_as_non_root), VersionedCheck((1, 35), _not_in_user_namespace(run_as_non_root))),
    ),
    Check(
        "runAsUser",
        RESTRICTED,
        "runAsUser=0",
        "run as a non-zero uid (securityContext.runAsUser) and let fsGroup own the volumes instead of a root chown",
        (VersionedCheck((1, 23), run_as_user), VersionedCheck((1, 35), _not_in_user_namespace(run_as_user))),
    ),
    Check(
        "seccompProfile_restricted",
        RESTRICTED,
        "seccompProfile",
        "set securityContext.seccompProfile.type: RuntimeDefault on the pod (or on every container)",
        (
            VersionedCheck((1, 19), seccomp_restricted, overrides=("seccompProfile_baseline",)),
            VersionedCheck((1, 25), _linux_only(seccomp_restricted), overrides=("seccompProfile_baseline",)),
        ),
    ),
    Check(
        "capabilities_restricted",
        RESTRICTED,
        "unrestricted capabilities",
        'set securityContext.capabilities.drop: ["ALL"] on every container; add at most NET_BIND_SERVICE',
        (
            VersionedCheck((1, 22), capabilities_restricted, overrides=("capabilities_baseline",)),
            VersionedCheck((1, 25), _linux_only(capabilities_restricted), overrides=("capabilities_baseline",)),
        ),
    ),
    Check(
        "procMount_restricted",
        RESTRICTED,
        "procMount",
        "remove securityContext.procMount (or set Default)",
        (VersionedCheck((1, 35), proc_mount, overrides=("procMount",)),),
    ),
)
