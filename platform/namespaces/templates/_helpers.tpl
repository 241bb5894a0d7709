{{/* Labels every object of a namespace carries. Input: dict name, ns, env. */}}
{{- define "namespaces.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: argocd
platform.example/environment: {{ .env }}
platform.example/owner: {{ .ns.owner }}
platform.example/data-classification: {{ .ns.dataClassification }}
{{- end -}}

{{/* metadata of a NetworkPolicy. Input: dict policy, name, ns, env. */}}
{{- define "namespaces.policyMetadata" -}}
metadata:
  name: {{ .policy }}
  namespace: {{ .name }}
  labels:
    {{- include "namespaces.labels" . | nindent 4 }}
{{- end -}}
