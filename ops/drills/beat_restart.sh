#!/usr/bin/env bash
# Drill: the beat process killed and started again. Beat fires every reminder task every
# BEAT_DRILL_SECONDS (2 s here, not daily), so each task's day is sent many times: by the
# first beat, killed (-9) in the middle of its first round of sending, and by the second
# one started after it. Every task runs once a day (a ScheduledRun row claimed under a
# lease); the reminders keep their sent-markers besides. Passes when each day's run exists
# once, done in one attempt, and no one got a reminder twice.
# A PRIVATE Redis on port 6396. The database gets meetings and lecture sessions moved to
# tomorrow (use a scratch or bench database, never production's).
#   DATABASE_URL=postgres://.../counseling_scale ops/drills/beat_restart.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?a PostgreSQL database with demo or bench data}"
RPORT="${DRILL_REDIS_PORT:-6396}"
export BEAT_DRILL_SECONDS="${BEAT_DRILL_SECONDS:-2}"
AFTER_RESTART="${DRILL_AFTER_RESTART_SECONDS:-20}"
source ops/drills/_lib.sh
BEAT_PID=""
beat_start() {
  setsid .venv/bin/celery -A counseling beat --loglevel=INFO \
    --schedule "$DRILL_TMP/beat-schedule" >> "$DRILL_TMP/beat.log" 2>&1 &
  BEAT_PID=$!
}
cleanup() {
  [ -n "$BEAT_PID" ] && kill -KILL -- "-$BEAT_PID" 2>/dev/null || true
  drill_cleanup
}
trap cleanup EXIT
redis_start
START=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)

echo "1. events tomorrow, and today's runs forgotten"
pyq "
import datetime
from django.utils import timezone
from committees.network.models import Meeting
from counseling.scheduled.models import ScheduledRun
from lectures.events.models import LectureSession
tomorrow = timezone.localdate() + datetime.timedelta(days=1)
meetings = list(Meeting.objects.order_by('pk').values_list('pk', flat=True)[:5])
Meeting.objects.filter(pk__in=meetings).update(date=tomorrow, status='planned', reminder_sent_at=None)
sessions = list(LectureSession.objects.order_by('pk').values_list('pk', flat=True)[:5])
LectureSession.objects.filter(pk__in=sessions).update(date=tomorrow, status='planned', reminder_sent_at=None)
ScheduledRun.objects.filter(slot=timezone.localdate()).delete()
print(f'   {len(meetings)} meetings and {len(sessions)} lecture sessions tomorrow')"

echo "2. a worker, and beat firing every $BEAT_DRILL_SECONDS s"
worker_start
beat_start
runs() {  # -> "rows running done"
  pyq "
from django.utils import timezone
from counseling.scheduled.models import ScheduledRun
r = ScheduledRun.objects.filter(slot=timezone.localdate())
print(r.count(), r.filter(status='running').count(), r.filter(status='done').count())"
}
sent() { grep -c "Sending due task" "$DRILL_TMP/beat.log" || true; }
for _ in $(seq 600); do  # the first message of beat's first round is out: kill it there
  [ "$(sent)" -gt 0 ] && break
  sleep 0.1
done
kill -KILL -- "-$BEAT_PID"; BEAT_PID=""
before=$(sent)
read -r n running done_ < <(runs)
echo "3. kill -9 beat mid-round, $before of its first 4 messages out: $n of the day's runs" \
  "started, $running running, $done_ done"
sleep 1
beat_start
echo "4. beat started again; it keeps firing for $AFTER_RESTART s"
sleep "$AFTER_RESTART"
kill -TERM -- "-$BEAT_PID" 2>/dev/null || true; sleep 1; BEAT_PID=""
for _ in $(seq 120); do  # the queue drained and nothing running
  [ "$(redis-cli -p "$RPORT" llen celery)" = 0 ] && read -r n running _d < <(runs) \
    && [ "$running" = 0 ] && break
  sleep 1
done
worker_stop
fired=$(sent)

echo "5. count"
read -r rows done_ once reminders recipients twice < <(pyq "
from django.db.models import Count
from django.utils import timezone
from counseling.notifications.models import Notification
from counseling.scheduled.models import ScheduledRun
r = ScheduledRun.objects.filter(slot=timezone.localdate())
n = Notification.objects.filter(created_at__gte='$START', kind__endswith='reminder')
by = n.values('recipient', 'kind', 'title', 'url').annotate(c=Count('id'))
print(r.count(), r.filter(status='done').count(), r.filter(attempts=1).count(),
      n.count(), by.count(), by.filter(c__gt=1).count())")
pyq "
from django.db.models import Count
from counseling.notifications.models import Notification
n = Notification.objects.filter(created_at__gte='$START', kind__endswith='reminder')
for row in n.values('kind').annotate(c=Count('id')).order_by('kind'):
    print('   ', row['kind'], row['c'])"
load=$(cut -d' ' -f1-3 /proc/loadavg)
ok=PASS
if [ "$rows" != 4 ] || [ "$done_" != 4 ] || [ "$once" != 4 ] || [ "$twice" != 0 ] \
  || [ "$reminders" = 0 ] || [ "$fired" -le 8 ]; then ok=FAIL; fi
echo "| date | beat messages sent | day's runs (done, in 1 attempt) | reminders | recipients×event | sent twice | load | result |"
echo "|---|---|---|---|---|---|---|---|"
echo "| $(date -u +%Y-%m-%d) | $fired | $rows ($done_, $once) | $reminders | $recipients | $twice | $load | $ok |"
[ "$ok" = PASS ]
