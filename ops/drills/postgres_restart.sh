#!/usr/bin/env bash
# Drill: PostgreSQL restarted under a running portal. gunicorn (2 workers, persistent
# connections with CONN_HEALTH_CHECKS) and a Celery worker run against a THROWAWAY cluster
# started here (initdb under /tmp, port 5439; never the shared server), holding a copy of
# SOURCE_URL's database. The cluster is restarted (pg_ctl restart -m fast); passes when,
# without restarting the portal, /healthz and a signed-in page answer 200 again within
# 10 s of the server being back, and an export asked for afterwards is made by the same
# worker. A PRIVATE Redis on port 6393.
#   SOURCE_URL=postgres://postgres@127.0.0.1:5432/counseling_scale ops/drills/postgres_restart.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${SOURCE_URL:?the database to copy into the throwaway cluster (bench data)}"
RPORT="${DRILL_REDIS_PORT:-6393}"; PGPORT_DRILL=5439; PORT=8821
PGDATA_DRILL="$(mktemp -d /tmp/drill-pg-XXXX)"
chown postgres "$PGDATA_DRILL" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT_DRILL/counseling_drill"
source ops/drills/_lib.sh
GPID=""
cleanup() {
  [ -n "$GPID" ] && kill "$GPID" 2>/dev/null || true
  drill_cleanup
  as_pg pg_ctl -D "$PGDATA_DRILL" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$PGDATA_DRILL"
}
trap cleanup EXIT

echo "1. a throwaway cluster on port $PGPORT_DRILL with a copy of the source"
as_pg initdb -D "$PGDATA_DRILL" -A trust -U postgres -E UTF8 --locale=C.UTF-8 > /dev/null
as_pg pg_ctl -D "$PGDATA_DRILL" -l "$PGDATA_DRILL/log" -w \
  -o "-p $PGPORT_DRILL -c listen_addresses=127.0.0.1 -k $PGDATA_DRILL" start > /dev/null
psql "postgres://postgres@127.0.0.1:$PGPORT_DRILL/postgres" -qc "CREATE DATABASE counseling_drill"
pg_dump --format=custom --no-owner --dbname="$SOURCE_URL" | \
  pg_restore --no-owner --dbname="$DATABASE_URL" 2>/dev/null || true
$PY manage.py migrate -v0
redis_start

echo "2. the portal: gunicorn and a worker"
$PY manage.py collectstatic --noinput -v0
.venv/bin/gunicorn counseling.wsgi --bind 127.0.0.1:$PORT --workers 2 --log-level error &
GPID=$!
worker_start
COOKIES="$DRILL_TMP/cookies"
pyq "
from django.contrib.auth import get_user_model
from counseling.models import Role
head = Role.objects.filter(kind='counselor', is_head=True).order_by('pk').first().user
head.set_password('drill-$$-pass'); head.save()
print(head.username)" > "$DRILL_TMP/user"
for _ in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:$PORT/accounts/login/ && break; sleep 1; done
ask_export() {
  pyq "
from counseling.models import Role, Semester
from counseling.exports.services import request_export
head = Role.objects.filter(kind='counselor', is_head=True).order_by('pk').first()
s = Semester.objects.filter(school=head.school).order_by('pk').first()
print(request_export(head.user, 'committees.register', {'semester': s.pk, 'drill': '$1'}).pk)"
}
export_done() {
  for _ in $(seq "$2"); do
    [ "$(pyq "from counseling.exports.models import ExportJob; print(ExportJob.objects.get(pk=$1).status)")" = done ] && return 0
    sleep 1
  done
  return 1
}
probe() {  # -> "healthz-code page-code"
  local h p
  h=$(curl -s -o /dev/null -m 10 -w '%{http_code}' http://127.0.0.1:$PORT/healthz)
  p=$(curl -s -o /dev/null -m 10 -w '%{http_code}' -b "$COOKIES" http://127.0.0.1:$PORT/)
  echo "$h $p"
}
# Sign in once (a session in the database), then warm both gunicorn workers' connections.
csrf=$(curl -s -c "$COOKIES" http://127.0.0.1:$PORT/accounts/login/ | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -o /dev/null -b "$COOKIES" -c "$COOKIES" -e http://127.0.0.1:$PORT/accounts/login/ \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$(cat "$DRILL_TMP/user")" \
  --data-urlencode "password=drill-$$-pass" http://127.0.0.1:$PORT/accounts/login/
for _ in 1 2 3 4; do probe > /dev/null; done
read -r h p < <(probe)
first=$(ask_export before); export_done "$first" 120 && before=done || before=not-done
echo "   before: /healthz $h, home page $p, an export $before"

echo "3. pg_ctl restart -m fast"
as_pg pg_ctl -D "$PGDATA_DRILL" -m fast -w \
  -o "-p $PGPORT_DRILL -c listen_addresses=127.0.0.1 -k $PGDATA_DRILL" restart > /dev/null
back=$(date +%s.%N)
ok=""
for n in $(seq 20); do
  read -r h p < <(probe)
  echo "   request $n after the restart: /healthz $h, home page $p"
  if [ "$h" = 200 ] && [ "$p" = 200 ]; then ok=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $back}"); break; fi
  sleep 0.5
done
second=$(ask_export after); export_done "$second" 120 && after=done || after=not-done
echo "   the worker, same process: an export asked for after the restart is $after"
if [ -n "$ok" ] && [ "$after" = done ]; then
  echo "PASS: pages answer 200 again $ok s after the server is back; the worker goes on"
else
  echo "FAIL"; exit 1
fi
