"""The counselor's week board, trends by class / department / school, and the members'
scorecards.

Who sees what:
- the week board and the trends: counselors and school administrators the whole school,
  a liaison its department, a class teacher its class (`SchoolClass.objects.visible_to`);
- alert marks and alert lists: counselors only;
- the school and department pages show tier-1 figures; above the class level a count of 1
  or 2 is "<3" for anyone but a counselor, in the tables (`small_count`) and in the charts
  (which are given the suppressed figures, see `committees.board.queries.suppress`);
"""

from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from committees.barometer.models import WEATHER_COLOURS, WEATHER_ICONS
from committees.barometer.services import (
    coverage,
    due_weeks,
    missing_classes,
    remind_members,
    school_figures,
)
from committees.board import charts
from committees.board.queries import (
    STATE_BADGES,
    STATES,
    build_week_board,
    class_weeks,
    concern_total,
    default_week,
    last_week_shown,
    scorecards,
    suppress,
)
from committees.models import (
    Alert,
    Barometer,
    BarometerConcern,
    ClassAbsence,
    CommitteeMember,
    ConcernKind,
    Weather,
)
from counseling import audit
from counseling.models import Department, SchoolClass
from counseling.permissions import access_of
from counseling.templatetags.portal import colon, week_label
from counseling.views.helpers import paginate, pick_semester, require_perm

COMPLETENESS_COLOUR = "#198754"
TIMELINESS_COLOUR = "#0d6efd"
CONCERN_COLOUR = "#3d6fb6"
SCORECARD_PAGE = 30
DEPARTMENT_CLASS_PAGE = 30


def _is_counselor(user, semester):
    return access_of(user).counsels(semester.school_id)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _weather_labels():
    return {w.value: str(w.label) for w in Weather}


def _weather_list():
    return [
        {"value": w.value, "label": w.label, "icon": WEATHER_ICONS[w], "colour": WEATHER_COLOURS[w]}
        for w in Weather
    ]


# --- Charts (markup made safe here, at the template boundary) -------------------------------


def _chart_weather_by_week(weeks, weather, shaded, title):
    labels = _weather_labels()
    return mark_safe(
        charts.weather_by_week(
            weeks,
            weather,
            labels=labels,
            colours=WEATHER_COLOURS,
            title=title,
            shaded=shaded,
            caption=_("week"),
            tip=lambda w, v: f"{week_label(w)} · {labels[v]}",
        )
    )


def _chart_distribution(weeks, distribution, title):
    labels = _weather_labels()
    return mark_safe(
        charts.weather_distribution(
            weeks,
            distribution,
            labels=labels,
            colours=WEATHER_COLOURS,
            title=title,
            caption=_("week"),
            tip=lambda w, v, n: f"{week_label(w)} · {colon(labels[v])}{n}",
            note=_("Counts below 3 are not drawn."),
        )
    )


def _chart_coverage(weeks, by_week, title):
    return mark_safe(
        charts.percent_bars(
            weeks,
            [
                (
                    _("Completeness"),
                    COMPLETENESS_COLOUR,
                    {w: r["completeness"] for w, r in by_week.items()},
                ),
                (
                    _("Timeliness"),
                    TIMELINESS_COLOUR,
                    {w: r["timeliness"] for w, r in by_week.items()},
                ),
            ],
            title=title,
            caption=_("week"),
            tip=lambda w, label, text: f"{week_label(w)} · {colon(label)}{text}",
        )
    )


def _chart_concerns(concerns, title):
    return mark_safe(
        charts.hbars(
            [(str(label), concerns.get(kind, 0)) for kind, label in ConcernKind.choices],
            title=title,
            colour=CONCERN_COLOUR,
        )
    )


# --- The week board -------------------------------------------------------------------------


def _week_of_request(request, semester, now):
    week = _int(request.GET.get("week"))
    if week is None or not 1 <= week <= semester.weeks:
        return default_week(semester, now)
    return week


class BoardClass(NamedTuple):
    pk: int
    name: str
    department_id: int

    def __str__(self):
        return self.name


class BoardDepartment(NamedTuple):
    pk: int
    name: str

    def __str__(self):
        return self.name


