"""The policy definitions of the restricted initiative, each evaluated as its Gatekeeper template does.

Sources: the set's `policyDefinitions` (their pinned parameters are the constants below) and the
Gatekeeper templates of Azure/azure-policy (built-in-references/Kubernetes/*) and of the
gatekeeper-library pod-security-policy templates they derive from. Gatekeeper judges Pods, reading a
field from the container and else from the pod (users/groups, seccomp); init and ephemeral
containers count like the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from platformctl.admission.azure.initiative import Initiative
from platformctl.admission.pods import Container, PodTemplate
from platformctl.admission.pss.allow_privilege_escalation import allow_privilege_escalation
from platformctl.admission.pss.helpers import seccomp_type
from platformctl.admission.pss.privileged import privileged
from platformctl.admission.pss.seccomp_profile_baseline import SECCOMP_ANNOTATION_CONTAINER, SECCOMP_ANNOTATION_POD
from platformctl.admission.violations import Part, group

ALLOWED_VOLUME_TYPES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
ALLOWED_SECCOMP_PROFILES = ("runtime/default", "docker/default")
GROUP_RANGE = (1, 65535)  # runAsGroup, supplementalGroups, fsGroup: MustRunAs 1-65535
HOST_PORT_RANGE = (0, 0)  # BlockUsingHostNetwork: allowHostNetwork false, minPort 0, maxPort 0


def no_privileged(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    """The same rule as Pod Security's `privileged`."""
    return privileged(pod)


