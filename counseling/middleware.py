from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation


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
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


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
