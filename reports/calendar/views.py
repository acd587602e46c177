"""The calendar of the semester: a month grid, a week list (the phone's view), and a
per-person iCalendar feed behind a secret link."""

import calendar as pycalendar
import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from counseling.models import Department, Semester
from counseling.permissions import access_of
from counseling.views.helpers import require_perm
from reports.calendar import agenda
from reports.calendar.models import CalendarToken


def _parse_date(value, fmt):
    try:
        return datetime.datetime.strptime(value, fmt).date()
    except (TypeError, ValueError):
        return None


def _url(request, name, **params):
    """The view's address with the current filters, `params` set (None drops one)."""
    query = request.GET.copy()
    for key, value in params.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    encoded = query.urlencode()
    return reverse(name) + (f"?{encoded}" if encoded else "")


def _my_class_ids(user):
    access = access_of(user)
    return access.teacher_class_ids | access.member_class_ids | access.student_class_ids


def _filters(request):
    """The filters of the query string: ?kind=… (any number), ?department=pk, ?mine=1."""
    access = access_of(request.user)
    departments = list(
        Department.objects.filter(access.school_q("school")).active().order_by("name")
    )
    wanted = [k for k in request.GET.getlist("kind") if k in agenda.KIND_KEYS]
    kinds = wanted or list(agenda.KIND_KEYS)
    department = None
    raw = request.GET.get("department", "")
    if raw.isdigit():
        department = next((d for d in departments if d.pk == int(raw)), None)
    my_classes = _my_class_ids(request.user)
    mine = bool(my_classes) and request.GET.get("mine") == "1"
    filters = agenda.Filters(
        kinds=kinds, department=department, class_ids=my_classes if mine else None
    )
    context = {
        "kinds": [
            (key, label, agenda.KIND_COLOURS[key], key in kinds) for key, label in agenda.KINDS
        ],
        "departments": departments,
        "department": department,
        "has_classes": bool(my_classes),
        "mine": mine,
        "filtered": bool(wanted) or department is not None or mine,
    }
    return filters, context


def _week_labeller(user):
    """第N周 of a Monday, from the semesters the user sees (one query, few rows)."""
    semesters = list(Semester.objects.visible_to(user))

    def label(monday):
        for semester in semesters:
            if semester.contains(monday):
                return semester.week_of(monday)
        return None

    return label


@login_required
@require_perm("reports.see_calendar")
def month(request):
    today = timezone.localdate()
    first = _parse_date(request.GET.get("month"), "%Y-%m") or today.replace(day=1)
    days_in_month = pycalendar.monthrange(first.year, first.month)[1]
    last = first.replace(day=days_in_month)
    grid_start = first - datetime.timedelta(days=first.weekday())
    grid_end = last + datetime.timedelta(days=6 - last.weekday())
    filters, context = _filters(request)
    entries = agenda.entries_between(request.user, grid_start, grid_end, filters, departments=False)
    days = agenda.by_day(entries)
    week_number = _week_labeller(request.user)
    # The week view's address once and each day's put together here: a {% url %} and two
    # |date per cell were most of the grid's cost.
    week_base = reverse("reports:calendar-week") + "?week="
    weeks = []
    day = grid_start
    while day <= grid_end:
        cells = []
        for d in (day + datetime.timedelta(days=i) for i in range(7)):
            iso = d.isoformat()
            day_entries = days.get(d, [])
            cells.append(
                {
                    "date": d,
                    "iso": iso,
                    "week_href": week_base + iso,
                    "entries": day_entries,
                    "shown": day_entries[:4],
                    "more": max(len(day_entries) - 4, 0),
                    "in_month": d.month == first.month,
                    "today": d == today,
                }
            )
        weeks.append(
            {
                "monday": day,
                "week_href": cells[0]["week_href"],
                "teaching_week": week_number(day),
                "days": cells,
            }
        )
        day += datetime.timedelta(days=7)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    context.update(
        {
            "view": "month",
            "first": first,
            "weeks": weeks,
            "weekday_names": _weekday_names(grid_start),
            "heading": date_filter(first, "YEAR_MONTH_FORMAT"),
            "previous_url": _url(request, "reports:calendar", month=previous.strftime("%Y-%m")),
            "next_url": _url(request, "reports:calendar", month=following.strftime("%Y-%m")),
            "today_url": _url(request, "reports:calendar", month=None),
            "month_url": _url(request, "reports:calendar"),
            # The week view opens on the month's first week, or on today's within this month.
            "week_url": _url(
                request,
                "reports:calendar-week",
                month=None,
                week=(today if today.replace(day=1) == first else first).isoformat(),
            ),
            "count": sum(1 for e in entries if e.date.month == first.month),
        }
    )
    return render(request, "reports/calendar_month.html", context)


