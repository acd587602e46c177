"""The read side of the barometer: the week board's rows, a class's weeks, small-count
suppression, and member scorecards. Each function runs a fixed number of queries, whatever
the number of classes or members; the arithmetic of what is expected is
`committees.barometer.services.coverage`, reused here, never redone.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from committees.barometer.models import WEATHER_COLOURS, WEATHER_ICONS
from committees.barometer.services import coverage, due_weeks
from committees.models import (
    Alert,
    Attendance,
    Barometer,
    ClassAbsence,
    Meeting,
    TalkTask,
    TrainingModule,
    Weather,
)

# --- States of a class's week ------------------------------------------------------------

FILED = "filed"
LATE = "late"
MISSING = "missing"
PENDING = "pending"  # expected, not filed, and its deadline is still ahead
NOT_EXPECTED = "not_expected"

STATES = {
    FILED: _("Filed"),
    LATE: pgettext_lazy("barometer", "Late"),
    MISSING: _("Missing"),
    PENDING: _("Not filed yet"),
    NOT_EXPECTED: _("Not expected"),
}
STATE_BADGES = {
    FILED: "text-bg-success",
    LATE: "text-bg-warning",
    MISSING: "text-bg-danger",
    PENDING: "text-bg-light border",
    NOT_EXPECTED: "text-bg-secondary",
}


def state_of(filed, late, expected, due):
    """A class's week: filed (on time) or late when a barometer exists, whatever was
    expected; else missing when it was expected and its deadline has passed; pending when
    expected but still open; else not expected."""
    if filed:
        return LATE if late else FILED
    if not expected:
        return NOT_EXPECTED
    return MISSING if due else PENDING


def default_week(semester, now=None):
    """The week the board opens on: the one members are filing now, as their filing page
    opens on it (the latest teaching week up to today), so this week's filings show without
    a step forward and last week is one step back; the first week before the semester."""
    weeks = semester.teaching_weeks_until(timezone.localtime(now or timezone.now()).date())
    return weeks[-1] if weeks else 1


def last_week_shown(semester, now=None):
    """The last week on a trend's axis: the current week, or the last of a past semester."""
    today = timezone.localtime(now or timezone.now()).date()
    if today > semester.last_day:
        return semester.weeks
    return semester.current_week(today) or 1


@dataclass
class BoardRow:
    school_class: object
    state: str
    weather: int | None = None
    barometer_id: int | None = None
    alerts: int = 0
    red_alerts: int = 0
    reason: str = ""

    @property
    def state_label(self):
        return STATES[self.state]

    @property
    def badge(self):
        return STATE_BADGES[self.state]

    @property
    def weather_label(self):
        return Weather(self.weather).label if self.weather else ""

    @property
    def weather_icon(self):
        return WEATHER_ICONS.get(self.weather, "bi-dash-circle")

    @property
    def weather_colour(self):
        return WEATHER_COLOURS.get(self.weather, "#adb5bd")


@dataclass
class Board:
    week: int
    due: bool
    rows: list
    coverage: dict
    counts: dict = field(default_factory=dict)


def build_week_board(semester, classes, week, *, alerts=None, now=None, scope=None):
    """Every class's state for one week, and the week's coverage.

    classes: objects with pk and department_id (SchoolClass, or rows standing for them);
    scope: a SchoolClass queryset of the same classes, to select them by in SQL rather than
    by a list of ids. alerts: an Alert queryset already scoped to the user (counselors), or
    None to leave alerts out entirely. Queries: semester breaks, absences, the week's
    barometers, the barometer settings, the coverage's count, and one aggregate of open
    alerts.
    """
    classes = list(classes)
    ids = [c.pk for c in classes] if scope is None else scope
    now = now or timezone.now()
    due = week in due_weeks(semester, now)
    # The week's barometers and the classes' absences, read once for the coverage and the
    # tiles both.
    barometers = list(
        Barometer.objects.filter(semester=semester, week=week, school_class_id__in=ids)
        .order_by()
        .values("pk", "school_class_id", "weather", "late")
    )
    absences = list(ClassAbsence.objects.filter(school_class_id__in=ids))
    result = coverage(semester, classes, weeks=[week], absences=absences, scope=scope)
    filed = {b["school_class_id"]: b for b in barometers}
    reasons = {}
    if not semester.is_teaching_week(week):
        names = [b.name for b in semester.breaks.all() if b.first_week <= week <= b.last_week]
        no_teaching = ", ".join(names) or str(_("No teaching"))
    else:
        no_teaching = ""
        for absence in absences:
            if absence.covers_week(semester, week):
                reasons.setdefault(absence.school_class_id, absence.get_kind_display())
    marks = {}
    if alerts is not None:
        marks = {
            row["school_class"]: row
            for row in alerts.open()
            .filter(semester=semester, school_class_id__in=ids)
            .values("school_class")
            .annotate(n=Count("pk"), red=Count("pk", filter=Q(grade=Alert.Grade.RED)))
            .order_by()
        }
    rows = []
    counts = dict.fromkeys(STATES, 0)
    for cls in classes:
        barometer = filed.get(cls.pk)
        expected = (cls.pk, week) in result.expected
        state = state_of(bool(barometer), barometer and barometer["late"], expected, due)
        mark = marks.get(cls.pk, {})
        row = BoardRow(
            school_class=cls,
            state=state,
            weather=barometer["weather"] if barometer else None,
            barometer_id=barometer["pk"] if barometer else None,
            alerts=mark.get("n", 0),
            red_alerts=mark.get("red", 0),
            reason="" if expected else (no_teaching or reasons.get(cls.pk, "")),
        )
        counts[state] += 1
        rows.append(row)
    return Board(week=week, due=due, rows=rows, coverage=result.total(), counts=counts)


