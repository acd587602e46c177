# Shared by the job drills (sourced): a PRIVATE Redis (never the shared one), a Celery
# worker in its own process group, and a Python helper run against DATABASE_URL.
# Development settings on purpose: the drills test the queue and the database, not
# production's start-up checks.
PY=.venv/bin/python
export REDIS_URL="redis://127.0.0.1:$RPORT/0" DJANGO_LOG_LEVEL=ERROR
DRILL_TMP="$(mktemp -d)"
export DJANGO_MEDIA_ROOT="$DRILL_TMP/media"
WORKER_PID=""

redis_start() {
  redis-server --port "$RPORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --pidfile "$DRILL_TMP/redis.pid" > /dev/null
  for _ in $(seq 50); do redis-cli -p "$RPORT" ping > /dev/null 2>&1 && return; sleep 0.1; done
  echo "private Redis did not start" >&2; exit 1
}

worker_start() {  # a prefork worker with one child, as production runs them
  setsid .venv/bin/celery -A counseling worker --pool=prefork -c 1 --without-gossip \
    --without-mingle --loglevel=WARNING > "$DRILL_TMP/worker.log" 2>&1 &
  WORKER_PID=$!
  for _ in $(seq 120); do pgrep -P "$WORKER_PID" > /dev/null && return; sleep 0.5; done
  echo "worker did not start" >&2; exit 1
}

worker_stop() {
  [ -n "$WORKER_PID" ] || return 0
  kill -TERM -- "-$WORKER_PID" 2>/dev/null || true
  for _ in $(seq 40); do kill -0 "$WORKER_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$WORKER_PID" 2>/dev/null || true
  WORKER_PID=""
}

drill_cleanup() {
  worker_stop
  redis-cli -p "$RPORT" shutdown nosave > /dev/null 2>&1 || true
  rm -rf "$DRILL_TMP"
}

pyq() {  # run Python (Django set up) and print what it prints
  $PY manage.py shell -v0 -c "$1"
}
