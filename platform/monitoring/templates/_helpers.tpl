{{/* Labels every object of the chart carries. */}}
{{- define "monitoring.labels" -}}
app.kubernetes.io/name: monitoring
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
platform.example/environment: {{ .Values.environment }}
platform.example/owner: platform-team
platform.example/data-classification: internal
{{- end -}}

{{/* A Kubernetes name from a file name: rules/argo-cd.rules.yaml -> argo-cd. */}}
{{- define "monitoring.fileStem" -}}
{{- base . | trimSuffix ".json" | trimSuffix ".yaml" | trimSuffix ".rules" -}}
{{- end -}}
