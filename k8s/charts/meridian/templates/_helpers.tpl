{{- define "meridian.labels" -}}
app.kubernetes.io/part-of: meridian
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "meridian.meshEdge" -}}
{{- and .Values.global.mesh.enabled .Values.mesh.ingressGateway.enabled -}}
{{- end -}}

{{/* The Keycloak host the Istio Gateway serves, when the chart runs Keycloak (infrastructure.keycloak). */}}
{{- define "meridian.keycloakHost" -}}
{{- if .Values.infrastructure.keycloak.enabled }}{{ (urlParse .Values.infrastructure.keycloak.hostname).host }}{{ end -}}
{{- end -}}

{{/*
In-namespace infrastructure run by operators, as the policies see it: pod labels, the service accounts
of the workloads that use it (callers), its own members, the ports its operator calls (outside the mesh:
plain text), the ports Prometheus scrapes, the port clients use.
*/}}
{{- define "meridian.infrastructure" -}}
{{- $i := .Values.infrastructure -}}
rabbitmq:
  enabled: {{ $i.rabbitmq.enabled }}
  selector: {app.kubernetes.io/name: {{ $i.rabbitmq.name }}}
  callers: [orders, inventory, inventory-worker, notifications, notifications-console, audit, gateway, admin-bff]
  members: [{{ $i.rabbitmq.name }}-server]
  operatorNamespace: {{ $i.rabbitmq.operatorNamespace }}
  port: 5672
  operatorPorts: [15672]
  metricsPorts: [15692]
postgresql:
  enabled: {{ $i.postgresql.enabled }}
  selector: {cnpg.io/cluster: {{ $i.postgresql.name }}}
  callers: [inventory, inventory-worker, audit{{ if $i.keycloak.enabled }}, {{ $i.keycloak.name }}{{ end }}]
  members: [{{ $i.postgresql.name }}]
  operatorNamespace: {{ $i.postgresql.operatorNamespace }}
  port: 5432
  operatorPorts: [8000]
  metricsPorts: [9187]
redis:
  enabled: {{ $i.redis.enabled }}
  selector: {app: {{ $i.redis.name }}}
  callers: [notifications, notifications-console]
  members: [{{ $i.redis.name }}]
  operatorNamespace: {{ $i.redis.operatorNamespace }}
  port: 6379
  operatorPorts: [6379]
  metricsPorts: []
sessions:
  enabled: {{ $i.sessions.enabled }}
  selector: {app: {{ $i.sessions.name }}}
  callers: [admin-bff]
  members: [{{ $i.sessions.name }}]
  operatorNamespace: {{ $i.sessions.operatorNamespace }}
  port: 6379
  operatorPorts: [6379]
  metricsPorts: []
keycloak:
  enabled: {{ $i.keycloak.enabled }}
  selector: {app: keycloak, app.kubernetes.io/instance: {{ $i.keycloak.name }}}
  callers: [orders, inventory, notifications, audit, gateway, admin-bff]
  fromIngress: true
  publicPaths: [/realms/*, /resources/*]
  members: [{{ $i.keycloak.name }}]
  port: 8080
  operatorPorts: []
  metricsPorts: [9000]
{{- end -}}
