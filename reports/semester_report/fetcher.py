"""What WeasyPrint may fetch while it makes a report: the portal's own static files, and
nothing else — no other file on the disk, no network address, no redirect.

URLs come as `https://portal.invalid/static/...` (the document's base URL, a host that
exists nowhere) or `file://` inside a static folder. The path is percent-decoded until it
no longer changes before it is checked, so `%2e%2e/` or `%252e%252e/` cannot climb out.
"""

import mimetypes
import os
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

BASE_URL = "https://portal.invalid/"


class Refused(ValueError):
    pass


def _decoded(path):
    for _ in range(5):
        again = unquote(path)
        if again == path:
            return path
        path = again
    raise Refused("too many levels of percent-encoding")


def static_roots():
    roots = [str(d) for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(str(settings.STATIC_ROOT))
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(str(location))
    return [os.path.realpath(r) for r in roots]


def _inside(path, roots):
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root + os.sep) for root in roots)


def static_file(url):
    """The file on disk a URL may name, or Refused."""
    parts = urlsplit(url)
    path = _decoded(parts.path)
    if "\x00" in path or "\\" in path:
        raise Refused(f"refused {url!r}")
    roots = static_roots()
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not _inside(path, roots):
            raise Refused(f"refused {url!r}: not a static file")
        return os.path.realpath(path)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        raise Refused(f"refused {url!r}: no network")
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        raise Refused(f"refused {url!r}: not under {prefix}")
    relative = path[len(prefix) :]
    if any(part in ("..", "") for part in relative.split("/")):
        raise Refused(f"refused {url!r}: traversal")
    found = finders.find(relative)
    if not found and settings.STATIC_ROOT:
        found = os.path.join(settings.STATIC_ROOT, relative)
    if not found or not os.path.isfile(found) or not _inside(found, roots):
        raise Refused(f"refused {url!r}: no such static file")
    return os.path.realpath(found)


class StaticOnlyFetcher(URLFetcher):
    """A URLFetcher that opens nothing itself: it reads the file `static_file` allows."""

    def __init__(self):
        super().__init__(allow_redirects=False, allowed_protocols=("https", "file"))

    def fetch(self, url, headers=None):
        path = static_file(url)
        with open(path, "rb") as handle:
            body = handle.read()
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": kind})
