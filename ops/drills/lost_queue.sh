#!/usr/bin/env bash
# Drill: Redis loses its queue. Export jobs and e-mail deliveries are queued, the queue is
# wiped (FLUSHALL) before any worker takes them, then a worker starts and reconcile_jobs
# runs every minute as cron would. Passes when every job is done (each file made once,
# each mail sent) within 5 minutes of the loss. A PRIVATE Redis on port 6391.
#   DATABASE_URL=postgres://.../counseling_scale ops/drills/lost_queue.sh
# The database needs a school with bench data (make_bench_data --schools 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?a PostgreSQL database with bench data}"
RPORT="${DRILL_REDIS_PORT:-6391}"
CRON_SECONDS="${DRILL_CRON_SECONDS:-60}"
BOUND=300
source ops/drills/_lib.sh
trap drill_cleanup EXIT
redis_start
REF="drill-$(date +%s)"

echo "1. queue export jobs and mails (no worker running)"
pyq "
from django.db import transaction
from counseling.models import Role, Semester, SchoolClass
from counseling.exports.services import request_export
from counseling.notifications import notify
head = Role.objects.filter(kind='counselor', is_head=True).order_by('pk').first()
for s in Semester.objects.filter(school=head.school).order_by('pk'):
    for n in range(3):
        request_export(head.user, 'committees.register', {'semester': s.pk, 'drill': '$REF', 'n': n})
teachers = [c.class_teacher for c in SchoolClass.objects.filter(department__school=head.school).order_by('pk')[:10]]
for t in teachers:
    if not t.email:
        t.email = f'{t.username}@drill.invalid'
        t.save(update_fields=['email'])
with transaction.atomic():
    notify(teachers, 'committees.meeting_changed', '演练 $REF')
"
queued=$(redis-cli -p "$RPORT" llen celery)
echo "   $queued messages in the queue"

echo "2. FLUSHALL: the queue is lost"
redis-cli -p "$RPORT" flushall > /dev/null
lost_at=$(date +%s)
worker_start
status() {
  pyq "
from counseling.exports.models import ExportJob
from counseling.notifications.models import Delivery
j = ExportJob.objects.filter(params__drill='$REF')
d = Delivery.objects.filter(notification__title='演练 $REF')
print(j.filter(status='done').count(), j.count(), d.filter(status='sent').count(), d.count())"
}
sleep 15
read -r jd jn dd dn < <(status)
echo "   15 s later, with a worker: exports $jd/$jn done, mails $dd/$dn sent (nothing comes by itself)"

echo "3. reconcile_jobs every $CRON_SECONDS s, as cron"
next_cron=$(date +%s)
while :; do
  now=$(date +%s)
  if [ "$now" -ge "$next_cron" ]; then
    $PY manage.py reconcile_jobs | sed "s/^/   [$((now - lost_at)) s] /"
    next_cron=$((now + CRON_SECONDS))
  fi
  read -r jd jn dd dn < <(status)
  [ "$jd" = "$jn" ] && [ "$dd" = "$dn" ] && break
  [ $((now - lost_at)) -gt "$BOUND" ] && break
  sleep 5
done
took=$(( $(date +%s) - lost_at ))
files=$({ find "$DJANGO_MEDIA_ROOT/exports" -type f 2>/dev/null || true; } | wc -l)
attempts=$(pyq "
from counseling.exports.models import ExportJob
print(sorted(set(ExportJob.objects.filter(params__drill='$REF').values_list('attempts', flat=True))))")
echo "   exports $jd/$jn done ($files files, attempts $attempts), mails $dd/$dn sent, $took s after the loss"
if [ "$jd" = "$jn" ] && [ "$dd" = "$dn" ] && [ "$files" = "$jn" ] && [ "$took" -le "$BOUND" ]; then
  echo "PASS: every job done within $took s of the lost queue"
else
  echo "FAIL"; exit 1
fi
