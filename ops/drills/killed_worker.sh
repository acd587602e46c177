#!/usr/bin/env bash
# Drill: a worker killed in the middle of a PDF (the semester report, WeasyPrint). First
# kill -9 the pool's child: acks_late with reject_on_worker_lost puts the message back and
# the worker's new child makes the file. Then kill -9 the whole worker (main process and
# child): the message stays unacknowledged in Redis for the visibility timeout (an hour), so
# reconcile_jobs (every minute, as cron) sees the job's lease gone and queues it again for a
# new worker. Passes when each PDF exists once, within 2 minutes of its kill.
# A PRIVATE Redis on port 6392.
#   DATABASE_URL=postgres://.../counseling_scale ops/drills/killed_worker.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?a PostgreSQL database with bench data}"
RPORT="${DRILL_REDIS_PORT:-6392}"
CRON_SECONDS="${DRILL_CRON_SECONDS:-60}"
BOUND=120
source ops/drills/_lib.sh
trap drill_cleanup EXIT
redis_start
fail=0

ask_pdf() {  # semester index -> job id: a fresh draft of that semester's report, its PDF asked for
  pyq "
from counseling.models import Role, Semester
from counseling.exports.services import request_export
from reports.semester_report.exports import PDF
from reports.semester_report.models import ReportVersion
from reports.semester_report.services import start_report
head = Role.objects.filter(kind='counselor', is_head=True).order_by('pk').first()
semester = Semester.objects.filter(school=head.school).order_by('pk')[$1]
report = start_report(head.user, semester)
version = report.versions.order_by('-number').first()
from django.utils import timezone
ReportVersion.objects.filter(pk=version.pk).update(updated_at=timezone.now())  # a new file each run
version.refresh_from_db()
print(request_export(head.user, PDF, {'version': version.pk}).pk)"
}
job() {  # id -> "status attempts"
  pyq "
from counseling.exports.models import ExportJob
j = ExportJob.objects.get(pk=$1); print(j.status, j.attempts)"
}
wait_running() {
  for _ in $(seq 600); do
    read -r s _a < <(job "$1"); [ "$s" = running ] && return 0
    [ "$s" = done ] && { echo "   the PDF was made before the kill"; return 1; }
    sleep 0.2
  done
  return 1
}
files() { { find "$DJANGO_MEDIA_ROOT/exports" -type f -name "*.pdf" 2>/dev/null || true; } | wc -l; }
wait_done() {  # id, killed at, [reconcile] -> prints seconds
  local next=0 now s a
  while :; do
    now=$(date +%s)
    if [ -n "${3:-}" ] && [ "$now" -ge "$next" ]; then
      $PY manage.py reconcile_jobs --only exports | sed "s/^/   [$((now - $2)) s] /" >&2
      next=$((now + CRON_SECONDS))
    fi
    read -r s a < <(job "$1")
    [ "$s" = done ] && { echo "$((now - $2)) $a"; return; }
    [ $((now - $2)) -gt "$BOUND" ] && { echo "$((now - $2)) $a $s"; return; }
    sleep 1
  done
}
report() {  # label, seconds, attempts, files before
  local took=$2 attempts=$3 made=$(( $(files) - $4 )) ok=PASS
  if [ "$took" -gt "$BOUND" ] || [ "$made" != 1 ]; then ok=FAIL; fail=1; fi
  printf '| %s | done %s s after the kill | attempts %s | %s PDF | %s |\n' "$1" "$took" "$attempts" "$made" "$ok"
}

worker_start
echo "1. kill -9 the pool's child mid-PDF"
before=$(files)
id=$(ask_pdf 0)
wait_running "$id" || exit 1
child=$(pgrep -P "$WORKER_PID" | head -1)
kill -KILL "$child"; killed=$(date +%s)
read -r took attempts _ < <(wait_done "$id" "$killed")
row1=$(report "child killed (acks_late redelivery)" "$took" "$attempts" "$before")

echo "2. kill -9 the whole worker mid-PDF, start a new one, reconcile_jobs as cron"
before=$(files)
id=$(ask_pdf 1)
wait_running "$id" || exit 1
kill -KILL -- "-$WORKER_PID"; killed=$(date +%s); WORKER_PID=""
sleep 2
worker_start
read -r took attempts _ < <(wait_done "$id" "$killed" reconcile)
row2=$(report "whole worker killed (reconcile_jobs)" "$took" "$attempts" "$before")

echo "| kill | PDF | attempts | made | result |"
echo "|---|---|---|---|---|"
echo "$row1"; echo "$row2"
exit $fail
