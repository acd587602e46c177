"""The consultation room's figures for the semester report: counts only, a fixed number of
queries (one per kind of record), whatever the size of the semester.

`reports` calls `semester_figures(school, semester)` and suppresses small counts of rows
marked sensitive where the reader is not a counselor.
"""

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.booking.models import Booking
from consultations.cases.models import Case, Referral, Risk, SessionNote
from consultations.hours.models import Channel
from consultations.letters.models import Letter
from consultations.online.models import Message


def _bounds(semester):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(semester.first_monday, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        semester.last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return start, end


def _figure(key, label, value, unit=None, sensitive=False):
    return {
        "key": f"consultations.{key}",
        "label": str(label),
        "value": value or 0,
        "unit": str(unit if unit is not None else _("个")),
        "sensitive": sensitive,
        "scope": "school",
    }


def _counts(queryset, **named):
    return queryset.aggregate(**{k: Count("pk", filter=q, distinct=True) for k, q in named.items()})


def semester_figures(school, semester):
    start, end = _bounds(semester)
    times = _("次")
    people = _("人")
    figures = []

    letters = _counts(
        Letter.objects.filter(school=school, received_at__gte=start, received_at__lt=end),
        received=Q(),
        anonymous=Q(student__isnull=True),
        answered=Q(replied_at__isnull=False),
        on_time=Q(replied_at__isnull=False, replied_at__lte=F("due_at")),
        crisis=Q(is_crisis=True),
    )
    figures += [
        _figure("letters_received", _("Letters received"), letters["received"], _("封")),
        _figure("letters_anonymous", _("Anonymous letters"), letters["anonymous"], _("封")),
        _figure("letters_answered", _("Letters answered"), letters["answered"], _("封")),
        _figure("letters_on_time", _("Letters answered on time"), letters["on_time"], _("封")),
        _figure(
            "letters_crisis", _("Letters that read as a crisis"), letters["crisis"], _("封"), True
        ),
    ]

    concern_q = {f"concern_{c}": Q(concern=c) for c in Case.Concern.values}
    risk_q = {f"open_{r}": Q(risk_at_opening=r) for r in Risk.values}
    opened = _counts(
        Case.objects.filter(school=school, opened_at__gte=start, opened_at__lt=end),
        opened=Q(),
        **concern_q,
        **risk_q,
    )
    figures.append(_figure("cases_opened", _("New cases"), opened["opened"], people))
    for value, label in Case.Concern.choices:
        figures.append(
            _figure(
                f"cases_concern_{value}",
                _("New cases: %(concern)s") % {"concern": label},
                opened[f"concern_{value}"],
                people,
                True,
            )
        )
    for value, label in Risk.choices:
        figures.append(
            _figure(
                f"risk_at_opening_{value}",
                _("Risk level at opening: %(level)s") % {"level": label},
                opened[f"open_{value}"],
                people,
                True,
            )
        )

    closed = _counts(
        Case.objects.filter(school=school, closed_at__gte=start, closed_at__lt=end),
        closed=Q(),
        better=Q(rating_at_closing__gt=F("rating_at_opening")),
        same=Q(rating_at_closing=F("rating_at_opening")),
        worse=Q(rating_at_closing__lt=F("rating_at_opening")),
        **{f"close_{r}": Q(risk_at_closing=r) for r in Risk.values},
    )
    figures.append(_figure("cases_closed", _("Cases closed"), closed["closed"], people))
    for value, label in Risk.choices:
        figures.append(
            _figure(
                f"risk_at_closing_{value}",
                _("Risk level at closing: %(level)s") % {"level": label},
                closed[f"close_{value}"],
                people,
                True,
            )
        )
    figures += [
        _figure(
            "rating_better",
            _("Closed cases rated better than at opening"),
            closed["better"],
            people,
            True,
        ),
        _figure(
            "rating_same",
            _("Closed cases rated the same as at opening"),
            closed["same"],
            people,
            True,
        ),
        _figure(
            "rating_worse",
            _("Closed cases rated worse than at opening"),
            closed["worse"],
            people,
            True,
        ),
    ]

    referrals = _counts(
        Referral.objects.filter(case__school=school, at__gte=start, at__lt=end),
        referred=Q(),
        followed=Q(follow_ups__isnull=False),
    )
    figures += [
        _figure(
            "referrals", _("Referrals to outside services"), referrals["referred"], people, True
        ),
        _figure(
            "referrals_followed",
            _("Referrals followed up"),
            referrals["followed"],
            people,
            True,
        ),
    ]

    notes = _counts(
        SessionNote.objects.filter(case__school=school, at__gte=start, at__lt=end),
        **{f"note_{k}": Q(kind=k) for k in SessionNote.Kind.values},
    )
    for value, label in SessionNote.Kind.choices:
        figures.append(
            _figure(
                f"contacts_{value}",
                _("Recorded contacts: %(kind)s") % {"kind": label},
                notes[f"note_{value}"],
                times,
            )
        )

    bookings = _counts(
        Booking.objects.filter(school=school, starts_at__gte=start, starts_at__lt=end),
        booked=Q(),
        attended=Q(status=Booking.Status.ATTENDED),
        no_show=Q(status=Booking.Status.NO_SHOW),
        cancelled=Q(status=Booking.Status.CANCELLED),
        **{f"channel_{c}": Q(status=Booking.Status.ATTENDED, channel=c) for c in Channel.values},
    )
    figures += [
        _figure("bookings", _("Bookings"), bookings["booked"], times),
        _figure("bookings_attended", _("Consultations held"), bookings["attended"], times),
        _figure("bookings_no_show", _("Bookings not attended"), bookings["no_show"], times),
        _figure("bookings_cancelled", _("Bookings cancelled"), bookings["cancelled"], times),
    ]
    for value, label in Channel.choices:
        figures.append(
            _figure(
                f"consultations_{value}",
                _("Consultations held: %(channel)s") % {"channel": label},
                bookings[f"channel_{value}"],
                times,
            )
        )

    online = _counts(
        Message.objects.filter(thread__school=school, created_at__gte=start, created_at__lt=end),
        messages=Q(),
        from_students=Q(from_counselor=False),
    )
    figures.append(
        _figure(
            "online_messages", _("Online messages from students"), online["from_students"], _("条")
        )
    )
    return figures
