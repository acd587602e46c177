"""One calendar of the school's semester, composed from the apps that own the events:
lecture sessions and group activity sessions, theme-month events (lectures), committee
meetings and trainings (committees).

Every source is read through its own `visible_to(user)`, one query per source plus one for
the classes of the sources that have many; the number of queries never grows with the
number of events.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import Meeting
from counseling.templatetags.portal import colon
from lectures.models import (
    ActivitySession,
    Lecture,
    LectureSession,
    SessionClass,
    ThemeEvent,
    ThemeMonth,
)

LECTURE, ACTIVITY, THEME, MEETING, TRAINING = "lecture", "activity", "theme", "meeting", "training"
KINDS = [
    (LECTURE, gettext_lazy("Lectures")),
    (ACTIVITY, gettext_lazy("Group activities")),
    (THEME, gettext_lazy("Theme-month events")),
    (MEETING, gettext_lazy("Committee meetings")),
    (TRAINING, gettext_lazy("Committee trainings")),
]
KIND_KEYS = [k for k, _label in KINDS]
# Bootstrap colours per kind, the same in the month grid, the week list and the legend.
KIND_COLOURS = {
    LECTURE: "primary",
    ACTIVITY: "success",
    THEME: "warning",
    MEETING: "info",
    TRAINING: "secondary",
}

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass
class Entry:
    kind: str
    key: str  # stable per event: the feed's UID is built from it
    title: str
    date: datetime.date
    start: datetime.time | None
    end: datetime.time | None
    place: str = ""
    url: str = ""
    cancelled: bool = False
    detail: str = ""
    departments: list = field(default_factory=list)
    updated: datetime.datetime | None = None
    short: str = ""  # for the month grid's narrow cells

    @property
    def grid_label(self):
        return self.short or self.title

    @property
    def colour(self):
        return KIND_COLOURS[self.kind]

    @property
    def kind_label(self):
        return dict(KINDS)[self.kind]

    @property
    def all_day(self):
        return self.start is None

    def starts_at(self):
        return datetime.datetime.combine(self.date, self.start, tzinfo=TZ)

    def ends_at(self):
        return datetime.datetime.combine(self.date, self.end, tzinfo=TZ)


# A pk no real row has, put into a reversed address and replaced by each event's own.
_PK_MARK = 9876543210


def _linker(name):
    """pk -> a detail page's address, reversed once: a month of a 600-class school's
    calendar reversed one per event ("" when that page does not exist (yet))."""
    try:
        head, tail = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    except NoReverseMatch:
        return lambda pk: ""
    return lambda pk: f"{head}{pk}{tail}"


def _no_link(pk):
    return ""


def _sees_event_pages(user):
    """Lecture and activity pages are not for students: their entries link nowhere."""
    return user.has_perm("lectures.see_events")


@dataclass
class Filters:
    kinds: list = field(default_factory=lambda: list(KIND_KEYS))
    department: object = None  # a Department: its classes' events, and school-wide ones
    class_ids: frozenset | None = None  # "my classes": the same rule, for a set of classes


def _class_filter(filters, through, path):
    """Q keeping events that include one of the filtered classes, or that have no class at
    all (school-wide). `through` is the event-to-class rows, `path` the event's field."""
    if filters.department is None and filters.class_ids is None:
        return Q()
    rows = through.filter(**{path: OuterRef("pk")})
    wanted = rows
    if filters.department is not None:
        wanted = wanted.filter(school_class__department=filters.department)
    if filters.class_ids is not None:
        wanted = wanted.filter(school_class__in=filters.class_ids)
    return Q(Exists(wanted)) | ~Q(Exists(rows))


def _departments_of(rows):
    """{event id: sorted department names} from (event id, department name) pairs."""
    names = {}
    for event_id, name in rows:
        names.setdefault(event_id, set()).add(name)
    return {k: sorted(v) for k, v in names.items()}


