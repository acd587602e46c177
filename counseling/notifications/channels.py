"""The outside channels: e-mail, and the group robots of WeCom (企业微信) and DingTalk (钉钉).

A sender raises DeliveryError when the channel failed and may work later (it is retried),
PermanentDeliveryError when trying again cannot help (no address, no robot).
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from counseling.notifications.registry import get_kind
from counseling.templatetags.portal import colon

WEBHOOK_TIMEOUT = 5  # seconds; a robot that does not answer by then has failed
EMAIL_TIMEOUT = 10  # seconds, when settings.EMAIL_TIMEOUT leaves SMTP waiting forever


class DeliveryError(Exception):
    """The channel failed; another attempt may succeed."""


class PermanentDeliveryError(DeliveryError):
    """Another attempt cannot succeed."""


def absolute_url(url):
    """A link for outside the portal: site-relative links get PORTAL_BASE_URL in front."""
    if not url or "://" in url:
        return url
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{url}" if base else ""


def _portal_language():
    # Mail and group messages are read outside anyone's session: the portal's language.
    return translation.override(settings.LANGUAGE_CODE)


def portal_domain():
    """The portal's host name from PORTAL_BASE_URL, for Message-IDs (never "localhost")."""
    host = urllib.parse.urlsplit(getattr(settings, "PORTAL_BASE_URL", "") or "").hostname
    return host or "counseling-portal.invalid"


