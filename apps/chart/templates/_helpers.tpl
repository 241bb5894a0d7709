{{/* Name of every object: the app name (one release per app and namespace). */}}
{{- define "dataapp.name" -}}
{{- required "app.name is required (e.g. exposition-api)" .Values.app.name -}}
{{- end -}}

{{- define "dataapp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dataapp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "dataapp.labels" -}}
{{ include "dataapp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: data-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
platform.example/owner: {{ required "app.owner is required" .Values.app.owner }}
platform.example/data-classification: {{ .Values.app.dataClassification }}
{{- end -}}

{{- define "dataapp.image" -}}
{{- $repo := printf "%s/%s" .Values.image.registry (required "image.repository is required" .Values.image.repository) -}}
{{- if .Values.image.digest -}}
{{ $repo }}:{{ required "image.tag is required" .Values.image.tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ $repo }}:{{ required "image.tag is required" .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* Pod securityContext of every pod of the chart: Pod Security restricted, and the AKS restricted
initiative (AllowedUsersGroups), which also requires runAsGroup, fsGroup and supplementalGroups. */}}
{{- define "dataapp.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
supplementalGroups: [10001]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "dataapp.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pods of the verification hook: never selected by the app's Service (other name label). */}}
{{- define "dataapp.verifySelectorLabels" -}}
app.kubernetes.io/name: {{ include "dataapp.name" . }}-verify
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: verify
{{- end -}}