def no_privilege_escalation(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    """The same rule as Pod Security's `allowPrivilegeEscalation`: false must be set explicitly."""
    return allow_privilege_escalation(pod)


def host_network_ports(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    parts = [Part(pod.container_names, "spec.hostNetwork=true")] if pod.spec.get("hostNetwork") is True else []
    low, high = HOST_PORT_RANGE
    pairs = []
    for c in pod.containers:
        ports = [p.get("hostPort") for p in c.spec.get("ports") or [] if isinstance(p, dict) and p.get("hostPort")]
        bad = [str(port) for port in ports if not low <= int(port) <= high]
        if bad:
            pairs.append((c.name, f"ports[].hostPort {', '.join(bad)}"))
    return parts + group(pairs)


def host_pid_ipc(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    shared = [f"spec.{field}=true" for field in ("hostPID", "hostIPC") if pod.spec.get(field) is True]
    return [Part(pod.container_names, ", ".join(shared))] if shared else []


def capabilities(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    """Case-insensitive, as the template lowercases; dropping ALL satisfies every required drop."""
    allowed = {cap.lower() for cap in initiative.parameters["allowedCapabilities"]}
    must_drop = {cap.lower() for cap in initiative.parameters["requiredDropCapabilities"]}
    pairs = []
    for c in pod.containers:
        caps = c.security.get("capabilities") or {}
        added = [str(cap) for cap in caps.get("add") or [] if "*" not in allowed and str(cap).lower() not in allowed]
        if added:
            pairs.append((c.name, f"securityContext.capabilities.add {', '.join(added)}"))
        dropped = {str(cap).lower() for cap in caps.get("drop") or []}
        missing = sorted(must_drop - dropped) if "all" not in dropped else []
        if missing:
            pairs.append((c.name, f"securityContext.capabilities.drop without {', '.join(m.upper() for m in missing)}"))
    return group(pairs)


def volume_types(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    bad = []
    for volume in pod.spec.get("volumes") or []:
        if isinstance(volume, dict):
            types = sorted(t for t in set(volume) - {"name"} if t not in ALLOWED_VOLUME_TYPES)
            bad += [f'volume "{volume.get("name")}" of type {t}' for t in types]
    return [Part(pod.container_names, ", ".join(bad))] if bad else []


def _in_range(value: object) -> bool:
    return isinstance(value, int) and GROUP_RANGE[0] <= value <= GROUP_RANGE[1]


def users_groups(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    """runAsUser MustRunAsNonRoot; runAsGroup, supplementalGroups and fsGroup MustRunAs 1-65535
    (a missing value is a violation, like a value out of range)."""
    pairs = []
    for c in pod.containers:
        user = pod.effective(c, "runAsUser")
        if user == 0:
            pairs.append((c.name, "securityContext.runAsUser=0"))
        elif user is None and pod.effective(c, "runAsNonRoot") is not True:
            pairs.append((c.name, "securityContext.runAsNonRoot and runAsUser unset (pod and container)"))
        group_id = pod.effective(c, "runAsGroup")
        if not _in_range(group_id):
            state = " unset (pod and container)" if group_id is None else f"={group_id}"
            pairs.append((c.name, f"securityContext.runAsGroup{state}"))
    parts = group(pairs)
    fs_group = pod.security.get("fsGroup")
    supplemental = pod.security.get("supplementalGroups") or []
    pod_problems = []
    if not _in_range(fs_group):
        pod_problems.append("spec.securityContext.fsGroup" + (" unset" if fs_group is None else f"={fs_group}"))
    if not supplemental or not all(_in_range(g) for g in supplemental):
        pod_problems.append(
            "spec.securityContext.supplementalGroups" + (f"={supplemental}" if supplemental else " unset")
        )
    if pod_problems:
        parts.append(Part(pod.container_names, ", ".join(pod_problems)))
    return parts


def _seccomp_profile(pod: PodTemplate, container: Container) -> str:
    """The container's profile as Gatekeeper names it: field, container annotation, pod field, pod annotation."""
    if seccomp_type(container.security):
        return _profile_name(container.security)
    annotation = pod.annotations.get(SECCOMP_ANNOTATION_CONTAINER + container.name)
    if annotation:
        return str(annotation)
    if seccomp_type(pod.security):
        return _profile_name(pod.security)
    return str(pod.annotations.get(SECCOMP_ANNOTATION_POD, "")) or "not configured"


def _profile_name(security: dict) -> str:
    kind = seccomp_type(security)
    if kind == "RuntimeDefault":
        return "runtime/default"
    if kind == "Localhost":
        return f"localhost/{(security.get('seccompProfile') or {}).get('localhostProfile', '')}"
    return str(kind).lower()


def seccomp(pod: PodTemplate, initiative: Initiative) -> list[Part]:
    pairs = []
    for c in pod.containers:
        profile = _seccomp_profile(pod, c)
        if profile not in ALLOWED_SECCOMP_PROFILES:
            state = "unset (pod and container)" if profile == "not configured" else profile
            pairs.append((c.name, f"seccomp profile {state}"))
    return group(pairs)


@dataclass(frozen=True)
class Policy:
    reference_id: str  # policyDefinitionReferenceId in the set
    definition_id: str
    display_name: str
    fix: str
    evaluate: Callable[[PodTemplate, Initiative], list[Part]]


POLICIES: tuple[Policy, ...] = (
    Policy(
        "NoPrivilegedContainers",
        "95edb821-ddaf-4404-9732-666045e056b4",
        "Kubernetes cluster should not allow privileged containers",
        "remove securityContext.privileged: true",
        no_privileged,
    ),
    Policy(
        "NoPrivilegeEscalation",
        "1c6e92c9-99f0-4e55-9cf2-0c234dc48f99",
        "Kubernetes clusters should not allow container privilege escalation",
        "set securityContext.allowPrivilegeEscalation: false on every container",
        no_privilege_escalation,
    ),
    Policy(
        "BlockUsingHostNetwork",
        "82985f06-dc18-4a48-bc1c-b9f4f0098cfe",
        "Kubernetes cluster pods should only use approved host network and port range",
        "remove hostNetwork and ports[].hostPort, or run the pod in a namespace excluded from the initiative",
        host_network_ports,
    ),
    Policy(
        "BlockUsingHostProcessIDAndIPC",
        "47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8",
        "Kubernetes cluster containers should not share host process ID or host IPC namespace",
        "remove hostPID/hostIPC, or run the pod in a namespace excluded from the initiative",
        host_pid_ipc,
    ),
    Policy(
        "ContainerCapabilities",
        "c26596ff-4d70-4e6a-9a30-c2506bd2f80c",
        "Kubernetes cluster containers should only use allowed capabilities",
        "add only the initiative's allowedCapabilities and drop its requiredDropCapabilities (or ALL)",
        capabilities,
    ),
    Policy(
        "AllowedVolumeTypes",
        "16697877-1118-4fb1-9b65-9898ec2509ec",
        "Kubernetes cluster pods should only use allowed volume types",
        "use only " + ", ".join(ALLOWED_VOLUME_TYPES) + " volumes",
        volume_types,
    ),
    Policy(
        "AllowedUsersGroups",
        "f06ddb64-5fa3-4b77-b166-acb36f7f6042",
        "Kubernetes cluster pods and containers should only run with approved user and group IDs",
        "set securityContext runAsNonRoot: true (or runAsUser != 0), runAsGroup, fsGroup and supplementalGroups "
        "(1-65535) on the pod",
        users_groups,
    ),
    Policy(
        "AllowedSeccompProfiles",
        "975ce327-682c-4f2e-aa46-b9598289b86c",
        "Kubernetes cluster containers should only use allowed seccomp profiles",
        "set securityContext.seccompProfile.type: RuntimeDefault on the pod (or on every container)",
        seccomp,
    ),
)
