# shellcheck shell=bash
# Provisions Helm, built from its Go module (helm.sh/helm/v4) on the Go module proxy, as
# $EMBASSY_CACHE/bin/helm. Used only to render deploy/helm/embassy offline (helm template) in
# deploy/check-deploy. Go's module and build caches are Consul's ($EMBASSY_CACHE/go), so the
# k8s.io and grpc modules both need are downloaded once. Sourced by deploy/provision.

# v4.3.2: newest helm.sh/helm/v4 the module proxy serves (v4.2.1 ... v4.3.2 seen).
HELM_VERSION="${HELM_VERSION:-4.3.2}"

provision_helm() {
  local dir="$EMBASSY_CACHE/helm/$HELM_VERSION"
  local bin="$dir/bin/helm"
  if ! "$bin" version --short 2>/dev/null | grep -q "^v$HELM_VERSION"; then
    command -v go >/dev/null 2>&1 || die "helm: 'go' not found on PATH; Helm is built from its Go module"
    mkdir -p "$dir"
    # A second provision waits for the first build instead of racing it.
    exec 8>"$dir/.lock" && flock -w 1800 8 || die "helm: timed out waiting for $dir/.lock"
    if ! "$bin" version --short 2>/dev/null | grep -q "^v$HELM_VERSION"; then
      log "helm: building helm.sh/helm/v4/cmd/helm@v$HELM_VERSION from the Go module proxy (cold: a few minutes; log $dir/build.log)"
      local started=$SECONDS
      rm -rf "$dir/bin.tmp"
      (
        export GOPATH="$EMBASSY_CACHE/go/path" GOMODCACHE="$EMBASSY_CACHE/go/mod" GOCACHE="$EMBASSY_CACHE/go/build"
        export GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local GOWORK=off GO111MODULE=on CGO_ENABLED=0
        # The version is stamped as Helm's Makefile does (unstamped, `helm version` says v4.3).
        GOBIN="$dir/bin.tmp" go install -trimpath \
          -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=v$HELM_VERSION" "helm.sh/helm/v4/cmd/helm@v$HELM_VERSION"
      ) >"$dir/build.log" 2>&1 || { tail -n 20 "$dir/build.log" >&2; die "helm: go install failed (log $dir/build.log)"; }
      rm -rf "$dir/bin" && mv "$dir/bin.tmp" "$dir/bin"
      log "helm: built in $((SECONDS - started))s"
    fi
    exec 8>&-
  fi
  mkdir -p "$EMBASSY_CACHE/bin"
  ln -sfn "$bin" "$EMBASSY_CACHE/bin/helm"
  log "helm: $("$bin" version --short)"
}
