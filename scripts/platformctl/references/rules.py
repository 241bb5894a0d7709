"""The reference kinds the gate checks: what refers to what, why it matters, how to fix it.

Declaration (this table and `declare.py`, which finds the references in each object) is kept apart
from resolution (`resolve.py`, one resolver per kind of target), as kube-linter keeps its checks apart
from its templates: a new reference kind is one row here and one declaring function.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    what: str
    resolver: str  # a key of resolve.RESOLVERS
    why: str  # what breaks at run time
    fix: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "service-selector",
            "Service selector -> pods",
            "pods",
            "the Service gets no endpoints: every client is refused",
            "make the Service's spec.selector match the pod template labels of the workload it fronts",
        ),
        Rule(
            "service-target-port",
            "Service targetPort -> container port",
            "container-port",
            "traffic to that port reaches no listening container",
            "set targetPort to a container port name (or number) of the selected pods, or declare that port",
        ),
        Rule(
            "ingress-backend",
            "Ingress backend -> Service and port",
            "service-port",
            "the ingress controller answers 503 for this route",
            "point the backend at an existing Service of the Ingress' namespace and one of its port names/numbers",
        ),
        Rule(
            "ingress-tls",
            "Ingress spec.tls[].secretName -> Secret (or cert-manager's ingress-shim)",
            "keyed",
            "the ingress controller serves its default, untrusted certificate for these hosts",
            "annotate the Ingress with cert-manager.io/cluster-issuer (cert-manager then issues that Secret) "
            "or create the Secret",
        ),
        Rule(
            "ingress-class",
            "Ingress ingressClassName -> IngressClass",
            "object",
            "no ingress controller serves the Ingress",
            "set spec.ingressClassName to the IngressClass the ingress controller renders",
        ),
        Rule(
            "monitor-targets",
            "ServiceMonitor/PodMonitor -> Services/Pods and port",
            "monitor-targets",
            "Prometheus discovers no target: the metrics and the alerts on them are silently absent",
            "make spec.selector, spec.namespaceSelector and the endpoint port name match the Service (Pod) to scrape",
        ),
        Rule(
            "monitor-loaded",
            "ServiceMonitor/PodMonitor/PrometheusRule -> the Prometheus that loads it",
            "prometheus-selection",
            "no Prometheus loads it: its targets are never scraped or its rules never evaluated",
            "give the object the labels (and namespace) the Prometheus' selectors ask for, or widen those selectors",
        ),
        Rule(
            "secret-store",
            "ExternalSecret -> SecretStore/ClusterSecretStore",
            "secret-store",
            "the Secret is never created, so every pod reading it stays in CreateContainerConfigError",
            "set spec.secretStoreRef (kind and name) to a rendered store that serves this namespace",
        ),
        Rule(
            "secret-ref",
            "Pod env/envFrom/volume, Prometheus/Alertmanager secrets -> Secret and key",
            "keyed",
            "the pod stays in CreateContainerConfigError or ContainerCreating",
            "create that Secret (an ExternalSecret of secret-store or the chart) with that key, or correct the "
            "reference (chart values such as existingSecret); mark it optional: true only if the app copes without",
        ),
        Rule(
            "configmap-ref",
            "Pod env/envFrom/volume -> ConfigMap and key",
            "keyed",
            "the pod stays in CreateContainerConfigError or ContainerCreating",
            "render that ConfigMap with that key, or correct the reference in the chart values",
        ),
        Rule(
            "service-account",
            "Pod/Prometheus serviceAccountName, store serviceAccountRef -> ServiceAccount",
            "object",
            "the controller cannot create the pods (FailedCreate: serviceaccount not found), or the store "
            "cannot authenticate",
            "render the ServiceAccount (serviceAccount.create) or correct the name (and namespace)",
        ),
        Rule(
            "pvc",
            "Pod volume -> PersistentVolumeClaim",
            "object",
            "the pod stays Pending",
            "render the PersistentVolumeClaim (or a volumeClaimTemplate) or correct claimName",
        ),
        Rule(
            "role-ref",
            "RoleBinding/ClusterRoleBinding roleRef -> Role/ClusterRole",
            "object",
            "the binding grants nothing: the workload gets 403 Forbidden",
            "correct roleRef (kind and name) or render the Role/ClusterRole",
        ),
        Rule(
            "binding-subject",
            "RoleBinding/ClusterRoleBinding subject -> ServiceAccount",
            "object",
            "the permissions go to an account no pod runs as",
            "correct the subject's name and namespace to the ServiceAccount the pods use",
        ),
        Rule(
            "storage-class",
            "PersistentVolumeClaim/volumeClaimTemplate -> StorageClass",
            "object",
            "the claim stays Pending and its pod never starts",
            "use a storage class of platform/cluster-provided.yaml (AKS built-ins) or a rendered one",
        ),
        Rule(
            "scale-target",
            "HorizontalPodAutoscaler scaleTargetRef -> workload",
            "object",
            "the autoscaler does nothing (FailedGetScale)",
            "set scaleTargetRef (kind and name) to the workload to scale",
        ),
        Rule(
            "pdb-selector",
            "PodDisruptionBudget selector -> pods",
            "pods",
            "the budget protects no pod during node drains and upgrades",
            "make spec.selector match the pod template labels of the workload to protect",
        ),
        Rule(
            "webhook-service",
            "Webhook configuration / CRD conversion -> Service and port",
            "service-port",
            "the API server cannot call the webhook: with failurePolicy Fail every matching request is rejected",
            "set clientConfig.service (namespace, name, port) to the webhook's rendered Service and port",
        ),
        Rule(
            "issuer",
            "Certificate issuerRef / Ingress cert-manager annotation -> Issuer/ClusterIssuer",
            "object",
            "cert-manager never issues the certificate: TLS uses no (or a default) certificate",
            "name an Issuer of the namespace or a ClusterIssuer that cluster-issuers renders",
        ),
        Rule(
            "alertmanager",
            "Prometheus alerting -> Alertmanager Service and port",
            "service-port",
            "alerts are evaluated but never delivered",
            "point spec.alerting.alertmanagers at the Alertmanager's Service and port",
        ),
    )
}
