#!/usr/bin/env bash
# The Monday spike, bounded: gunicorn (production settings) on 127.0.0.1, one Celery worker
# draining the queue, Locust on loopback, then the rows checked in the database.
#   DATABASE_URL=postgres://.../counseling_h8 REDIS_URL=redis://127.0.0.1:6379/N \
#     benchmarks/spike/run.sh [members] [minutes]
# members: how many of the 3,000 accounts file (default 3000); a 60-member school each.
# SPIKE_SIGN_IN=1: each member signs in first (password, Argon2) as well as filing; by
#   default the members are already signed in ("this is my phone", sessions made before
#   the run by make_sessions.py), which is what a Monday is once they have ticked it.
# SPIKE_STEPS="5,10,20,40" (filings a second, SPIKE_STEP_SECONDS each, default 30): a
#   stepped rate to find the knee, instead of members spread over the minutes.
# SPIKE_PGBOUNCER=1: gunicorn reaches PostgreSQL through PgBouncer (transaction pooling,
#   benchmarks/spike/pgbouncer.ini, started here on 127.0.0.1:6432 and stopped after);
#   the Celery worker stays on PostgreSQL directly (README: session advisory locks).
# SPIKE_LABEL names the results folder: var/spike/<label>/ (samples.csv, summary.md, logs).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?a database filled by make_bench_data}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
MEMBERS_TOTAL="${1:-3000}"; MINUTES="${2:-5}"
PORT="${SPIKE_PORT:-8810}"; WORKERS="${SPIKE_WORKERS:-2}"
STEP_SECONDS="${SPIKE_STEP_SECONDS:-30}"; DRAIN_SECONDS="${SPIKE_DRAIN_SECONDS:-60}"
if [ -n "${SPIKE_STEPS:-}" ]; then
  MEMBERS_TOTAL=$(python3 -c "print(int(sum(float(r) * $STEP_SECONDS for r in '$SPIKE_STEPS'.split(','))))")
fi
[ "$MEMBERS_TOTAL" -le 3000 ] || { echo "at most 3,000 members (50 schools of 60)" >&2; exit 2; }
SCHOOLS=$(( (MEMBERS_TOTAL + 59) / 60 ))
RATE=$(( MEMBERS_TOTAL / (MINUTES * 60 / 2) + 1 ))  # all started in the first half
OUT="var/spike/${SPIKE_LABEL:-run}"
LOCUST=var/locust-venv/bin/locust
[ -x "$LOCUST" ] || { python3 -m venv var/locust-venv && var/locust-venv/bin/pip install -q -r benchmarks/requirements.txt; }
mkdir -p "$OUT"
export DJANGO_DEBUG=false FIELD_ENCRYPTION_KEY="${FIELD_ENCRYPTION_KEY:-dev-only-insecure-key-never-used-in-production-0123456789abcdef}" DJANGO_SECRET_KEY="benchmark-only-$(printf 'x%.0s' {1..40})" \
  DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false DJANGO_LOG_LEVEL=WARNING \
  AXES_FAILURE_LIMIT=1000 OTP_REQUIRED=false REDIS_URL PORTAL_BENCHMARK_MODE=true \
  RATE_LIMITS="${RATE_LIMITS:-sign-in=100000/m}"
count_this_week() {
  .venv/bin/python manage.py shell -v0 -c "
from committees.models import Barometer
from counseling.models import School, Semester
n = 0
for school in School.objects.filter(name__startswith='bench-'):
    s = Semester.objects.current(school)
    n += Barometer.objects.filter(semester=s, week=s.current_week()).count()
print(n)"
}
# This week's filings of the bench schools are removed first, so that every member files
# anew and the rows can be counted exactly (bench data only: names start with bench-).
.venv/bin/python manage.py shell -v0 -c "
from committees.models import Barometer
from counseling.models import School, Semester
for school in School.objects.filter(name__startswith='bench-'):
    s = Semester.objects.current(school)
    Barometer.objects.filter(semester=s, week=s.current_week()).delete()"
