#!/usr/bin/env bash
# The Monday spike, bounded: gunicorn (production settings) on 127.0.0.1, Locust on
# loopback, then the rows checked in the database.
#   DATABASE_URL=postgres://.../counseling_h8 benchmarks/spike/run.sh [members] [minutes]
# members: how many of the 3,000 accounts file (default 3000); a 60-member school each.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?a database filled by make_bench_data}"
MEMBERS_TOTAL="${1:-3000}"; MINUTES="${2:-5}"
PORT="${SPIKE_PORT:-8810}"; WORKERS="${SPIKE_WORKERS:-2}"
SCHOOLS=$(( (MEMBERS_TOTAL + 59) / 60 ))
RATE=$(( MEMBERS_TOTAL / (MINUTES * 60 / 2) + 1 ))  # all started in the first half
LOCUST=var/locust-venv/bin/locust
[ -x "$LOCUST" ] || { python3 -m venv var/locust-venv && var/locust-venv/bin/pip install -q -r benchmarks/requirements.txt; }
mkdir -p var/spike
export DJANGO_DEBUG=false FIELD_ENCRYPTION_KEY="${FIELD_ENCRYPTION_KEY:-dev-only-insecure-key-never-used-in-production-0123456789abcdef}" DJANGO_SECRET_KEY="benchmark-only-$(printf 'x%.0s' {1..40})" \
  DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false DJANGO_LOG_LEVEL=WARNING \
  AXES_FAILURE_LIMIT=1000
# This week's filings of the bench schools are removed first, so that every member files
# anew and the rows can be counted exactly (bench data only: names start with bench-).
.venv/bin/python manage.py shell -v0 -c "
from committees.models import Barometer
from counseling.models import School, Semester
for school in School.objects.filter(name__startswith='bench-'):
    s = Semester.objects.current(school)
    Barometer.objects.filter(semester=s, week=s.current_week()).delete()"
before=$(.venv/bin/python manage.py shell -v0 -c "
from committees.models import Barometer
from counseling.models import School, Semester
n = 0
for school in School.objects.filter(name__startswith='bench-'):
    s = Semester.objects.current(school)
    n += Barometer.objects.filter(semester=s, week=s.current_week()).count()
print(n)")
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn counseling.wsgi --bind 127.0.0.1:$PORT --workers "$WORKERS" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
sleep 4
SPIKE_SCHOOLS=$SCHOOLS SPIKE_MEMBERS_TOTAL=$MEMBERS_TOTAL LOCUST_HOST=http://127.0.0.1:$PORT "$LOCUST" -f benchmarks/spike/locustfile.py \
  --headless --host "http://127.0.0.1:$PORT" -u $(( MEMBERS_TOTAL + 4 )) -r "$RATE" -t "${MINUTES}m" \
  --csv var/spike/run --only-summary 2>&1 | tail -30
after=$(.venv/bin/python manage.py shell -v0 -c "
from committees.models import Barometer
from counseling.models import School, Semester
n = 0
for school in School.objects.filter(name__startswith='bench-'):
    s = Semester.objects.current(school)
    n += Barometer.objects.filter(semester=s, week=s.current_week()).count()
print(n)")
echo "this week's barometers of the bench schools: $before before, $after after ($(( after - before )) new; members: $MEMBERS_TOTAL)"
