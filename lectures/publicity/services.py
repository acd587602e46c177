"""Actions over publicity: publishing an open letter and confirming it was read out in a
class, saving a theme-month event (its venue, its contest), judging a contest blind."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from counseling import audit
from counseling.errors import PortalError
from counseling.models import Role, SchoolClass
from counseling.notifications import notify
from lectures.events.services import check_venue
from lectures.publicity.models import Contest, ContestEntry, LetterReading, Score, ThemeEvent

Action = audit.AuditEntry.Action


# --- Open letters ----------------------------------------------------------------------------


@transaction.atomic
def save_letter(form, actor, *, request=None):
    """Save an open letter; a new one, if the form asks, tells every committee member of the
    school to read it out in class. Returns the letter and how many members were told."""
    adding = form.instance._state.adding
    letter = audit.save_form(form, actor, request=request)
    told = 0
    if adding and form.cleaned_data.get("notify_members"):
        told = len(_notify_members(letter))
    return letter, told


def _notify_members(letter):
    members = {
        role.user
        for role in Role.objects.current()
        .filter(kind=Role.Kind.COMMITTEE_MEMBER, school=letter.school)
        .select_related("user")
    }
    return notify(
        sorted(members, key=lambda u: u.pk),
        "lectures.letter",
        _("Open letter to read out in class: %(title)s") % {"title": letter.title},
        body=_("Read it out in your class, then confirm it in the portal."),
        url=reverse("lectures:letter-detail", args=[letter.pk]),
    )


@transaction.atomic
def confirm_letter_read(letter, school_class, user, *, request=None):
    try:
        with transaction.atomic():
            reading = LetterReading.objects.create(
                letter=letter, school_class=school_class, confirmed_by=user
            )
    except IntegrityError:
        return None
    audit.record(
        user, Action.UPDATE, letter, request=request, changes={"read_in": str(school_class)}
    )
    return reading


def letter_unread_classes(letter):
    read = LetterReading.objects.filter(letter=letter).values("school_class")
    return (
        SchoolClass.objects.active()
        .filter(department__school=letter.school)
        .exclude(pk__in=read)
        .select_related("department")
    )


# --- Theme months -----------------------------------------------------------------------------


@transaction.atomic
def save_event(form, actor, *, request=None):
    """Save a theme-month event from its form: its venue must be free at its time (the
    event itself apart when it moves), and a contest event carries its Contest."""
    event = form.instance
    adding = event._state.adding
    if event.venue_id and event.start_time and event.end_time:
        check_venue(event.venue, event.date, event.start_time, event.end_time, exclude=event)
    event = form.save()
    _sync_contest(event, form.cleaned_data.get("entries_close_on"))
    # A theme event has no school of its own: the entry is filed under its month's.
    audit.record(
        actor,
        Action.CREATE if adding else Action.UPDATE,
        event,
        changes=audit.form_changes(form),
        request=request,
        school=event.month.school,
    )
    return event


def _sync_contest(event, close_on):
    """A contest event carries its Contest; an event that stops being one loses it (the
    form refuses that once entries exist)."""
    contest = Contest.objects.filter(event=event).first()
    if event.kind == ThemeEvent.Kind.CONTEST:
        if contest is None:
            Contest.objects.create(event=event, entries_close_on=close_on)
        elif contest.entries_close_on != close_on:
            contest.entries_close_on = close_on
            contest.save(update_fields=["entries_close_on"])
    elif contest is not None:
        contest.delete()


# --- Contests ---------------------------------------------------------------------------------


def contest_results(contest):
    """Entries ranked by their mean total over the current judges who scored every
    criterion; entries not yet scored by every judge come after the fully judged ones."""
    criteria = list(contest.criteria.all())
    judges = list(contest.judges.all())
    scores = {}
    rows = Score.objects.filter(entry__contest=contest, judge__in=judges)
    for entry_id, judge_id, points in rows.values_list("entry_id", "judge_id", "points"):
        scores.setdefault(entry_id, {}).setdefault(judge_id, []).append(points)
    results = []
    for entry in contest.entries.select_related("school_class"):
        totals = [sum(p) for p in scores.get(entry.pk, {}).values() if len(p) == len(criteria)]
        results.append(
            {
                "entry": entry,
                "judged_by": len(totals),
                "complete": len(totals) == len(judges) > 0,
                "mean": sum(totals) / len(totals) if totals else None,
            }
        )
    results.sort(
        key=lambda r: (not r["complete"], r["mean"] is None, -(r["mean"] or 0), r["entry"].code)
    )
    return {"results": results, "judges": judges, "criteria": criteria}


@transaction.atomic
def score_entry(entry, judge, points_by_criterion):
    """A judge's scores for one entry (judges never see the entry's class)."""
    contest = entry.contest
    if not contest.judges.filter(pk=judge.pk).exists():
        raise PortalError("not_judge", _("You are not a judge of this contest."))
    criteria = {c.pk: c for c in contest.criteria.all()}
    if set(points_by_criterion) != set(criteria):
        raise PortalError("incomplete", _("Score every criterion."))
    for pk, points in points_by_criterion.items():
        if points is None or not 0 <= points <= criteria[pk].max_points:
            raise PortalError(
                "range",
                _("%(name)s takes 0 to %(max)s points.")
                % {"name": criteria[pk].name, "max": criteria[pk].max_points},
            )
    for pk, points in points_by_criterion.items():
        Score.objects.update_or_create(
            entry=entry, judge=judge, criterion_id=pk, defaults={"points": points}
        )


def entries_for_judge(contest, judge):
    """What a judge sees: codes and titles only."""
    return ContestEntry.objects.filter(contest=contest).only(
        "pk", "code", "title", "file", "contest_id"
    )
