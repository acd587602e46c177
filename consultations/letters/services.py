"""Letters: writing (signed or anonymous), the pick-up code, replies, crisis words, the
bulletin board and the step to a case."""

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.letters.models import CrisisWord, Letter
from counseling import audit, ratelimit
from counseling.crypto import keyed_hash
from counseling.errors import PortalError
from counseling.models import Role
from counseling.notifications import notify

# No 0/O, 1/I/L: the code is copied from a screen onto paper and typed back in.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
MAX_LETTER = 5000
# Used when a school has not written its own list yet; counselors extend it.
DEFAULT_CRISIS_WORDS = ["自杀", "不想活", "轻生", "割腕", "跳楼", "结束生命", "活不下去"]


def new_code():
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code):
    """The keyed hash stored for a pick-up code: the code itself is shown once, never kept."""
    return keyed_hash("letter-pickup:" + normalise_code(code))


def rate_limited(address):
    """True once an address has posted more letters this hour than allowed (the core
    limiter: the address is only hashed into a cache key, never written to the database or
    a log; a cache that is down must not stop a student from writing)."""
    return ratelimit.over("letters", f"{settings.LETTER_RATE_PER_HOUR}/h", f"ip:{address or ''}")


def crisis_words(school):
    words = list(CrisisWord.objects.filter(school=school).values_list("word", flat=True))
    return words or DEFAULT_CRISIS_WORDS


def reads_as_crisis(school, text):
    text = text or ""
    return any(word and word in text for word in crisis_words(school))


def counselors_of(school, head_only=False):
    roles = Role.objects.current().filter(school=school, kind=Role.Kind.COUNSELOR)
    if head_only:
        roles = roles.filter(is_head=True)
    return [r.user for r in roles.select_related("user")]


def write_letter(school, body, *, student=None, publish_consent=False):
    """A new letter; returns (letter, code). The code is None for a signed letter.

    An anonymous letter gets no audit entry and no log line: an entry's time beside the
    writer's own requests would be a way back to it. Its time is kept to the hour only.
    """
    body = (body or "").strip()
    if not body:
        raise PortalError("empty", _("Write something first."))
    if len(body) > MAX_LETTER:
        raise PortalError("too_long", _("A letter can have at most 5000 characters."))
    if student is not None and student.school_id != school.pk:
        raise PortalError("school", _("You can only write to your own school's room."))
    received = timezone.now().replace(minute=0, second=0, microsecond=0)
    code = None if student else new_code()
    with transaction.atomic():
        letter = Letter.objects.create(
            school=school,
            student=student,
            body=body,
            pickup_hash=code_hash(code) if code else None,
            publish_consent=publish_consent,
            received_at=received,
            due_at=Letter.deadline(received),
            is_crisis=reads_as_crisis(school, body),
        )
        if student is not None:
            audit.record(student.user, audit.AuditEntry.Action.CREATE, letter, school=school)
        if letter.is_crisis:
            notify(
                counselors_of(school),
                "consultations.letter_crisis",
                _("A letter reads as a crisis: answer it now"),
                url=reverse("consultations:letter-detail", args=[letter.pk]),
            )
    return letter, code


def letter_by_code(code):
    """The anonymous letter a pick-up code opens, or None."""
    if len(normalise_code(code)) != CODE_LENGTH:
        return None
    return Letter.objects.filter(pickup_hash=code_hash(code)).first()


def read_letter(letter, user, request=None):
    """A counselor opens a letter: every read is in the audit trail."""
    audit.record(user, audit.AuditEntry.Action.READ, letter, request=request)


def reply(letter, counselor, text):
    text = (text or "").strip()
    if not text:
        raise PortalError("empty", _("Write the reply first."))
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.replied_at:
            raise PortalError("answered", _("This letter has already been answered."))
        letter.reply = text
        letter.replied_by = counselor
        letter.replied_at = timezone.now()
        letter.save(update_fields=["reply", "replied_by", "replied_at"])
        audit.record(counselor, audit.AuditEntry.Action.UPDATE, letter, changes={"reply": "*"})
        if letter.student and letter.student.user_id:
            notify(
                [letter.student.user],
                "consultations.letter_reply",
                _("The consultation room has answered your letter"),
                url=reverse("consultations:my-letters"),
            )
    return letter


def publish(letter, counselor, question, answer):
    """A question and its answer, rewritten by the counselor so that nothing identifies the
    writer, go to the bulletin board's questions: only with the writer's consent."""
    from lectures.models import StudentQuestion

    question, answer = (question or "").strip(), (answer or "").strip()
    if not question or not answer:
        raise PortalError("empty", _("Write the question and the answer as they will be shown."))
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if not letter.publish_consent:
            raise PortalError("no_consent", _("The writer did not agree to the bulletin board."))
        if not letter.replied_at:
            raise PortalError("unanswered", _("Answer the letter first."))
        if letter.published:
            raise PortalError("published", _("This letter is already on the bulletin board."))
        asked = StudentQuestion.objects.create(
            school=letter.school, question=question[:2000], answer=answer
        )
        letter.published = True
        letter.save(update_fields=["published"])
        audit.record(counselor, audit.AuditEntry.Action.CREATE, asked, school=letter.school)
    return asked
