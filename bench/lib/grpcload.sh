# grpcload (bench/grpcload), the lean gRPC load generator of the auth benchmark, built with the Go
# toolchain (grpc-go from the Go module proxy) into $EMBASSY_CACHE/bin. Sourced (needs
# deploy/lib/common.sh); rebuilt when its source changes.
provision_grpcload() {
  local src="$root/bench/grpcload"
  local bin="$EMBASSY_CACHE/bin/embassy-grpcload"
  local stamp="$EMBASSY_CACHE/grpcload/$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
  if [ -x "$bin" ] && [ -f "$stamp" ]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "grpcload is built with the Go toolchain, and 'go' is not on PATH"
  mkdir -p "$EMBASSY_CACHE/bin" "$(dirname "$stamp")"
  log "grpcload: building bench/grpcload"
  (cd "$src" && GOMODCACHE="$EMBASSY_CACHE/go/mod" GOFLAGS="-modcacherw" CGO_ENABLED=0 go build -o "$bin" .) || die "grpcload build failed"
  touch "$stamp"
}
