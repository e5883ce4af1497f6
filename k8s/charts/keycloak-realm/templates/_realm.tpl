{{/* The realm from the identity helper's export, with this environment's client URLs and secret placeholder. */}}
{{- define "keycloak-realm.realm" -}}
{{- $raw := .Files.Get "files/realm-meridian.json" -}}
{{- if not $raw }}{{ fail "files/realm-meridian.json is missing: it links to k8s/keycloak/realm-meridian.json" }}{{ end -}}
{{- $realm := fromJson $raw -}}
{{- if not .Values.includeDemoUsers }}{{ $_ := unset $realm "users" }}{{ end -}}
{{- $placeholder := ternary "${ADMIN_CLIENT_SECRET}" "$(env:ADMIN_CLIENT_SECRET)" (eq .Values.mode "operator") -}}
{{- $clients := list -}}
{{- $urls := .Values.global.publicUrls -}}
{{- $derived := dict
  "customer-spa" (dict "rootUrl" $urls.shop "redirectUris" (list (printf "%s/*" $urls.shop)) "webOrigins" (list $urls.shop)
    "attributes" (dict "post.logout.redirect.uris" (printf "%s/*" $urls.shop)))
  "admin-console" (dict "rootUrl" $urls.adminBff "redirectUris" (list (printf "%s/auth/callback" $urls.adminBff)) "webOrigins" (list $urls.admin)
    "attributes" (dict "post.logout.redirect.uris" (printf "%s/*" $urls.admin))) -}}
{{- range $client := $realm.clients -}}
{{- /* Every URL of a client follows this environment's public URLs (nested attributes included), then values.clients. */ -}}
{{- $client = mergeOverwrite $client (get $derived $client.clientId | default dict) (get $.Values.clients $client.clientId | default dict) -}}
{{- if eq $client.clientId "admin-console" }}{{ $_ := set $client "secret" $placeholder }}{{ end -}}
{{- $clients = append $clients $client -}}
{{- end -}}
{{- $_ := set $realm "clients" $clients -}}
{{- toJson $realm -}}
{{- end -}}
