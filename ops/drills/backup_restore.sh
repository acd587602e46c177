#!/usr/bin/env bash
# Drill: back up, restore into a scratch database, compare every table's row count and
# checksum, run a smoke test against the copy, and check that a known tier-3 text (a
# canary written just before) is not readable anywhere in the backup.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/counseling_h8_s1 ops/drills/backup_restore.sh
# SCRATCH_URL defaults to the same server's database <name>_scratch (dropped afterwards).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?set DATABASE_URL (a PostgreSQL database with bench data)}"
SCRATCH_URL="${SCRATCH_URL:-${DATABASE_URL%/*}/$(basename "${DATABASE_URL%%\?*}")_scratch}"
SCRATCH_DB="$(basename "${SCRATCH_URL%%\?*}")"
PY=.venv/bin/python
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
CANARY="CANARY-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
REF="drill-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
started=$(date +%s)

echo "1. a tier-3 canary in the source"
$PY manage.py shell -v0 -c "
from committees.models import Barometer, StudentOfConcern
b = Barometer.objects.order_by('pk').first()
StudentOfConcern.objects.create(barometer=b, student_ref='$REF', student_id_enc='1',
    kind='other', severity='watch', note='$CANARY')
"

echo "2. backup"
MEDIA_DIR="$WORK/media-src"; mkdir -p "$MEDIA_DIR/drill"; echo "upload" > "$MEDIA_DIR/drill/file.txt"
DJANGO_MEDIA_ROOT="$MEDIA_DIR" ops/backup.sh "$WORK/backup" > /dev/null
ls -l "$WORK/backup"

echo "3. restore into $SCRATCH_DB"
psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"$SCRATCH_DB\"" -c "CREATE DATABASE \"$SCRATCH_DB\" TEMPLATE template0 ENCODING 'UTF8'"
DATABASE_URL="$SCRATCH_URL" ops/restore.sh "$WORK/backup" "$WORK/media-restored" > /dev/null
cmp "$MEDIA_DIR/drill/file.txt" "$WORK/media-restored/drill/file.txt"

echo "4. every table: rows and checksum"
checksums() {
  psql "$1" -At -c "SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1" |
  while read -r t; do
    psql "$1" -At -c "SELECT '$t', count(*), md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) FROM \"$t\" x"
  done
}
checksums "$DATABASE_URL" > "$WORK/source.txt"
checksums "$SCRATCH_URL" > "$WORK/copy.txt"
tables=$(wc -l < "$WORK/source.txt"); rows=$(awk -F'|' '{s+=$2} END {print s}' "$WORK/source.txt")
if diff "$WORK/source.txt" "$WORK/copy.txt"; then
  echo "   $tables tables, $rows rows: identical"
else
  echo "FAIL: the copy differs"; exit 1
fi

echo "5. smoke test against the copy"
DATABASE_URL="$SCRATCH_URL" $PY manage.py shell -v0 -c "
from django.test import Client
from counseling.models import Role
from committees.models import StudentOfConcern
c = Client(HTTP_HOST='127.0.0.1')
# The copy's own parts: its database answers and nothing of its own is stuck (a restore
# brings no worker along, so the workers' heartbeat is not the copy's to give).
checks = c.get('/healthz').json()['checks']
assert checks['database'] == 'ok', checks
assert all(n == 0 for n in checks['stuck_jobs'].values()), checks
head = Role.objects.filter(kind='counselor', is_head=True).order_by('pk').first().user
c.force_login(head)
for url in ['/', '/committees/board/', '/audit/']:
    r = c.get(url, follow=True)
    assert r.status_code == 200, (url, r.status_code)
assert StudentOfConcern.objects.get(student_ref='$REF').note == '$CANARY'
print('   health, home, week board and audit pages answer; the canary decrypts with the key')
"

echo "6. the canary is not readable in the backup"
found=$(pg_restore -f - "$WORK/backup/db.dump" | grep -c "$CANARY" || true)
media=$(tar -xzOf "$WORK/backup/media.tar.gz" | grep -c "$CANARY" || true)
echo "   lines with the canary in clear: $found in the dump, $media in the media"
[ "$found" = 0 ] && [ "$media" = 0 ] || { echo "FAIL: tier-3 text readable in the backup"; exit 1; }

$PY manage.py shell -v0 -c "
from committees.models import StudentOfConcern
StudentOfConcern.objects.filter(student_ref='$REF').delete()"
psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"$SCRATCH_DB\""
echo "PASS in $(( $(date +%s) - started )) s"
