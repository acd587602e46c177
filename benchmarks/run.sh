#!/usr/bin/env bash
# `make bench`: build the bench databases once (1, 10 and 50 schools, this machine's own
# PostgreSQL; BENCH_DB_PREFIX names them), then regenerate the measured parts of
# benchmarks/RESULTS.md (page costs between its markers) and print the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
PREFIX="${BENCH_DB_PREFIX:-counseling_h8_s}"
SIZES="${BENCH_SIZES:-1 10 50}"
args=()
for n in $SIZES; do
  url="$SERVER/$PREFIX$n"
  if ! psql "$url" -Atc "SELECT 1" > /dev/null 2>&1; then
    psql "$SERVER/postgres" -qc "CREATE DATABASE \"$PREFIX$n\" TEMPLATE template0 ENCODING 'UTF8'"
  fi
  DATABASE_URL="$url" .venv/bin/python manage.py migrate -v0
  DATABASE_URL="$url" .venv/bin/python manage.py make_bench_data --schools "$n" --seed 2026 --today 2026-12-01
  args+=(--size "$n=$url")
done
.venv/bin/python benchmarks/hashing.py 10
last="${args[-1]#*=}"
DATABASE_URL="$last" .venv/bin/python benchmarks/audit_explain.py | grep '^|'
.venv/bin/python benchmarks/pages.py "${args[@]}" --rounds "${BENCH_ROUNDS:-10}" --results benchmarks/RESULTS.md
# BENCH_LARGE=1: a database with one 600-class school, its pages written to their own block.
if [ -n "${BENCH_LARGE:-}" ]; then
  url="$SERVER/${PREFIX}L"
  psql "$url" -Atc "SELECT 1" > /dev/null 2>&1 ||
    psql "$SERVER/postgres" -qc "CREATE DATABASE \"${PREFIX}L\" TEMPLATE template0 ENCODING 'UTF8'"
  DATABASE_URL="$url" .venv/bin/python manage.py migrate -v0
  DATABASE_URL="$url" .venv/bin/python manage.py make_bench_data --schools 0 --large-schools 1 --seed 2026 --today 2026-12-01
  .venv/bin/python benchmarks/pages.py --size "600c=$url" --school L001 --rounds "${BENCH_ROUNDS:-10}" \
    --results benchmarks/RESULTS.md --block pages-600c
fi
if [ -n "${BENCH_SPIKE:-}" ]; then DATABASE_URL="$last" benchmarks/spike/run.sh "$BENCH_SPIKE" 5; fi
