{{/* Labels of every object. Input: dict env, consumer. */}}
{{- define "secret-store.labels" -}}
app.kubernetes.io/name: secret-store
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: argocd
app.kubernetes.io/component: {{ .consumer }}
platform.example/environment: {{ .env }}
platform.example/owner: platform-team
platform.example/data-classification: confidential
{{- end -}}
