#!/usr/bin/env bash
# Production-like smoke run, natively (no Docker), the way docker-compose.yml describes the stack:
# DEBUG off, PostgreSQL and Redis, two uvicorn processes on two ports (so each can be addressed on its
# own), two Celery worker processes and beat. .ci/smoke.py then logs in, crosses the two web processes
# over WebSockets, renders a report on a worker and checks /healthz. Everything started here is
# stopped on exit, failure included (docs/decisions/0023-lock-file-and-smoke-stack.md).
#
#   bash .ci/smoke.sh      (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 must be up; .ci/run
#                           starts them. Override with SMOKE_DATABASE_URL, SMOKE_REDIS_URL, SMOKE_PORTS.)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
SMOKE_DB=zonewise_smoke
log() { printf '\033[1;36m[smoke]\033[0m %s\n' "$*"; }

free_port() {  # the wanted port if nothing listens there, else any free one
  "$VENV/bin/python" - "$1" <<'PY'
import socket, sys
for port in (int(sys.argv[1]), 0):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(s.getsockname()[1])
        break
PY
}

read -r -a ports <<<"${SMOKE_PORTS:-8101 8102}"
PORT_A=$(free_port "${ports[0]}")
PORT_B=$(free_port "${ports[1]}")
[ "$PORT_A" != "$PORT_B" ] || PORT_B=$(free_port 0)

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/zonewise-smoke.XXXXXX")
LOGS=$WORKDIR/logs
mkdir -p "$LOGS" "$WORKDIR/data"
pids=() names=()

stop_all() {  # every process group started below: TERM, a grace period, then KILL
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" != 0 ] && [ "${#names[@]}" -gt 0 ]; then
    log "FAILED (exit $rc); the last lines of each process's log:"
    for name in "${names[@]}"; do
      printf '\033[1;36m----- %s -----\033[0m\n' "$name"
      tail -n 25 "$LOGS/$name.log" 2>/dev/null || true
    done
  fi
  if [ "${#pids[@]}" -gt 0 ]; then
    log "Stopping ${#pids[@]} processes"
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
      local alive=0
      for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.2
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
  fi
  [ "$rc" = 0 ] && [ -z "${SMOKE_KEEP:-}" ] && rm -rf "$WORKDIR"
  [ "$rc" = 0 ] || log "Logs and data kept in $WORKDIR"
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start() {  # start NAME CMD...: in its own session and process group, so stopping it reaches its children
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  pids+=("$!") names+=("$name")
  log "started $name (pid $!): $*"
}

# The environment of docker-compose.yml's services, on loopback over plain http.
export DEBUG=false ZONEWISE_LOCAL=false
export SECRET_KEY; SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export ALLOWED_HOSTS=127.0.0.1 CSRF_TRUSTED_ORIGINS=""
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0
export DATABASE_URL=${SMOKE_DATABASE_URL:-postgres://$PGUSER@$PGHOST:$PGPORT/$SMOKE_DB}
export REDIS_URL=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/14}  # tests use /15: never the same database
export ZONEWISE_DATA_DIR=$WORKDIR/data LOG_LEVEL=INFO TIME_ZONE=UTC
unset DJANGO_SETTINGS_MODULE CELERY_TASK_ALWAYS_EAGER

t0=$(date +%s.%N)
elapsed() { "$VENV/bin/python" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$1" "$(date +%s.%N)"; }

log "Fresh database and Redis database: $DATABASE_URL, $REDIS_URL"
"$VENV/bin/python" - <<'PY'
import os
from urllib.parse import urlparse

import psycopg
import redis

url = urlparse(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
PY

manage() {  # manage COMMAND ARGS...: one management command, its output in prepare.log, its time on screen
  local step; step=$(date +%s.%N)
  "$VENV/bin/python" manage.py "$@" >>"$LOGS/prepare.log" 2>&1 || { names+=(prepare); return 1; }
  log "manage.py $1: $(elapsed "$step")"
}
# collectstatic needs no database: it runs alongside the migrations. Compressing every file (WhiteNoise:
# gzip and brotli) is the slowest step of the setup, so its output is kept in .cache/ under a key of
# everything it reads (static/, the installed versions, the settings) and copied from there while that
# is unchanged: the same files, collected by the same code, in a fraction of the time.
STATIC_ROOT=$ZONEWISE_DATA_DIR/staticfiles
static_key=$({ find static -type f -print0 | sort -z | xargs -0 sha256sum
  sha256sum requirements/dev.lock config/settings.py; } | sha256sum | cut -c1-16)
static_cache=${SMOKE_STATIC_CACHE:-.cache/smoke-static}/$static_key
static_pid=""
if [ -d "$static_cache" ]; then
  mkdir -p "$STATIC_ROOT" && cp -a "$static_cache/." "$STATIC_ROOT/"
  log "manage.py collectstatic: copied from $static_cache"
else
  static_start=$(date +%s.%N)
  start collectstatic "$VENV/bin/python" manage.py collectstatic --noinput -v0
  static_pid=$!
fi
manage migrate --noinput -v0
manage load_catalogue
manage seed_demo
if [ -n "$static_pid" ]; then
  wait "$static_pid" || exit 1
  log "manage.py collectstatic: $(elapsed "$static_start") (alongside)"
  mkdir -p "$(dirname "$static_cache")"  # one entry kept: drop those of older inputs (16 hex digits)
  find "$(dirname "$static_cache")" -mindepth 1 -maxdepth 1 -regextype posix-extended \
    -regex '.*/[0-9a-f]{16}(\.tmp)?' -exec rm -rf {} +
  cp -a "$STATIC_ROOT" "$static_cache.tmp" && mv "$static_cache.tmp" "$static_cache"
fi

# Two web processes on two ports (docker-compose's web, twice), as the Dockerfile runs uvicorn.
for name_port in "web-a:$PORT_A" "web-b:$PORT_B"; do
  start "${name_port%%:*}" "$VENV/bin/uvicorn" config.asgi:application --host 127.0.0.1 --port "${name_port##*:}" \
    --ws-per-message-deflate false --log-level info
done
# Two worker processes (one child each, distinct node names) and beat, as docker-compose's worker and beat.
for n in 1 2; do
  start "worker-$n" "$VENV/bin/celery" -A config worker --loglevel=INFO --concurrency=1 \
    --max-tasks-per-child=20 -n "smoke$n@%h"
done
start beat "$VENV/bin/celery" -A config beat --loglevel=INFO --schedule "$WORKDIR/data/celerybeat-schedule"

# In the background and waited for: bash runs a trap (Ctrl-C, TERM) only once the foreground command is done.
SMOKE_LOGS=$LOGS setsid "$VENV/bin/python" .ci/smoke.py "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" &
pids+=("$!")
wait "$!"
log "passed in $(elapsed "$t0") (including setup)"
