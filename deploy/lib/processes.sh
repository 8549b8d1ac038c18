# shellcheck shell=bash
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
  if session_alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do session_alive "$pid" || break; sleep 0.1; done
    if session_alive "$pid"; then
      log "$name (pid $pid) ignored TERM for 10 s; killing its session"
      session_pids "$pid" | xargs -r kill -KILL 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$file"
}

# session_alive SID: whether any process still runs in session SID (start_process makes each
# process the leader of its own session, so its children share the session id).
session_alive() {
  [ -n "$(session_pids "$1")" ]
}

# session_pids SID: the live (not zombie) processes of session SID.
session_pids() { ps -eo pid=,sid=,stat= | awk -v sid="$1" '$2 == sid && $3 !~ /^Z/ { print $1 }'; }

require_free_port() {
  local port="$1" what="$2"
  if port_open "$port"; then
    die "127.0.0.1:$port ($what) is already in use; stop whatever holds it (deploy/down stops a previous stack)"
  fi
}

# require_alive NAME: fails with the log tail when NAME has exited.
require_alive() {
  process_alive "$1" && return 0
  log "$1 exited; last lines of $(log_file "$1"):"
  tail -n 30 "$(log_file "$1")" >&2 || true
  die "$1 exited; see $(log_file "$1")"
}

# How long deploy/up waits for one part to come up, in seconds.
EMBASSY_UP_TIMEOUT="${EMBASSY_UP_TIMEOUT:-60}"

# wait_until NAME WHAT COMMAND...: runs COMMAND every 0.2 s until it succeeds. Fails at once, with
# NAME's log tail, if NAME exits first; after $EMBASSY_UP_TIMEOUT seconds, with the tail and the
# log's path.
wait_until() {
  local name="$1" what="$2"; shift 2
  local deadline=$((SECONDS + EMBASSY_UP_TIMEOUT))
  while :; do
    require_alive "$name"
    "$@" && return 0
    if [ $SECONDS -ge $deadline ]; then
      log "last lines of $(log_file "$name"):"
      tail -n 30 "$(log_file "$name")" >&2 || true
      die "$name did not $what within $EMBASSY_UP_TIMEOUT s; see $(log_file "$name")"
    fi
    sleep 0.2
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_ok URL: whether URL answers 2xx within 2 s.
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# wait_for_process_port NAME PORT: waits until NAME listens on 127.0.0.1:PORT.
wait_for_process_port() { wait_until "$1" "open 127.0.0.1:$2" port_open "$2"; }

# wait_for_http NAME URL: waits until URL (NAME's /readyz or the like) answers 2xx.
wait_for_http() { wait_until "$1" "answer $2" http_ok "$2"; }
