# shellcheck shell=bash
# Provisions PostgreSQL from Debian's packages and runs throwaway or stack clusters.
# Sourced by deploy/provision and deploy/up.

postgres_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

provision_postgres() {
  local bindir
  if ! bindir=$(postgres_bindir); then
    [ "$(id -u)" = 0 ] || die "postgres: not installed and not root; run: sudo apt-get install -y postgresql"
    log "postgres: installing Debian's postgresql package"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
      || die "postgres: apt-get install postgresql failed"
    bindir=$(postgres_bindir) || die "postgres: installed but no initdb under /usr/lib/postgresql/*/bin"
  fi
  # Debian's package starts a cluster on 5432 when installed; it is not ours, leave it be.
  mkdir -p "$EMBASSY_CACHE"
  ln -sfn "$bindir" "$EMBASSY_CACHE/postgres-bin"
  log "postgres: $("$bindir/postgres" --version)"
}

# pg_cluster_start DATA_DIR PORT: initialises DATA_DIR on first use and starts Postgres on
# 127.0.0.1:PORT with trust auth for local TCP. Only for the local stack and tests.
pg_cluster_start() {
  local data="$1" port="$2" bindir
  # Resolved: the link lives under the invoking user's home, which the service user cannot enter.
  bindir="$(readlink -f "$EMBASSY_CACHE/postgres-bin")"
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown "${EMBASSY_SERVICE_USER:-nobody}" "$data"
  chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_service_user "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$data.initdb.log" 2>&1 \
      || die "postgres: initdb failed, see $data.initdb.log"
  fi
  as_service_user "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=" start >/dev/null \
    || die "postgres: failed to start on 127.0.0.1:$port, see $data/server.log"
}

pg_cluster_stop() {
  local data="$1"
  [ -f "$data/postmaster.pid" ] || return 0
  as_service_user "$(readlink -f "$EMBASSY_CACHE/postgres-bin")/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}
