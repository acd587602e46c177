"""Case files: every action on a case, each one entry point with all of its checks."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.booking.models import Booking
from consultations.cases.models import (
    BreakGlassGrant,
    Case,
    CounselorTask,
    InterventionPlan,
    NoteRevision,
    ParentContact,
    PlanReview,
    Referral,
    ReferralFollowUp,
    Risk,
    RiskChange,
    SessionNote,
)
from consultations.crisis import services as crisis
from consultations.letters.models import Letter
from consultations.letters.services import counselors_of
from consultations.online.models import Message
from counseling import audit
from counseling.errors import PortalError
from counseling.notifications import notify
from counseling.permissions import access_of

A = audit.AuditEntry.Action


def _text(value, message):
    value = (value or "").strip()
    if not value:
        raise PortalError("empty", message)
    return value


def _rating(value):
    if value is None or not 1 <= int(value) <= 10:
        raise PortalError("rating", _("Give a rating from 1 to 10."))
    return int(value)


def _risk(value):
    if value not in Risk.values:
        raise PortalError("risk", _("Choose a risk level."))
    return value


def require_counselor(user, school):
    if school.pk not in access_of(user).counselor_school_ids:
        raise PortalError("forbidden", _("Only the school's counselors can do this."))


def require_content(case, user):
    """Content (notes, plan, contacts) is for the assigned counselor, the head counselor and
    a counselor who broke the glass."""
    if not case.readable_by(user):
        raise PortalError("confidential", _("This case is confidential."))


def open_case(
    user,
    student,
    *,
    origin,
    concern,
    risk,
    rating,
    concerns="",
    counselor=None,
    origin_alert=None,
    origin_booking=None,
    origin_thread=None,
    letter=None,
):
    """A new case file for a student; one open case per student (database constraint)."""
    school = student.school
    require_counselor(user, school)
    counselor = counselor or user
    if school.pk not in access_of(counselor).counselor_school_ids:
        raise PortalError("counselor", _("Assign a counselor of the school."))
    if origin not in Case.Origin.values:
        raise PortalError("origin", _("Say how the case came."))
    if concern not in Case.Concern.values:
        raise PortalError("concern", _("Choose a concern."))
    risk, rating = _risk(risk), _rating(rating)
    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                school=school,
                student=student,
                counselor=counselor,
                origin=origin,
                origin_alert=origin_alert,
                origin_booking=origin_booking,
                origin_thread=origin_thread,
                concern=concern,
                concerns=(concerns or "").strip(),
                risk=risk,
                risk_at_opening=risk,
                rating_at_opening=rating,
                opened_at=now,
            )
            RiskChange.objects.create(case=case, level=risk, at=now, by=user)
            if letter is not None:
                Letter.objects.filter(pk=letter.pk).update(case=case)
            if risk == Risk.RED:
                crisis.open_checklist(case, at=now)
            audit.record(user, A.CREATE, case, changes={"risk": risk, "origin": origin})
            if counselor.pk != user.pk:
                notify(
                    [counselor],
                    "consultations.case_assigned",
                    _("A case was assigned to you"),
                    url=reverse("consultations:case-detail", args=[case.pk]),
                )
    except IntegrityError as clash:
        raise PortalError(
            "case_open", _("This student already has an open case: add to that one.")
        ) from clash
    return case


def case_from_letter(letter, user, *, concern, risk, rating):
    """A signed letter becomes a case in one step (an anonymous one cannot: nobody to see)."""
    if letter.student_id is None:
        raise PortalError("anonymous", _("An anonymous letter cannot become a case."))
    if letter.case_id:
        raise PortalError("has_case", _("This letter already belongs to a case."))
    return open_case(
        user,
        letter.student,
        origin=Case.Origin.LETTER,
        concern=concern,
        risk=risk,
        rating=rating,
        letter=letter,
    )


def case_from_alert(alert, student, user):
    """One step from a barometer alert: a case for the named student, at the alert's grade."""
    risk = {"red": Risk.RED, "orange": Risk.ORANGE, "yellow": Risk.YELLOW}.get(alert.grade)
    return open_case(
        user,
        student,
        origin=Case.Origin.ALERT,
        concern=Case.Concern.MOOD,
        risk=risk or Risk.YELLOW,
        rating=5,
        origin_alert=alert,
    )


