"""A lease held by another database session: a live worker somewhere else."""

import contextlib

from django.db import connection

from counseling import jobs


@contextlib.contextmanager
def held_elsewhere(kind, pk):
    import psycopg2

    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", jobs.Lease(kind, pk).keys)
        yield
    finally:
        other.close()
