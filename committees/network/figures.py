"""The committee network's figures: members, meetings and trainings, attendance.

Counts and rates only, never a student's name; a fixed number of queries.
"""

from django.db.models import Count, Q

from committees.network.models import Attendance, CommitteeMember, Meeting


def percent(rate):
    """A rate between 0 and 1 as a percentage with one decimal, None kept."""
    return round(rate * 100, 1) if rate is not None else None


def committee_figures(semester):
    members = CommitteeMember.objects.for_semester(semester)
    totals = members.figures()
    schedule = Meeting.objects.for_semester(semester).figures()
    attendance = Attendance.objects.filter(meeting__semester=semester)
    overall = attendance.overall()
    by_department = {
        row["member__school_class__department__name"]: row
        for row in attendance.rate_by("member__school_class__department__name")
    }
    members_by_department = dict(
        members.active()
        .values_list("school_class__department__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    department_rows = [
        {
            "department": name,
            "members": members_by_department.get(name, 0),
            "expected": by_department.get(name, {}).get("expected", 0),
            "attended": by_department.get(name, {}).get("attended", 0),
            "rate": percent(by_department.get(name, {}).get("rate")),
        }
        for name in sorted(set(members_by_department) | set(by_department))
    ]
    meetings = list(
        Meeting.objects.for_semester(semester)
        .annotate(
            expected=Count("attendance", distinct=True),
            attended=Count(
                "attendance",
                filter=Q(
                    attendance__status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE]
                ),
                distinct=True,
            ),
        )
        .order_by("date", "start_time", "pk")
        .values("pk", "kind", "date", "topic", "status", "expected", "attended")
    )
    modules = {}
    for meeting_id, title in Meeting.modules.through.objects.filter(
        meeting__semester=semester
    ).values_list("meeting_id", "trainingmodule__title"):
        modules.setdefault(meeting_id, []).append(title)
    meeting_rows = [
        {
            "meeting_id": m["pk"],
            "kind": m["kind"],
            "date": m["date"].isoformat(),
            "topic": m["topic"],
            "status": m["status"],
            "expected": m["expected"] if m["status"] == Meeting.Status.HELD else 0,
            "attended": m["attended"] if m["status"] == Meeting.Status.HELD else 0,
            "rate": percent(m["attended"] / m["expected"])
            if m["status"] == Meeting.Status.HELD and m["expected"]
            else None,
            "modules": sorted(modules.get(m["pk"], [])),
        }
        for m in meetings
    ]
    values = {
        "members": totals["members"],
        "classes_covered": totals["classes"],
        "meetings_planned": schedule[Meeting.Kind.MEETING]["planned"],
        "meetings_held": schedule[Meeting.Kind.MEETING]["held"],
        "trainings_planned": schedule[Meeting.Kind.TRAINING]["planned"],
        "trainings_held": schedule[Meeting.Kind.TRAINING]["held"],
        "attendance_rate": percent(overall["rate"]),
        "modules_completed": attendance.modules_completed().count(),
    }
    chart = {
        "labels": [row["department"] for row in department_rows],
        "values": [
            round(row["rate"]) if row["rate"] is not None else None for row in department_rows
        ],
    }
    return values, {"meetings": meeting_rows, "committee_by_department": department_rows}, chart


def attendance_rate(semester, classes):
    """Committee attendance of some classes' members, as a percentage."""
    return percent(
        Attendance.objects.filter(
            meeting__semester=semester, member__school_class__in=classes
        ).overall()["rate"]
    )
