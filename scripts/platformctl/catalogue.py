"""Platform facts the gates share, kept in one place.

- REQUIRED_COMPONENTS: the Applications every environment must run (issue 2, item 3).
- CRD_PROVIDERS: which component installs the CRDs of an API group (waves must put it first); CRDs
  an environment renders itself are added to this at validation time.
- FREE_FORM_VALUES: upstream chart value paths whose defaults are documented as free-form maps
  (any key is valid: config files rendered verbatim), beyond the empty `{}` maps found automatically,
  and keys the templates read although the chart's values.yaml shows them only in comments.
"""

from __future__ import annotations

REQUIRED_COMPONENTS: tuple[str, ...] = (
    "argo-cd",
    "external-secrets",
    "cert-manager",
    "ingress",
    "kube-prometheus-stack",
    "grafana",
    "datahub-prerequisites",
    "datahub",
    "dagster",
)

CRD_PROVIDERS: dict[str, str] = {
    "monitoring.coreos.com": "kube-prometheus-stack",
    "external-secrets.io": "external-secrets",
    "generators.external-secrets.io": "external-secrets",
    "cert-manager.io": "cert-manager",
    "acme.cert-manager.io": "cert-manager",
    "argoproj.io": "argo-cd",
    "traefik.io": "ingress",
    "gateway.networking.k8s.io": "ingress",
}

# Kubernetes (Pod)SecurityContext objects that charts render verbatim (toYaml): any field of the
# Kubernetes type is valid although the chart's defaults show only a few (the schema gate checks the
# rendered object whenever the chart archive is cached).
SECURITY_CONTEXTS: tuple[str, ...] = (
    "securityContext",
    "podSecurityContext",
    "containerSecurityContext",
    "*.securityContext",
    "*.podSecurityContext",
    "*.containerSecurityContext",
)

# chart name -> dotted value paths (a `*` matches one key) whose content is free-form.
FREE_FORM_VALUES: dict[str, tuple[str, ...]] = {
    # argocd-cm, argocd-cmd-params-cm and argocd-rbac-cm: "all keys are passed through" (chart README).
    "argo-cd": ("configs.cm", "configs.params", "configs.rbac", "configs.secret.extra", *SECURITY_CONTEXTS),
    "kube-prometheus-stack": (
        "grafana.grafana.ini",
        "grafana.env",
        "prometheus.prometheusSpec.storageSpec",
        # Alertmanager's configuration file, written verbatim into alertmanager.yaml.
        "alertmanager.config",
        *SECURITY_CONTEXTS,
    ),
    # datahub: every component takes extra env vars and its global.* settings are passed to Java; the
    # OIDC keys are documented as comments only (provider, clientId, clientSecretRef, azureTenantId...),
    # so are the frontend's existingGmsSecret {name, key} and the system-update Jobs' extraVolumes and
    # extraVolumeMounts (read by templates/datahub-upgrade/datahub-system-update-job.yml).
    "datahub": (
        "global.datahub.*.extraEnvs",
        "datahub-frontend.oidcAuthentication",
        "datahub-frontend.existingGmsSecret",
        "datahubSystemUpdate.extraVolumes",
        "datahubSystemUpdate.extraVolumeMounts",
        *SECURITY_CONTEXTS,
    ),
    "datahub-prerequisites": SECURITY_CONTEXTS,
    # grafana.ini is rendered verbatim; env is a map of environment variables.
    "grafana": ("grafana.ini", "env", "datasources", "dashboards", "dashboardProviders", *SECURITY_CONTEXTS),
    "traefik": SECURITY_CONTEXTS,
    "cert-manager": SECURITY_CONTEXTS,
    "external-secrets": SECURITY_CONTEXTS,
}

# API groups whose CRDs AKS installs itself (Azure CNI powered by Cilium; the CSI snapshot controller).
CLUSTER_PROVIDED_CRD_GROUPS: frozenset[str] = frozenset({"cilium.io", "snapshot.storage.k8s.io"})