def _tile(row, semester_pk):
    """A board row as the tile shows it, a dict of strings: a liaison's hundred tiles
    render in half the time of a hundred rows whose every property the template would look
    up as a key first."""
    return {
        "pk": row.school_class.pk,
        "name": row.school_class.name,
        "href": reverse("committees:class-trend", args=[row.school_class.pk])
        + f"?semester={semester_pk}",
        "state": row.state,
        "state_label": str(row.state_label),
        "badge": row.badge,
        "weather_icon": row.weather_icon,
        "weather_colour": row.weather_colour,
        "weather_title": str(row.weather_label) if row.weather else _("No weather"),
        "alerts": row.alerts,
        "red_alerts": row.red_alerts,
        "reason": row.reason,
    }


@login_required
@require_perm("committees.see_board")
def week_board(request):
    """Every class the user may see, by department, for one week: its weather and state,
    and (counselors) its open alerts. A fixed number of queries for any number of classes."""
    semester = pick_semester(request)
    now = timezone.now()
    is_counselor = _is_counselor(request.user, semester)
    week = _week_of_request(request, semester, now)
    visible = (
        SchoolClass.objects.visible_to(request.user)
        .active()
        .filter(department__school=semester.school)
    )
    # Rows, not 600 classes and their departments as model instances: a tile reads a
    # class's pk and name, a heading its department's.
    departments, all_classes = {}, []
    for pk, name, department_id, department_name in visible.order_by(
        "department__name", "-enrolment_year", "name"
    ).values_list("pk", "name", "department_id", "department__name"):
        departments.setdefault(department_id, BoardDepartment(department_id, department_name))
        all_classes.append(BoardClass(pk, name, department_id))
    departments = list(departments.values())
    wanted_department = _int(request.GET.get("department"))
    if wanted_department not in {d.pk for d in departments}:
        wanted_department = None
    classes = [c for c in all_classes if wanted_department in (None, c.department_id)]
    board = build_week_board(
        semester,
        classes,
        week,
        alerts=Alert.objects.visible_to(request.user) if is_counselor else None,
        now=now,
        scope=visible.filter(department=wanted_department) if wanted_department else visible,
    )
    department_of = {d.pk: d for d in departments}
    wanted_state = request.GET.get("state", "")
    if wanted_state not in STATES:
        wanted_state = ""
    groups = {}
    for row in board.rows:
        if not wanted_state or row.state == wanted_state:
            groups.setdefault(department_of[row.school_class.department_id], []).append(row)
    # A district-sized school (600 classes) made a 424 KB page of tiles no screen shows:
    # above the limit, each department is one line of counts linking to its tiles.
    collapsed = (
        not wanted_department and not wanted_state and len(classes) > (settings.BOARD_TILE_LIMIT)
    )
    summaries = {}
    if collapsed:
        for department, rows in groups.items():
            counts = dict.fromkeys(STATES, 0)
            for row in rows:
                counts[row.state] += 1
            summaries[department.pk] = [
                (key, label, counts[key], STATE_BADGES[key])
                for key, label in STATES.items()
                if counts[key]
            ]
    visible_departments = set(
        Department.objects.visible_to(request.user)
        .filter(school=semester.school)
        .values_list("pk", flat=True)
    )
    last = last_week_shown(semester, now)
    weeks = list(range(1, max(last, week) + 1))
    # The reminder goes to every class of the school that has not filed: offered when some
    # shown class is missing, or when a filter may hide the ones that are.
    can_remind = (
        is_counselor
        and semester.is_teaching_week(week)
        and week <= last
        and (board.counts["missing"] + board.counts["pending"] > 0 or wanted_department)
    )
    return render(
        request,
        "committees/board/week_board.html",
        {
            "semester": semester,
            "week": week,
            "weeks": weeks,
            "previous_week": week - 1 if week > 1 else None,
            "next_week": week + 1 if week < min(semester.weeks, last) else None,
            "teaching": semester.is_teaching_week(week),
            "week_start": semester.week_start(week),
            "week_end": semester.week_end(week),
            "can_remind": can_remind,
            "board": board,
            "groups": [
                (
                    d,
                    rows if collapsed else [_tile(row, semester.pk) for row in rows],
                    d.pk in visible_departments,
                    summaries.get(d.pk),
                )
                for d, rows in groups.items()
            ],
            "collapsed": collapsed,
            "departments": departments,
            "department": wanted_department,
            "states": list(STATES.items()),
            "state_counts": [
                (key, label, board.counts[key], STATE_BADGES[key]) for key, label in STATES.items()
            ],
            "state": wanted_state,
            "is_counselor": is_counselor,
            "can_export": request.user.has_perm("committees.export_barometers"),
        },
    )


