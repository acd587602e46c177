"""What the committee network puts on each person's home page (see counseling.panels)."""

from django.db.models import Count, Q
from django.utils import timezone

from committees.barometer import services as barometer
from committees.board import queries as board
from committees.models import Alert, Barometer, CommitteeMember, CourseSuggestion, Meeting, TalkTask


def _next_meeting(semester):
    return (
        Meeting.objects.filter(semester=semester, date__gte=timezone.localdate(), status="planned")
        .order_by("date", "start_time")
        .first()
    )


def counselor_panel(request, home):
    access, semester = home["access"], home["semester"]
    if semester is None or semester.school_id not in access.counselor_school_ids:
        return None
    if home["school"] is not None and home["school"].pk == semester.school_id:
        semester.school = home["school"]  # read already: the settings and alerts need it
    # The week members are filing now, as the week board opens on it; the last week whose
    # deadline has passed beside it, one step back.
    week = board.default_week(semester)
    due = [w for w in barometer.due_weeks(semester) if w < week]
    previous = due[-1] if due else None
    by_week = barometer.coverage(semester, weeks=[w for w in (week, previous) if w]).by_week()
    nothing = {"expected": 0, "filed": 0, "on_time": 0}
    alerts = (
        Alert.objects.filter(school=semester.school)
        .open()
        .aggregate(
            total=Count("pk"),
            red=Count("pk", filter=Q(grade=Alert.Grade.RED)),
            mine=Count("pk", filter=Q(assigned_to=request.user)),
        )
    )
    return {
        "template": "committees/panels/counselor.html",
        "latest_week": week,
        "week_cover": by_week.get(week, nothing),
        "previous_week": previous,
        "previous_cover": by_week.get(previous, nothing) if previous else None,
        "alerts": alerts,
        "next_meeting": _next_meeting(semester),
    }


def member_panel(request, home):
    semester = home["semester"]
    if semester is None or not home["access"].member_class_ids:
        return None
    members = list(
        CommitteeMember.objects.active()
        .filter(semester=semester, student__user=request.user)
        .select_related("school_class")
    )
    if not members:
        return None
    week = home["week"]
    filed = set(
        Barometer.objects.filter(
            semester=semester, week=week, school_class__in=[m.school_class for m in members]
        ).values_list("school_class_id", flat=True)
    )
    return {
        "template": "committees/panels/member.html",
        "rows": [(m, m.school_class_id in filed) for m in members],
        "week": week,
        "teaching": week is not None and semester.is_teaching_week(week),
        "talks": TalkTask.objects.filter(member__in=members, done_at__isnull=True).count(),
        "next_meeting": _next_meeting(semester),
    }


def teacher_panel(request, home):
    semester, access = home["semester"], home["access"]
    if semester is None or not access.teacher_class_ids:
        return None
    latest = {}
    for b in (
        Barometer.objects.filter(semester=semester, school_class__in=access.teacher_class_ids)
        .select_related("school_class")
        .order_by("school_class_id", "-week")
    ):
        latest.setdefault(b.school_class_id, b)
    return {"template": "committees/panels/teacher.html", "barometers": list(latest.values())}


def liaison_panel(request, home):
    access = home["access"]
    if not access.liaison_department_ids:
        return None
    waiting = CourseSuggestion.objects.filter(department__in=access.liaison_department_ids).exclude(
        status=CourseSuggestion.Status.ANSWERED
    )
    return {"template": "committees/panels/liaison.html", "waiting": waiting.count()}
