"""The baseline checks of the Pod Security Standards (kubernetes pod-security-admission, policy/).

Each function takes a pod template and returns the offending parts, naming the containers and the
field; the `CHECKS` table gives each its id, reason, fix and the versions it changed in.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group

DEFAULT_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}
SYSCTLS_1_0 = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    }
)
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
SECCOMP_ANNOTATION_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_ANNOTATION_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_ANNOTATION_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"


def _pod_part(pod: PodTemplate, problem: str) -> Part:
    return Part(pod.container_names, problem)


def host_process(pod: PodTemplate) -> list[Part]:
    pairs = [
        (c.name, "securityContext.windowsOptions.hostProcess=true")
        for c in pod.containers
        if (c.security.get("windowsOptions") or {}).get("hostProcess") is True
    ]
    parts = group(pairs)
    if (pod.security.get("windowsOptions") or {}).get("hostProcess") is True:
        parts.insert(0, _pod_part(pod, "spec.securityContext.windowsOptions.hostProcess=true"))
    return parts


def host_namespaces(pod: PodTemplate) -> list[Part]:
    shared = [f"spec.{field}=true" for field in ("hostNetwork", "hostPID", "hostIPC") if pod.spec.get(field) is True]
    return [_pod_part(pod, ", ".join(shared))] if shared else []


def privileged(pod: PodTemplate) -> list[Part]:
    return group((c.name, "securityContext.privileged=true") for c in pod.containers if c.security.get("privileged"))


def _added(container_security: dict) -> list[str]:
    return [str(cap) for cap in (container_security.get("capabilities") or {}).get("add") or []]


def capabilities(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        extra = [cap for cap in _added(c.security) if cap not in DEFAULT_CAPABILITIES]
        if extra:
            pairs.append((c.name, f"securityContext.capabilities.add {', '.join(extra)}"))
    return group(pairs)


def host_path_volumes(pod: PodTemplate) -> list[Part]:
    names = [str(v.get("name")) for v in pod.spec.get("volumes") or [] if isinstance(v, dict) and "hostPath" in v]
    if not names:
        return []
    return [_pod_part(pod, "hostPath " + ", ".join(f'volume "{n}"' for n in names))]


def host_ports(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        ports = [str(p["hostPort"]) for p in c.spec.get("ports") or [] if isinstance(p, dict) and p.get("hostPort")]
        if ports:
            pairs.append((c.name, f"ports[].hostPort {', '.join(ports)}"))
    return group(pairs)


def app_armor(pod: PodTemplate) -> list[Part]:
    allowed = ("RuntimeDefault", "Localhost")
    pairs = []
    pod_type = (pod.security.get("appArmorProfile") or {}).get("type")
    for c in pod.containers:
        own = (c.security.get("appArmorProfile") or {}).get("type")
        if own is not None and own not in allowed:
            pairs.append((c.name, f"securityContext.appArmorProfile.type={own}"))
        annotation = str(pod.annotations.get(APPARMOR_ANNOTATION_CONTAINER + c.name, ""))
        if annotation and annotation != "runtime/default" and not annotation.startswith("localhost/"):
            pairs.append((c.name, f"annotation {APPARMOR_ANNOTATION_CONTAINER}{c.name}={annotation}"))
    parts = group(pairs)
    if pod_type is not None and pod_type not in allowed:
        parts.insert(0, _pod_part(pod, f"spec.securityContext.appArmorProfile.type={pod_type}"))
    return parts


def _selinux_problem(options: dict, allowed_types: frozenset[str], prefix: str) -> str:
    problems = []
    if str(options.get("type") or "") not in allowed_types:
        problems.append(f"{prefix}seLinuxOptions.type={options.get('type')}")
    problems += [f"{prefix}seLinuxOptions.{key} set" for key in ("user", "role") if options.get(key)]
    return ", ".join(problems)


def _selinux(pod: PodTemplate, allowed_types: frozenset[str]) -> list[Part]:
    pairs = []
    for c in pod.containers:
        problem = _selinux_problem(c.security.get("seLinuxOptions") or {}, allowed_types, "securityContext.")
        if problem:
            pairs.append((c.name, problem))
    parts = group(pairs)
    pod_problem = _selinux_problem(pod.security.get("seLinuxOptions") or {}, allowed_types, "spec.securityContext.")
    if pod_problem:
        parts.insert(0, _pod_part(pod, pod_problem))
    return parts


def selinux_1_0(pod: PodTemplate) -> list[Part]:
    return _selinux(pod, SELINUX_TYPES_1_0)


def selinux_1_31(pod: PodTemplate) -> list[Part]:
    return _selinux(pod, SELINUX_TYPES_1_31)


def proc_mount(pod: PodTemplate) -> list[Part]:
    return group(
        (c.name, f"securityContext.procMount={c.security['procMount']}")
        for c in pod.containers
        if c.security.get("procMount") not in (None, "Default")
    )


def proc_mount_1_35(pod: PodTemplate) -> list[Part]:
    """From 1.35 a pod in its own user namespace (hostUsers: false) may unmask /proc."""
    return [] if pod.user_namespace else proc_mount(pod)


def _bad_seccomp_annotation(value: str) -> bool:
    return value not in ("runtime/default", "docker/default") and not value.startswith("localhost/")


def seccomp_1_0(pod: PodTemplate) -> list[Part]:
    pairs = []
    pod_value = str(pod.annotations.get(SECCOMP_ANNOTATION_POD, ""))
    for c in pod.containers:
        value = str(pod.annotations.get(SECCOMP_ANNOTATION_CONTAINER + c.name, ""))
        if value and _bad_seccomp_annotation(value):
            pairs.append((c.name, f"annotation {SECCOMP_ANNOTATION_CONTAINER}{c.name}={value}"))
    parts = group(pairs)
    if pod_value and _bad_seccomp_annotation(pod_value):
        parts.insert(0, _pod_part(pod, f"annotation {SECCOMP_ANNOTATION_POD}={pod_value}"))
    return parts


def seccomp_type(security: dict) -> str | None:
    profile = security.get("seccompProfile")
    return str(profile.get("type")) if isinstance(profile, dict) and profile.get("type") is not None else None


def seccomp_1_19(pod: PodTemplate) -> list[Part]:
    allowed = ("RuntimeDefault", "Localhost")
    pairs = [
        (c.name, f"securityContext.seccompProfile.type={seccomp_type(c.security)}")
        for c in pod.containers
        if seccomp_type(c.security) not in (None, *allowed)
    ]
    parts = group(pairs)
    if seccomp_type(pod.security) not in (None, *allowed):
        parts.insert(0, _pod_part(pod, f"spec.securityContext.seccompProfile.type={seccomp_type(pod.security)}"))
    return parts


def _sysctls(pod: PodTemplate, allowed: frozenset[str]) -> list[Part]:
    names = [str(s.get("name")) for s in pod.security.get("sysctls") or [] if isinstance(s, dict)]
    bad = [name for name in names if name not in allowed]
    return [_pod_part(pod, f"spec.securityContext.sysctls {', '.join(bad)}")] if bad else []


def sysctls_1_0(pod: PodTemplate) -> list[Part]:
    return _sysctls(pod, SYSCTLS_1_0)


def sysctls_1_27(pod: PodTemplate) -> list[Part]:
    return _sysctls(pod, SYSCTLS_1_27)


def sysctls_1_29(pod: PodTemplate) -> list[Part]:
    return _sysctls(pod, SYSCTLS_1_29)


def sysctls_1_32(pod: PodTemplate) -> list[Part]:
    return _sysctls(pod, SYSCTLS_1_32)


def probe_hosts(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        handlers = {f"{probe}": c.spec.get(probe) for probe in ("livenessProbe", "readinessProbe", "startupProbe")}
        lifecycle = c.spec.get("lifecycle") or {}
        handlers.update({f"lifecycle.{hook}": lifecycle.get(hook) for hook in ("postStart", "preStop")})
        for path, handler in handlers.items():
            for action in ("httpGet", "tcpSocket"):
                host = ((handler or {}).get(action) or {}).get("host")
                if host:
                    pairs.append((c.name, f"{path}.{action}.host={host}"))
    return group(pairs)


CHECKS: tuple[Check, ...] = (
    Check(
        "windowsHostProcess",
        BASELINE,
        "hostProcess",
        "remove securityContext.windowsOptions.hostProcess (pod and containers)",
        (VersionedCheck((1, 0), host_process),),
    ),
    Check(
        "hostNamespaces",
        BASELINE,
        "host namespaces",
        "remove hostNetwork/hostPID/hostIPC from the pod, or run it in a namespace that allows them",
        (VersionedCheck((1, 0), host_namespaces),),
    ),
    Check(
        "privileged",
        BASELINE,
        "privileged",
        "remove securityContext.privileged: true",
        (VersionedCheck((1, 0), privileged),),
    ),
    Check(
        "capabilities_baseline",
        BASELINE,
        "non-default capabilities",
        "add only default capabilities (securityContext.capabilities.add)",
        (VersionedCheck((1, 0), capabilities),),
    ),
    Check(
        "hostPathVolumes",
        BASELINE,
        "hostPath volumes",
        "replace the hostPath volume by emptyDir, a PVC or a CSI volume",
        (VersionedCheck((1, 0), host_path_volumes),),
    ),
    Check(
        "hostPorts",
        BASELINE,
        "hostPort",
        "remove ports[].hostPort (expose the port through a Service)",
        (VersionedCheck((1, 0), host_ports),),
    ),
    Check(
        "appArmorProfile",
        BASELINE,
        "forbidden AppArmor profile",
        "set the AppArmor profile to RuntimeDefault or Localhost, or leave it unset",
        (VersionedCheck((1, 0), app_armor),),
    ),
    Check(
        "seLinuxOptions",
        BASELINE,
        "seLinuxOptions",
        "remove seLinuxOptions user/role and use a container_* type (or none)",
        (VersionedCheck((1, 0), selinux_1_0), VersionedCheck((1, 31), selinux_1_31)),
    ),
    Check(
        "procMount",
        BASELINE,
        "procMount",
        "remove securityContext.procMount (or set Default)",
        (VersionedCheck((1, 0), proc_mount), VersionedCheck((1, 35), proc_mount_1_35)),
    ),
    Check(
        "seccompProfile_baseline",
        BASELINE,
        "seccompProfile",
        "set securityContext.seccompProfile.type to RuntimeDefault or Localhost (never Unconfined)",
        (VersionedCheck((1, 0), seccomp_1_0), VersionedCheck((1, 19), seccomp_1_19)),
    ),
    Check(
        "sysctls",
        BASELINE,
        "forbidden sysctls",
        "keep to the safe sysctls of the Pod Security Standards in spec.securityContext.sysctls",
        (
            VersionedCheck((1, 0), sysctls_1_0),
            VersionedCheck((1, 27), sysctls_1_27),
            VersionedCheck((1, 29), sysctls_1_29),
            VersionedCheck((1, 32), sysctls_1_32),
        ),
    ),
    Check(
        "hostProbesAndHostLifecycle",
        BASELINE,
        "probe or lifecycle host",
        "remove the host field of the probe or lifecycle handler (the pod's IP is used)",
        (VersionedCheck((1, 34), probe_hosts),),
    ),
)