def class_weeks(semester, school_class, barometers, weeks, *, now=None):
    """A class's semester week by week: (week, state, barometer or None, reason).

    barometers: the class's barometers of the semester (already fetched).
    """
    due = set(due_weeks(semester, now))
    result = coverage(semester, [school_class], weeks=weeks)
    by_week = {b.week: b for b in barometers}
    rows = []
    for week in weeks:
        b = by_week.get(week)
        expected = (school_class.pk, week) in result.expected
        rows.append(
            {
                "week": week,
                "state": state_of(bool(b), b and b.late, expected, week in due),
                "barometer": b,
                "expected": expected,
                "teaching": semester.is_teaching_week(week),
            }
        )
    for row in rows:
        row["state_label"] = STATES[row["state"]]
        row["badge"] = STATE_BADGES[row["state"]]
    return rows


# --- Small counts -------------------------------------------------------------------------

SMALL = 3


def is_small(count):
    """A count that, above the class level, only counselors see exactly: 1 or 2.

    Zero is shown: "nobody" names no one, and hiding it would make every empty kind look
    like a possible one or two.
    """
    return count is not None and 0 < count < SMALL


def suppress(value, exact):
    """The count as it may be drawn: itself when `exact`, else None for 1 and 2.

    Charts draw nothing for None and write "<3" where the number would go. Nested dicts
    ({week: {weather: n}}) are suppressed cell by cell.
    """
    if isinstance(value, dict):
        return {k: suppress(v, exact) for k, v in value.items()}
    if exact or not is_small(value):
        return value
    return None


# --- Member scorecards --------------------------------------------------------------------


def served_weeks(member, weeks):
    """The weeks a member answers for: those on whose last day (Sunday) it was serving.

    A member appointed during a week answers for that week's barometer (it is due the
    week after); one whose service ended before the week was out hands it to its successor.
    """
    semester = member.semester
    result = []
    for week in weeks:
        sunday = semester.week_end(week)
        if member.appointed_on <= sunday and (member.ended_on is None or member.ended_on >= sunday):
            result.append(week)
    return result


@dataclass
class Scorecard:
    member: object
    weeks: list
    filing: dict
    meetings: dict
    trainings: dict
    modules_done: int
    modules_total: int
    talks_done: int
    talks_total: int

    @property
    def talk_rate(self):
        return self.talks_done / self.talks_total if self.talks_total else None

    @property
    def attendance(self):
        expected = self.meetings["expected"] + self.trainings["expected"]
        attended = self.meetings["attended"] + self.trainings["attended"]
        return {
            "expected": expected,
            "attended": attended,
            "rate": attended / expected if expected else None,
        }


def _no_rate():
    return {"expected": 0, "attended": 0, "rate": None}


def scorecards(semester, members, *, now=None):
    """{member pk: Scorecard} for members of one semester (school_class selected).

    Filing: completeness and timeliness of the member's class over the due weeks it served
    (a class's barometer counts for every member serving it). Attendance: meetings and
    trainings held, present or late. Modules: the school's modules in use, completed at a
    training attended. Talk tasks: done of those given. A fixed number of queries.
    """
    members = list(members)
    if not members:
        return {}
    weeks = due_weeks(semester, now)
    classes = {m.school_class_id: m.school_class for m in members}
    cover = coverage(semester, classes.values(), weeks=weeks)
    pks = [m.pk for m in members]
    rates = {}
    for row in Attendance.objects.filter(member__in=pks).rate_by("member", "meeting__kind"):
        rates[(row["member"], row["meeting__kind"])] = {
            "expected": row["expected"],
            "attended": row["attended"],
            "rate": row["rate"],
        }
    active_modules = set(
        TrainingModule.objects.filter(school=semester.school, is_active=True).values_list(
            "pk", flat=True
        )
    )
    done = {}
    for member_id, module_id in Attendance.objects.filter(member__in=pks).modules_completed():
        if module_id in active_modules:
            done.setdefault(member_id, set()).add(module_id)
    talks = {
        row["member"]: row
        for row in TalkTask.objects.filter(member__in=pks)
        .values("member")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
        .order_by()
    }
    cards = {}
    for member in members:
        served = set(served_weeks(member, weeks))
        talk = talks.get(member.pk, {})
        cards[member.pk] = Scorecard(
            member=member,
            weeks=sorted(served),
            filing=cover.of_class(member.school_class_id, served),
            meetings=rates.get((member.pk, Meeting.Kind.MEETING), _no_rate()),
            trainings=rates.get((member.pk, Meeting.Kind.TRAINING), _no_rate()),
            modules_done=len(done.get(member.pk, ())),
            modules_total=len(active_modules),
            talks_done=talk.get("done", 0),
            talks_total=talk.get("total", 0),
        )
    return cards


def concern_total(barometers):
    """{barometer pk: total count of concerns} for prefetched barometers."""
    return {b.pk: sum(c.count for c in b.concerns.all()) for b in barometers}


__all__ = [
    "FILED",
    "LATE",
    "MISSING",
    "NOT_EXPECTED",
    "PENDING",
    "STATES",
    "Board",
    "BoardRow",
    "Scorecard",
    "class_weeks",
    "concern_total",
    "default_week",
    "is_small",
    "last_week_shown",
    "scorecards",
    "served_weeks",
    "state_of",
    "suppress",
    "build_week_board",
]