def lecture_entries(user, start, end, filters, departments=True):
    sessions = LectureSession.objects.filter(
        lecture__in=Lecture.objects.visible_to(user), date__range=(start, end)
    ).filter(_class_filter(filters, SessionClass.objects, "session"))
    # The classes' departments by a subquery, not a list of ids: an empty list would skip
    # the query and make the count depend on the data.
    rows = (
        SessionClass.objects.filter(session__in=sessions.values("pk"))
        .values_list("session_id", "school_class__department__name")
        .distinct()
    )
    departments = _departments_of(rows) if departments else {}
    link = _linker("lectures:session-detail") if _sees_event_pages(user) else _no_link
    # Plain rows: a 600-class school's month holds some 80 sessions, each one with its
    # lecture and venue as three model instances.
    sessions = sessions.values_list(
        "pk",
        "lecture__title",
        "number",
        "date",
        "start_time",
        "end_time",
        "venue__name",
        "status",
        "lecture__speaker",
        "updated_at",
    )
    return [
        Entry(
            kind=LECTURE,
            key=f"lecture-session-{pk}",
            title=_("Lecture 《%(title)s》 · session %(n)s") % {"title": title, "n": number},
            date=date,
            start=start_time,
            end=end_time,
            place=venue,
            url=link(pk),
            cancelled=status == "cancelled",
            detail=speaker,
            short=f"《{title}》{number}",
            departments=departments.get(pk, []),
            updated=updated,
        )
        for pk, title, number, date, start_time, end_time, venue, status, speaker, updated in (
            sessions
        )
    ]


def activity_entries(user, start, end, filters):
    sessions = ActivitySession.objects.visible_to(user).filter(date__range=(start, end))
    if filters.department is not None:
        sessions = sessions.filter(
            Q(school_class__department=filters.department) | Q(school_class__isnull=True)
        )
    if filters.class_ids is not None:
        sessions = sessions.filter(
            Q(school_class__in=filters.class_ids) | Q(school_class__isnull=True)
        )
    sessions = sessions.select_related("design", "venue", "school_class__department")
    link = _linker("lectures:activity-session-detail") if _sees_event_pages(user) else _no_link
    return [
        Entry(
            kind=ACTIVITY,
            key=f"activity-session-{s.pk}",
            title=_("Group activity: %(name)s") % {"name": s.design.name},
            date=s.date,
            start=s.start_time,
            end=s.end_time,
            place=s.venue.name if s.venue_id else "",
            url=link(s.pk),
            cancelled=s.status == "cancelled",
            detail=s.audience,
            short=s.design.name,
            departments=[s.school_class.department.name] if s.school_class_id else [],
            updated=s.updated_at,
        )
        for s in sessions
    ]


def theme_entries(user, start, end, filters, departments=True):
    through = ThemeEvent.classes.through.objects
    events = ThemeEvent.objects.filter(
        month__in=ThemeMonth.objects.visible_to(user), date__range=(start, end)
    )
    if filters.department is not None or filters.class_ids is not None:
        rows = through.filter(themeevent=OuterRef("pk"))
        wanted = rows
        if filters.department is not None:
            wanted = wanted.filter(schoolclass__department=filters.department)
        if filters.class_ids is not None:
            wanted = wanted.filter(schoolclass__in=filters.class_ids)
        events = events.filter(Q(Exists(wanted)) | ~Q(Exists(rows)))
    departments = (
        _departments_of(
            through.filter(themeevent__in=events.values("pk"))
            .values_list("themeevent_id", "schoolclass__department__name")
            .distinct()
        )
        if departments
        else {}
    )
    link = _linker("lectures:event-detail")
    events = list(events.select_related("month", "venue"))
    return [
        Entry(
            kind=THEME,
            key=f"theme-event-{e.pk}",
            title=e.title,
            date=e.date,
            start=e.start_time,
            end=e.end_time,
            place=e.venue.name if e.venue_id else "",
            url=link(e.pk),
            detail=f"{e.get_kind_display()} · {e.month.theme}",
            departments=departments.get(e.pk, []),
            updated=e.updated_at,
        )
        for e in events
    ]


# A topic typed as "培训：识别心理困扰" under the label "心理委员培训" would read
# "心理委员培训：培训：识别心理困扰": the kind word at the start of a topic is dropped.
KIND_PREFIX = {
    MEETING: ("例会", "单周例会", "meeting"),
    TRAINING: ("培训", "双周培训", "training"),
}


def _without_kind_prefix(topic, kind):
    text = (topic or "").strip()
    for word in KIND_PREFIX.get(kind, ()):
        for mark in ("：", ":", " ·", "·", "-", "—"):
            if text.lower().startswith(f"{word}{mark}".lower()):
                return text[len(word) + len(mark) :].strip()
    return text


def meeting_entries(user, start, end, filters, kinds):
    meetings = Meeting.objects.visible_to(user).filter(date__range=(start, end))
    wanted = [k for k in (MEETING, TRAINING) if k in kinds]
    meetings = meetings.filter(kind__in=wanted)
    link = _linker("committees:meeting-detail")
    entries = []
    for m in meetings:
        label = _("Committee meeting") if m.kind == MEETING else _("Committee training")
        topic = _without_kind_prefix(m.topic, m.kind)
        entries.append(
            Entry(
                kind=MEETING if m.kind == MEETING else TRAINING,
                key=f"committee-meeting-{m.pk}",
                title=f"{colon(label)}{topic}" if topic else label,
                date=m.date,
                start=m.start_time,
                end=m.end_time,
                place=m.place,
                url=link(m.pk),
                cancelled=m.status == "cancelled",
                updated=m.updated_at,
                short=label,
            )
        )
    return entries


