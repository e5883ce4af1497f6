{{/*
Meridian library chart: the templates every service chart shares.

A service chart's values (defaults in its own values.yaml, environment values from the umbrella):
  workload: deployment | cronjob          component: api | worker | edge | bff | web | job
  image.{repository,tag,pullPolicy}      port, command, args
  env (plain values, rendered with tpl), secretEnv (NAME: key in the connections Secret)
  replicaCount, resources, probes.{startup,liveness,readiness}
  pdb.{enabled,minAvailable|maxUnavailable}, hpa.{enabled,minReplicas,maxReplicas,targetCPUUtilizationPercentage}
  networkPolicy.{ingressFromApps,ingressFromNamespaces,egressToApps}
  serviceMonitor.enabled, mesh.{timeout,retries,connectionPool,outlierDetection,allowFrom}
  cronjob.{schedule,concurrencyPolicy,...}
Global values (set once, by the umbrella chart): see k8s/charts/meridian/values.yaml.

Names carry no release prefix: one Meridian release per namespace, and every service is reachable at
the same DNS name as in compose (http://orders:5101).
*/}}

{{- define "meridian-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "meridian-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meridian-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "meridian-lib.labels" -}}
{{ include "meridian-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "meridian-lib.imageTag" . | quote }}
app.kubernetes.io/component: {{ .Values.component | default "api" }}
app.kubernetes.io/part-of: meridian
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- if (.Values.global).mesh }}{{ if .Values.global.mesh.enabled }}
app: {{ include "meridian-lib.name" . }}
version: {{ include "meridian-lib.imageTag" . | quote }}
{{- end }}{{ end }}
{{- end -}}

{{- define "meridian-lib.serviceAccountName" -}}
{{- include "meridian-lib.name" . -}}
{{- end -}}

{{- define "meridian-lib.imageTag" -}}
{{- (.Values.image).tag | default ((.Values.global).image).tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "meridian-lib.image" -}}
{{- $registry := ((.Values.global).image).registry | default "" -}}
{{- $repo := .Values.image.repository -}}
{{- if $registry }}{{ printf "%s/%s:%s" $registry $repo (include "meridian-lib.imageTag" .) }}{{ else }}{{ printf "%s:%s" $repo (include "meridian-lib.imageTag" .) }}{{ end -}}
{{- end -}}

{{/*
The management port (MANAGEMENT_PORT): /metrics and /health/* on a port of their own, so probes and
scrapes never share the API port's policies. Bun services only (web apps are nginx); 0 switches it off.
*/}}
{{- define "meridian-lib.managementPort" -}}
{{- if and (eq (.Values.workload | default "deployment") "deployment") (ne (.Values.component | default "api") "web") -}}
{{- if kindIs "invalid" .Values.managementPort }}9090{{ else }}{{ .Values.managementPort | int }}{{ end -}}
{{- else -}}0{{- end -}}
{{- end -}}

{{- define "meridian-lib.connectionsSecret" -}}
{{- ((.Values.global).connections).secretName | default "meridian-connections" -}}
{{- end -}}

{{/* Container env: the common variables, the service's plain env (tpl-rendered), then secret refs. */}}
{{- define "meridian-lib.env" -}}
- name: OTEL_SERVICE_NAME
  value: {{ include "meridian-lib.name" . | quote }}
{{- if eq (.Values.workload | default "deployment") "deployment" }}
{{- if ne (.Values.component | default "api") "web" }}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ .Values.port | quote }}
{{- if ne (include "meridian-lib.managementPort" .) "0" }}
- name: MANAGEMENT_PORT
  value: {{ include "meridian-lib.managementPort" . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- $common := dict }}
{{- if ne (.Values.component | default "api") "web" }}
{{- $common = ((.Values.global).env) | default dict }}
{{- end }}
{{- $merged := merge (deepCopy (.Values.env | default dict)) $common }}
{{- range $name := keys $merged | sortAlpha }}
{{- $value := get $merged $name }}
{{- if not (kindIs "invalid" $value) }}
- name: {{ $name }}
  value: {{ tpl (toString $value) $ | quote }}
{{- end }}
{{- end }}
{{- range $name := keys (.Values.secretEnv | default dict) | sortAlpha }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "meridian-lib.connectionsSecret" $ }}
      key: {{ get $.Values.secretEnv $name }}
{{- end }}
{{- end -}}

