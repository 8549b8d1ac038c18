{{/* Names: every object is <release>-embassy-<component> (or <release>-<component> when the release name already says embassy). */}}
{{- define "embassy.fullname" -}}
{{- if contains "embassy" .Release.Name -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}{{- else -}}{{ printf "%s-embassy" .Release.Name | trunc 40 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "embassy.name" -}}{{ include "embassy.fullname" .root }}-{{ .component }}{{- end -}}

{{- define "embassy.selectorLabels" -}}
app.kubernetes.io/name: embassy
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "embassy.labels" -}}
{{ include "embassy.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "embassy.image" -}}
{{ .root.Values.image.registry }}embassy/{{ .service }}:{{ .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- end -}}

{{- define "embassy.databaseSecret" -}}
{{ .Values.database.existingSecret | default (printf "%s-database" (include "embassy.fullname" .)) }}
{{- end -}}
{{- define "embassy.adminTokenSecret" -}}
{{ .Values.adminToken.existingSecret | default (printf "%s-admin-token" (include "embassy.fullname" .)) }}
{{- end -}}
{{- define "embassy.tlsSecret" -}}
{{ .Values.tls.existingSecret | default (printf "%s-tls" (include "embassy.fullname" .)) }}
{{- end -}}

{{/* The control plane's ADS Service name, as Envoy and TLS name it. */}}
{{- define "embassy.xdsHost" -}}
{{ include "embassy.name" (dict "root" . "component" "control-plane") }}.{{ .Release.Namespace }}.svc.{{ .Values.clusterDomain }}
{{- end -}}

{{/* The database settings every Java service reads. */}}
{{- define "embassy.databaseEnv" -}}
- name: EMBASSY_DATABASE_URL
  value: {{ .Values.database.url | quote }}
- name: EMBASSY_DATABASE_USER
  value: {{ .Values.database.user | quote }}
- name: EMBASSY_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ include "embassy.databaseSecret" . }}, key: password }
{{- end -}}

{{- define "embassy.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by the Java services. */}}
{{- define "embassy.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets: {{ toYaml . | nindent 2 }}
{{- end }}
securityContext: {{ toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* An HTTP probe on a status port; the scheme follows TLS where the port serves it. */}}
{{- define "embassy.probe" -}}
httpGet: { path: {{ .path }}, port: {{ .port }}{{ if .https }}, scheme: HTTPS{{ end }} }
periodSeconds: {{ .period | default 5 }}
failureThreshold: {{ .failures | default 3 }}
timeoutSeconds: 2
{{- end -}}

{{/* The JVM writes perf data and temp files under /tmp; the root file system is read-only. */}}
{{- define "embassy.tmpVolume" -}}
- name: tmp
  emptyDir: { sizeLimit: 64Mi }
{{- end -}}
{{- define "embassy.tmpMount" -}}
- { name: tmp, mountPath: /tmp }
{{- end -}}
