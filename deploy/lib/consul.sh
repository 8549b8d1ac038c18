# shellcheck shell=bash
#
# deploy/lib/consul.sh - provision a real HashiCorp Consul binary for tests.
#
# Source this file, then call `provision_consul`. It builds `consul` from the
# source published on the Go module proxy (no other network access needed),
# installs it at
#     $EMBASSY_CACHE/consul/$CONSUL_VERSION/bin/consul
# and exports CONSUL_BIN pointing at it.
#
# Inputs (all optional):
#   EMBASSY_CACHE   cache root                    (default: $HOME/.cache/embassy)
#   CONSUL_VERSION  github.com/hashicorp/consul version, with or without "v"
#                   (default: $EMBASSY_CONSUL_DEFAULT_VERSION below)
#   CONSUL_GO_PINS  space-separated module@version requirements forced into
#                   consul's go.mod before building (default: the known-good
#                   pins for the chosen version, see _consul_go_pins)
#
# Properties:
#   * idempotent: if the binary exists and `consul version` runs, it returns
#     at once without touching Go at all;
#   * cached: Go's module and build caches live under $EMBASSY_CACHE/go, so a
#     rebuild (e.g. of another version) reuses downloads and compiled packages;
#   * safe: builds under a flock(1) lock, into a temp dir next to the target,
#     verifies the result and renames it into place atomically, so concurrent
#     or interrupted runs never leave a broken binary behind;
#   * works whether or not the caller has `set -euo pipefail` in effect: every
#     step is checked explicitly, failures are reported on stderr naming the
#     failed step, and provision_consul returns non-zero.
#
# Needs: go (>= the version in consul's go.mod, 1.25.x for 1.22.x), flock,
# cp, mktemp. A cold build downloads ~several hundred MB of modules and
# compiles for several minutes; later calls take milliseconds.

# 1.22.7: newest 1.x release the Go module proxy serves together with every
# nested module it requires (sdk v0.17.3, proto-public v0.7.4, envoyextensions
# v0.9.6, troubleshoot v0.8.7; api: see _consul_go_pins).
EMBASSY_CONSUL_DEFAULT_VERSION="${EMBASSY_CONSUL_DEFAULT_VERSION:-1.22.7}"
EMBASSY_CONSUL_LOCK_TIMEOUT="${EMBASSY_CONSUL_LOCK_TIMEOUT:-3600}"

# _consul_go_pins VERSION: module@version pins needed on top of consul's own
# go.mod once its `replace => ./nested` directives are dropped. The module zip
# lacks the nested dirs, and consul's go.mod can lag behind the in-tree code:
# v1.22.7 requires api v1.33.7 but its CLI uses ACLToken.Name and
# ACLAuthMethod.TokenNameFormat, which first appear in the published api
# v1.34.1 (a purely additive superset of v1.33.7, same `go 1.25.9`).
_consul_go_pins() {
  case "$1" in
    1.22.7) echo "github.com/hashicorp/consul/api@v1.34.1" ;;
    *) echo "" ;;
  esac
}

_consul_log() { printf '[provision] consul: %s\n' "$*" >&2; }

# _consul_usable BIN: true if BIN is an executable that runs `version`.
_consul_usable() {
  [[ -f "$1" && -x "$1" ]] && "$1" version >/dev/null 2>&1
}

