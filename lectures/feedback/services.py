"""Anonymous feedback: who counts as one device, how fast one address may answer, and the
one action, submitting an answer."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from counseling.crypto import keyed_hash
from counseling.errors import PortalError
from counseling.http import client_ip
from counseling.ratelimit import is_limited
from lectures.events.models import LectureSession
from lectures.feedback.models import Feedback

# Answers per address (counseling.ratelimit; settings.RATE_LIMITS["feedback"] overrides). A
# lecture hall on school Wi-Fi may share one address, so the limit stops a script, not a
# hall of 500 answering within minutes.
FEEDBACK_RATE = "300/m"


def device_fingerprint(cookie_value):
    """A keyed hash of the random device cookie: stable per device, not reversible."""
    return keyed_hash("feedback-device:" + cookie_value)


def device_signal(request):
    """A keyed hash of the client address and browser string: what stays the same when a
    script or a private window throws the device cookie away."""
    raw = f"{client_ip(request) or ''}|{request.META.get('HTTP_USER_AGENT', '')[:400]}"
    return keyed_hash("feedback-signal:" + raw)


def rate_limited(request):
    """True once the client's address has sent more answers than FEEDBACK_RATE allows."""
    return is_limited(request, "feedback", FEEDBACK_RATE, key="ip")


def submit_feedback(target, device, satisfaction, helped="", wish="", signal=""):
    """One anonymous answer per device per session; returns False if it already answered."""
    if satisfaction not in range(1, 6):
        raise PortalError("satisfaction", _("Choose from 1 to 5."))
    fields = (
        {"lecture_session": target}
        if isinstance(target, LectureSession)
        else {"activity_session": target}
    )
    try:
        with transaction.atomic():
            Feedback.objects.create(
                satisfaction=satisfaction,
                helped=helped.strip()[:1000],
                wish=wish.strip()[:1000],
                device=device,
                signal=signal,
                **fields,
            )
    except IntegrityError:
        return False
    return True
