"""One rate limiter for the portal: django-ratelimit's counters on Django's cache (Redis in
production, shared by every worker; in memory, per process, without it).

A view takes one line::

    from counseling.ratelimit import limit

    @limit("letters", rate="10/h")              # per signed-in user, else per address
    def letter_new(request): ...

    @limit("sign-in", rate="20/10m", key="ip")  # per client address

Only POSTs count unless `method=None`. Over the limit the view is not called: the person
gets a 429 page that says to wait a little. Code that must decide itself (a form error
instead of a page) calls `is_limited(request, group, rate, key=...)`, which counts too.
The rate of each group may be overridden with `settings.RATE_LIMITS = {"letters": "5/h"}`
(environment variable RATE_LIMITS, e.g. "letters=5/h,sign-in=50/10m").

Keys: "user" (the signed-in account), "ip" (counseling.http.client_ip: the address past
the configured number of trusted proxies, never a header the client chose), "user_or_ip".
They are keyed hashes before they reach the cache: it never holds who did what.

When the cache is down (Redis unreachable) the limiter fails open: the action goes through
and a warning is logged. Sign-in keeps its lockout in the database (django-axes), feedback
keeps one answer per device in the database, and a student writing a letter or booking a
consultation must not be refused because a cache is down. `fail_open=False` refuses instead
(the 429 page), for an action where a flood costs more than an outage.
"""

import functools
import logging

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from counseling.crypto import keyed_hash
from counseling.http import client_ip

log = logging.getLogger(__name__)

KEYS = {
    "user": lambda request: f"user:{request.user.pk}",
    "ip": lambda request: f"ip:{client_ip(request) or ''}",
    "user_or_ip": lambda request: (
        f"user:{request.user.pk}"
        if getattr(request, "user", None) is not None and request.user.is_authenticated
        else f"ip:{client_ip(request) or ''}"
    ),
}


def rate_of(group, default):
    return (getattr(settings, "RATE_LIMITS", None) or {}).get(group, default)


def is_limited(request, group, rate, *, key="user_or_ip", method="POST", fail_open=True):
    """Count this request in `group` and say whether it is over `rate` ("N/period")."""
    if method and request.method not in ([method] if isinstance(method, str) else method):
        return False
    return over(group, rate, KEYS[key](request), fail_open=fail_open)


def over(group, rate, who, *, fail_open=True):
    """Count one attempt of `who` ("user:<pk>" or "ip:<address>") in `group` and say whether
    it is over `rate`: for a service that has a person or an address but no request."""
    value = keyed_hash(f"{group}:{who}")
    try:
        return is_ratelimited(
            None,
            group=group,
            key=lambda _group, _request: value,
            rate=rate_of(group, rate),
            method=is_ratelimited.ALL,
            increment=True,
        )
    except Exception:  # the cache is unreachable: decided in the module docstring
        log.warning(
            "rate limiter: cache unreachable, %s %s", group, "open" if fail_open else "closed"
        )
        return not fail_open


def limit(group, rate, *, key="user_or_ip", method="POST", fail_open=True):
    """Decorator: a 429 page instead of the view once `group`'s rate is passed."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if is_limited(request, group, rate, key=key, method=method, fail_open=fail_open):
                return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def reset(group, rate, who):
    """Forget the current count of `who` ("user:<pk>" or "ip:<address>") in `group`: for
    support staff after a false alarm, and for tests (the cache outlives a transaction)."""
    from django.core.cache import cache
    from django_ratelimit.core import _get_window, _make_cache_key, _split_rate

    rate = rate_of(group, rate)
    value = keyed_hash(f"{group}:{who}")
    window = _get_window(value, _split_rate(rate)[1])
    cache.delete(_make_cache_key(group, window, rate, value, is_ratelimited.ALL))
