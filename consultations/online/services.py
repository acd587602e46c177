"""Online consultation (网络咨询): start a thread, post, read, set a meeting link, close."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from consultations.booking.services import over_rate, student_of
from consultations.online.models import Message, Thread
from consultations.shared.notices import say
from counseling import audit
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.notifications import notify

MESSAGE_RATE = "30/10m"
MAX_LENGTH = 5000


def counselors_of(school):
    return (
        get_user_model()
        .objects.filter(roles__kind="counselor", roles__school=school, is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


def _clean(body):
    body = (body or "").strip()
    if not body:
        raise PortalError("empty", _("Write a message first."))
    if len(body) > MAX_LENGTH:
        raise PortalError(
            "too_long", _("A message holds at most %(n)s characters.") % {"n": MAX_LENGTH}
        )
    return body


def start_thread(user, *, counselor_id, subject, body, request=None):
    """A student writes to a counselor of its school."""
    student = student_of(user)
    counselor = counselors_of(student.school).filter(pk=counselor_id).first()
    if counselor is None:
        raise PortalError("bad_counselor", _("Choose a counselor of your school."))
    subject = (subject or "").strip()[:120]
    if not subject:
        raise PortalError("no_subject", _("Give your message a subject."))
    body = _clean(body)
    if over_rate("online", user, MESSAGE_RATE):
        raise PortalError("rate", _("Too many messages. Please wait a few minutes."))
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            school=student.school,
            student=student,
            counselor=counselor,
            subject=subject,
            last_message_at=now,
            student_read_at=now,
        )
        Message.objects.create(thread=thread, author=user, body=body)
        audit.record(user, AuditEntry.Action.CREATE, thread, school=student.school, request=request)
        notify(
            counselor,
            "consultations.message",
            say(gettext_noop("A new online consultation message")),
            url=reverse("consultations:thread-detail", args=[thread.pk]),
        )
    return thread


def _side(user, thread):
    """ "student", "counselor" (the assigned one) or None."""
    if thread.student.user_id == user.pk:
        return "student"
    if thread.counselor_id == user.pk and thread.school_id in user.access.counselor_school_ids:
        return "counselor"
    return None


def post(user, thread, body, *, request=None):
    side = _side(user, thread)
    if side is None:
        raise PortalError("not_yours", _("Only the student and its counselor write in a thread."))
    if thread.status == Thread.Status.CLOSED:
        raise PortalError("closed", _("This conversation is closed. Start a new one."))
    body = _clean(body)
    if side == "student" and over_rate("online", user, MESSAGE_RATE):
        raise PortalError("rate", _("Too many messages. Please wait a few minutes."))
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            thread=thread, author=user, from_counselor=side == "counselor", body=body
        )
        fields = {"last_message_at": now, f"{side}_read_at": now}
        Thread.objects.filter(pk=thread.pk).update(**fields)
        for name, value in fields.items():
            setattr(thread, name, value)
        recipient = thread.student.user_id if side == "counselor" else thread.counselor_id
        if recipient:
            notify(
                [recipient],
                "consultations.message",
                say(gettext_noop("A new online consultation message")),
                url=reverse("consultations:thread-detail", args=[thread.pk]),
            )
    return message


def read(user, thread, *, request=None):
    """Mark the thread read for this side; a counselor's read goes to the audit trail."""
    now = timezone.now()
    side = _side(user, thread)
    if side is not None:
        Thread.objects.filter(pk=thread.pk).update(**{f"{side}_read_at": now})
    if thread.student.user_id != user.pk:
        # Every counselor read (the assigned one or the head counselor) is recorded.
        audit.record(user, AuditEntry.Action.READ, thread, school=thread.school, request=request)


def set_meeting_link(user, thread, link, *, request=None):
    if _side(user, thread) != "counselor":
        raise PortalError("not_yours", _("Only the thread's counselor sets a meeting link."))
    link = (link or "").strip()
    if link:
        try:
            URLValidator(schemes=["https"])(link)
        except ValidationError:
            raise PortalError(
                "bad_link", _("Give a meeting link that starts with https://.")
            ) from None
    with transaction.atomic():
        old = thread.meeting_link
        thread.meeting_link = link
        thread.save(update_fields=["meeting_link", "updated_at"])
        audit.record(
            user,
            AuditEntry.Action.UPDATE,
            thread,
            school=thread.school,
            changes={"meeting_link": [bool(old), bool(link)]},
            request=request,
        )
    return thread


def close(user, thread, *, request=None):
    if _side(user, thread) is None:
        raise PortalError("not_yours", _("You cannot close this conversation."))
    with transaction.atomic():
        thread.status = Thread.Status.CLOSED
        thread.save(update_fields=["status", "updated_at"])
        audit.record(user, AuditEntry.Action.UPDATE, thread, school=thread.school, request=request)
    return thread


def reply_times(messages):
    """For each counselor message, how long the student had waited for it (else None)."""
    waiting_since = None
    result = []
    for message in messages:
        if message.from_counselor:
            result.append((message, message.created_at - waiting_since if waiting_since else None))
            waiting_since = None
        else:
            waiting_since = waiting_since or message.created_at
            result.append((message, None))
    return result
