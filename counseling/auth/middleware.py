"""Staff sessions: a second factor before any page, and idle and absolute limits."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from counseling.auth.policy import NEEDS_SECOND_FACTOR, SEEN_AT, SIGNED_IN_AT, STAFF

# How often the last-seen time is written back: not on every request of a busy page.
SEEN_RESOLUTION = 60


def _exempt(path):
    exempt = (
        reverse("two-factor-verify"),
        reverse("two-factor-enrol"),
        reverse("logout"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        "/i18n/",
    )
    return path.startswith(exempt)


class StaffSessionMiddleware:
    """After django_otp's OTPMiddleware. Reads only the session: no query per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            if session.get(STAFF):
                now = int(time.time())
                seen = session.get(SEEN_AT, now)
                signed_in = session.get(SIGNED_IN_AT, now)
                if (
                    now - seen > settings.STAFF_SESSION_IDLE_SECONDS
                    or now - signed_in > settings.STAFF_SESSION_MAX_SECONDS
                ):
                    logout(request)
                    return redirect_to_login(request.get_full_path())
                if now - seen >= SEEN_RESOLUTION:
                    session[SEEN_AT] = now
            if (
                settings.OTP_REQUIRED
                and session.get(NEEDS_SECOND_FACTOR)
                and not user.is_verified()
                and not _exempt(request.path)
            ):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('two-factor-verify')}?{query}")
        return self.get_response(request)
