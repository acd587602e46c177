#!/usr/bin/env bash
# gunicorn + Celery worker + Celery beat (+ the notification re-queuer), as in production.
set -eu
cd "$(dirname "$0")/.."
export DJANGO_DEBUG=${DJANGO_DEBUG:-false}
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-local-production-trial-$(hostname)-not-secret}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
# Locally there is no HTTPS proxy in front; a real deployment leaves these on.
export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-false}
BIN=.venv/bin
$BIN/python manage.py migrate --noinput
$BIN/python manage.py collectstatic --noinput -v0
$BIN/python manage.py load_demo
trap 'kill 0' INT TERM EXIT
$BIN/celery -A counseling worker --loglevel=INFO --concurrency=2 &
$BIN/celery -A counseling beat --loglevel=INFO --schedule=var/celerybeat-schedule &
$BIN/python manage.py requeue_notifications --loop 60 &
$BIN/gunicorn counseling.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile - &
wait