def set_risk(case, user, level, reason=""):
    require_content(case, user)
    level = _risk(level)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise PortalError("closed", _("This case is closed."))
        if level == case.risk:
            raise PortalError("same", _("The case is already at this level."))
        was = case.risk
        case.risk = level
        case.save(update_fields=["risk"])
        change = RiskChange.objects.create(case=case, level=level, by=user, reason=reason)
        if level == Risk.RED and was != Risk.RED:
            crisis.open_checklist(case, at=change.at)
        audit.record(user, A.UPDATE, case, changes={"risk": [was, level]})
    return change


def add_note(case, user, body, *, kind=SessionNote.Kind.SESSION, at=None):
    require_content(case, user)
    body = _text(body, _("Write the note first."))
    with transaction.atomic():
        note = SessionNote.objects.create(
            case=case, kind=kind, at=at or timezone.now(), body=body, author=user
        )
        audit.record(user, A.CREATE, case, changes={"note": note.pk})
    return note


def edit_draft(note, user, body):
    require_content(note.case, user)
    body = _text(body, _("Write the note first."))
    if note.signed_at:
        raise PortalError("signed", _("A signed note changes only by an amendment."))
    if note.author_id != user.pk:
        raise PortalError("author", _("Only its author can change a draft."))
    note.body = body
    note.save(update_fields=["body"])
    return note


def sign_note(note, user):
    require_content(note.case, user)
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.signed_at:
            raise PortalError("signed", _("This note is already signed."))
        if note.author_id != user.pk:
            raise PortalError("author", _("Only its author can sign a note."))
        # An UPDATE of the still-unsigned row: the trigger allows it, and only this once.
        SessionNote.objects.filter(pk=note.pk, signed_at__isnull=True).update(
            signed_at=timezone.now()
        )
        audit.record(user, A.UPDATE, note.case, changes={"signed_note": note.pk})
    note.refresh_from_db()
    return note


def amend_note(note, user, body, reason=""):
    require_content(note.case, user)
    body = _text(body, _("Write the amendment first."))
    if not note.signed_at:
        raise PortalError("draft", _("A draft is edited, not amended."))
    with transaction.atomic():
        revision = NoteRevision.objects.create(note=note, body=body, reason=reason, by=user)
        audit.record(user, A.UPDATE, note.case, changes={"amended_note": note.pk})
    return revision


def add_parent_contact(case, user, with_whom, body, at=None):
    require_content(case, user)
    contact = ParentContact.objects.create(
        case=case,
        with_whom=_text(with_whom, _("Say with whom.")),
        body=_text(body, _("Say what was said.")),
        at=at or timezone.now(),
        by=user,
    )
    audit.record(user, A.CREATE, case, changes={"parent_contact": contact.pk})
    return contact


def refer(case, user, service, why, at=None):
    require_content(case, user)
    if service.school_id != case.school_id:
        raise PortalError("service", _("Choose one of the school's services."))
    referral = Referral.objects.create(
        case=case, service=service, why=_text(why, _("Say why.")), at=at or timezone.now(), by=user
    )
    audit.record(user, A.CREATE, case, changes={"referral": referral.pk})
    return referral


def follow_up(referral, user, body, at=None):
    require_content(referral.case, user)
    item = ReferralFollowUp.objects.create(
        referral=referral,
        body=_text(body, _("Say what happened.")),
        at=at or timezone.now(),
        by=user,
    )
    audit.record(user, A.CREATE, referral.case, changes={"referral_follow_up": item.pk})
    return item


def save_plan(case, user, *, goals, measures, responsibilities, review_on):
    """一生一策: written or rewritten; its review date becomes a task for the counselor."""
    require_content(case, user)
    values = {
        "goals": _text(goals, _("Write the goals.")),
        "measures": _text(measures, _("Write the measures.")),
        "responsibilities": _text(responsibilities, _("Say who does what.")),
        "review_on": review_on,
    }
    if review_on is None:
        raise PortalError("review_on", _("Choose a review date."))
    with transaction.atomic():
        plan, _created = InterventionPlan.objects.update_or_create(case=case, defaults=values)
        CounselorTask.objects.filter(case=case, title=str(_("Review the plan"))).open().delete()
        add_task(case, user, str(_("Review the plan")), review_on, counselor=case.counselor)
        audit.record(user, A.UPDATE, case, changes={"plan": "*"})
    return plan


