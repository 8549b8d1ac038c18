{{/* The gateway Envoys' bootstrap (envoy/bootstrap/edge.yaml for this cluster); gateway.yaml
     puts it in a ConfigMap and its checksum on the pods, so a change rolls them. */}}
{{- define "embassy.gatewayBootstrap" -}}
{{- $v := .Values.gateway -}}
node:
  cluster: {{ $v.nodeGroup }}
admin:
  # Every interface of the pod, for the kubelet's probes; the NetworkPolicy admits no one
  # else to this port.
  address:
    socket_address: { address: 0.0.0.0, port_value: 9901 }
dynamic_resources:
  ads_config:
    api_type: {{ $v.xdsApiType }}
    transport_api_version: V3
    grpc_services:
      - envoy_grpc: { cluster_name: embassy_xds }
  cds_config: { ads: {}, resource_api_version: V3 }
  lds_config: { ads: {}, resource_api_version: V3 }
static_resources:
  clusters:
    - name: embassy_xds
      # Every control-plane replica behind the Service name; Envoy reconnects to another
      # when its stream's keepalive fails.
      type: STRICT_DNS
      connect_timeout: 1s
      typed_extension_protocol_options:
        envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
          "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
          explicit_http_config:
            http2_protocol_options:
              connection_keepalive: { interval: 15s, timeout: 5s }
      load_assignment:
        cluster_name: embassy_xds
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    socket_address: { address: {{ include "embassy.xdsHost" . }}, port_value: 18000 }
      {{- if .Values.tls.enabled }}
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
          sni: {{ .Values.tls.serverName | default (include "embassy.xdsHost" .) }}
          common_tls_context:
            alpn_protocols: [h2]
            validation_context:
              trusted_ca: { filename: /etc/embassy/tls/ca.crt }
              match_typed_subject_alt_names:
                - san_type: DNS
                  matcher: { exact: {{ .Values.tls.serverName | default (include "embassy.xdsHost" .) }} }
      {{- end }}
overload_manager:
  resource_monitors:
    - name: envoy.resource_monitors.global_downstream_max_connections
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig
        max_active_downstream_connections: 50000
{{- end -}}