provision_consul() {
  local cache="${EMBASSY_CACHE:-${HOME:?HOME is not set}/.cache/embassy}"
  local version="${CONSUL_VERSION:-$EMBASSY_CONSUL_DEFAULT_VERSION}"
  version="${version#v}"
  local prefix="$cache/consul/$version"
  local bin="$prefix/bin/consul"

  # Fast path: already provisioned.
  if _consul_usable "$bin"; then
    CONSUL_BIN="$bin"
    export CONSUL_BIN
    _consul_log "using cached $bin"
    return 0
  fi

  if ! mkdir -p "$prefix/bin"; then
    _consul_log "ERROR: cannot create install dir $prefix/bin"
    return 1
  fi

  # All real work happens in a subshell: the lock fd, traps, cd and Go
  # environment never leak into the caller, and the lock is released when the
  # subshell ends however it ends.
  if ! (_consul_build "$cache" "$version" "$prefix" "$bin"); then
    _consul_log "ERROR: provisioning consul v$version failed (see messages above)"
    return 1
  fi

  if ! _consul_usable "$bin"; then
    _consul_log "ERROR: $bin is missing or does not run after the build"
    return 1
  fi
  CONSUL_BIN="$bin"
  export CONSUL_BIN
  return 0
}

# Runs in a subshell (see above). Exits non-zero on any failure.
_consul_build() {
  local cache="$1" version="$2" prefix="$3" bin="$4"
  local log="$prefix/build.log"
  local t0=$SECONDS

  _consul_fail() {
    _consul_log "ERROR: $*"
    if [[ -s "$log" ]]; then
      _consul_log "last lines of $log:"
      tail -n 30 "$log" | sed 's/^/    /' >&2
    fi
    exit 1
  }

  # ---- lock --------------------------------------------------------------
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$prefix/.lock" || _consul_fail "cannot open lock file $prefix/.lock"
    if ! flock -n 9; then
      _consul_log "another build of v$version is running; waiting for its lock (up to ${EMBASSY_CONSUL_LOCK_TIMEOUT}s)"
      flock -w "$EMBASSY_CONSUL_LOCK_TIMEOUT" 9 ||
        _consul_fail "timed out waiting for lock $prefix/.lock"
    fi
  else
    _consul_log "warning: flock not found; building without a lock (install is still atomic)"
  fi

  # Someone else may have finished while we waited.
  if _consul_usable "$bin"; then
    _consul_log "built by a concurrent run: $bin"
    exit 0
  fi

  # ---- toolchain & private Go environment --------------------------------
  command -v go >/dev/null 2>&1 ||
    _consul_fail "'go' not found on PATH; consul v$version is built from source and needs Go"
  export GOPATH="$cache/go/path"
  export GOMODCACHE="$cache/go/mod"
  export GOCACHE="$cache/go/build"
  export GOFLAGS="-modcacherw -buildvcs=false"
  export GOTOOLCHAIN=local # never try to download another toolchain
  export GOWORK=off
  export GO111MODULE=on
  export CGO_ENABLED=0
  mkdir -p "$GOPATH" "$GOMODCACHE" "$GOCACHE" ||
    _consul_fail "cannot create Go cache dirs under $cache/go"

  # Leftovers of interrupted builds (we hold the lock, so none is live).
  rm -rf "$prefix"/.build.* 2>/dev/null || true
  : >"$log" || _consul_fail "cannot write $log"

  # Globals (of this subshell only), since the EXIT trap runs after
  # _consul_build's locals are gone.
  _consul_tmp="" _consul_step_pid=""
  trap '[[ -z "${_consul_step_pid:-}" ]] || kill "$_consul_step_pid" 2>/dev/null || true
        [[ -z "${_consul_tmp:-}" ]] || rm -rf "$_consul_tmp" || true' EXIT
  _consul_tmp="$(mktemp -d "$prefix/.build.XXXXXX")" || _consul_fail "mktemp in $prefix failed"
  local tmp="$_consul_tmp"
  trap '_consul_log "interrupted (SIGINT); cleaning up"; exit 130' INT
  trap '_consul_log "terminated (SIGTERM); cleaning up"; exit 143' TERM

  _consul_log "building consul v$version from source with $(go version | sed 's/^go version //') (cold build: several minutes; log: $log)"

  # _consul_step DESC CMD...: run CMD (output to $log), print a heartbeat
  # every 60s, fail with DESC if it exits non-zero.
  _consul_step() {
    local desc="$1" start=$SECONDS next=60 rc=0
    shift
    _consul_log "$desc"
    { printf '\n### %s\n### $' "$desc"; printf ' %q' "$@"; printf '\n'; } >>"$log"
    "$@" >>"$log" 2>&1 </dev/null &
    _consul_step_pid=$!
    while kill -0 "$_consul_step_pid" 2>/dev/null; do
      sleep 1
      if ((SECONDS - start >= next)); then
        _consul_log "  ... still working ($((SECONDS - start))s)"
        next=$((next + 60))
      fi
    done
    wait "$_consul_step_pid" || rc=$?
    _consul_step_pid=""
    ((rc == 0)) || _consul_fail "step '$desc' failed (exit $rc)"
  }

  # ---- 1. fetch the source of the root module ----------------------------
  cd "$tmp" || _consul_fail "cd $tmp failed"
  _consul_step "downloading github.com/hashicorp/consul@v$version from the Go module proxy" \
    go mod download -json "github.com/hashicorp/consul@v$version"
  local srcdir
  srcdir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' "$log" | tail -n 1)"
  [[ -n "$srcdir" && -f "$srcdir/go.mod" ]] ||
    _consul_fail "could not locate the downloaded source of github.com/hashicorp/consul@v$version (does that version exist on the proxy?)"

  # ---- 2. writable copy ---------------------------------------------------
  cp -R "$srcdir" "$tmp/src" || _consul_fail "copying $srcdir to $tmp/src failed"
  chmod -R u+w "$tmp/src" || _consul_fail "chmod of $tmp/src failed"
  cd "$tmp/src" || _consul_fail "cd $tmp/src failed"

  # ---- 3. replace => ./nested dirs are not in the module zip: drop them so
  #         the published versions already listed in `require` are used ----
  local repl drop=()
  while IFS= read -r repl; do
    [[ -n "$repl" ]] && drop+=("-dropreplace=$repl")
  done < <(grep -E '=>[[:space:]]*\.{1,2}/' go.mod |
    awk '{ if ($1 == "replace") print $2; else print $1 }')
  if ((${#drop[@]} > 0)); then
    _consul_log "dropping local replace directives: ${drop[*]#-dropreplace=}"
    printf '\n### $ go mod edit %s\n' "${drop[*]}" >>"$log"
    go mod edit "${drop[@]}" >>"$log" 2>&1 || _consul_fail "go mod edit ${drop[*]} failed"
  fi
  local pins pin req=()
  pins="${CONSUL_GO_PINS-$(_consul_go_pins "$version")}"
  for pin in $pins; do
    req+=("-require=$pin")
  done
  if ((${#req[@]} > 0)); then
    _consul_log "pinning published nested modules: $pins"
    printf '\n### $ go mod edit %s\n' "${req[*]}" >>"$log"
    go mod edit "${req[@]}" >>"$log" 2>&1 || _consul_fail "go mod edit ${req[*]} failed"
  fi

  # ---- 4. build ------------------------------------------------------------
  # -mod=mod lets go add the go.sum lines of the now-unreplaced nested modules
  # (verified against the checksum database).
  _consul_step "compiling (go build -mod=mod -trimpath -ldflags '-s -w', CGO_ENABLED=0)" \
    go build -mod=mod -trimpath -ldflags "-s -w" -o "$tmp/consul" .

  # ---- 5. verify & install atomically --------------------------------------
  local out got
  out="$("$tmp/consul" version 2>&1)" ||
    _consul_fail "built binary does not run: $out"
  got="${out%%$'\n'*}"
  [[ "$got" == "Consul v$version"* ]] ||
    _consul_fail "built binary reports '$got', expected 'Consul v$version'"
  chmod 0755 "$tmp/consul" || _consul_fail "chmod of built binary failed"
  mv -f "$tmp/consul" "$bin" || _consul_fail "moving binary into $bin failed"

  _consul_log "installed $got at $bin ($(du -h "$bin" | cut -f1), $((SECONDS - t0))s)"
}
