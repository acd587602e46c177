"""Celery beat's runs as rows: each daily run of a beat task is claimed once (services)."""
