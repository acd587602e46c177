"""Sessions written only when they must be, and members kept signed in on their own phones.

Django's SESSION_SAVE_EVERY_REQUEST wrote the session row on every request (an UPDATE
and its transaction: 3 of the floor page's 10 queries) just to push the idle deadline
forward. The middleware below pushes it at most once per SESSION_REFRESH_SECONDS, so an
idle session ends between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and
SESSION_COOKIE_AGE after the last request.
"""

import time

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from counseling.permissions import access_of

REFRESHED_KEY = "_refreshed_at"


class SessionRefreshMiddleware:
    """Renews a signed-in session's expiry when it is older than the refresh interval."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Never create a session for an anonymous visitor, and leave a session that the
        # view already changed (it is saved anyway) or flushed (sign-out) alone.
        if (
            session is None
            or user is None
            or not user.is_authenticated
            or session.modified
            or not session.session_key
        ):
            return response
        now = int(time.time())
        if now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED_KEY] = now  # marks it modified: saved with a new expiry
        return response


def may_stay_signed_in(user):
    """Only a committee member with no staff role keeps a session for the semester.

    Staff (counselors, administrators, liaisons, teachers) read sensitive data on shared
    office computers, so their sessions stay short whatever they tick.
    """
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    access = access_of(user)
    staff = (
        access.school_admin_school_ids
        or access.counselor_school_ids
        or access.liaison_department_ids
        or access.teacher_class_ids
    )
    return bool(access.member_class_ids) and not staff


class PortalAuthenticationForm(AuthenticationForm):
    remember = forms.BooleanField(
        label=_("This is my own phone: keep me signed in for the semester"),
        help_text=_("For committee members only; staff accounts always sign out after a while."),
        required=False,
    )


class PortalLoginView(auth_views.LoginView):
    form_class = PortalAuthenticationForm

    def form_valid(self, form):
        response = super().form_valid(form)
        session = self.request.session
        if form.cleaned_data.get("remember") and may_stay_signed_in(form.get_user()):
            session.set_expiry(settings.SESSION_REMEMBER_SECONDS)
        session[REFRESHED_KEY] = int(time.time())
        return response
