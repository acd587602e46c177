"""Signed-in sessions for the Monday spike's members, made before the run.

A member who ticked "this is my phone" signed in weeks ago and is still signed in on
Monday, so the realistic spike is filings, not sign-ins. This makes those sessions the way
the sign-in page would (Django's login(), the portal's signals, the semester-long expiry
of PortalLoginView), without hashing 3,000 passwords inside the measured run.

    DATABASE_URL=... DJANGO_SECRET_KEY=<gunicorn's> python benchmarks/spike/make_sessions.py \
        3000 var/spike/sessions.txt

The secret key must be the one the server runs with: the session's auth hash depends on it.
Writes one `username session-key` line per member, in the locustfile's order.
"""

import datetime
import os
import sys
import time
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counseling.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.base import VALID_KEY_CHARS  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from counseling.sessions import REFRESHED_KEY, may_stay_signed_in  # noqa: E402

SCHOOLS, MEMBERS = 50, 60  # as the locustfile numbers them


def member_names(total):
    names = [
        f"bench-s{s:03d}-m{m:02d}" for s in range(1, SCHOOLS + 1) for m in range(1, MEMBERS + 1)
    ]
    return names[:total]


def main():
    total, out = int(sys.argv[1]), Path(sys.argv[2])
    names = member_names(total)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    missing = [n for n in names if n not in users]
    if missing:
        raise SystemExit(f"{len(missing)} member accounts missing, e.g. {missing[0]}")
    started = time.monotonic()
    # One real sign-in (login(), the portal's signals, the semester-long expiry of
    # PortalLoginView) gives the session's shape; the others copy it with their own
    # account's id and auth hash, written in one INSERT: a sign-in's audit row and its
    # chain lock cost about a third of a second each on the loaded bench machine, and they
    # belong to weeks ago, not to Monday.
    client = Client()
    client.force_login(users[names[0]], backend="django.contrib.auth.backends.ModelBackend")
    shape = dict(client.session.items())
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expire = timezone.now() + datetime.timedelta(seconds=settings.SESSION_REMEMBER_SECONDS)
    rows, lines = [], []
    for name in names:
        user = users[name]
        if not may_stay_signed_in(user):
            raise SystemExit(f"{name} could not tick 'this is my phone'")
        data = {
            **shape,
            SESSION_KEY: user._meta.pk.value_to_string(user),
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            REFRESHED_KEY: int(time.time()),
            "_session_expiry": settings.SESSION_REMEMBER_SECONDS,  # what set_expiry() stores
        }
        key = get_random_string(32, VALID_KEY_CHARS)  # as Django makes them
        rows.append(Session(session_key=key, session_data=store().encode(data), expire_date=expire))
        lines.append(f"{name} {key}")
    Session.objects.bulk_create(rows, batch_size=500)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} sessions in {time.monotonic() - started:.1f} s -> {out}")


if __name__ == "__main__":
    main()