@login_required
@require_POST
@require_perm("committees.manage")
def remind_missing(request):
    """Remind the members of every class whose barometer of the week is still missing."""
    semester = pick_semester(request)
    if not _is_counselor(request.user, semester):
        raise PermissionDenied
    week = _int(request.POST.get("week"))
    current = last_week_shown(semester)
    if week is None or not semester.is_teaching_week(week) or week > current:
        messages.error(request, _("Pick a teaching week that has begun."))
        return redirect(f"{reverse('committees:week-board')}?semester={semester.pk}")
    classes = missing_classes(semester, week)
    department = _int(request.POST.get("department"))
    if department:
        # The board was filtered to one department: remind only what the counselor saw.
        classes = [c for c in classes if c.department_id == department]
    count = remind_members(semester, week, classes)
    audit.record(
        request.user,
        audit.AuditEntry.Action.UPDATE,
        semester,
        request=request,
        label=_("Barometer reminders sent"),
        changes={"week": week, "classes": len(classes), "members": count},
    )
    if count:
        messages.success(
            request,
            ngettext(
                "%(n)s member was reminded of %(week)s's barometer.",
                "%(n)s members were reminded of %(week)s's barometer.",
                count,
            )
            % {"n": count, "week": week_label(week)},
        )
    else:
        messages.info(request, _("No member to remind: every expected class has filed."))
    return redirect(f"{reverse('committees:week-board')}?semester={semester.pk}&week={week}")


# --- Trends -------------------------------------------------------------------------------


@login_required
@require_perm("committees.see_board")
def class_trend(request, pk):
    """A class's semester: weather week by week, concerns by kind, its completeness and
    (counselors) its alerts. Class-level figures: exact for everyone who sees the class."""
    school_class = get_object_or_404(
        SchoolClass.objects.visible_to(request.user).select_related("department"), pk=pk
    )
    semester = pick_semester(request)
    if semester.school_id != school_class.department.school_id:
        raise Http404("another school")
    now = timezone.now()
    is_counselor = _is_counselor(request.user, semester)
    weeks = list(range(1, last_week_shown(semester, now) + 1))
    barometers = list(
        Barometer.objects.visible_to(request.user)
        .filter(semester=semester, school_class=school_class)
        .prefetch_related("concerns")
        .order_by("week")
    )
    rows = class_weeks(semester, school_class, barometers, weeks, now=now)
    totals = concern_total(barometers)
    weather = {w["value"]: w for w in _weather_list()}
    for row in rows:
        b = row["barometer"]
        row["concerns"] = totals.get(b.pk) if b else None
        row["weather"] = weather.get(b.weather) if b else None
    concerns = dict.fromkeys(ConcernKind.values, 0)
    for b in barometers:
        for c in b.concerns.all():
            concerns[c.kind] += c.count
    shaded = {r["week"] for r in rows if not r["expected"] and not r["barometer"]}
    cover = coverage(semester, [school_class], now=now).total()
    alerts = None
    if is_counselor:
        alerts = list(
            Alert.objects.visible_to(request.user)
            .filter(semester=semester, school_class=school_class)
            .select_related("assigned_to")
            .order_by("-created_at")
        )
    return render(
        request,
        "committees/board/class_trend.html",
        {
            "semester": semester,
            "school_class": school_class,
            "rows": list(reversed(rows)),
            "coverage": cover,
            "concerns": [(label, concerns[kind]) for kind, label in ConcernKind.choices],
            "alerts": alerts,
            "open_alerts": sum(a.status != Alert.Status.CLOSED for a in alerts or ()),
            "is_counselor": is_counselor,
            "weather_chart": _chart_weather_by_week(
                weeks,
                {b.week: b.weather for b in barometers},
                shaded,
                _("Weather by week: %(cls)s") % {"cls": school_class},
            ),
            "concern_chart": _chart_concerns(
                concerns, _("Concerns by kind: %(cls)s") % {"cls": school_class}
            ),
            "department_visible": Department.objects.visible_to(request.user)
            .filter(pk=school_class.department_id)
            .exists(),
        },
    )


