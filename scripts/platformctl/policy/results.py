"""One result per check and object, whatever produced it (checkov or a value-level rule)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from platformctl.policy.catalogue import CheckSpec

PASSED = "PASSED"
FAILED = "FAILED"
EXCEPTED = "EXCEPTED"  # failed, but covered by a valid exception

# Kinds checkov reports in the namespace `default` although they have none: shown as Kind/name.
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PriorityClass",
        "PersistentVolume",
        "IngressClass",
        "APIService",
        "ClusterIssuer",
        "ClusterSecretStore",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    }
)


@dataclass(frozen=True, order=True)
class PolicyResult:
    env: str  # "" for repository-wide frameworks (dockerfile, secrets)
    framework: str  # kubernetes | dockerfile | secrets | upstream-values
    check_id: str
    object: str  # Kind/namespace/name, Kind/name (cluster-scoped) or Dockerfile/<path>, File/<path>
    application: str
    file: str  # repository-relative
    line: int
    status: str
    title: str = ""
    fix: str = ""
    exception_reason: str = ""

    @property
    def kind(self) -> str:
        return self.object.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.object.split("/", 1)[1] if "/" in self.object else self.object

    def excepted(self, reason: str) -> PolicyResult:
        return replace(self, status=EXCEPTED, exception_reason=reason)


def object_from_checkov_resource(resource: str) -> str:
    """checkov's `Kind.namespace.name` as `Kind/namespace/name` (names may contain dots, kinds do not)."""
    parts = resource.split(".", 2)
    if len(parts) != 3:
        return resource
    kind, namespace, name = parts
    if kind in CLUSTER_SCOPED_KINDS:
        return f"{kind}/{name}"
    return f"{kind}/{namespace}/{name}"


def rule_result(
    check: CheckSpec,
    *,
    env: str,
    framework: str,
    object: str,
    application: str,
    file: str,
    passed: bool,
    detail: str = "",
    fix: str | None = None,
) -> PolicyResult:
    """The result of one of our own rules (not a checkov record): no line, the check's intent as title
    (with `detail` of what failed appended), the check's fix unless a more specific one is given."""
    return PolicyResult(
        env=env,
        framework=framework,
        check_id=check.id,
        object=object,
        application=application,
        file=file,
        line=0,
        status=PASSED if passed else FAILED,
        title=f"{check.intent}: {detail}" if detail else check.intent,
        fix=check.fix if fix is None else fix,
    )
