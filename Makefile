# Two commands for a new user: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev lint format messages services-up prod-local clean db-roles

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup-dev
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(STAMPS)/python $(STAMPS)/system-run
setup-dev: setup $(STAMPS)/python-dev $(STAMPS)/system-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMPS)/python: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/python-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/system-run: scripts/system-packages.sh
	scripts/system-packages.sh run
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/system-test: scripts/system-packages.sh
	scripts/system-packages.sh test
	@mkdir -p $(STAMPS) && touch $@

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract translatable strings after changing them, then translate locale/*/django.po.
messages: setup
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# The production way, locally: gunicorn, a Celery worker and Celery beat against the
# real PostgreSQL and Redis (started if they are not running). Ctrl-C stops all three.
prod-local: setup
	scripts/services-up.sh
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/counseling} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	scripts/prod-local.sh

# The application's database role, which does not own the audit table (README, Operations).
# DATABASE_URL: the owner's connection; DB_APP_ROLE / DB_APP_PASSWORD: the role to create.
db-roles:
	psql "$${DATABASE_URL:?set DATABASE_URL to the table owner's connection}" -v ON_ERROR_STOP=1 \
		-v app_role="$${DB_APP_ROLE:-counseling_app}" -v app_password="$${DB_APP_PASSWORD:-}" \
		-f scripts/db-roles.sql

clean:
	rm -rf $(VENV) $(STAMPS) var

# Backups (PostgreSQL only): the database as pg_dump's custom format plus the uploaded files,
# into var/backups/<time>/. `make restore BACKUP=var/backups/<time>` puts one back into
# DATABASE_URL. ops/drills/backup_restore.sh proves a backup restores whole.
.PHONY: backup restore bench drills
backup:
	ops/backup.sh

restore:
	@test -n "$(BACKUP)" || { echo "name the backup: make restore BACKUP=var/backups/<time>"; exit 2; }
	ops/restore.sh $(BACKUP)

# Regenerates benchmarks/RESULTS.md (bench databases built once; see benchmarks/README.md).
bench: setup
	scripts/system-packages.sh bench
	benchmarks/run.sh

# DATABASE_URL: a database with bench data; the PostgreSQL drill copies it into a
# throwaway cluster of its own (SOURCE_URL), never restarting the server it came from.
drills:
	ops/drills/backup_restore.sh
	ops/drills/redis_faults.sh
	ops/drills/lost_queue.sh
	ops/drills/killed_worker.sh
	ops/drills/beat_restart.sh
	SOURCE_URL="$${SOURCE_URL:-$$DATABASE_URL}" ops/drills/postgres_restart.sh