def review_plan(case, user, body):
    require_content(case, user)
    try:
        plan = case.plan
    except InterventionPlan.DoesNotExist:
        raise PortalError("no_plan", _("Write the plan first.")) from None
    review = PlanReview.objects.create(plan=plan, body=_text(body, _("Write the review.")), by=user)
    audit.record(user, A.CREATE, case, changes={"plan_review": review.pk})
    return review


def add_task(case, user, title, due_on, *, counselor=None):
    require_content(case, user)
    if due_on is None:
        raise PortalError("due_on", _("Choose a due date."))
    return CounselorTask.objects.create(
        case=case,
        counselor=counselor or user,
        title=_text(title, _("Say what to do."))[:120],
        due_on=due_on,
    )


def complete_task(task, user):
    if task.counselor_id != user.pk:
        raise PortalError("forbidden", _("This task is someone else's."))
    CounselorTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now())


def close_case(case, user, *, outcome, rating, risk):
    require_content(case, user)
    outcome = _text(outcome, _("Closing a case needs an outcome."))
    rating, risk = _rating(rating), _risk(risk)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise PortalError("closed", _("This case is already closed."))
        case.outcome = outcome
        case.rating_at_closing = rating
        case.risk_at_closing = risk
        case.closed_at = timezone.now()
        case.save(update_fields=["outcome", "rating_at_closing", "risk_at_closing", "closed_at"])
        case.tasks.open().update(done_at=case.closed_at)
        audit.record(user, A.UPDATE, case, changes={"closed": True, "risk": risk})
    return case


def break_glass(case, user, reason, *, request=None):
    """Another counselor opens a case it is not assigned to: a stated reason, a grant that
    lasts BREAK_GLASS_HOURS, an audit entry and a notice to the head counselor. The one
    place a fresh second factor will be asked for."""
    require_counselor(user, case.school)
    reason = _text(reason, _("Say why you need to open this case."))
    if case.readable_by(user):
        raise PortalError("not_needed", _("You can already read this case."))
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            case=case,
            user=user,
            reason=reason,
            granted_at=now,
            expires_at=now + datetime.timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        audit.record(user, A.READ, case, request=request, changes={"break_glass": grant.pk})
        notify(
            counselors_of(case.school, head_only=True),
            "consultations.break_glass",
            _("A counselor opened a case not assigned to it"),
            url=reverse("consultations:case-detail", args=[case.pk]),
        )
    return grant


def read_case(case, user, request=None):
    """The case's content for one reader; every read is in the audit trail."""
    require_content(case, user)
    audit.record(user, A.READ, case, request=request)


def timeline(case):
    """Every contact of every channel, ordered by time (one query per channel)."""
    items = []
    for note in case.notes.select_related("author").prefetch_related("revisions__by"):
        items.append({"at": note.at, "kind": "note", "obj": note})
    for contact in case.parent_contacts.select_related("by"):
        items.append({"at": contact.at, "kind": "parent", "obj": contact})
    for referral in case.referrals.select_related("service", "by").prefetch_related("follow_ups"):
        items.append({"at": referral.at, "kind": "referral", "obj": referral})
        for item in referral.follow_ups.all():
            items.append({"at": item.at, "kind": "follow_up", "obj": item, "referral": referral})
    for letter in case.letters.all():
        items.append({"at": letter.received_at, "kind": "letter", "obj": letter})
    for booking in Booking.objects.filter(student_id=case.student_id).select_related("counselor"):
        items.append({"at": booking.starts_at, "kind": "booking", "obj": booking})
    messages = Message.objects.filter(thread__student_id=case.student_id).select_related("author")
    for message in messages:
        items.append({"at": message.created_at, "kind": "message", "obj": message})
    for change in case.risk_changes.select_related("by"):
        items.append({"at": change.at, "kind": "risk", "obj": change})
    for review in PlanReview.objects.filter(plan__case=case).select_related("by"):
        items.append({"at": review.at, "kind": "review", "obj": review})
    items.sort(key=lambda item: item["at"])
    return items
