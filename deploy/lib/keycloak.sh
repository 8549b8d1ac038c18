# shellcheck shell=bash
# Provisions a real Keycloak from Maven Central's org.keycloak:keycloak-quarkus-dist, for the
# Keycloak integration test and the guide docs/guides/keycloak.md. Sourced by deploy/provision.
#
# The zip comes through Maven (the project's own wrapper, so the usual repository settings and
# ~/.m2 cache apply), is unpacked to $EMBASSY_CACHE/keycloak/$KEYCLOAK_VERSION, and is then
# built once ("kc.sh build") with the options the test runs it with, so every start is
# "kc.sh start --optimized": Quarkus' augmentation (about 20 s here) happens here, not per run.
# $EMBASSY_CACHE/bin/kc.sh links the launcher; kc.sh follows the link to its home.

# 26.7.3: the newest keycloak-quarkus-dist Maven Central serves to this machine (26.7.4 and
# 26.8.x are not served here).
KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
# Build-time options. dev-mem: an in-memory H2 database, so a test run leaves nothing behind and
# needs no database; health: /health/ready on the management port, which the test polls for
# readiness. (--cache=local, which keeps a test's node from looking for a cluster, is a runtime
# option in 26.x; the test passes it to start.)
KEYCLOAK_BUILD_OPTIONS=(--db=dev-mem --health-enabled=true)

provision_keycloak() {
  local dir="$EMBASSY_CACHE/keycloak/$KEYCLOAK_VERSION"
  local stamp="$dir/.embassy-build"
  local wanted="${KEYCLOAK_BUILD_OPTIONS[*]}"
  if [ ! -x "$dir/bin/kc.sh" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    local tmp="$EMBASSY_CACHE/keycloak/.tmp-$KEYCLOAK_VERSION"
    rm -rf "$tmp" && mkdir -p "$tmp"
    find_jdk
    log "keycloak: fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip from Maven Central"
    (cd "$EMBASSY_ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} $(quiet_jvm_flags)" ./mvnw -B -q -N org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" "-DoutputDirectory=$tmp") \
      || die "keycloak: could not fetch keycloak-quarkus-dist $KEYCLOAK_VERSION through Maven"
    unzip -q "$tmp/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" -d "$tmp" || die "keycloak: unzip failed"
    log "keycloak: kc.sh build ${wanted} (Quarkus augmentation, about 20 s)"
    "$tmp/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" build "${KEYCLOAK_BUILD_OPTIONS[@]}" >"$tmp/build.log" 2>&1 \
      || { tail -20 "$tmp/build.log" >&2; die "keycloak: kc.sh build failed"; }
    echo "$wanted" >"$tmp/keycloak-$KEYCLOAK_VERSION/.embassy-build"
    rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$dir"
    rm -rf "$tmp"
  fi
  mkdir -p "$EMBASSY_CACHE/bin"
  ln -sfn "$dir/bin/kc.sh" "$EMBASSY_CACHE/bin/kc.sh"
  log "keycloak: $(cat "$dir/version.txt" 2>/dev/null || echo "$KEYCLOAK_VERSION") at $dir"
}
