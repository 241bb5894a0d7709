{{- /* templates/prometheus-operator/admission-webhooks/{validating,mutating}WebhookConfiguration.yaml */ -}}
{{- define "fixture.webhookFailurePolicy" -}}
{{- $hooks := .Values.prometheusOperator.admissionWebhooks -}}
{{- if eq $hooks.failurePolicy "IgnoreOnInstallOnly" -}}
{{ .Release.IsInstall | ternary "Ignore" "Fail" }}
{{- else if $hooks.failurePolicy -}}
{{ $hooks.failurePolicy }}
{{- else if $hooks.patch.enabled -}}
Ignore
{{- else -}}
Fail
{{- end -}}
{{- end -}}