def _weekday_names(monday):
    """(name, narrow name) per weekday: 星期一 / 一 in Chinese, Mon / Mo in English."""
    names = [date_filter(monday + datetime.timedelta(days=i), "D") for i in range(7)]
    chinese = get_language().startswith("zh")
    return [(name, name[-1] if chinese else name[:2]) for name in names]


@login_required
@require_perm("reports.see_calendar")
def week(request):
    today = timezone.localdate()
    day = _parse_date(request.GET.get("week"), "%Y-%m-%d") or today
    monday = day - datetime.timedelta(days=day.weekday())
    sunday = monday + datetime.timedelta(days=6)
    filters, context = _filters(request)
    entries = agenda.entries_between(request.user, monday, sunday, filters)
    days = agenda.by_day(entries)
    context.update(
        {
            "view": "week",
            "monday": monday,
            "sunday": sunday,
            "teaching_week": _week_labeller(request.user)(monday),
            "days": [
                {
                    "date": d,
                    "entries": days.get(d, []),
                    "today": d == today,
                }
                for d in (monday + datetime.timedelta(days=i) for i in range(7))
            ],
            "heading": _("%(start)s – %(end)s")
            % {
                "start": date_filter(monday, "MONTH_DAY_FORMAT"),
                "end": date_filter(sunday, "MONTH_DAY_FORMAT"),
            },
            "previous_url": _url(
                request,
                "reports:calendar-week",
                week=(monday - datetime.timedelta(days=7)).isoformat(),
            ),
            "next_url": _url(
                request,
                "reports:calendar-week",
                week=(monday + datetime.timedelta(days=7)).isoformat(),
            ),
            "today_url": _url(request, "reports:calendar-week", week=None),
            "week_url": _url(request, "reports:calendar-week"),
            "month_url": _url(
                request, "reports:calendar", week=None, month=monday.strftime("%Y-%m")
            ),
            "count": len(entries),
        }
    )
    return render(request, "reports/calendar_week.html", context)


@login_required
@require_perm("reports.see_calendar")
def link(request):
    """The person's secret feed address, and a button to replace it."""
    token = CalendarToken.for_user(request.user)
    path = reverse("reports:calendar-feed", args=[token.token])
    feed_url = request.build_absolute_uri(path)
    return render(
        request,
        "reports/calendar_link.html",
        {
            "token": token,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        },
    )


@login_required
@require_POST
@require_perm("reports.see_calendar")
def link_reset(request):
    CalendarToken.for_user(request.user).reset()
    messages.success(
        request, _("A new link was made; the old one no longer works. Add the new one again.")
    )
    return redirect("reports:calendar-link")


def _not_modified(request, etag, last_modified):
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [t.strip() for t in if_none_match.split(",")] or if_none_match == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return bool(since and last_modified and int(last_modified.timestamp()) <= since)


# How often a feed read is written down: calendar apps poll every few minutes.
LAST_USED_EVERY = datetime.timedelta(hours=1)


@require_safe
def feed(request, token):
    """The iCalendar feed. Calendar apps cannot sign in: the token alone says whose it is
    (the session, if any, is ignored). An unknown or withdrawn token is a 404.

    In the person's own language, with addresses from PORTAL_BASE_URL (not the Host header,
    or two host names give two copies of every event); an ETag and Last-Modified let a
    polling calendar app get a 304 while nothing changed."""
    record = (
        CalendarToken.objects.select_related("user").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if record is None or not record.user.is_active:
        raise Http404("no such calendar")
    user = record.user
    if not user.has_perm("reports.see_calendar"):
        raise Http404("no such calendar")
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_EVERY:
        CalendarToken.objects.filter(pk=record.pk).update(last_used_at=now)
    base_url = settings.PORTAL_BASE_URL or request.build_absolute_uri("/")
    domain = urlsplit(base_url).hostname or request.get_host().split(":")[0]
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        entries = agenda.feed_entries(user, request.GET)
        etag, last_modified = agenda.feed_fingerprint(entries, language)
        if _not_modified(request, etag, last_modified):
            response = HttpResponseNotModified()
        else:
            body = agenda.ical_feed(
                user,
                base_url=base_url,
                domain=domain,
                name=_("Counseling portal · %(name)s") % {"name": user},
                entries=entries,
            )
            response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
            response["Content-Disposition"] = 'inline; filename="calendar.ics"'
            response["Content-Language"] = language
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The address is the secret: do not pass it on to any page the calendar links to.
    response["Referrer-Policy"] = "no-referrer"
    return response