{{- define "meridian-lib.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser | default 10001 }}
runAsGroup: {{ .Values.runAsUser | default 10001 }}
fsGroup: {{ .Values.runAsUser | default 10001 }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "meridian-lib.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Writable scratch space for a read-only root filesystem. */}}
{{- define "meridian-lib.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- range .Values.extraVolumes }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{- define "meridian-lib.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- range .Values.extraVolumeMounts }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{- define "meridian-lib.probe" -}}
httpGet:
  path: {{ .probe.path }}
  port: {{ .port | default "http" }}
{{- range $k, $v := omit .probe "path" }}
{{ $k }}: {{ $v }}
{{- end }}
{{- end -}}

{{- define "meridian-lib.container" -}}
- name: {{ include "meridian-lib.name" . }}
  image: {{ include "meridian-lib.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy | default "IfNotPresent" }}
  {{- with .Values.command }}
  command: {{ toJson . }}
  {{- end }}
  {{- with .Values.args }}
  args: {{ toJson . }}
  {{- end }}
  env:
    {{- include "meridian-lib.env" . | nindent 4 }}
  {{- if eq (.Values.workload | default "deployment") "deployment" }}
  {{- $probePort := ternary "http" "management" (eq (include "meridian-lib.managementPort" .) "0") }}
  ports:
    - name: http
      containerPort: {{ .Values.port }}
      protocol: TCP
    {{- if ne (include "meridian-lib.managementPort" .) "0" }}
    - name: management
      containerPort: {{ include "meridian-lib.managementPort" . }}
      protocol: TCP
    {{- end }}
  startupProbe:
    {{- include "meridian-lib.probe" (dict "probe" .Values.probes.startup "port" $probePort) | nindent 4 }}
  livenessProbe:
    {{- include "meridian-lib.probe" (dict "probe" .Values.probes.liveness "port" $probePort) | nindent 4 }}
  readinessProbe:
    {{- include "meridian-lib.probe" (dict "probe" .Values.probes.readiness "port" $probePort) | nindent 4 }}
  lifecycle:
    # Keep serving while the endpoint removal reaches every proxy and kube-proxy, then take SIGTERM.
    preStop:
      sleep:
        seconds: {{ .Values.preStopSeconds | default 5 }}
  {{- end }}
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  securityContext:
    {{- include "meridian-lib.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    {{- include "meridian-lib.volumeMounts" . | nindent 4 }}
{{- end -}}

{{- define "meridian-lib.podSpec" -}}
serviceAccountName: {{ include "meridian-lib.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- include "meridian-lib.podSecurityContext" . | nindent 2 }}
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds | default 30 }}
{{- with ((.Values.global).image).pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .Values.topologySpread }}{{ if .enabled }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: {{ .topologyKey | default "kubernetes.io/hostname" }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "meridian-lib.selectorLabels" $ | nindent 8 }}
{{- end }}{{ end }}
containers:
  {{- include "meridian-lib.container" . | nindent 2 }}
volumes:
  {{- include "meridian-lib.volumes" . | nindent 2 }}
{{- end -}}

{{- define "meridian-lib.podAnnotations" -}}
{{- if (((.Values.global).mesh).enabled) }}
proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true, "tracingServiceName": "CANONICAL_NAME_ONLY"}'
{{- if eq (.Values.workload | default "deployment") "cronjob" }}
sidecar.istio.io/nativeSidecar: "true"
{{- end }}
{{- end }}
{{- range .Values.checksumTemplates }}
checksum/{{ . | replace ".yaml" "" }}: {{ include (print $.Template.BasePath "/" .) $ | sha256sum }}
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}
