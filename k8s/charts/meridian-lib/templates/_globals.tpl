{{/*
Fallbacks for global values so that a service chart also renders on its own (helm lint/template of a
single chart). Installs go through the umbrella chart, whose values.yaml sets every one of these.
*/}}
{{- define "meridian-lib.globalDefaults" -}}
image:
  registry: ""
  tag: ""
  pullSecrets: []
env:
  LOG_LEVEL: info
  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector.monitoring.svc:4318
oidc:
  issuer: http://keycloak.example.invalid/realms/meridian
  jwksUrl: http://keycloak.example.invalid/realms/meridian/protocol/openid-connect/certs
  discoveryUrl: http://keycloak.example.invalid/realms/meridian/.well-known/openid-configuration
  audience: meridian-api
publicUrls:
  shop: http://shop.example.invalid
  admin: http://admin.example.invalid
  adminBff: http://admin.example.invalid
  api: http://api.example.invalid
connections:
  secretName: meridian-connections
monitoring:
  serviceMonitors: false
  interval: 30s
  serviceMonitorLabels: {}
mesh:
  enabled: false
  trustDomain: cluster.local
  istioNamespace: istio-system
  ingressGatewayPrincipals:
    - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account
networkPolicy:
  monitoringNamespace: monitoring
  ingressNamespaces: [ingress-nginx]
  infrastructure:
    postgresql: {ports: [5432]}
    mssql: {ports: [1433]}
    rabbitmq: {ports: [5672]}
    redis: {ports: [6379]}
    sessions: {ports: [6379]}
    keycloak: {ports: [8080, 8443, 443]}
    otel: {ports: [4317, 4318]}
{{- end -}}

{{/* Fill missing global values in place; call first in every entry template. */}}
{{- define "meridian-lib.init" -}}
{{- if not .Values.global }}{{ $_ := set .Values "global" dict }}{{ end -}}
{{- $_ := merge .Values.global (include "meridian-lib.globalDefaults" . | fromYaml) -}}
{{- end -}}
