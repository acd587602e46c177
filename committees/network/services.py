"""Actions over several committee models: each atomic, each recorded in the audit trail."""

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.network.models import (
    AssociationOfficer,
    Attendance,
    CommitteeMember,
    Meeting,
    MissedTwiceFlag,
    TrainingModule,
)
from counseling import audit
from counseling.errors import PortalError
from counseling.models import Role, SchoolClass, Semester
from counseling.notifications import notify

Action = audit.AuditEntry.Action
ONE_TIME_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _one_time_password():
    return "".join(secrets.choice(ONE_TIME_PASSWORD_ALPHABET) for _ in range(10))


def ensure_account(student):
    """The student's account, created with a one-time password if it has none.

    Returns (user, password) where password is None for an existing account: the
    one-time password is shown once and never stored in clear.
    """
    if student.user_id:
        return student.user, None
    User = get_user_model()
    username = student.student_number
    suffix = 1
    while User.objects.filter(username=username).exists():
        suffix += 1
        username = f"{student.student_number}-{suffix}"
    password = _one_time_password()
    user = User(username=username, full_name=student.name, must_change_password=True)
    user.set_password(password)
    user.save()
    student.user = user
    student.save(update_fields=["user", "updated_at"])
    return user, password


def _grant_member_role(user, school_class):
    role, _created = Role.objects.get_or_create(
        user=user,
        kind=Role.Kind.COMMITTEE_MEMBER,
        school_class=school_class,
        defaults={"school": school_class.department.school},
    )
    if role.ends_on is not None:
        role.ends_on = None
        role.save(update_fields=["ends_on", "updated_at"])


def _end_member_role(user, school_class, on):
    still_serving = CommitteeMember.objects.active().filter(
        student__user=user, school_class=school_class
    )
    if not still_serving.exists():
        Role.objects.filter(
            user=user, kind=Role.Kind.COMMITTEE_MEMBER, school_class=school_class
        ).update(ends_on=on - datetime.timedelta(days=1))


@transaction.atomic
def appoint(semester, student, actor, *, term_ends_on=None, request=None):
    """Appoint a student of a class as its committee member for the semester."""
    # Lock the class so that two counselors cannot both appoint a third member.
    school_class = SchoolClass.objects.select_for_update().get(pk=student.school_class_id)
    if not student.is_active:
        raise PortalError("not_on_roster", _("The student is no longer on the roster."))
    serving = CommitteeMember.objects.active().filter(semester=semester, school_class=school_class)
    if serving.filter(student=student).exists():
        raise PortalError("already_member", _("The student is already a committee member."))
    if serving.count() >= CommitteeMember.MAX_PER_CLASS:
        raise PortalError(
            "class_full",
            _("A class has at most %(n)s committee members.")
            % {"n": CommitteeMember.MAX_PER_CLASS},
        )
    user, password = ensure_account(student)
    today = timezone.localdate()
    try:
        member = CommitteeMember.objects.create(
            semester=semester,
            school_class=school_class,
            student=student,
            appointed_on=today,
            term_ends_on=term_ends_on or today.replace(year=today.year + 2),
        )
    except IntegrityError as exc:
        raise PortalError(
            "already_member", _("The student has already served this semester.")
        ) from exc
    _grant_member_role(user, school_class)
    member.log_action(
        actor, Action.CREATE, request=request, changes={"account_created": bool(password)}
    )
    return member, password


@transaction.atomic
def end(member, actor, *, reason, replacement=None, request=None):
    """End a member's service (with a reason); optionally appoint a replacement at once."""
    if not reason.strip():
        raise PortalError("reason_required", _("Say why the member leaves."))
    member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
    if not member.is_active:
        raise PortalError("already_ended", _("This member's service has already ended."))
    today = timezone.localdate()
    member.ended_on = today
    member.end_reason = reason.strip()
    member.save(update_fields=["ended_on", "end_reason", "updated_at"])
    if member.student.user_id:
        _end_member_role(member.student.user, member.school_class, today)
    member.log_action(actor, Action.DEACTIVATE, request=request, changes={"reason": reason})
    new, password = None, None
    if replacement is not None:
        if replacement.school_class_id != member.school_class_id:
            raise PortalError("wrong_class", _("The replacement must be in the same class."))
        new, password = appoint(member.semester, replacement, actor, request=request)
        member.replaced_by = new
        member.save(update_fields=["replaced_by", "updated_at"])
    return new, password


def previous_semester(semester):
    return (
        Semester.objects.filter(school=semester.school, first_monday__lt=semester.first_monday)
        .order_by("-first_monday")
        .first()
    )


