# ghz, the gRPC load generator the auth and rate-limit benchmarks drive their services with,
# built from the Go module proxy into $EMBASSY_CACHE/bin. Sourced (needs deploy/lib/common.sh).
GHZ_VERSION="${GHZ_VERSION:-v0.120.0}"

provision_ghz() {
  local bin="$EMBASSY_CACHE/bin/ghz"
  local stamp="$EMBASSY_CACHE/ghz/$GHZ_VERSION/.built"
  if [ -x "$bin" ] && [ -f "$stamp" ]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "ghz is built with the Go toolchain, and 'go' is not on PATH"
  mkdir -p "$EMBASSY_CACHE/bin" "$(dirname "$stamp")"
  log "ghz: building github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION from the Go module proxy"
  # A private module cache keeps the build independent of the user's GOPATH.
  GOMODCACHE="$EMBASSY_CACHE/go/mod" GOFLAGS="-modcacherw" GOBIN="$EMBASSY_CACHE/bin" CGO_ENABLED=0 \
    go install "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION" || die "ghz build failed"
  touch "$stamp"
}
