#!/usr/bin/env bash
# Back up the portal: the database (pg_dump custom format) and the uploaded files, into
# var/backups/<UTC time>/ with a checksum list. Tier-3 data stays encrypted in the dump:
# keep FIELD_ENCRYPTION_KEY with the backups, apart from them, or they cannot be read.
#   DATABASE_URL=postgres://... ops/backup.sh [target folder]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "backup needs PostgreSQL" >&2; exit 2;; esac
MEDIA_ROOT="${DJANGO_MEDIA_ROOT:-var/media}"
DEST="${1:-var/backups/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$DEST"
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$DEST/db.dump"
if [ -d "$MEDIA_ROOT" ]; then
  tar -czf "$DEST/media.tar.gz" -C "$MEDIA_ROOT" .
else
  tar -czf "$DEST/media.tar.gz" --files-from /dev/null
fi
(cd "$DEST" && sha256sum db.dump media.tar.gz > SHA256SUMS)
echo "$DEST"
