{{- define "hp.name" -}}harbor-pilot{{- end -}}

{{- define "hp.fullname" -}}
{{- if contains "harbor-pilot" .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-harbor-pilot" .Release.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "hp.labels" -}}
app.kubernetes.io/name: {{ include "hp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "hp.selector" -}}
app.kubernetes.io/name: {{ include "hp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hp.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "hp.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{- define "hp.secretName" -}}
{{- if .Values.secrets.existingSecret -}}{{ .Values.secrets.existingSecret }}{{- else -}}{{ include "hp.fullname" . }}{{- end -}}
{{- end -}}

{{- define "hp.redisSecretName" -}}
{{- if .Values.redis.auth.existingSecret -}}{{ .Values.redis.auth.existingSecret }}{{- else -}}{{ include "hp.fullname" . }}-redis{{- end -}}
{{- end -}}

{{- define "hp.redisHasPassword" -}}
{{- if or .Values.redis.bundled.enabled .Values.redis.auth.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* The Redis variables of CONTRACT.md ("Redis connection"), for both Deployments. */}}
{{- define "hp.redisEnv" -}}
{{- if .Values.redis.bundled.enabled }}
- { name: REDIS_URL, value: {{ printf "redis://%s-redis:6379" (include "hp.fullname" .) | quote }} }
{{- else }}
{{- if .Values.redis.url }}
- { name: REDIS_URL, value: {{ .Values.redis.url | quote }} }
{{- end }}
{{- if .Values.redis.username }}
- { name: REDIS_USERNAME, value: {{ .Values.redis.username | quote }} }
{{- end }}
{{- if .Values.redis.sentinels }}
- { name: REDIS_SENTINELS, value: {{ .Values.redis.sentinels | quote }} }
- { name: REDIS_SENTINEL_MASTER, value: {{ required "redis.sentinelMaster is required with redis.sentinels" .Values.redis.sentinelMaster | quote }} }
{{- end }}
{{- with .Values.redis.sentinelPasswordSecret }}{{ if .name }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ .name | quote }}, key: {{ .key | quote }} } }
{{- end }}{{ end }}
{{- if .Values.redis.clusterNodes }}
- { name: REDIS_CLUSTER_NODES, value: {{ .Values.redis.clusterNodes | quote }} }
{{- end }}
{{- end }}
{{- if include "hp.redisHasPassword" . }}
- name: REDIS_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ include "hp.redisSecretName" . | quote }}, key: {{ .Values.redis.auth.key | quote }} } }
{{- end }}
- { name: HARBOR_PILOT_QUEUE_PREFIX, value: {{ .Values.redis.queuePrefix | quote }} }
{{- end -}}

{{/* One Deployment's pod template; `component` is bot or worker. */}}
{{- define "hp.podTemplate" -}}
{{- $root := .root -}}
{{- $c := index $root.Values .component -}}
metadata:
  labels:
    {{- include "hp.selector" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if $root.Values.secrets.create }}
    checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
    {{- end }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $root.Values.opsPort | quote }}
    {{- with $root.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "hp.serviceAccount" $root }}
  automountServiceAccountToken: true
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: 45
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: harbor-pilot
      image: "{{ $root.Values.image.repository }}:{{ default $root.Chart.AppVersion $root.Values.image.tag }}"
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: [{{ .component | quote }}]
      env:
        - { name: HARBOR_PILOT_CONFIG, value: /etc/harbor-pilot/harbor-pilot.yaml }
        - { name: OPS_PORT, value: {{ $root.Values.opsPort | quote }} }
        - { name: LOG_LEVEL, value: {{ $root.Values.logLevel | quote }} }
        {{- if eq .component "bot" }}
        - { name: PORT, value: {{ $root.Values.bot.port | quote }} }
        {{- end }}
        {{- if $root.Values.caBundle }}
        - { name: NODE_EXTRA_CA_CERTS, value: /etc/harbor-pilot/ca.pem }
        {{- end }}
        {{- include "hp.redisEnv" $root | trim | nindent 8 }}
        {{- with include "hp.heapMb" $c }}
        {{- if not (include "hp.hasEnv" (dict "env" $root.Values.extraEnv "name" "NODE_OPTIONS")) }}
        - { name: NODE_OPTIONS, value: "--max-old-space-size={{ . }}" }
        {{- end }}
        {{- end }}
        {{- with $root.Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      envFrom:
        - secretRef: { name: {{ include "hp.secretName" $root | quote }} }
      ports:
        - { name: ops, containerPort: {{ $root.Values.opsPort }} }
        {{- if eq .component "bot" }}
        - { name: http, containerPort: {{ $root.Values.bot.port }} }
        {{- end }}
      livenessProbe:
        httpGet: { path: /healthz, port: ops }
        periodSeconds: 15
        failureThreshold: 4
      readinessProbe:
        httpGet: { path: /readyz, port: ops }
        periodSeconds: 10
      resources:
        {{- toYaml $c.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        - { name: config, mountPath: /etc/harbor-pilot, readOnly: true }
        - { name: tmp, mountPath: /tmp }
  volumes:
    - { name: config, configMap: { name: {{ include "hp.fullname" $root }} } }
    - { name: tmp, emptyDir: {} }
  {{- with $c.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $c.affinity }}
  affinity:
    {{- toYaml $c.affinity | nindent 4 }}
  {{- else }}
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "hp.selector" $root | nindent 16 }}
                app.kubernetes.io/component: {{ .component }}
  {{- end }}
{{- end -}}

{{/*
The V8 heap of a component, in MB: its heapMb, else 3/4 of its memory limit (Mi or Gi), so Node
collects garbage before the kernel kills the container; empty without a limit.
*/}}
{{- define "hp.heapMb" -}}
{{- $limit := toString (dig "limits" "memory" "" (.resources | default dict)) -}}
{{- if .heapMb -}}
{{- .heapMb -}}
{{- else if hasSuffix "Gi" $limit -}}
{{- div (mul (trimSuffix "Gi" $limit | int) 1024 3) 4 -}}
{{- else if hasSuffix "Mi" $limit -}}
{{- div (mul (trimSuffix "Mi" $limit | int) 3) 4 -}}
{{- end -}}
{{- end -}}

{{/* "true" when the EnvVar list `env` sets `name`. */}}
{{- define "hp.hasEnv" -}}
{{- range .env -}}
{{- if eq .name $.name -}}true{{- end -}}
{{- end -}}
{{- end -}}
