"""Request helpers shared by the apps."""

from django.conf import settings


def client_ip(request):
    """The client's address. Behind the school's reverse proxy (TRUSTED_PROXIES > 0) it is
    taken from X-Forwarded-For, counting from the right past the trusted proxies, since the
    left-hand entries are whatever the client chose to send."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None
