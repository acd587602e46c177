"""Every action on a booking, one entry point each, with all of its checks.

book · book_on_behalf · confirm · cancel · mark_attended · mark_no_show ·
request_talk · answer_request · withdraw_request · send_reminders
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from consultations.booking.models import Booking, Origin, TalkRequest
from consultations.hours.models import Channel
from consultations.hours.services import find_slot
from consultations.room.models import RoomSettings
from consultations.shared.notices import say, when
from counseling import audit, ratelimit
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.models import Semester, Student
from counseling.notifications import notify

Action = AuditEntry.Action

# Booking attempts per student: enough for a few tries, too few for a script.
BOOKING_RATE = "10/10m"


def over_rate(group, user, rate):
    """True once a user has tried more often than `rate` (the core limiter, failing open: a
    cache that is down must not stop a student from asking for help)."""
    return ratelimit.over(group, rate, f"user:{user.pk}")


def student_of(user):
    """The roster entry of a signed-in student, or a PortalError."""
    student = (
        Student.objects.filter(user=user, is_active=True).select_related("school").first()
        if user.is_authenticated
        else None
    )
    if student is None:
        raise PortalError("not_student", _("Only a student on the roster can book."))
    return student


def _is_counselor(user, school_id):
    return school_id in user.access.counselor_school_ids


def _may_handle(user, booking):
    """The assigned counselor or the head counselor handles a booking."""
    access = user.access
    return (
        booking.counselor_id == user.pk and booking.school_id in access.counselor_school_ids
    ) or booking.school_id in access.head_counselor_school_ids


def no_shows(student, on=None):
    """The student's no-shows in the semester that contains the date."""
    semester = Semester.objects.current(student.school, on)
    qs = Booking.objects.filter(student=student, status=Booking.Status.NO_SHOW)
    if semester is not None:
        qs = qs.for_semester(semester)
    return qs.count()


def no_show_blocked(student, room_settings=None, on=None):
    """Whether repeated no-shows mean only a counselor can book for this student now."""
    room_settings = room_settings or RoomSettings.for_school(student.school)
    if room_settings.no_show_rule != RoomSettings.NoShowRule.COUNSELOR_BOOKS:
        return False
    return no_shows(student, on) >= room_settings.no_show_limit


def open_bookings(student, now=None):
    return Booking.objects.filter(student=student).upcoming(now or timezone.now()).count()


def _counselor_user(school, counselor_id):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=counselor_id, is_active=True).first()
    if user is None or school.pk not in user.access.counselor_school_ids:
        raise PortalError("bad_counselor", _("This counselor does not work at your school."))
    return user


