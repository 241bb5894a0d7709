"""Which checks the policy gate runs, in which environments, and the fix it prints for each.

Rules checkov already implements are mapped to its built-in ids (not rewritten); the platform's own
rules live in policies/kubernetes (ids CKV_PLATFORM_*) and policies/upstream-values.yaml
(CKV_PLATFORM_V*). The kubernetes framework runs exactly the checks listed here, so a new checkov
release cannot silently widen or narrow the gate.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ENVS = "all"
PROD_ONLY = "prod"


@dataclass(frozen=True)
class CheckSpec:
    id: str
    intent: str  # the organisation's rule this check enforces
    fix: str
    scope: str = ALL_ENVS  # ALL_ENVS or PROD_ONLY
    builtin: bool = False  # a checkov built-in check mapped to our rule

    def applies_to(self, env: str) -> bool:
        return self.scope == ALL_ENVS or env == self.scope


KUBERNETES_CHECKS: tuple[CheckSpec, ...] = (
    # Our own checks (policies/kubernetes).
    CheckSpec(
        "CKV_PLATFORM_1",
        "required labels on workloads and namespaces",
        "set labels platform.example/owner, platform.example/data-classification and app.kubernetes.io/name "
        "(commonLabels in the component's values.yaml)",
    ),
    CheckSpec(
        "CKV_PLATFORM_2",
        "images only from the platform's Azure Container Registry",
        "pull the image through the ACR in clusters/<env>/cluster.yaml (spec.containerRegistry.loginServer): "
        "set image.registry/repository in the values",
    ),
    CheckSpec(
        "CKV_PLATFORM_3",
        "immutable images: digest or exact version tag",
        "pin image.tag to an exact release (1.2.3) or image.digest to sha256:...",
    ),
    CheckSpec(
        "CKV_PLATFORM_4",
        "prod replicas >= 2 (Argo CD application controller: one per destination cluster)",
        "set replicaCount: 2 (or autoscaling.minReplicas: 2) or more in values-prod.yaml; Argo CD's "
        "controller.replicas: the number of destination clusters",
        PROD_ONLY,
    ),
    CheckSpec(
        "CKV_PLATFORM_5",
        "prod PodDisruptionBudget per Deployment/StatefulSet",
        "enable the chart's podDisruptionBudget (minAvailable: 1) in values-prod.yaml",
        PROD_ONLY,
    ),
    CheckSpec(
        "CKV_PLATFORM_6",
        "prod HorizontalPodAutoscaler for data apps",
        "enable autoscaling (minReplicas >= 2) in the data app's values-prod.yaml",
        PROD_ONLY,
    ),
    CheckSpec(
        "CKV_PLATFORM_7",
        "prod topology spread across zones",
        "add topologySpreadConstraints on topology.kubernetes.io/zone (whenUnsatisfiable: ScheduleAnyway or "
        "DoNotSchedule) in values-prod.yaml",
        PROD_ONLY,
    ),
    CheckSpec(
        "CKV_PLATFORM_8",
        "default-deny NetworkPolicy in every namespace we create",
        "add a NetworkPolicy with podSelector: {} and policyTypes [Ingress] (no ingress rules) to the namespace",
    ),
    CheckSpec(
        "CKV_PLATFORM_9", "restricted pod security: no hostPath", "replace the hostPath volume by emptyDir/PVC/CSI"
    ),
    CheckSpec(
        "CKV_PLATFORM_10",
        "no NodePort; LoadBalancer only in the ingress layer",
        "use type ClusterIP and expose the service through an Ingress",
    ),
    CheckSpec(
        "CKV_PLATFORM_11",
        "no Secret with data in Git",
        "delete the Secret and create an ExternalSecret reading the value from Key Vault",
    ),
    CheckSpec(
        "CKV_PLATFORM_12",
        "Argo CD: no Application in the default project",
        "set the component's project to platform or data-apps in platform.yaml",
    ),
    CheckSpec(
        "CKV_PLATFORM_13",
        "Argo CD: prod targetRevision pinned",
        "pin repo.targetRevision / chart.version in clusters/prod/platform.yaml to a release tag, version or commit",
        PROD_ONLY,
    ),
    CheckSpec(
        "CKV_PLATFORM_14",
        "Argo CD: no automated prune for stateful components",
        "set syncPolicy.automated.prune: false for components with stateful: true",
    ),
    CheckSpec(
        "CKV_PLATFORM_15",
        "Argo CD: AppProjects without wildcard repositories or destinations",
        "list the exact sourceRepos and destinations (server and namespace) of the AppProject",
    ),
    CheckSpec(
        "CKV_PLATFORM_16",
        "Argo CD: no cluster-scoped kinds for data-apps",
        "remove clusterResourceWhitelist from the data-apps AppProject (namespaces are created by the platform)",
    ),
    # checkov built-ins covering our restricted pod-security and image rules.
    CheckSpec("CKV_K8S_14", "immutable images: never latest", "set an exact image tag (never latest)", builtin=True),
    CheckSpec(
        "CKV_K8S_16", "restricted pod security: not privileged", "remove securityContext.privileged", builtin=True
    ),
    CheckSpec("CKV_K8S_17", "restricted pod security: no hostPID", "remove hostPID: true", builtin=True),
    CheckSpec("CKV_K8S_18", "restricted pod security: no hostIPC", "remove hostIPC: true", builtin=True),
    CheckSpec("CKV_K8S_19", "restricted pod security: no hostNetwork", "remove hostNetwork: true", builtin=True),
    CheckSpec(
        "CKV_K8S_20",
        "restricted pod security: no privilege escalation",
        "set securityContext.allowPrivilegeEscalation: false on every container",
        builtin=True,
    ),
    CheckSpec(
        "CKV_K8S_22",
        "restricted pod security: read-only root filesystem",
        "set securityContext.readOnlyRootFilesystem: true (mount an emptyDir for writable paths)",
        builtin=True,
    ),
    CheckSpec(
        "CKV_K8S_23",
        "restricted pod security: non-root",
        "set securityContext.runAsNonRoot: true (pod or every container)",
        builtin=True,
    ),
    CheckSpec(
        "CKV_K8S_31",
        "restricted pod security: seccomp RuntimeDefault",
        "set securityContext.seccompProfile.type: RuntimeDefault on the pod",
        builtin=True,
    ),
    CheckSpec(
        "CKV_K8S_37",
        "restricted pod security: capabilities drop ALL",
        "set securityContext.capabilities.drop: [ALL] on every container",
        builtin=True,
    ),
)

# Value-level rules on upstream charts that are not rendered offline (policies/upstream-values.yaml).
UPSTREAM_VALUES_CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "CKV_PLATFORM_V1",
        "prod upstream workloads set resource requests and memory limits",
        "set <workload>.resources.requests.cpu/memory and limits.memory in platform/<component>/values-prod.yaml",
        PROD_ONLY,
    ),
    CheckSpec(
        "CKV_PLATFORM_V2",
        "upstream workloads run non-root without privilege escalation",
        "set <workload>.securityContext.runAsNonRoot: true and allowPrivilegeEscalation: false in the values",
    ),
)

# The gate checks only what was rendered: an in-repo Application without output is a failure.
RENDERED_CHECK = CheckSpec(
    "CKV_PLATFORM_R1",
    "every Application of an in-repo chart is rendered, so the policy gate checks its objects",
    "run `platformctl render <env>` and fix the chart (path, values files) until it renders",
)

# Admission-time enforcement declared in cluster.yaml (scripts/platformctl/policy/admission.py).
ADMISSION_CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "CKV_PLATFORM_A1",
        "admission: Azure Policy add-on denies with the pod security restricted initiative",
        "set spec.azurePolicy in clusters/<env>/cluster.yaml: enabled, initiative 42b8ef37-... (restricted), "
        "effect deny, no namespace of ours in excludedNamespaces",
    ),
)

# Dockerfile: every checkov built-in runs except these (the reason is the fix we would have to reject).
DOCKERFILE_SKIPPED: dict[str, str] = {
    "CKV_DOCKER_2": "HEALTHCHECK is ignored by Kubernetes: liveness/readiness probes in the chart do that job",
}
DOCKERFILE_FIX = "see the checkov guideline for the check; base images must come from the platform ACR"
SECRETS_FIX = "remove the secret from Git (rotate it) and read it from Key Vault through an ExternalSecret"

EXCEPTION_CHECK_ID = "PLATFORM_EXCEPTION"


def kubernetes_checks_for(env: str) -> list[CheckSpec]:
    return [check for check in KUBERNETES_CHECKS if check.applies_to(env)]


def spec_for(check_id: str) -> CheckSpec | None:
    for check in (*KUBERNETES_CHECKS, *UPSTREAM_VALUES_CHECKS, *ADMISSION_CHECKS, RENDERED_CHECK):
        if check.id == check_id:
            return check
    return None
