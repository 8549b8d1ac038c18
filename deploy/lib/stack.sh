# shellcheck shell=bash
# The parts of the local stack and their ports, shared by deploy/up, deploy/down and deploy/smoke.
# Sourced, never executed.
#
# Every port is the documented default unless its variable is set. Where a part reads a port
# variable of its own (admin-api's EMBASSY_ADMIN_PORT, envoy/run's ENVOY_ADMIN_PORT,
# demo-idp/run's DEMO_IDP_PORT, ...), the stack uses that same name, so one setting means one
# thing everywhere.
EMBASSY_DEMO_PORT_1="${EMBASSY_DEMO_PORT_1:-8088}"                   # demo backend instance demo-1
EMBASSY_DEMO_PORT_2="${EMBASSY_DEMO_PORT_2:-8089}"                   # demo backend instance demo-2
EMBASSY_CONSUL_HTTP_PORT="${EMBASSY_CONSUL_HTTP_PORT:-8500}"         # Consul HTTP API
EMBASSY_CONSUL_SERVER_PORT="${EMBASSY_CONSUL_SERVER_PORT:-8300}"     # Consul server RPC (Raft)
EMBASSY_CONSUL_SERF_PORT="${EMBASSY_CONSUL_SERF_PORT:-8301}"         # Consul LAN gossip
EMBASSY_PG_PORT="${EMBASSY_PG_PORT:-5432}"                           # Postgres
EMBASSY_ADMIN_PORT="${EMBASSY_ADMIN_PORT:-8001}"                     # admin API
DEMO_IDP_PORT="${DEMO_IDP_PORT:-8180}"                               # demo OIDC provider
EMBASSY_AUTH_PORT="${EMBASSY_AUTH_PORT:-9191}"                       # auth-service gRPC (ext_authz)
EMBASSY_AUTH_STATUS_PORT="${EMBASSY_AUTH_STATUS_PORT:-9192}"         # auth-service /healthz /readyz /metrics
EMBASSY_RATELIMIT_PORT="${EMBASSY_RATELIMIT_PORT:-8081}"             # ratelimit-1 gRPC (RLS and peers)
EMBASSY_RATELIMIT_STATUS_PORT="${EMBASSY_RATELIMIT_STATUS_PORT:-8082}"       # ratelimit-1 status
EMBASSY_RATELIMIT_PORT_2="${EMBASSY_RATELIMIT_PORT_2:-8083}"                 # ratelimit-2 gRPC
EMBASSY_RATELIMIT_STATUS_PORT_2="${EMBASSY_RATELIMIT_STATUS_PORT_2:-8084}"   # ratelimit-2 status
EMBASSY_XDS_PORT="${EMBASSY_XDS_PORT:-18000}"                        # control plane ADS
EMBASSY_STATUS_PORT="${EMBASSY_STATUS_PORT:-18080}"                  # control plane /healthz /readyz /metrics
EMBASSY_GATEWAY_PORT="${EMBASSY_GATEWAY_PORT:-10000}"                # Envoy's listener (the demo gateway's port)
ENVOY_ADMIN_PORT="${ENVOY_ADMIN_PORT:-9901}"                         # Envoy admin

# stack_ports: "PORT what" per line, for the free-port check before starting and the
# nothing-left-listening check after stopping.
stack_ports() {
  cat <<PORTS
$EMBASSY_DEMO_PORT_1 demo backend demo-1 (EMBASSY_DEMO_PORT_1)
$EMBASSY_DEMO_PORT_2 demo backend demo-2 (EMBASSY_DEMO_PORT_2)
$EMBASSY_CONSUL_HTTP_PORT Consul HTTP (EMBASSY_CONSUL_HTTP_PORT)
$EMBASSY_CONSUL_SERVER_PORT Consul server RPC (EMBASSY_CONSUL_SERVER_PORT)
$EMBASSY_CONSUL_SERF_PORT Consul gossip (EMBASSY_CONSUL_SERF_PORT)
$EMBASSY_PG_PORT Postgres (EMBASSY_PG_PORT)
$EMBASSY_ADMIN_PORT admin API (EMBASSY_ADMIN_PORT)
$DEMO_IDP_PORT demo OIDC provider (DEMO_IDP_PORT)
$EMBASSY_AUTH_PORT auth-service gRPC (EMBASSY_AUTH_PORT)
$EMBASSY_AUTH_STATUS_PORT auth-service status (EMBASSY_AUTH_STATUS_PORT)
$EMBASSY_RATELIMIT_PORT ratelimit-1 gRPC (EMBASSY_RATELIMIT_PORT)
$EMBASSY_RATELIMIT_STATUS_PORT ratelimit-1 status (EMBASSY_RATELIMIT_STATUS_PORT)
$EMBASSY_RATELIMIT_PORT_2 ratelimit-2 gRPC (EMBASSY_RATELIMIT_PORT_2)
$EMBASSY_RATELIMIT_STATUS_PORT_2 ratelimit-2 status (EMBASSY_RATELIMIT_STATUS_PORT_2)
$EMBASSY_XDS_PORT control plane ADS (EMBASSY_XDS_PORT)
$EMBASSY_STATUS_PORT control plane status (EMBASSY_STATUS_PORT)
$EMBASSY_GATEWAY_PORT Envoy listener (EMBASSY_GATEWAY_PORT)
$ENVOY_ADMIN_PORT Envoy admin (ENVOY_ADMIN_PORT)
PORTS
}

# The processes deploy/up starts, in start order; deploy/down stops them in reverse. Postgres is
# not among them: pg_ctl runs it, and deploy/down stops it between admin-api and consul.
# shellcheck disable=SC2034 # read by deploy/down
STACK_PROCESSES=(demo-1 demo-2 consul admin-api demo-idp auth-service ratelimit-1 ratelimit-2 control-plane envoy)