def entries_between(user, start, end, filters=None, departments=True):
    """Every event the user may see from `start` to `end` (inclusive), in order; without
    `departments` the entries' department names are not read (the month grid shows none)."""
    filters = filters or Filters()
    kinds = set(filters.kinds)
    entries = []
    if LECTURE in kinds:
        entries += lecture_entries(user, start, end, filters, departments)
    if ACTIVITY in kinds:
        entries += activity_entries(user, start, end, filters)
    if THEME in kinds:
        entries += theme_entries(user, start, end, filters, departments)
    if kinds & {MEETING, TRAINING}:
        entries += meeting_entries(user, start, end, filters, kinds)
    entries.sort(key=lambda e: (e.date, e.start or datetime.time.min, e.kind, e.title))
    return entries


def by_day(entries):
    days = {}
    for entry in entries:
        days.setdefault(entry.date, []).append(entry)
    return days


# --- iCalendar ------------------------------------------------------------------------------

FEED_PAST = datetime.timedelta(days=120)
FEED_FUTURE = datetime.timedelta(days=400)


def feed_filters(user, query=None):
    """What concerns the person: a member its meetings, trainings and its class's events;
    a class teacher its class's events; a liaison its department's; a counselor (or the
    school's administrator) everything, narrowed by ?kind= and ?department= in the link."""
    from counseling.permissions import access_of

    query = query or {}
    access = access_of(user)
    filters = Filters()
    if access.counselor_school_ids or access.school_admin_school_ids:
        kinds = [k for k in query.get("kind", "").split(",") if k in KIND_KEYS]
        if kinds:
            filters.kinds = kinds
        department = query.get("department", "")
        if department.isdigit():
            from counseling.models import Department

            filters.department = Department.objects.filter(
                pk=int(department), school_id__in=access.school_ids
            ).first()
        return filters
    if access.liaison_department_ids:
        from counseling.models import Department

        filters.department = Department.objects.filter(pk__in=access.liaison_department_ids).first()
        filters.kinds = [LECTURE, ACTIVITY, THEME]
        return filters
    member = set(access.member_class_ids)
    classes = member | set(access.teacher_class_ids) | set(access.student_class_ids)
    filters.class_ids = frozenset(classes)
    if not member:
        filters.kinds = [LECTURE, ACTIVITY, THEME]
    return filters


def feed_entries(user, query=None):
    today = timezone.localdate()
    return entries_between(user, today - FEED_PAST, today + FEED_FUTURE, feed_filters(user, query))


def feed_fingerprint(entries, language):
    """(ETag, Last-Modified) of a feed from its entries: no need to render it to compare."""
    import hashlib

    digest = hashlib.sha256(language.encode())
    for e in entries:
        stamp = e.updated.isoformat() if e.updated else ""
        digest.update(f"{e.key}|{stamp}|{e.cancelled}\n".encode())
    updated = [e.updated for e in entries if e.updated]
    return f'"{digest.hexdigest()[:32]}"', max(updated) if updated else None


def ical_feed(user, *, base_url, domain, name, entries=None):
    """The user's calendar as iCalendar bytes: a window around today, times in Shanghai.

    DTSTAMP and LAST-MODIFIED are each item's last change, so that a calendar app polling
    the feed sees the same event as long as nothing changed."""
    from icalendar import Calendar, Event

    if entries is None:
        entries = feed_entries(user)
    calendar = Calendar()
    calendar.add("prodid", "-//Counseling portal//Calendar//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    fallback = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.key}@{domain}")
        event.add("dtstamp", entry.updated or fallback)
        if entry.updated:
            event.add("last-modified", entry.updated)
        event.add("summary", entry.title)
        if entry.all_day:
            event.add("dtstart", entry.date)
            event.add("dtend", entry.date + datetime.timedelta(days=1))
        else:
            event.add("dtstart", entry.starts_at())
            event.add("dtend", entry.ends_at())
        if entry.place:
            event.add("location", entry.place)
        description = [str(entry.kind_label)]
        if entry.detail:
            description.append(entry.detail)
        if entry.departments:
            description.append("、".join(entry.departments))
        event.add("description", "\n".join(description))
        event.add("categories", [str(entry.kind_label)])
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        if entry.url:
            event.add("url", base_url.rstrip("/") + entry.url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