@transaction.atomic
def carry_over(semester, actor, *, request=None):
    """Carry last semester's serving members whose term goes on into this semester."""
    previous = previous_semester(semester)
    if previous is None:
        raise PortalError("no_previous", _("There is no earlier semester to carry over from."))
    already = set(
        CommitteeMember.objects.filter(semester=semester).values_list("student_id", flat=True)
    )
    counts = {}
    for row in CommitteeMember.objects.filter(semester=semester).active().values("school_class"):
        counts[row["school_class"]] = counts.get(row["school_class"], 0) + 1
    carried = []
    candidates = (
        CommitteeMember.objects.filter(semester=previous)
        .active()
        .filter(Q(term_ends_on__isnull=True) | Q(term_ends_on__gte=semester.first_monday))
        .filter(student__is_active=True, school_class__is_active=True)
        .select_related("student")
    )
    for old in candidates:
        # A student who moved class is not carried: the new class appoints its own.
        if old.student_id in already or old.student.school_class_id != old.school_class_id:
            continue
        if counts.get(old.school_class_id, 0) >= CommitteeMember.MAX_PER_CLASS:
            continue
        counts[old.school_class_id] = counts.get(old.school_class_id, 0) + 1
        carried.append(
            CommitteeMember(
                semester=semester,
                school_class_id=old.school_class_id,
                student_id=old.student_id,
                appointed_on=old.appointed_on,
                term_ends_on=old.term_ends_on,
            )
        )
    CommitteeMember.objects.bulk_create(carried)
    audit.record(
        actor,
        Action.CREATE,
        semester,
        request=request,
        label=_("Committee members carried over: %(n)s") % {"n": len(carried)},
        changes={"carried_over": len(carried), "from": previous.name},
    )
    return len(carried)


def classes_without_member(semester):
    served = CommitteeMember.objects.active().filter(semester=semester).values("school_class")
    return (
        SchoolClass.objects.active()
        .filter(department__school=semester.school)
        .exclude(pk__in=served)
        .select_related("department")
    )


@transaction.atomic
def generate_schedule(semester, actor, *, weekday, start_time, end_time, place, request=None):
    """A meeting in every odd teaching week and a training in every even one.

    Weeks without teaching are skipped, and a week that already has its meeting or
    training keeps it, so generating twice adds nothing.
    """
    if not 0 <= weekday <= 6:
        raise PortalError("bad_weekday", _("Pick a weekday."))
    if end_time <= start_time:
        raise PortalError("bad_time", _("A meeting must end after it starts."))
    existing = {
        (m.kind, semester.week_of(m.date)) for m in Meeting.objects.filter(semester=semester)
    }
    # New trainings take the curriculum's modules in order, each once a semester, skipping
    # those a training of the semester already covers; once it runs out, topics stay empty.
    covered = Meeting.modules.through.objects.filter(meeting__semester=semester).values(
        "trainingmodule_id"
    )
    curriculum = list(
        TrainingModule.objects.filter(school=semester.school, is_active=True)
        .exclude(pk__in=covered)
        .order_by("order", "title")
    )
    created, planned = [], []
    for week in semester.teaching_weeks():
        kind = Meeting.Kind.MEETING if Semester.is_odd(week) else Meeting.Kind.TRAINING
        if (kind, week) in existing:
            continue
        module = curriculum.pop(0) if kind == Meeting.Kind.TRAINING and curriculum else None
        created.append(
            Meeting(
                semester=semester,
                kind=kind,
                date=semester.week_start(week) + datetime.timedelta(days=weekday),
                start_time=start_time,
                end_time=end_time,
                place=place,
                topic=module.title if module else "",
            )
        )
        planned.append(module)
    Meeting.objects.bulk_create(created)
    Meeting.modules.through.objects.bulk_create(
        Meeting.modules.through(meeting_id=m.pk, trainingmodule_id=module.pk)
        for m, module in zip(created, planned, strict=True)
        if module
    )
    audit.record(
        actor,
        Action.CREATE,
        semester,
        request=request,
        label=_("Schedule generated: %(n)s meetings and trainings") % {"n": len(created)},
        changes={"created": len(created), "weekday": weekday, "place": place},
    )
    return created


@transaction.atomic
def cancel_meeting(meeting, actor, *, reason, request=None):
    if not reason.strip():
        raise PortalError("reason_required", _("Say why it is cancelled."))
    if meeting.status == Meeting.Status.HELD:
        raise PortalError("already_held", _("A meeting that was held cannot be cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    meeting.log_action(actor, Action.UPDATE, request=request, changes={"cancelled": reason})
    recipients = [
        m.student.user
        for m in expected_members(meeting).select_related("student__user")
        if m.student.user_id
    ]
    notify(
        recipients,
        "committees.meeting_changed",
        _("%(what)s on %(date)s is cancelled")
        % {"what": meeting.get_kind_display(), "date": meeting.date},
        reason,
        url=reverse("committees:meeting-detail", args=[meeting.pk]),
    )


def expected_members(meeting):
    """Members expected at a meeting: those serving in its semester on its date."""
    return (
        CommitteeMember.objects.filter(semester=meeting.semester, appointed_on__lte=meeting.date)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=meeting.date))
        .select_related("student", "school_class__department")
    )


