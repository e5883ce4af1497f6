{{/*
NetworkPolicy: default deny for the pod, then only the flows the architecture needs.
  ingress: pods named in networkPolicy.ingressFromApps (same namespace), the ingress namespaces when
           networkPolicy.fromIngress, and the monitoring namespace on the management port and the
           sidecar's metrics ports (15090, 15020).
  egress:  DNS, pods named in networkPolicy.egressToApps, the infrastructure endpoints named in
           networkPolicy.egressToInfra (ports and peers from global.networkPolicy.infrastructure), istiod
           and the collector's OTLP gRPC port (the sidecar's spans) when the mesh is on.
*/}}
{{- define "meridian-lib.networkpolicy" -}}
{{- $np := .Values.networkPolicy | default dict -}}
{{- $gnp := (.Values.global).networkPolicy | default dict -}}
{{- $isDeployment := eq (.Values.workload | default "deployment") "deployment" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "meridian-lib.name" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
  policyTypes: ["Ingress", "Egress"]
  {{- if $isDeployment }}
  ingress:
    {{- range $np.ingressFromApps }}
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
      ports:
        - port: http
    {{- end }}
    {{- if $np.fromIngress }}
    - from:
        {{- range $gnp.ingressNamespaces | default (list "ingress-nginx") }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ . }}
        {{- end }}
      ports:
        - port: http
    {{- end }}
    {{- $mgmt := include "meridian-lib.managementPort" . }}
    {{- $mesh := ((.Values.global).mesh).enabled }}
    {{- if or (ne $mgmt "0") $mesh }}
    # Prometheus: the management port (metrics, health) and the sidecar's Envoy (15090) and merged (15020) metrics.
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $gnp.monitoringNamespace | default "monitoring" }}
      ports:
        {{- if ne $mgmt "0" }}
        - port: management
        {{- end }}
        {{- if $mesh }}
        - port: 15090
        - port: 15020
        {{- end }}
    {{- end }}
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- range $np.egressToApps }}
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
    {{- end }}
    {{- range $name := $np.egressToInfra }}
    {{- $infra := get ($gnp.infrastructure | default dict) $name }}
    {{- if not $infra }}{{ fail (printf "global.networkPolicy.infrastructure.%s is not defined" $name) }}{{ end }}
    - ports:
        {{- range $infra.ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
      {{- with $infra.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- if and (((.Values.global).mesh).enabled) (not (has "otel" ($np.egressToInfra | default list))) }}
    {{- with (($gnp.infrastructure | default dict).otel) }}
    # The sidecar sends its spans to the collector (Istio Telemetry) even when the app sends none.
    - ports:
        - port: 4317
          protocol: TCP
      {{- with .to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- end }}
    {{- if (((.Values.global).mesh).enabled) }}
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ ((.Values.global).mesh).istioNamespace | default "istio-system" }}
      ports:
        - port: 15012
          protocol: TCP
        - port: 15014
          protocol: TCP
    {{- end }}
{{- end -}}