before=$(count_this_week)
sessions=""
if [ -z "${SPIKE_SIGN_IN:-}" ]; then
  sessions="$OUT/sessions.txt"
  .venv/bin/python benchmarks/spike/make_sessions.py "$MEMBERS_TOTAL" "$sessions"
fi
.venv/bin/python manage.py collectstatic --noinput -v0
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
web_db="$DATABASE_URL"
if [ -n "${SPIKE_PGBOUNCER:-}" ]; then
  [ -x /usr/sbin/pgbouncer ] || scripts/system-packages.sh bench
  # PgBouncer refuses to run as root; as postgres it reads this checkout's config.
  as=(); [ "$(id -u)" = 0 ] && as=(-u postgres)
  /usr/sbin/pgbouncer "${as[@]}" benchmarks/spike/pgbouncer.ini > "$OUT/pgbouncer.log" 2>&1 &
  pids+=($!)
  sleep 1
  web_db="${DATABASE_URL/:5432\//:6432/}"
  psql "$web_db" -Atc "SELECT 1" > /dev/null
fi
DJANGO_PGBOUNCER="${SPIKE_PGBOUNCER:+true}" DATABASE_URL="$web_db" \
  .venv/bin/gunicorn counseling.wsgi --bind 127.0.0.1:$PORT --workers "$WORKERS" --log-level warning \
  > "$OUT/gunicorn.log" 2>&1 &
pids+=($!); GUNICORN=$!
# CPU seconds the web workers used (utime + stime): unlike latencies, this hardly depends on
# how many other processes share the cores, so it sizes a machine of its own.
web_cpu() {
  local ticks=0 p
  for p in $GUNICORN $(pgrep -P $GUNICORN); do
    ticks=$(( ticks + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0) ))
  done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.1f", $1 / $2}'
}
.venv/bin/celery -A counseling worker --concurrency 1 --loglevel WARNING > "$OUT/celery.log" 2>&1 &
pids+=($!)
sleep 5
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt"
cpu_before=$(web_cpu)
if [ -n "${SPIKE_STEPS:-}" ]; then
  shape=(); steps_seconds=$(python3 -c "print(int(len('$SPIKE_STEPS'.split(',')) * $STEP_SECONDS + $DRAIN_SECONDS + 10))")
  time_limit=(-t "${steps_seconds}s")
else
  shape=(-u $(( MEMBERS_TOTAL + 4 )) -r "$RATE"); time_limit=(-t "${MINUTES}m")
fi
SPIKE_SCHOOLS=$SCHOOLS SPIKE_MEMBERS_TOTAL=$MEMBERS_TOTAL SPIKE_SESSIONS="$sessions" \
  SPIKE_STEPS="${SPIKE_STEPS:-}" SPIKE_STEP_SECONDS="$STEP_SECONDS" SPIKE_DRAIN_SECONDS="$DRAIN_SECONDS" \
  SPIKE_SAMPLES="$OUT/samples.csv" LOCUST_HOST=http://127.0.0.1:$PORT \
  "$LOCUST" -f benchmarks/spike/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  "${shape[@]}" "${time_limit[@]}" --csv "$OUT/locust" --only-summary > "$OUT/locust.log" 2>&1 || true
tail -25 "$OUT/locust.log"
cpu_after=$(web_cpu)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
# The filings queued their alerts and notifications: give the worker time to drain them.
queue=""
for _ in $(seq 60); do
  queue=$(redis-cli -u "$REDIS_URL" llen celery)
  [ "$queue" = 0 ] && break
  sleep 5
done
after=$(count_this_week)
{
  python3 benchmarks/spike/summary.py "$OUT/samples.csv" "${SPIKE_STEPS:-}" "$STEP_SECONDS"
  echo
  echo "this week's barometers of the bench schools: $before before, $after after ($(( after - before )) new; members: $MEMBERS_TOTAL)"
  echo "Celery queue left in Redis: $queue"
  awk -v a="$cpu_after" -v b="$cpu_before" -v n=$(( after - before )) 'BEGIN {
    printf "web workers: %.1f CPU seconds during the run, %.3f a new barometer (staff pages included)\n", a - b, n ? (a - b) / n : 0 }'
  cat "$OUT/load.txt"
} | tee "$OUT/summary.md"
