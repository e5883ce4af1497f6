{{/* The realm from the identity helper's export, with this environment's client URLs and secret placeholder. */}}
{{- define "keycloak-realm.realm" -}}
{{- $raw := .Files.Get "files/realm-meridian.json" -}}
{{- if not $raw }}{{ fail "files/realm-meridian.json is missing: it links to k8s/keycloak/realm-meridian.json" }}{{ end -}}
{{- $realm := fromJson $raw -}}
{{- if not .Values.includeDemoUsers }}{{ $_ := unset $realm "users" }}{{ end -}}
{{- $placeholder := ternary "${ADMIN_CLIENT_SECRET}" "$(env:ADMIN_CLIENT_SECRET)" (eq .Values.mode "operator") -}}
{{- $clients := list -}}
{{- range $client := $realm.clients -}}
{{- $override := get $.Values.clients $client.clientId | default dict -}}
{{- $client = mergeOverwrite $client $override -}}
{{- if eq $client.clientId "admin-console" }}{{ $_ := set $client "secret" $placeholder }}{{ end -}}
{{- $clients = append $clients $client -}}
{{- end -}}
{{- $_ := set $realm "clients" $clients -}}
{{- toJson $realm -}}
{{- end -}}
