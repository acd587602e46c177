#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into a database (replacing what it holds) and
# the uploaded files into the media folder. Asks for nothing: name the target explicitly.
#   DATABASE_URL=postgres://.../target ops/restore.sh var/backups/<time> [media folder]
set -euo pipefail
cd "$(dirname "$0")/.."
SRC="${1:?name the backup folder, e.g. var/backups/20261201T200000Z}"
: "${DATABASE_URL:?set DATABASE_URL to the database to restore into}"
MEDIA_ROOT="${2:-${DJANGO_MEDIA_ROOT:-var/media}}"
(cd "$SRC" && sha256sum --check --quiet SHA256SUMS)
pg_restore --clean --if-exists --no-owner --exit-on-error --dbname="$DATABASE_URL" "$SRC/db.dump"
mkdir -p "$MEDIA_ROOT"
tar -xzf "$SRC/media.tar.gz" -C "$MEDIA_ROOT"
echo "restored $SRC"
