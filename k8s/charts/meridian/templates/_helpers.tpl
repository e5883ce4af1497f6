{{- define "meridian.labels" -}}
app.kubernetes.io/part-of: meridian
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "meridian.meshEdge" -}}
{{- and .Values.global.mesh.enabled .Values.mesh.ingressGateway.enabled -}}
{{- end -}}