def _trend_context(request, semester, barometers, title, now, cover, distribution, concerns=None):
    """What the department and school pages share: weather distribution, completeness and
    timeliness per week, concerns by kind; suppressed for non-counselors."""
    is_counselor = _is_counselor(request.user, semester)
    weeks = list(range(1, last_week_shown(semester, now) + 1))
    by_week = cover.by_week()
    if concerns is None:
        concerns = barometers.concerns_by_kind()
    # Non-counselors get 1 and 2 as "<3" in the tables, and the charts are drawn from the
    # suppressed figures: such a count is left out of the chart (not drawn at all).
    shown_distribution = suppress(distribution, is_counselor)
    shown_concerns = suppress(concerns, is_counselor)
    labels = _weather_labels()
    table = []
    for week in weeks:
        counts = distribution.get(week, {})
        table.append(
            {
                "week": week,
                "counts": [counts.get(w, 0) for w in sorted(labels)],
                "coverage": by_week.get(week),
                "teaching": semester.is_teaching_week(week),
            }
        )
    return {
        "semester": semester,
        "is_counselor": is_counselor,
        "coverage": cover.total(),
        "by_week": list(reversed(table)),
        "weather": _weather_list(),
        "concerns": [(label, concerns[kind]) for kind, label in ConcernKind.choices],
        "distribution_chart": _chart_distribution(
            weeks, shown_distribution, _("Weather by week: %(name)s") % {"name": title}
        ),
        "coverage_chart": _chart_coverage(
            weeks, by_week, _("Completeness and timeliness by week: %(name)s") % {"name": title}
        ),
        "concern_chart": _chart_concerns(
            shown_concerns, _("Concerns by kind: %(name)s") % {"name": title}
        ),
        "cover": cover,
    }


