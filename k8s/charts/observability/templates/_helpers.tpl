{{- define "observability.labels" -}}
app.kubernetes.io/part-of: meridian
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "observability.monitoringLabels" -}}
{{- with ((.Values.global).monitoring).serviceMonitorLabels }}{{ toYaml . }}{{ end -}}
{{- end -}}

{{- define "observability.collectorNamespace" -}}
{{- .Values.collector.namespace | default .Release.Namespace -}}
{{- end -}}

{{- define "observability.collectorSelector" -}}
app.kubernetes.io/name: {{ .Values.collector.name }}
app.kubernetes.io/component: telemetry-collector
{{- end -}}

{{- define "observability.agentSelector" -}}
app.kubernetes.io/name: {{ .Values.agent.name }}
app.kubernetes.io/component: log-agent
{{- end -}}
