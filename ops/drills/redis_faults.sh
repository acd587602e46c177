#!/usr/bin/env bash
# Drill: Redis stopped, hung and restarted, against a PRIVATE Redis on port 6389 (started
# here, never the shared one). gunicorn (production settings) on 127.0.0.1:8820 uses it as
# cache and broker. Checked each time: the sign-in page (a user page) still answers within
# 3 s, and /healthz says 503 while Redis is away and 200 once it is back.
#   DATABASE_URL=postgres://.../counseling_h8_s1 ops/drills/redis_faults.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?a PostgreSQL database with the portal migrated}"
RPORT=6389; PORT=8820
export DJANGO_DEBUG=false FIELD_ENCRYPTION_KEY="${FIELD_ENCRYPTION_KEY:-dev-only-insecure-key-never-used-in-production-0123456789abcdef}" DJANGO_SECRET_KEY="drill-only-$(printf 'x%.0s' {1..40})" \
  DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false DJANGO_LOG_LEVEL=ERROR \
  REDIS_URL="redis://127.0.0.1:$RPORT/0" REDIS_SOCKET_TIMEOUT="${REDIS_SOCKET_TIMEOUT:-1}"
redis-server --port $RPORT --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
  --pidfile "/tmp/drill-redis-$RPORT.pid" > /dev/null
sleep 0.5
RPID=$(cat /tmp/drill-redis-$RPORT.pid)
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn counseling.wsgi --bind 127.0.0.1:$PORT --workers 2 --log-level error &
GPID=$!
# A worker, for its heartbeat (the workers part of /healthz).
.venv/bin/celery -A counseling worker -c 1 --loglevel=ERROR > /dev/null 2>&1 &
CPID=$!
cleanup() { kill "$GPID" "$CPID" 2>/dev/null || true; kill -CONT "$RPID" 2>/dev/null || true; redis-cli -p $RPORT shutdown nosave 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 60); do  # until the worker's first heartbeat
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' http://127.0.0.1:$PORT/healthz)" = 200 ] && break
  sleep 1
done
# Both gunicorn workers warm (a cold one's first request imports and connects: seconds
# under load), so that the probes time Redis, not start-up.
for _ in 1 2 3 4 5 6; do curl -s -o /dev/null -H 'X-Forwarded-Proto: https' http://127.0.0.1:$PORT/accounts/login/; done
fail=0
probe() {  # label, expected healthz status
  local h p ht pt
  read -r h ht < <(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' -H 'X-Forwarded-Proto: https' http://127.0.0.1:$PORT/healthz)
  read -r p pt < <(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' -H 'X-Forwarded-Proto: https' http://127.0.0.1:$PORT/accounts/login/)
  local ok=PASS
  if [ "$h" != "$2" ] || [ "$p" != 200 ] || awk "BEGIN{exit !($pt > 3 || $ht > 3)}"; then ok=FAIL; fail=1; fi
  printf '| %s | %s in %.2f s | %s in %.2f s | %s |\n' "$1" "$h" "$ht" "$p" "$pt" "$ok"
}
echo "| Redis | /healthz | sign-in page | result |"
echo "|---|---|---|---|"
probe "up" 200
kill -STOP "$RPID"; probe "hung (SIGSTOP: accepts, never answers)" 503
kill -CONT "$RPID"; sleep 1; probe "answering again" 200
redis-cli -p $RPORT shutdown nosave > /dev/null; sleep 0.5; probe "stopped" 503
redis-server --port $RPORT --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
  --pidfile "/tmp/drill-redis-$RPORT.pid" > /dev/null; sleep 1
RPID=$(cat /tmp/drill-redis-$RPORT.pid)
for _ in $(seq 60); do  # the worker's next heartbeat refills the emptied Redis
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' http://127.0.0.1:$PORT/healthz)" = 200 ] && break
  sleep 1
done
probe "restarted, empty" 200
exit $fail
