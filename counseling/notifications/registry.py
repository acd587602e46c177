"""The kinds of notification, declared by the apps that send them.

A kind says which outside channels reach a person when that person has not chosen
(the inbox always does). Apps register their kinds at start-up, in AppConfig.ready().
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

KEY_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
KEY_MAX_LENGTH = 100


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    email: bool = False
    webhook: bool = False
    # A sensitive kind (anything naming a student of concern, a case, a letter) never goes
    # to a group robot: the robot posts into a group chat that many people read.
    sensitive: bool = False
    description: str = ""

    def default(self, channel):
        """Whether the channel ("email" or "webhook") reaches a person who has not chosen."""
        if channel == "webhook" and self.sensitive:
            return False
        return bool(getattr(self, channel))

    def allows(self, channel):
        return not (channel == "webhook" and self.sensitive)


_kinds: dict[str, Kind] = {}


def register_kind(key, *, label, email=False, webhook=False, sensitive=False, description=""):
    """Declare a kind, "app.name", with its default channels. Returns the Kind.

    Registering the same key again with the same definition is harmless (ready() may run
    more than once in tests); a different definition under a taken key is a mistake.
    """
    if not KEY_RE.match(key) or len(key) > KEY_MAX_LENGTH:
        raise ImproperlyConfigured(f"notification kind {key!r} must look like 'app.name'")
    if sensitive and webhook:
        raise ImproperlyConfigured(f"sensitive notification kind {key!r} cannot use the webhook")
    kind = Kind(key, label, email, webhook, sensitive, description)
    existing = _kinds.get(key)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"notification kind {key!r} is already registered otherwise")
    _kinds[key] = kind
    return kind


def get_kind(key):
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"unknown notification kind {key!r}; register it first") from None


def kinds():
    """Every registered kind, in a stable order for pages."""
    return sorted(_kinds.values(), key=lambda k: k.key)


# The core's own kind, for notices that belong to no feature app.
register_kind(
    "counseling.notice",
    label=_("Notices from the portal"),
    email=True,
    description=_("Messages about your account and the portal itself."),
)
