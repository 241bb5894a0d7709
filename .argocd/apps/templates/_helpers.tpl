{{/*
Checks every enabled component against the rest of the input and fails with a message naming the
component, the field and the fix. The schema already rejects unknown keys and wrong types; these are
the rules that span several fields.
*/}}
{{- define "platform-apps.validate" -}}
{{- $root := . -}}
{{- $env := required "environment is required in clusters/<env>/platform.yaml (dev | staging | prod)" .Values.environment -}}
{{- $revision := required (printf "repo.targetRevision is required in clusters/%s/platform.yaml" $env) .Values.repo.targetRevision -}}
{{- if and (eq $env "prod") (not (regexMatch "^v[0-9]+\\.[0-9]+\\.[0-9]+$" $revision)) -}}
{{- fail (printf "clusters/prod/platform.yaml: repo.targetRevision %q must be a release tag vX.Y.Z (no HEAD, branch or range in prod)" $revision) -}}
{{- end -}}
{{- range $name, $c := .Values.components -}}
{{- if $c.enabled -}}
{{- if not (hasKey $root.Values.projects $c.project) -}}
{{- fail (printf "component %s: project %q is not defined under projects (known: %s)" $name $c.project (keys $root.Values.projects | sortAlpha | join ", ")) -}}
{{- end -}}
{{- if and $c.chart $c.path -}}
{{- fail (printf "component %s: set either chart (upstream) or path (in-repo chart), not both" $name) -}}
{{- end -}}
{{- if not (or $c.chart $c.path) -}}
{{- fail (printf "component %s: set chart {repoURL, name, version} or path (in-repo chart)" $name) -}}
{{- end -}}
{{- if $c.chart -}}
{{- $_ := required (printf "component %s: chart.repoURL is required" $name) $c.chart.repoURL -}}
{{- $_ := required (printf "component %s: chart.name is required" $name) $c.chart.name -}}
{{- $_ := required (printf "component %s: chart.version is required (pin an exact version in clusters/%s/platform.yaml)" $name $env) $c.chart.version -}}
{{- end -}}
{{- $_ := required (printf "component %s: values (folder holding values.yaml and values-%s.yaml) is required" $name $env) $c.values -}}
{{- range $dep := ($c.dependsOn | default list) -}}
{{- $d := index $root.Values.components $dep -}}
{{- if not $d -}}
{{- fail (printf "component %s: dependsOn %q is not a component" $name $dep) -}}
{{- end -}}
{{- if not $d.enabled -}}
{{- fail (printf "component %s: dependsOn %q, which is disabled in clusters/%s/platform.yaml" $name $dep $env) -}}
{{- end -}}
{{- if ge (int $d.wave) (int $c.wave) -}}
{{- fail (printf "component %s (wave %d) dependsOn %s (wave %d): give %s a higher wave" $name (int $c.wave) $dep (int $d.wave) $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The ordered list of namespaces a component deploys into (its namespace first). */}}
{{- define "platform-apps.namespaces" -}}
{{- $list := list .namespace -}}
{{- range (.extraNamespaces | default list) -}}{{- $list = append $list . -}}{{- end -}}
{{- toJson $list -}}
{{- end -}}
