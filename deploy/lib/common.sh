# shellcheck shell=bash
# Shared by every script under deploy/: where things are cached, how the JDK is found,
# and how progress is printed. Sourced, never executed.

EMBASSY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Provisioned binaries live outside the source tree so a clean checkout stays clean and a
# second checkout reuses them.
EMBASSY_CACHE="${EMBASSY_CACHE:-$HOME/.cache/embassy}"
# Runtime state of the local stack (pids, logs, the stack's Postgres data). It sits under /tmp
# because, when running as root, Postgres runs as an unprivileged user that cannot enter /root.
EMBASSY_STATE="${EMBASSY_STATE:-/tmp/embassy-stack-$(id -un)}"
export EMBASSY_ROOT EMBASSY_CACHE EMBASSY_STATE

log() { echo "[${EMBASSY_LOG_PREFIX:-embassy}] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Finds a JDK 21+ : JAVA_HOME if it is new enough, else the newest JDK under /usr/lib/jvm.
find_jdk() {
  local candidate version best="" best_version=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    version=$(java_major "$JAVA_HOME")
    if [ "$version" -ge 21 ]; then return 0; fi
    log "JAVA_HOME=$JAVA_HOME is Java $version; looking for 21+ under /usr/lib/jvm"
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    [ -L "$candidate" ] && continue
    version=$(java_major "$candidate")
    if [ "$version" -gt "$best_version" ]; then best="$candidate"; best_version="$version"; fi
  done
  [ "$best_version" -ge 21 ] || die "no JDK 21+ found (JAVA_HOME unset or too old, and none under /usr/lib/jvm). Install one, e.g. apt-get install openjdk-21-jdk-headless or a Temurin JDK."
  export JAVA_HOME="$best"
  log "using JDK $best_version at $JAVA_HOME"
}

# JDK 24+ warns on every start about sun.misc.Unsafe (used by Maven, Guice and protobuf-java)
# and about native access (grpc-netty's epoll). Both are allowed uses; silence them where the
# JDK knows the flags, and pass nothing on JDK 21, which would reject them.
quiet_jvm_flags() {
  if [ "$(java_major "$JAVA_HOME")" -ge 24 ]; then
    echo "--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
  fi
}

java_major() {
  local release="$1/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
  fi
}

# Runs a command as an unprivileged user when we are root: Postgres refuses to run as root.
as_service_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "${EMBASSY_SERVICE_USER:-nobody}" -- "$@"
  else
    "$@"
  fi
}