@login_required
@require_perm("committees.see_board")
def department_trend(request, pk):
    department = get_object_or_404(Department.objects.visible_to(request.user), pk=pk)
    semester = pick_semester(request)
    if semester.school_id != department.school_id:
        raise Http404("another school")
    now = timezone.now()
    # Rows, not instances: a 600-class school's department has a hundred classes, and the
    # figures need only their ids; the table shows a page of them. The department's
    # queries select its classes by subquery: with a hundred ids in a list PostgreSQL
    # reads every barometer of the semester, with the subquery the classes' own.
    visible = SchoolClass.objects.visible_to(request.user).active().filter(department=department)
    classes = list(
        visible.order_by("-enrolment_year", "name", "pk").values_list(
            "pk", "department_id", "name", named=True
        )
    )
    scope = visible.order_by().values("pk")
    page = Paginator(classes, DEPARTMENT_CLASS_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    # Figures above the class level are tier 1: the classes are already scoped to the user.
    barometers = Barometer.objects.filter(semester=semester, school_class__in=scope)
    weeks = due_weeks(semester, now)
    absences = list(ClassAbsence.objects.filter(school_class__in=scope))
    concerns = dict(
        BarometerConcern.objects.filter(semester=semester, school_class__in=scope)
        .values_list("kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    # The weather by week comes with the coverage's counts, in the same grouped query.
    cover = coverage(semester, classes, weeks=weeks, absences=absences, scope=scope).with_weather()
    context = _trend_context(
        request,
        semester,
        barometers,
        str(department),
        now,
        cover,
        cover.weather_by_week(),
        concerns={kind: concerns.get(kind, 0) for kind in ConcernKind.values},
    )
    # The classes of the page only: their coverage and their latest barometer.
    on_page = {c.pk for c in shown}
    by_class = coverage(
        semester,
        shown,
        weeks=weeks,
        absences=[a for a in absences if a.school_class_id in on_page],
    ).by_class()
    latest = {}
    for class_id, week, weather in (
        Barometer.objects.filter(semester=semester, school_class__in=on_page)
        .order_by("week")
        .values_list("school_class_id", "week", "weather")
    ):
        latest[class_id] = (week, weather)
    weather = {w["value"]: w for w in context["weather"]}
    context.update(
        department=department,
        page=page,
        classes=[
            {
                "school_class": c,
                "name": c.name,
                "href": reverse("committees:class-trend", args=[c.pk]) + f"?semester={semester.pk}",
                "coverage": by_class.get(c.pk),
                "latest_week": latest.get(c.pk, (None, None))[0],
                "latest": weather.get(latest.get(c.pk, (None, None))[1]),
            }
            for c in shown
        ],
    )
    return render(request, "committees/board/department_trend.html", context)


@login_required
@require_perm("committees.see_board")
def school_trend(request):
    """The school's semester. Tier-1 figures for everyone with a role in the school: they
    are computed over every class of the school, and only aggregates reach the page."""
    semester = pick_semester(request)
    now = timezone.now()
    cover, distribution = school_figures(semester, now)
    # A semester is one school's: its concerns need no join to the school, only the few
    # inactive classes left out. On the concerns' own copy of semester and class, one
    # index-only scan of a 600-class school's 14,000 rows (2 ms; 6 ms through the
    # barometers).
    totals = dict(
        BarometerConcern.objects.filter(semester=semester)
        .exclude(school_class_id__in=SchoolClass.objects.filter(is_active=False))
        .values_list("kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    context = _trend_context(
        request,
        semester,
        None,
        str(semester.school),
        now,
        cover,
        distribution,
        concerns={kind: totals.get(kind, 0) for kind in ConcernKind.values},
    )
    by_department = cover.by_department()
    departments = (
        Department.objects.filter(pk__in=list(cover.classes_by_department()))
        .annotate(
            linkable=Exists(Department.objects.visible_to(request.user).filter(pk=OuterRef("pk")))
        )
        .order_by("name")
    )
    context.update(
        departments=[(d, by_department.get(d.pk), d.linkable) for d in departments],
    )
    return render(request, "committees/board/school_trend.html", context)


# --- Scorecards -----------------------------------------------------------------------------


def _scorecard_row(card):
    """A scorecard as its table row shows it, a dict: the template looks every name up as a
    key first, and a model's attribute three levels down costs it three failed lookups."""
    member = card.member
    return {
        "active": member.is_active,
        "href": reverse("committees:member-detail", args=[member.pk]),
        "name": member.student.name,
        "class_name": member.school_class.name,
        "department": member.school_class.department.name,
        "filing": card.filing,
        "meetings": card.meetings,
        "trainings": card.trainings,
        "modules_done": card.modules_done,
        "modules_total": card.modules_total,
        "talks_done": card.talks_done,
        "talks_total": card.talks_total,
    }


@login_required
@require_perm("committees.see_scorecards")
def scorecard_list(request):
    """Every member of the semester with its scorecard (counselors). A fixed number of
    queries for any number of members."""
    semester = pick_semester(request)
    if not _is_counselor(request.user, semester):
        raise PermissionDenied
    # A counselor of the semester's school sees every member of it: the school's filter,
    # not visible_to()'s "or the member's own rows", which joins every member's student.
    members = (
        CommitteeMember.objects.filter(
            semester=semester, school_class__department__school_id=semester.school_id
        )
        # The page's students by their keys: joined, PostgreSQL hashes the school's
        # 30,000 students to sort 600 members.
        .select_related("school_class__department")
        .prefetch_related("student")
        .order_by(
            "school_class__department__name",
            "-school_class__enrolment_year",
            "school_class__name",
            "appointed_on",
            "pk",
        )
    )
    departments = list(
        Department.objects.filter(pk__in=members.values("school_class__department")).order_by(
            "name"
        )
    )
    wanted = _int(request.GET.get("department"))
    if wanted not in {d.pk for d in departments}:
        wanted = None
    if wanted:
        members = members.filter(school_class__department=wanted)
    # A 600-class school has 1,200 members: a page of them, each card computed for the
    # page only (the arithmetic is per member, so nothing outside the page is needed).
    page = paginate(request, members, per_page=SCORECARD_PAGE)
    shown = list(page.object_list)
    for member in shown:
        member.semester = semester
    cards = scorecards(semester, shown)
    return render(
        request,
        "committees/board/scorecards.html",
        {
            "semester": semester,
            "cards": [cards[m.pk] for m in shown],
            "rows": [_scorecard_row(cards[m.pk]) for m in shown],
            "page": page,
            "departments": departments,
            "department": wanted,
        },
    )