def _create(booking, actor, request):
    """Insert, turning the database's one-booking-per-slot constraint into a clear message."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise PortalError(
            "taken", _("Someone else has just booked this slot. Please choose another.")
        ) from None
    audit.record(
        actor,
        Action.CREATE,
        booking,
        changes={"status": booking.status, "origin": booking.origin, "channel": booking.channel},
        request=request,
    )
    return booking


def book(user, *, counselor_id, starts_at, channel, category=None, reason="", request=None):
    """A student books a slot of a counselor's hours; it waits for the counselor's confirmation."""
    student = student_of(user)
    school = student.school
    if over_rate("booking", user, BOOKING_RATE):
        raise PortalError("rate", _("Too many attempts. Please wait a few minutes and try again."))
    room = RoomSettings.for_school(school)
    now = timezone.now()
    if channel not in Channel.values:
        raise PortalError("bad_channel", _("Choose in person, phone or online."))
    if category is not None and (category.school_id != school.pk or not category.is_active):
        raise PortalError("bad_category", _("Choose one of the categories offered."))
    counselor = _counselor_user(school, counselor_id)
    if starts_at < now + datetime.timedelta(hours=room.min_notice_hours):
        raise PortalError(
            "too_soon",
            _("Book at least %(n)s hours ahead. In an emergency call the hotline.")
            % {"n": room.min_notice_hours},
        )
    if timezone.localtime(starts_at).date() > timezone.localdate(now) + datetime.timedelta(
        days=room.days_ahead
    ):
        raise PortalError("too_far", _("Bookings open %(n)s days ahead.") % {"n": room.days_ahead})
    slot = find_slot(school, counselor.pk, starts_at)
    if slot is None:
        raise PortalError("no_slot", _("The counselor has no consultation hours at this time."))
    if channel not in slot.channels:
        raise PortalError("channel_not_offered", _("This slot is not offered by this channel."))
    with transaction.atomic():
        # The student's row is the lock: two tabs booking at once cannot both pass the limit.
        Student.objects.select_for_update().filter(pk=student.pk).first()
        if no_show_blocked(student, room):
            raise PortalError(
                "no_show_rule",
                _(
                    "You missed %(n)s consultations this semester without cancelling, so a "
                    "counselor books your next one with you. Send the room a message or ask "
                    "to talk."
                )
                % {"n": room.no_show_limit},
            )
        if open_bookings(student, now) >= room.max_open_bookings:
            raise PortalError(
                "too_many",
                _("You already have %(n)s open bookings. Cancel one to book another.")
                % {"n": room.max_open_bookings},
            )
        booking = _create(
            Booking(
                school=school,
                student=student,
                counselor=counselor,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                channel=channel,
                room=slot.room if channel == Channel.IN_PERSON else None,
                category=category,
                reason=reason.strip()[:2000],
                origin=Origin.STUDENT,
                booked_by=user,
            ),
            user,
            request,
        )
        notify(
            counselor,
            "consultations.booking_new",
            say(
                gettext_noop("A consultation at %(when)s waits for your confirmation"),
                when=when(booking.starts_at),
            ),
            url=reverse("consultations:booking-detail", args=[booking.pk]),
        )
    return booking


def book_on_behalf(
    user,
    student,
    *,
    starts_at,
    channel,
    counselor=None,
    minutes=None,
    category=None,
    reason="",
    origin=Origin.WALK_IN,
    alert_id=None,
    request=None,
):
    """A counselor books for a student (walk-in, referral, alert, request): confirmed at once.

    The student's rules (notice, days ahead, open bookings, no-shows) do not bind the room;
    the slot rule does (the database constraint).
    """
    school = student.school
    if not _is_counselor(user, school.pk):
        raise PortalError(
            "not_counselor", _("Only the school's counselors can book for a student.")
        )
    counselor = counselor or user
    if counselor.pk != user.pk and school.pk not in user.access.head_counselor_school_ids:
        raise PortalError(
            "not_head", _("Only the head counselor books in another counselor's name.")
        )
    counselor = _counselor_user(school, counselor.pk)
    if channel not in Channel.values:
        raise PortalError("bad_channel", _("Choose in person, phone or online."))
    if origin not in Origin.values or origin == Origin.STUDENT:
        raise PortalError("bad_origin", _("Say how the booking came."))
    if category is not None and category.school_id != school.pk:
        raise PortalError("bad_category", _("Choose one of the categories offered."))
    room_settings = RoomSettings.for_school(school)
    slot = find_slot(school, counselor.pk, starts_at)
    length = datetime.timedelta(minutes=minutes or room_settings.slot_minutes)
    now = timezone.now()
    with transaction.atomic():
        booking = _create(
            Booking(
                school=school,
                student=student,
                counselor=counselor,
                starts_at=starts_at,
                ends_at=slot.ends_at if slot else starts_at + length,
                channel=channel,
                room=slot.room if slot and channel == Channel.IN_PERSON else None,
                category=category,
                reason=reason.strip()[:2000],
                status=Booking.Status.CONFIRMED,
                confirmed_at=now,
                origin=origin,
                alert_id=alert_id if origin == Origin.ALERT else None,
                booked_by=user,
            ),
            user,
            request,
        )
        if student.user_id:
            notify(
                [student.user_id],
                "consultations.booking_changed",
                say(
                    gettext_noop("A consultation at %(when)s was booked for you"),
                    when=when(booking.starts_at),
                ),
                url=reverse("consultations:booking-detail", args=[booking.pk]),
            )
        if counselor.pk != user.pk:
            notify(
                counselor,
                "consultations.booking_new",
                say(
                    gettext_noop("A consultation at %(when)s was booked in your name"),
                    when=when(booking.starts_at),
                ),
                url=reverse("consultations:booking-detail", args=[booking.pk]),
            )
    return booking


def _locked(booking):
    return (
        Booking.objects.select_for_update().select_related("student", "school").get(pk=booking.pk)
    )


def _change(booking, actor, request, **fields):
    old = booking.status
    for name, value in fields.items():
        setattr(booking, name, value)
    booking.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor, Action.UPDATE, booking, changes={"status": [old, booking.status]}, request=request
    )
    return booking


def confirm(user, booking, *, request=None):
    with transaction.atomic():
        booking = _locked(booking)
        if not _may_handle(user, booking):
            raise PortalError("not_yours", _("Only the booking's counselor can confirm it."))
        if booking.status != Booking.Status.PENDING:
            raise PortalError("not_pending", _("This booking is no longer waiting."))
        _change(
            booking, user, request, status=Booking.Status.CONFIRMED, confirmed_at=timezone.now()
        )
        if booking.student.user_id:
            notify(
                [booking.student.user_id],
                "consultations.booking_changed",
                say(
                    gettext_noop("Your consultation at %(when)s is confirmed"),
                    when=when(booking.starts_at),
                ),
                url=reverse("consultations:booking-detail", args=[booking.pk]),
            )
    return booking


def cancel(user, booking, *, note="", request=None):
    """The student up to the cut-off; the counselor at any time before the consultation
    (a pending booking cancelled by the counselor is declined)."""
    now = timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        by_student = booking.student.user_id == user.pk
        if not by_student and not _may_handle(user, booking):
            raise PortalError("not_yours", _("You cannot cancel this booking."))
        if not booking.is_open:
            raise PortalError("not_open", _("This booking is already closed."))
        if by_student:
            cutoff = RoomSettings.for_school(booking.school).cancel_cutoff_hours
            if now > booking.cancel_deadline(cutoff):
                raise PortalError(
                    "cutoff",
                    _(
                        "Bookings can be cancelled up to %(n)s hours before. Please tell the "
                        "counselor by a message instead."
                    )
                    % {"n": cutoff},
                )
            status = Booking.Status.CANCELLED
        else:
            status = (
                Booking.Status.DECLINED
                if booking.status == Booking.Status.PENDING
                else Booking.Status.CANCELLED
            )
        _change(
            booking,
            user,
            request,
            status=status,
            cancelled_at=now,
            cancelled_by=user,
            cancel_note=note.strip()[:200],
        )
        other = booking.counselor_id if by_student else booking.student.user_id
        if other:
            notify(
                [other],
                "consultations.booking_changed",
                say(
                    gettext_noop("The consultation at %(when)s is cancelled"),
                    when=when(booking.starts_at),
                ),
                url=reverse("consultations:booking-detail", args=[booking.pk]),
            )
    return booking


def _close(user, booking, status, request):
    now = timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if not _may_handle(user, booking):
            raise PortalError("not_yours", _("Only the booking's counselor can record this."))
        if booking.status != Booking.Status.CONFIRMED:
            raise PortalError("not_confirmed", _("Only a confirmed booking can be closed."))
        if booking.starts_at > now:
            raise PortalError("not_yet", _("The consultation has not started yet."))
        _change(booking, user, request, status=status, closed_at=now)
    return booking


def mark_attended(user, booking, *, request=None):
    return _close(user, booking, Booking.Status.ATTENDED, request)


def mark_no_show(user, booking, *, request=None):
    """Record a no-show; the one that reaches the limit tells the student what follows."""
    booking = _close(user, booking, Booking.Status.NO_SHOW, request)
    room = RoomSettings.for_school(booking.school)
    student = booking.student
    if (
        student.user_id
        and room.no_show_rule == RoomSettings.NoShowRule.COUNSELOR_BOOKS
        and no_shows(student, timezone.localtime(booking.starts_at).date()) == room.no_show_limit
    ):
        notify(
            [student.user_id],
            "consultations.booking_changed",
            say(gettext_noop("Missed consultations: a counselor books your next one with you")),
            url=reverse("consultations:room"),
        )
    return booking


def request_talk(user, *, channel, category=None, reason="", when_suits="", request=None):
    """“I want to talk”: no time picked; the counselors answer with a booking."""
    student = student_of(user)
    if over_rate("booking", user, BOOKING_RATE):
        raise PortalError("rate", _("Too many attempts. Please wait a few minutes and try again."))
    if channel not in Channel.values:
        raise PortalError("bad_channel", _("Choose in person, phone or online."))
    if category is not None and category.school_id != student.school_id:
        raise PortalError("bad_category", _("Choose one of the categories offered."))
    try:
        with transaction.atomic():
            talk = TalkRequest.objects.create(
                school=student.school,
                student=student,
                channel=channel,
                category=category,
                reason=reason.strip()[:2000],
                when_suits=when_suits.strip()[:120],
            )
    except IntegrityError:
        raise PortalError(
            "already_asked", _("You have already asked; a counselor will answer soon.")
        ) from None
    audit.record(user, Action.CREATE, talk, school=student.school, request=request)
    from django.contrib.auth import get_user_model

    counselors = (
        get_user_model()
        .objects.filter(roles__kind="counselor", roles__school=student.school, is_active=True)
        .distinct()
    )
    notify(
        counselors,
        "consultations.talk_request",
        say(gettext_noop("A student asks to talk")),
        url=reverse("consultations:request-list"),
    )
    return talk


def answer_request(user, talk, *, starts_at, channel, counselor=None, request=None):
    """Answer a request to talk by booking a slot for it (confirmed at once)."""
    with transaction.atomic():
        talk = (
            TalkRequest.objects.select_for_update()
            .select_related("student__school")
            .get(pk=talk.pk)
        )
        if not _is_counselor(user, talk.school_id):
            raise PortalError("not_counselor", _("Only the school's counselors can answer."))
        if talk.status != TalkRequest.Status.OPEN:
            raise PortalError("answered", _("This request has already been answered."))
        booking = book_on_behalf(
            user,
            talk.student,
            starts_at=starts_at,
            channel=channel,
            counselor=counselor,
            category=talk.category,
            reason=talk.reason,
            origin=Origin.REQUEST,
            request=request,
        )
        talk.status = TalkRequest.Status.ANSWERED
        talk.booking = booking
        talk.answered_by = user
        talk.answered_at = timezone.now()
        talk.save(update_fields=["status", "booking", "answered_by", "answered_at", "updated_at"])
        audit.record(user, Action.UPDATE, talk, school=talk.school, changes={"status": "answered"})
    return booking


def withdraw_request(user, talk, *, request=None):
    with transaction.atomic():
        talk = TalkRequest.objects.select_for_update().select_related("student").get(pk=talk.pk)
        if talk.student.user_id != user.pk:
            raise PortalError("not_yours", _("You cannot withdraw this request."))
        if talk.status != TalkRequest.Status.OPEN:
            raise PortalError("answered", _("This request has already been answered."))
        talk.status = TalkRequest.Status.WITHDRAWN
        talk.save(update_fields=["status", "updated_at"])
        audit.record(user, Action.UPDATE, talk, school=talk.school, request=request)
    return talk


def send_reminders(now=None):
    """Daily (Celery beat): remind the student and the counselor of tomorrow's bookings.

    The text is a time and nothing else: it may leave the portal by e-mail.
    """
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    sent = 0
    due = Booking.objects.open().filter(starts_at__date=tomorrow, reminded_at__isnull=True)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Lock so that two beat runs never remind twice.
            booking = (
                Booking.objects.select_for_update()
                .select_related("student")
                .filter(pk=pk, reminded_at__isnull=True, status__in=Booking.OPEN)
                .first()
            )
            if booking is None:
                continue
            title = say(
                gettext_noop("Tomorrow: a consultation at %(time)s"),
                time=f"{timezone.localtime(booking.starts_at):%H:%M}",
            )
            url = reverse("consultations:booking-detail", args=[booking.pk])
            recipients = [booking.counselor_id]
            if booking.student.user_id:
                recipients.append(booking.student.user_id)
            notify(recipients, "consultations.booking_reminder", title, url=url)
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            sent += 1
    return sent
