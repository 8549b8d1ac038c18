# envoyproxy/ratelimit, the anchor the rate-limit benchmark compares against, built from the Go
# module proxy into $EMBASSY_CACHE, and Redis from Debian's packages. Sourced (needs
# deploy/lib/common.sh).
#
# The project tags no releases after v1.4.0 (2020) and ships images per commit, so the pinned
# version is the module proxy's pseudo-version of a commit on main (2026-01-22).
ENVOY_RATELIMIT_VERSION="${ENVOY_RATELIMIT_VERSION:-v1.4.1-0.20260122083618-3fb702589d36}"

provision_envoy_ratelimit() {
  local dir="$EMBASSY_CACHE/envoy-ratelimit/$ENVOY_RATELIMIT_VERSION"
  if [ -x "$dir/service_cmd" ]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "envoyproxy/ratelimit is built with the Go toolchain, and 'go' is not on PATH"
  mkdir -p "$dir"
  log "envoyproxy/ratelimit: building github.com/envoyproxy/ratelimit/src/service_cmd@$ENVOY_RATELIMIT_VERSION from the Go module proxy"
  GOMODCACHE="$EMBASSY_CACHE/go/mod" GOFLAGS="-modcacherw" GOBIN="$dir" CGO_ENABLED=0 \
    go install "github.com/envoyproxy/ratelimit/src/service_cmd@$ENVOY_RATELIMIT_VERSION" || die "envoyproxy/ratelimit build failed"
}

# The directory of the module's source (README, example configs), fetched by the build above.
envoy_ratelimit_source() {
  echo "$EMBASSY_CACHE/go/mod/github.com/envoyproxy/ratelimit@$ENVOY_RATELIMIT_VERSION"
}

provision_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "redis-server is missing; install Debian's redis-server package"
  log "redis: installing Debian's redis-server package"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server >/dev/null || die "apt-get install redis-server failed"
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server >/dev/null || die "apt-get install redis-server failed"
  fi
}
