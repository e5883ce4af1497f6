{{/*
Istio objects for one service (rendered when global.mesh.enabled):
  VirtualService   request timeout and retries (perTryTimeout): HTTP retries live in the mesh, never in code.
  DestinationRule  ISTIO_MUTUAL, connectionPool limits as bulkheads, outlierDetection ejecting failing pods.
  AuthorizationPolicy  ALLOW only the callers named in mesh.allowFrom (service accounts in this namespace),
                   the ingress gateway when mesh.allowFromIngress, and GETs on the management port.
  PeerAuthentication  STRICT, with the management port PERMISSIVE (Prometheus scrapes without a sidecar).
The namespace-wide deny-all and STRICT PeerAuthentication come from the umbrella chart.
*/}}
{{- define "meridian-lib.principal" -}}
{{- printf "%s/ns/%s/sa/%s" (.root.Values.global.mesh.trustDomain | default "cluster.local") .namespace .sa -}}
{{- end -}}

{{- define "meridian-lib.mesh" -}}
{{- if eq (.Values.workload | default "deployment") "deployment" }}
{{- $name := include "meridian-lib.name" . }}
{{- $host := printf "%s.%s.svc.cluster.local" $name .Release.Namespace }}
{{- $mesh := .Values.mesh }}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ $name }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  hosts:
    - {{ $host }}
  http:
    {{- range $mesh.streamingPrefixes }}
    # Long-lived stream (SSE): no request timeout, no retries, the `stream` subset's own connection pool.
    - name: {{ $name }}-stream
      match:
        - uri:
            prefix: {{ . }}
      route:
        - destination:
            host: {{ $host }}
            subset: stream
            port:
              number: {{ $.Values.port }}
      timeout: 0s
      retries:
        attempts: 0
    {{- end }}
    - name: {{ $name }}
      route:
        - destination:
            host: {{ $host }}
            port:
              number: {{ .Values.port }}
      timeout: {{ $mesh.timeout }}
      retries:
        attempts: {{ $mesh.retries.attempts }}
        perTryTimeout: {{ $mesh.retries.perTryTimeout }}
        retryOn: {{ $mesh.retries.retryOn | quote }}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {{ $name }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  host: {{ $host }}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    connectionPool:
      {{- toYaml $mesh.connectionPool | nindent 6 }}
    outlierDetection:
      {{- toYaml $mesh.outlierDetection | nindent 6 }}
  {{- if $mesh.streamingPrefixes }}
  subsets:
    # Event streams hold a connection for as long as a client listens: a pool (Envoy cluster) of their
    # own, so open streams never take the connections that requests need.
    - name: stream
      labels:
        {{- include "meridian-lib.selectorLabels" . | nindent 8 }}
      trafficPolicy:
        connectionPool:
          {{- toYaml $mesh.streamConnectionPool | nindent 10 }}
  {{- end }}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: {{ $name }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
  action: ALLOW
  rules:
    {{- if $mesh.allowFrom }}
    - from:
        - source:
            principals:
              {{- range $mesh.allowFrom }}
              - {{ include "meridian-lib.principal" (dict "root" $ "namespace" $.Release.Namespace "sa" .) | quote }}
              {{- end }}
      to:
        - operation:
            ports: [{{ .Values.port | quote }}]
    {{- end }}
    {{- if $mesh.allowFromIngress }}
    - from:
        - source:
            principals:
              {{- range .Values.global.mesh.ingressGatewayPrincipals }}
              - {{ . | quote }}
              {{- end }}
      to:
        - operation:
            ports: [{{ .Values.port | quote }}]
    {{- end }}
    {{- if ne (include "meridian-lib.managementPort" .) "0" }}
    # The management port (metrics, health) takes plain text from Prometheus (no sidecar, so no identity
    # to name): GET only; the NetworkPolicy admits the monitoring namespace alone on it.
    - to:
        - operation:
            ports: [{{ include "meridian-lib.managementPort" . | quote }}]
            methods: ["GET"]
    {{- end }}
{{- if ne (include "meridian-lib.managementPort" .) "0" }}
---
# mTLS stays STRICT on the API port; the management port also accepts Prometheus's plain text.
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: {{ $name }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
  mtls:
    mode: STRICT
  portLevelMtls:
    {{ include "meridian-lib.managementPort" . | quote }}:
      mode: PERMISSIVE
{{- end }}
{{- end }}
{{- end -}}
