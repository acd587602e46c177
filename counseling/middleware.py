from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """Sends a user with a one-time password to change it before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {
                reverse("password_change"),
                reverse("password_change_done"),
                reverse("logout"),
            }
            if request.path not in allowed and not request.path.startswith(
                ("/static/", "/accounts/two-factor/")
            ):
                return redirect("password_change")
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in person (minors' personal data) are never kept by a browser or
    a proxy cache: the back button after sign-out must not show them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class BadInputMiddleware:
    """Refuses, in one place, a NUL byte or an oversize value in any query parameter or
    posted field (names included) with a 400 page that says why, before a view or the
    database sees it (PostgreSQL rejects NUL in text with a server error). Limits:
    INPUT_MAX_QUERY_CHARS per query value, INPUT_MAX_FIELD_CHARS per posted field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = self.problem(request)
        if message:
            response = render(request, "400_input.html", {"message": message}, status=400)
            return response
        return self.get_response(request)

    @staticmethod
    def _first_bad(pairs, limit):
        for key, values in pairs:
            for value in (key, *values):
                if "\x00" in value:
                    return "nul"
                if len(value) > limit:
                    return "long"
        return None

    def problem(self, request):
        query_limit = settings.INPUT_MAX_QUERY_CHARS
        bad = self._first_bad(request.GET.lists(), query_limit)
        if bad == "nul":
            return _("The address contains a character that is not allowed (NUL).")
        if bad == "long":
            return _("A value in the address is too long (at most %(limit)s characters).") % {
                "limit": query_limit
            }
        if request.method != "POST":
            return None
        field_limit = settings.INPUT_MAX_FIELD_CHARS
        bad = self._first_bad(request.POST.lists(), field_limit)
        if bad is None:
            names = [(f.name or "", ()) for files in request.FILES.lists() for f in files[1]]
            bad = self._first_bad(names, 255)
        if bad == "nul":
            return _(
                "The form contains a character that is not allowed (NUL). "
                "Remove it and send the form again."
            )
        if bad == "long":
            return _("A field of the form is too long (at most %(limit)s characters).") % {
                "limit": field_limit
            }
        return None


def chosen_language(request):
    """The person's own setting, else the language cookie, else the portal's (Chinese).

    A browser's Accept-Language is not a choice: a Chinese school's portal opened in an
    English-language browser still starts in Chinese."""
    supported = dict(settings.LANGUAGES)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in supported:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(cookie) if cookie else None
    except LookupError:
        return None


class PersonLanguageMiddleware:
    """After authentication: the language the person chose (see chosen_language), and a
    switch in the footer stored on the person, so that it follows them to other devices."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method == "POST"
            and request.path == reverse("set_language")
            and user is not None
            and user.is_authenticated
            and response.status_code in (200, 302)
        ):
            wanted = request.POST.get("language", "")
            if wanted in dict(settings.LANGUAGES) and wanted != user.language:
                get_user_model().objects.filter(pk=user.pk).update(language=wanted)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
