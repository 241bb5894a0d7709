"""Where each kind of object refers to others: one function per referring kind, yielding `Reference`s.

Only rendered objects refer (objects the cluster provides are targets only). Fields follow the API:
defaults are applied as the API server would (Certificate issuerRef.kind Issuer, ExternalSecret store
kind SecretStore, Service targetPort = port, webhook port 443), and `optional: true` references are
skipped (the pod starts without them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from platformctl.manifests import group_of
from platformctl.references.inventory import Item, PodTemplate, pod_template
from platformctl.references.model import Reference

RBAC = "rbac.authorization.k8s.io"
CERT_MANAGER = "cert-manager.io"
ESO = "external-secrets.io"
MONITORING = "monitoring.coreos.com"
ISSUER_ANNOTATIONS = {"cert-manager.io/cluster-issuer": "ClusterIssuer", "cert-manager.io/issuer": "Issuer"}

Declarer = Callable[[Item], Iterator[Reference]]


def references(item: Item) -> Iterator[Reference]:
    """Every reference `item` makes."""
    declarer = DECLARERS.get((item.group, item.kind))
    if declarer is not None:
        yield from declarer(item)
    template = pod_template(item)
    if template is not None:
        yield from pod_references(template)
    if item.kind == "StatefulSet":
        for index, claim in enumerate(item.spec.get("volumeClaimTemplates") or []):
            yield from _storage_class(item, claim, f"spec.volumeClaimTemplates[{index}].spec.storageClassName")


def pod_references(template: PodTemplate) -> Iterator[Reference]:
    item, spec, base = template.owner, template.spec, template.path
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account:
        yield Reference(
            "service-account", item, f"{base}.serviceAccountName", "", "ServiceAccount", item.namespace, account
        )
    for container in template.containers():
        where = f"{base}.containers[{container.get('name', '?')}]"
        for env in container.get("env") or []:
            value_from = env.get("valueFrom") or {}
            for field, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                ref = value_from.get(field)
                if isinstance(ref, dict) and not ref.get("optional"):
                    yield _keyed(
                        item, kind, f"{where}.env[{env.get('name')}].valueFrom.{field}", ref.get("name"), ref.get("key")
                    )
        for index, env_from in enumerate(container.get("envFrom") or []):
            for field, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                ref = env_from.get(field)
                if isinstance(ref, dict) and not ref.get("optional"):
                    yield _keyed(item, kind, f"{where}.envFrom[{index}].{field}", ref.get("name"), None)
    for volume in spec.get("volumes") or []:
        where = f"{base}.volumes[{volume.get('name', '?')}]"
        yield from _volume_source(item, volume, where, "secret", "secretName")
        yield from _volume_source(item, volume, where, "configMap", "name")
        for index, source in enumerate((volume.get("projected") or {}).get("sources") or []):
            yield from _volume_source(item, source, f"{where}.projected.sources[{index}]", "secret", "name")
            yield from _volume_source(item, source, f"{where}.projected.sources[{index}]", "configMap", "name")
        claim = volume.get("persistentVolumeClaim")
        if isinstance(claim, dict) and claim.get("claimName") and not _is_claim_template(item, volume):
            field = f"{where}.persistentVolumeClaim.claimName"
            yield Reference("pvc", item, field, "", "PersistentVolumeClaim", item.namespace, claim["claimName"])


def _is_claim_template(item: Item, volume: dict[str, Any]) -> bool:
    names = {(c.get("metadata") or {}).get("name") for c in item.spec.get("volumeClaimTemplates") or []}
    return item.kind == "StatefulSet" and volume.get("name") in names


def _volume_source(item: Item, holder: dict[str, Any], where: str, field: str, name_field: str) -> Iterator[Reference]:
    source = holder.get(field)
    if not isinstance(source, dict) or source.get("optional"):
        return
    kind = "Secret" if field == "secret" else "ConfigMap"
    items = [entry.get("key") for entry in source.get("items") or [] if isinstance(entry, dict)]
    for key in items or [None]:
        yield _keyed(item, kind, f"{where}.{field}", source.get(name_field), key)


def _keyed(item: Item, kind: str, field: str, name: Any, key: Any, rule: str = "") -> Reference:
    rule = rule or ("secret-ref" if kind == "Secret" else "configmap-ref")
    return Reference(rule, item, field, "", kind, item.namespace, str(name or ""), None if key is None else str(key))


def service(item: Item) -> Iterator[Reference]:
    selector = item.spec.get("selector")
    if not selector or item.spec.get("type") == "ExternalName":
        return  # no selector: endpoints are managed by hand or by a controller
    yield Reference("service-selector", item, "spec.selector", selector=selector, namespace=item.namespace)
    for index, port in enumerate(item.spec.get("ports") or []):
        target = port.get("targetPort", port.get("port"))
        field = f"spec.ports[{port.get('name') or index}].targetPort"
        yield Reference("service-target-port", item, field, namespace=item.namespace, key=target, selector=selector)


def ingress(item: Item) -> Iterator[Reference]:
    spec = item.spec
    if spec.get("ingressClassName"):
        yield Reference(
            "ingress-class",
            item,
            "spec.ingressClassName",
            "networking.k8s.io",
            "IngressClass",
            "",
            spec["ingressClassName"],
        )
    backends = [("spec.defaultBackend", spec.get("defaultBackend"))]
    for r, rule in enumerate(spec.get("rules") or []):
        for p, path in enumerate((rule.get("http") or {}).get("paths") or []):
            backends.append((f"spec.rules[{r}].http.paths[{p}].backend", path.get("backend")))
    for field, backend in backends:
        service_ref = (backend or {}).get("service")
        if isinstance(service_ref, dict):
            port = service_ref.get("port") or {}
            key = port.get("name") or port.get("number")
            yield Reference(
                "ingress-backend",
                item,
                f"{field}.service",
                "",
                "Service",
                item.namespace,
                str(service_ref.get("name", "")),
                key,
            )
    for index, tls in enumerate(spec.get("tls") or []):
        if isinstance(tls, dict) and tls.get("secretName"):
            yield _keyed(item, "Secret", f"spec.tls[{index}].secretName", tls["secretName"], None, "ingress-tls")
    annotations = (item.obj.get("metadata") or {}).get("annotations") or {}
    for annotation, kind in ISSUER_ANNOTATIONS.items():
        if annotations.get(annotation):
            namespace = item.namespace if kind == "Issuer" else ""
            field = f"metadata.annotations[{annotation}]"
            yield Reference("issuer", item, field, CERT_MANAGER, kind, namespace, str(annotations[annotation]))


def certificate(item: Item) -> Iterator[Reference]:
    issuer = item.spec.get("issuerRef") or {}
    if issuer.get("group", CERT_MANAGER) != CERT_MANAGER:
        return  # an external issuer (another API group): not resolvable here
    kind = issuer.get("kind") or "Issuer"
    namespace = item.namespace if kind == "Issuer" else ""
    yield Reference("issuer", item, "spec.issuerRef", CERT_MANAGER, kind, namespace, str(issuer.get("name", "")))


def secret_store(item: Item) -> Iterator[Reference]:
    """The ServiceAccount a store authenticates as (workload identity: `serviceAccountRef`, at any depth of
    spec.provider). A ClusterSecretStore's ref without namespace means the ExternalSecret's: not resolvable."""
    for path, ref in _find_key(item.spec.get("provider") or {}, "serviceAccountRef", "spec.provider"):
        namespace = str(ref.get("namespace") or item.namespace)
        if namespace and ref.get("name"):
            yield Reference("service-account", item, path, "", "ServiceAccount", namespace, str(ref["name"]))


def _find_key(value: Any, key: str, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        for name, child in value.items():
            if name == key and isinstance(child, dict):
                yield f"{path}.{name}", child
            else:
                yield from _find_key(child, key, f"{path}.{name}")


def external_secret(item: Item) -> Iterator[Reference]:
    store = item.spec.get("secretStoreRef") or {}
    kind = store.get("kind") or "SecretStore"
    namespace = item.namespace if kind == "SecretStore" else ""
    yield Reference("secret-store", item, "spec.secretStoreRef", ESO, kind, namespace, str(store.get("name", "")))


def service_monitor(item: Item) -> Iterator[Reference]:
    yield from _monitor(item, "Service", "endpoints")
    yield Reference("monitor-loaded", item, "metadata.labels", kind="serviceMonitor")


def pod_monitor(item: Item) -> Iterator[Reference]:
    yield from _monitor(item, "Pod", "podMetricsEndpoints")
    yield Reference("monitor-loaded", item, "metadata.labels", kind="podMonitor")


def prometheus_rule(item: Item) -> Iterator[Reference]:
    yield Reference("monitor-loaded", item, "metadata.labels", kind="rule")


def _monitor(item: Item, target_kind: str, endpoints_field: str) -> Iterator[Reference]:
    namespace_selector = item.spec.get("namespaceSelector") or {}
    namespaces: tuple[str, ...] | None
    if namespace_selector.get("any"):
        namespaces = None
    else:
        namespaces = tuple(str(n) for n in namespace_selector.get("matchNames") or []) or (item.namespace,)
    selector = item.spec.get("selector") or {}
    yield Reference("monitor-targets", item, "spec.selector", "", target_kind, selector=selector, namespaces=namespaces)
    for index, endpoint in enumerate(item.spec.get(endpoints_field) or []):
        if endpoint.get("port"):
            field = f"spec.{endpoints_field}[{index}].port"
            port = str(endpoint["port"])
            yield Reference(
                "monitor-targets", item, field, "", target_kind, key=port, selector=selector, namespaces=namespaces
            )


def operated(item: Item) -> Iterator[Reference]:
    """What prometheus-operator mounts into the pods it runs for a Prometheus or an Alertmanager."""
    spec = item.spec
    if spec.get("serviceAccountName"):
        name = str(spec["serviceAccountName"])
        yield Reference("service-account", item, "spec.serviceAccountName", "", "ServiceAccount", item.namespace, name)
    for field, kind in (("secrets", "Secret"), ("configMaps", "ConfigMap")):
        for name in spec.get(field) or []:
            yield _keyed(item, kind, f"spec.{field}[{name}]", name, None)
    for field in ("additionalScrapeConfigs", "additionalAlertManagerConfigs", "additionalAlertRelabelConfigs"):
        ref = spec.get(field)
        if isinstance(ref, dict) and not ref.get("optional"):
            yield _keyed(item, "Secret", f"spec.{field}", ref.get("name"), ref.get("key"))
    if spec.get("configSecret"):
        yield _keyed(item, "Secret", "spec.configSecret", spec["configSecret"], None)


def prometheus(item: Item) -> Iterator[Reference]:
    yield from operated(item)
    for index, am in enumerate((item.spec.get("alerting") or {}).get("alertmanagers") or []):
        namespace = str(am.get("namespace") or item.namespace)
        yield Reference(
            "alertmanager",
            item,
            f"spec.alerting.alertmanagers[{index}]",
            "",
            "Service",
            namespace,
            str(am.get("name", "")),
            am.get("port"),
        )


def binding(item: Item) -> Iterator[Reference]:
    role = item.obj.get("roleRef") or {}
    kind = str(role.get("kind", ""))
    namespace = item.namespace if kind == "Role" else ""
    yield Reference("role-ref", item, "roleRef", RBAC, kind, namespace, str(role.get("name", "")))
    for index, subject in enumerate(item.obj.get("subjects") or []):
        if subject.get("kind") == "ServiceAccount":
            namespace = str(subject.get("namespace") or item.namespace)
            field = f"subjects[{index}]"
            yield Reference(
                "binding-subject", item, field, "", "ServiceAccount", namespace, str(subject.get("name", ""))
            )


def claim(item: Item) -> Iterator[Reference]:
    yield from _storage_class(item, item.obj, "spec.storageClassName")


def _storage_class(item: Item, claim_obj: dict[str, Any], field: str) -> Iterator[Reference]:
    name = (claim_obj.get("spec") or {}).get("storageClassName")
    if name:  # absent: the default class; "": no class (static binding)
        yield Reference("storage-class", item, field, "storage.k8s.io", "StorageClass", "", str(name))


def autoscaler(item: Item) -> Iterator[Reference]:
    target = item.spec.get("scaleTargetRef") or {}
    group = group_of(str(target.get("apiVersion", "")))
    yield Reference(
        "scale-target",
        item,
        "spec.scaleTargetRef",
        group,
        str(target.get("kind", "")),
        item.namespace,
        str(target.get("name", "")),
    )


def disruption_budget(item: Item) -> Iterator[Reference]:
    selector = item.spec.get("selector")
    if selector is not None:
        yield Reference("pdb-selector", item, "spec.selector", namespace=item.namespace, selector=selector)


def webhooks(item: Item) -> Iterator[Reference]:
    for hook in item.obj.get("webhooks") or []:
        yield from _webhook_service(
            item, (hook.get("clientConfig") or {}).get("service"), f"webhooks[{hook.get('name')}].clientConfig.service"
        )


def crd_conversion(item: Item) -> Iterator[Reference]:
    webhook = (item.spec.get("conversion") or {}).get("webhook") or {}
    yield from _webhook_service(
        item, (webhook.get("clientConfig") or {}).get("service"), "spec.conversion.webhook.clientConfig.service"
    )


def _webhook_service(item: Item, service_ref: Any, field: str) -> Iterator[Reference]:
    if isinstance(service_ref, dict):
        namespace, name = str(service_ref.get("namespace", "")), str(service_ref.get("name", ""))
        yield Reference(
            "webhook-service", item, field, "", "Service", namespace, name, int(service_ref.get("port") or 443)
        )


DECLARERS: dict[tuple[str, str], Declarer] = {
    ("", "Service"): service,
    ("networking.k8s.io", "Ingress"): ingress,
    (CERT_MANAGER, "Certificate"): certificate,
    (ESO, "ExternalSecret"): external_secret,
    (ESO, "SecretStore"): secret_store,
    (ESO, "ClusterSecretStore"): secret_store,
    (MONITORING, "Alertmanager"): operated,
    (MONITORING, "ServiceMonitor"): service_monitor,
    (MONITORING, "PodMonitor"): pod_monitor,
    (MONITORING, "PrometheusRule"): prometheus_rule,
    (MONITORING, "Prometheus"): prometheus,
    (RBAC, "RoleBinding"): binding,
    (RBAC, "ClusterRoleBinding"): binding,
    ("", "PersistentVolumeClaim"): claim,
    ("autoscaling", "HorizontalPodAutoscaler"): autoscaler,
    ("policy", "PodDisruptionBudget"): disruption_budget,
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): webhooks,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): webhooks,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): crd_conversion,
}
