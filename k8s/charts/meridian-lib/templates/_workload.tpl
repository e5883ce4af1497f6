{{- define "meridian-lib.serviceaccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "meridian-lib.serviceAccountName" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
automountServiceAccountToken: false
{{- end -}}

{{- define "meridian-lib.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "meridian-lib.name" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  {{- if not .Values.hpa.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "meridian-lib.labels" . | nindent 8 }}
      {{- with (include "meridian-lib.podAnnotations" . | trim) }}
      annotations:
        {{- . | nindent 8 }}
      {{- end }}
    spec:
      {{- include "meridian-lib.podSpec" . | nindent 6 }}
{{- end -}}

{{- define "meridian-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "meridian-lib.name" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "meridian-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.port }}
      targetPort: http
      protocol: TCP
      appProtocol: http
    {{- if ne (include "meridian-lib.managementPort" .) "0" }}
    - name: management
      port: {{ include "meridian-lib.managementPort" . }}
      targetPort: management
      protocol: TCP
      appProtocol: http
    {{- end }}
{{- end -}}

{{- define "meridian-lib.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "meridian-lib.name" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  {{- if hasKey .Values.pdb "maxUnavailable" }}
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  {{- else }}
  minAvailable: {{ .Values.pdb.minAvailable | default 1 }}
  {{- end }}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
{{- end -}}

{{- define "meridian-lib.hpa" -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "meridian-lib.name" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "meridian-lib.name" . }}
  minReplicas: {{ .Values.hpa.minReplicas }}
  maxReplicas: {{ .Values.hpa.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.hpa.targetCPUUtilizationPercentage | default 70 }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
{{- end -}}

{{- define "meridian-lib.servicemonitor" -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "meridian-lib.name" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
    {{- with ((.Values.global).monitoring).serviceMonitorLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
  endpoints:
    # The management port: plain HTTP even under STRICT mTLS (a port-level PERMISSIVE exception, reachable
    # from the monitoring namespace only), so Prometheus needs no mesh certificates.
    - port: {{ ternary "http" "management" (eq (include "meridian-lib.managementPort" .) "0") }}
      path: {{ .Values.serviceMonitor.path | default "/metrics" }}
      interval: {{ ((.Values.global).monitoring).interval | default "30s" }}
{{- end -}}

{{- define "meridian-lib.cronjob" -}}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ include "meridian-lib.name" . }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  schedule: {{ .Values.cronjob.schedule | quote }}
  suspend: {{ .Values.cronjob.suspend | default false }}
  concurrencyPolicy: {{ .Values.cronjob.concurrencyPolicy | default "Forbid" }}
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 3
  jobTemplate:
    metadata:
      labels:
        {{- include "meridian-lib.labels" . | nindent 8 }}
    spec:
      backoffLimit: {{ .Values.cronjob.backoffLimit | default 2 }}
      activeDeadlineSeconds: {{ .Values.cronjob.activeDeadlineSeconds | default 600 }}
      ttlSecondsAfterFinished: 86400
      template:
        metadata:
          labels:
            {{- include "meridian-lib.labels" . | nindent 12 }}
          {{- with (include "meridian-lib.podAnnotations" . | trim) }}
          annotations:
            {{- . | nindent 12 }}
          {{- end }}
        spec:
          restartPolicy: Never
          {{- include "meridian-lib.podSpec" . | nindent 10 }}
{{- end -}}

{{/* Everything a service chart renders: include this from the chart's templates/all.yaml. */}}
{{- define "meridian-lib.all" -}}
{{- include "meridian-lib.init" . -}}
{{- $workload := .Values.workload | default "deployment" -}}
{{ include "meridian-lib.serviceaccount" . }}
{{- if eq $workload "deployment" }}
---
{{ include "meridian-lib.deployment" . }}
---
{{ include "meridian-lib.service" . }}
{{- if .Values.pdb.enabled }}
---
{{ include "meridian-lib.pdb" . }}
{{- end }}
{{- if .Values.hpa.enabled }}
---
{{ include "meridian-lib.hpa" . }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (((.Values.global).monitoring).serviceMonitors | default false) }}
---
{{ include "meridian-lib.servicemonitor" . }}
{{- end }}
{{- else if eq $workload "cronjob" }}
---
{{ include "meridian-lib.cronjob" . }}
{{- else }}
{{- fail (printf "workload must be deployment or cronjob, got %q" $workload) }}
{{- end }}
---
{{ include "meridian-lib.networkpolicy" . }}
{{- if (((.Values.global).mesh).enabled) }}
{{- include "meridian-lib.mesh" . }}
{{- end }}
{{- end -}}