def send_email(notification, delivery=None):
    """A plain-text and an HTML part, in the recipient's language, marked as automatic
    (Auto-Submitted, so that out-of-office replies stay away), with a Message-ID of the
    portal's own domain."""
    user = notification.recipient
    if not user.email:
        raise PermanentDeliveryError(_("The recipient has no e-mail address."))
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        link = absolute_url(notification.url)
        footer = _("You can choose which notifications reach you by e-mail in the portal.")
        subject = f"{colon(_('Counseling portal'))}{notification.title}"
        lines = [notification.body] if notification.body else []
        if link:
            lines.append(link)
        lines += ["", footer]
        text = "\n\n".join(lines).strip() + "\n"
        html = render_to_string(
            "notifications/email.html",
            {
                "notification": notification,
                "link": link,
                "footer": footer,
                "subject": subject,
                "language": translation.get_language(),
            },
        )
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT
    message = EmailMultiAlternatives(
        subject,
        text,
        None,
        [user.email],
        connection=get_connection(timeout=timeout),
        headers={
            "Message-ID": make_msgid("notification", domain=portal_domain()),
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:  # SMTP and socket errors alike: try again later
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


# Caps in bytes of UTF-8, as the robots count them (a Chinese character is three).
BYTE_CAPS = {"wecom": 2048, "dingtalk": 20000}
ELLIPSIS = "…"


def fit_bytes(text, cap):
    """The text cut to at most `cap` bytes of UTF-8, on a character boundary, with "…"."""
    data = text.encode("utf-8")
    if len(data) <= cap:
        return text
    room = cap - len(ELLIPSIS.encode("utf-8"))
    return data[: max(room, 0)].decode("utf-8", errors="ignore").rstrip() + ELLIPSIS


def webhook_text(notification, channel=None):
    """The group message: what happened and the link, naming no one (a group reads it).

    Cut to the channel's cap in UTF-8 bytes; the link is kept whole at the end, and a
    DingTalk keyword, when the robot needs one, at the start.
    """
    with _portal_language():
        head = notification.title
        if notification.body:
            head = f"{head}\n{notification.body}"
        link = absolute_url(notification.url)
    return compose(channel, head, link)


def compose(channel, head, link=""):
    """The text of a group message for this robot: keyword, head cut to the cap, link."""
    provider = getattr(channel, "provider", "wecom")
    keyword = getattr(channel, "keyword", "") if provider == "dingtalk" else ""
    if keyword and keyword not in head:
        head = f"【{keyword}】{head}"
    tail = f"\n{link}" if link else ""
    cap = BYTE_CAPS.get(provider, BYTE_CAPS["wecom"]) - len(tail.encode("utf-8"))
    return fit_bytes(head, cap) + tail


def signed_url(url, secret, now=None):
    """DingTalk's signing: HMAC-SHA256 over "timestamp\\nsecret", base64, as query parameters."""
    # Not counseling.crypto.keyed_hash: a request signature under the robot's own secret,
    # in the form DingTalk's signing spec fixes and its server checks, not a hash we store.
    timestamp = str(round((now if now is not None else time.time()) * 1000))
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    sign = base64.b64encode(digest).decode("ascii")
    query = urllib.parse.urlencode({"timestamp": timestamp, "sign": sign})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def webhook_payload(channel, text, mentions=()):
    """The JSON body; mentions go through each API's own field, never as names in the text."""
    mentions = [m for m in mentions if m]
    payload = {"msgtype": "text", "text": {"content": text}}
    if mentions and channel.provider == channel.Provider.WECOM:
        payload["text"]["mentioned_mobile_list"] = mentions
    if channel.provider == channel.Provider.DINGTALK:
        payload["at"] = {"atMobiles": mentions, "isAtAll": False}
    return payload


# What an errcode means. Rate limits and server trouble: wait and try again. Signature,
# keyword, token or address: the robot's settings are wrong and no retry can help.
RATE_LIMITED = {45009, 130101, 130102, 45033}
CONFIGURATION = {
    93000,  # WeCom: invalid webhook url (the key)
    93004,  # WeCom: webhook url forbidden (robot removed from the group)
    93008,  # WeCom: robot not in the group
    310000,  # DingTalk: sign not match, keywords not in content, ip not in whitelist
    300001,  # DingTalk: token is not exist / invalid
    300005,  # DingTalk: token is not exist
    400013,  # DingTalk: group is disbanded
    400101,  # DingTalk: access_token is not exist
    43004,  # DingTalk: robot disabled
}


class RateLimitedError(DeliveryError):
    """The robot refused for speed: wait a window, without counting an attempt."""


class ConfigurationError(PermanentDeliveryError):
    """The robot's settings are wrong: shown to the administrator, not retried."""


def _errcode_error(errcode, errmsg):
    try:
        code = int(errcode)
    except (TypeError, ValueError):
        code = None
    message = f"errcode {errcode}: {errmsg}"
    if code in RATE_LIMITED:
        return RateLimitedError(message)
    if code in CONFIGURATION:
        return ConfigurationError(message)
    return DeliveryError(message)


def post_webhook(channel, text, mentions=()):
    """POST one text message to the robot. Non-2xx or an errcode other than 0 is a failure."""
    if isinstance(mentions, str):
        mentions = [mentions]
    url = channel.url
    if channel.provider == channel.Provider.DINGTALK and channel.secret:
        url = signed_url(url, channel.secret)
    data = json.dumps(webhook_payload(channel, text, mentions), ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
            status = response.status
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            raise RateLimitedError(f"HTTP {exc.code} {exc.reason}") from exc
        if exc.code in (401, 403, 404):
            raise ConfigurationError(f"HTTP {exc.code} {exc.reason}") from exc
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{type(exc).__name__}: {reason}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")
    try:
        result = json.loads(answer or b"{}")
    except ValueError as exc:
        raise DeliveryError(f"not JSON: {answer[:200]!r}") from exc
    errcode = result.get("errcode", 0) if isinstance(result, dict) else 0
    if errcode not in (0, "0"):
        raise _errcode_error(errcode, result.get("errmsg", ""))


def send_webhook(notification, delivery=None, robot=None):
    """Post to the delivery's robot, else to `robot` (the recipient's school's, found by
    counseling.notifications.sending: this module only talks to the outside)."""
    # notify() never queues a sensitive kind for the robot; a delivery row that says
    # otherwise (written before the kind was marked sensitive, or by hand) is refused here.
    try:
        allowed = get_kind(notification.kind).allows("webhook")
    except LookupError:
        allowed = True
    if not allowed:
        raise PermanentDeliveryError(f"{notification.kind} is confidential: never sent to a robot")
    channel = getattr(delivery, "robot", None) or robot
    if channel is None or not channel.is_active:
        raise PermanentDeliveryError(_("The recipient's school has no active group robot."))
    mentions = list(getattr(delivery, "mentions", None) or [])
    post_webhook(channel, webhook_text(notification, channel), mentions)


SENDERS = {"email": send_email, "webhook": send_webhook}
