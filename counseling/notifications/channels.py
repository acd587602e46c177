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
from django.core.mail import get_connection, send_mail
from django.utils import translation
from django.utils.translation import gettext as _

WEBHOOK_TIMEOUT = 5  # seconds; a robot that does not answer by then has failed
EMAIL_TIMEOUT = 10  # seconds, when settings.EMAIL_TIMEOUT leaves SMTP waiting forever
MAX_TEXT = 2000  # both robots refuse very long text messages


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


def send_email(notification):
    user = notification.recipient
    if not user.email:
        raise PermanentDeliveryError(_("The recipient has no e-mail address."))
    with _portal_language():
        lines = [notification.body] if notification.body else []
        link = absolute_url(notification.url)
        if link:
            lines.append(link)
        lines.append("")
        lines.append(_("You can choose which notifications reach you by e-mail in the portal."))
        subject = f"{_('Counseling portal')}: {notification.title}"
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT
    try:
        send_mail(
            subject,
            "\n\n".join(lines).strip() + "\n",
            None,
            [user.email],
            connection=get_connection(timeout=timeout),
        )
    except Exception as exc:  # SMTP and socket errors alike: try again later
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def webhook_text(notification):
    """The group message: it names the recipient, since everyone in the group reads it."""
    user = notification.recipient
    with _portal_language():
        parts = [f"@{user.get_full_name()} {notification.title}"]
        if notification.body:
            parts.append(notification.body)
        link = absolute_url(notification.url)
        if link:
            parts.append(link)
    return "\n".join(parts)[:MAX_TEXT]


def signed_url(url, secret, now=None):
    """DingTalk's signing: HMAC-SHA256 over "timestamp\\nsecret", base64, as query parameters."""
    timestamp = str(round((now if now is not None else time.time()) * 1000))
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    sign = base64.b64encode(digest).decode("ascii")
    query = urllib.parse.urlencode({"timestamp": timestamp, "sign": sign})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def webhook_payload(channel, text, mobile=""):
    payload = {"msgtype": "text", "text": {"content": text}}
    if mobile and channel.provider == channel.Provider.WECOM:
        # WeCom @-mentions by mobile number without printing the number in the group;
        # DingTalk would need the number in the text itself, so it only gets the name.
        payload["text"]["mentioned_mobile_list"] = [mobile]
    return payload


def post_webhook(channel, text, mobile=""):
    """POST one text message to the robot. Non-2xx or an errcode other than 0 is a failure."""
    url = channel.url
    if channel.provider == channel.Provider.DINGTALK and channel.secret:
        url = signed_url(url, channel.secret)
    data = json.dumps(webhook_payload(channel, text, mobile), ensure_ascii=False).encode()
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
        raise DeliveryError(f"errcode {errcode}: {result.get('errmsg', '')}")


def send_webhook(notification):
    from counseling.notifications.registry import get_kind
    from counseling.notifications.services import webhook_channel_for

    # notify() never queues a sensitive kind for the robot; a delivery row that says
    # otherwise (written before the kind was marked sensitive, or by hand) is refused here.
    try:
        allowed = get_kind(notification.kind).allows("webhook")
    except LookupError:
        allowed = True
    if not allowed:
        raise PermanentDeliveryError(f"{notification.kind} is confidential: never sent to a robot")
    user = notification.recipient
    channel = webhook_channel_for(user)
    if channel is None:
        raise PermanentDeliveryError(_("The recipient's school has no active group robot."))
    post_webhook(channel, webhook_text(notification), mobile=user.phone)


SENDERS = {"email": send_email, "webhook": send_webhook}
