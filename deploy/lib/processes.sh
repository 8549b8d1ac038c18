# Background processes of the local stack: started detached, with a pid file and a log under
# $EMBASSY_STATE, and stopped by deploy/down. Sourced, never executed.

pid_file() { echo "$EMBASSY_STATE/pids/$1.pid"; }
log_file() { echo "$EMBASSY_STATE/logs/$1.log"; }

# start_process NAME COMMAND...: runs COMMAND in its own session so it outlives this script.
start_process() {
  local name="$1"; shift
  mkdir -p "$EMBASSY_STATE/pids" "$EMBASSY_STATE/logs"
  setsid "$@" >"$(log_file "$name")" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
}

process_alive() {
  local file; file="$(pid_file "$1")"
  [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null
}

# stop_process NAME: TERM, then KILL after 10 s; the whole session, so children stop too.
stop_process() {
  local name="$1" file pid
  file="$(pid_file "$name")"
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stopped $name (pid $pid)"
  fi
  rm -f "$file"
}

require_free_port() {
  local port="$1" what="$2"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port ($what) is already in use; stop whatever holds it (deploy/down stops a previous stack)"
  fi
}

# require_alive NAME: fails with the log tail when NAME has exited.
require_alive() {
  process_alive "$1" && return 0
  log "$1 exited; last lines of $(log_file "$1"):"
  tail -n 30 "$(log_file "$1")" >&2 || true
  exit 1
}

# wait_for_process_port NAME PORT: waits until NAME listens on 127.0.0.1:PORT; fails at once,
# with NAME's log tail, if NAME exits first.
wait_for_process_port() {
  local name="$1" port="$2"
  for _ in $(seq 300); do
    require_alive "$name"
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  die "$name did not open 127.0.0.1:$port within 30 s; see $(log_file "$name")"
}