@transaction.atomic
def record_attendance(meeting, marks, actor, *, request=None):
    """Save attendance {member_id: (status, reason)} for a meeting and mark it held.

    Returns the members newly flagged for missing two in a row.
    """
    if meeting.status == Meeting.Status.CANCELLED:
        raise PortalError("cancelled", _("Attendance cannot be taken for a cancelled meeting."))
    if meeting.date > timezone.localdate():
        raise PortalError("future", _("Attendance is taken on the day or afterwards."))
    expected = {m.pk: m for m in expected_members(meeting)}
    unknown = set(marks) - set(expected)
    if unknown:
        raise PortalError("unknown_member", _("Some members are not expected at this meeting."))
    for member_id, (status, reason) in marks.items():
        if status == Attendance.Status.EXCUSED and not reason.strip():
            raise PortalError(
                "reason_required",
                _("Give the reason for %(name)s's excused absence.")
                % {"name": expected[member_id].student.name},
            )
    existing = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    to_create, to_update = [], []
    for member_id, (status, reason) in marks.items():
        row = existing.get(member_id)
        if row is None:
            to_create.append(
                Attendance(
                    meeting=meeting,
                    member_id=member_id,
                    status=status,
                    reason=reason.strip(),
                    recorded_by=actor,
                )
            )
        elif (row.status, row.reason) != (status, reason.strip()):
            row.status, row.reason, row.recorded_by = status, reason.strip(), actor
            row.recorded_at = timezone.now()
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status", "reason", "recorded_by", "recorded_at"])
    if meeting.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])
    meeting.log_action(
        actor,
        Action.UPDATE,
        request=request,
        changes={"attendance_saved": len(to_create) + len(to_update)},
    )
    return flag_two_misses(meeting, [expected[m] for m in marks])


def flag_two_misses(meeting, members):
    """Flag (once) each member whose last two held meetings up to this one were both missed."""
    absent = Attendance.Status.ABSENT
    flagged = []
    recent = (
        Attendance.objects.filter(
            member__in=members,
            meeting__status=Meeting.Status.HELD,
            meeting__date__lte=meeting.date,
        )
        .select_related("meeting")
        .order_by("member_id", "-meeting__date", "-meeting__start_time")
    )
    last_two = {}
    for row in recent:
        last_two.setdefault(row.member_id, [])
        if len(last_two[row.member_id]) < 2:
            last_two[row.member_id].append(row)
    by_id = {m.pk: m for m in members}
    for member_id, rows in last_two.items():
        if (
            len(rows) == 2
            and all(r.status == absent for r in rows)
            and rows[0].meeting_id == meeting.pk
        ):
            _flag, created = MissedTwiceFlag.objects.get_or_create(
                member_id=member_id, meeting=meeting
            )
            if created:
                flagged.append(by_id[member_id])
    if flagged:
        _notify_missed(meeting, flagged)
    return flagged


def _notify_missed(meeting, members):
    school = meeting.semester.school
    counselors = [
        r.user
        for r in Role.objects.current()
        .filter(kind=Role.Kind.COUNSELOR, school=school)
        .select_related("user")
    ]
    for member in members:
        title = _("%(name)s (%(cls)s) missed two committee meetings in a row") % {
            "name": member.student.name,
            "cls": member.school_class,
        }
        url = reverse("committees:member-detail", args=[member.pk])
        recipients = list(counselors)
        if member.school_class.class_teacher_id:
            recipients.append(member.school_class.class_teacher)
        notify(recipients, "committees.missed_twice", title, "", url=url)


def is_officer(user, school=None):
    if not user.is_authenticated:
        return False
    officers = AssociationOfficer.objects.current().filter(student__user=user)
    if school is not None:
        officers = officers.filter(school=school)
    return officers.exists()


def send_reminders(on=None):
    """Tell members and officers, the day before, of tomorrow's meetings and trainings."""
    today = on or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    sent = 0
    due = Meeting.objects.filter(
        date=tomorrow, status=Meeting.Status.PLANNED, reminder_sent_at__isnull=True
    ).select_related("semester__school")
    for meeting in due:
        with transaction.atomic():
            # Lock so that two beat runs never remind twice.
            locked = (
                Meeting.objects.select_for_update()
                .filter(pk=meeting.pk, reminder_sent_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            users = {m.student.user for m in expected_members(meeting) if m.student.user_id}
            users.update(
                o.student.user
                for o in AssociationOfficer.objects.current(tomorrow)
                .filter(school=meeting.semester.school)
                .select_related("student__user")
                if o.student.user_id
            )
            title = _("Tomorrow: %(what)s at %(time)s, %(place)s") % {
                "what": meeting.get_kind_display(),
                "time": meeting.start_time.strftime("%H:%M"),
                "place": meeting.place,
            }
            notify(
                sorted(users, key=lambda u: u.pk),
                "committees.meeting_reminder",
                title,
                meeting.topic,
                url=reverse("committees:meeting-detail", args=[meeting.pk]),
            )
            locked.reminder_sent_at = timezone.now()
            locked.save(update_fields=["reminder_sent_at"])
            sent += 1
    return sent
