{{/* Rule pieces the NetworkPolicies in networkpolicies.yaml share. */}}
{{- define "embassy.np.dns" -}}
- ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }]
{{- end -}}
{{- define "embassy.np.database" -}}
- ports: [{ port: {{ .Values.database.port }}, protocol: TCP }]
  {{- with .Values.database.networkPeers }}
  to: {{ toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- define "embassy.np.consul" -}}
- ports: [{ port: {{ .Values.consul.port }}, protocol: TCP }]
  {{- with .Values.consul.networkPeers }}
  to: {{ toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- define "embassy.np.metrics" -}}
{{- with .root.Values.networkPolicy.metricsFrom }}
- from: {{ toYaml . | nindent 4 }}
  ports: [{ port: {{ $.port }}, protocol: TCP }]
{{- end }}
{{- end -}}
