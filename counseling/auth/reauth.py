"""Re-authentication: a fresh second factor before reading tier 3 in bulk.

Use `require_recent_verification` on a view whose every request needs it, or
`is_recently_verified(request)` / `reverify(request)` where only some requests do
(the register's `?sensitive=1` export, breaking the glass in the consultation room)::

    from counseling.auth.reauth import is_recently_verified, reverify

    if sensitive and not is_recently_verified(request):
        return reverify(request)

"Recent" is `OTP_REAUTH_SECONDS` (default 5 minutes) since the person last entered a code.
With two-factor sign-in off (`OTP_REQUIRED=false`, the embedded demo) every request counts
as recently verified: there is no second factor to ask for.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from counseling.auth.policy import VERIFIED_AT


def is_recently_verified(request, seconds=None):
    if not settings.OTP_REQUIRED:
        return True
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_verified", lambda: False)()):
        return False
    at = request.session.get(VERIFIED_AT)
    limit = settings.OTP_REAUTH_SECONDS if seconds is None else seconds
    return at is not None and time.time() - at <= limit


def reverify(request):
    """Send the person to enter a fresh code, then back to where they were."""
    query = urlencode({"next": request.get_full_path(), "again": "1"})
    return redirect(f"{reverse('two-factor-verify')}?{query}")


def require_recent_verification(view):
    """The view runs only for someone who entered a code within OTP_REAUTH_SECONDS."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_recently_verified(request):
            return reverify(request)
        return view(request, *args, **kwargs)

    return wrapped
