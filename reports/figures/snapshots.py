"""The semester figures the pages show: counted in the background, read in one query.

`gather()` counts a semester afresh (some seventy queries, more with the size of the
school); a page view should not pay that, and the figures change only when someone writes
or when the weeks go by. So:

- `shown_figures(semester)` reads the stored FigureSet (FigureSnapshot) and the time it was
  counted; it counts inline only the first time, when no snapshot exists yet;
- a write request that touched the tables figures are counted from (FigureWritesMiddleware)
  marks the writer's schools' snapshots changed and, for the first such write, queues
  `reports.refresh_figures` on commit, a minute later, so that a burst of writes is counted
  once;
- beat runs the same task every few minutes: it counts again every changed snapshot (a
  lost message, a write during a count) and those of running semesters older than
  FIGURES_MAX_AGE_SECONDS (barometers expected and on time depend on the date).

The report's draft and its submission keep calling gather(): a submitted report is exact.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from counseling import jobs
from counseling.models import Role, Semester
from reports.figures.base import FigureSet
from reports.figures.gathering import gather
from reports.figures.models import FigureSnapshot

logger = logging.getLogger(__name__)

LEASE = "figures"


def refresh_delay():
    """Seconds between the first write and the count: the writes of a minute count once."""
    return getattr(settings, "FIGURES_REFRESH_DELAY_SECONDS", 60)


def max_age():
    return datetime.timedelta(seconds=getattr(settings, "FIGURES_MAX_AGE_SECONDS", 3600))


def store(semester, figures, counted_at):
    FigureSnapshot.objects.update_or_create(
        semester=semester,
        defaults={
            "school_id": semester.school_id,
            "data": figures.as_snapshot(),
            "counted_at": counted_at,
        },
    )


def shown_figures(semester):
    """(FigureSet, counted at) of a semester for the pages: the stored one when there is one
    (one query), else counted now and stored."""
    snapshot = FigureSnapshot.objects.filter(semester=semester).only("data", "counted_at").first()
    if snapshot is not None:
        return FigureSet.from_snapshot(snapshot.data), snapshot.counted_at
    counted_at = timezone.now()
    figures = gather(semester.school, semester, now=counted_at)
    store(semester, figures, counted_at)
    return figures, counted_at


def refresh(semester_id):
    """Count one semester again and store it. A write while counting leaves the snapshot
    marked changed, for the next run. False when another worker is counting it."""
    lease = jobs.Lease(LEASE, semester_id)
    if not lease.acquire():
        return False
    try:
        semester = Semester.objects.select_related("school").filter(pk=semester_id).first()
        if semester is None:
            return False
        counted_at = timezone.now()
        figures = gather(semester.school, semester, now=counted_at)
        store(semester, figures, counted_at)
        FigureSnapshot.objects.filter(semester=semester, changed_at__lte=counted_at).update(
            changed_at=None
        )
        return True
    finally:
        lease.release()


def due(school_ids=None, now=None):
    """The semesters whose snapshot should be counted again: changed ones, and (for beat,
    when no schools are named) running semesters counted more than max_age() ago."""
    now = now or timezone.now()
    snapshots = FigureSnapshot.objects.all()
    if school_ids is not None:
        return list(
            snapshots.filter(school__in=school_ids, changed_at__isnull=False).values_list(
                "semester_id", flat=True
            )
        )
    rows = snapshots.filter(
        Q(changed_at__isnull=False) | Q(counted_at__lt=now - max_age())
    ).select_related("semester")
    today = timezone.localdate(now)
    return [
        s.semester_id
        for s in rows
        if s.changed_at is not None
        # A semester counted after its last day has nothing left that time could change.
        or (
            s.semester.first_monday <= today
            and timezone.localdate(s.counted_at) <= s.semester.last_day
        )
    ]


def refresh_due(school_ids=None):
    counted = 0
    for semester_id in due(school_ids):
        try:
            counted += bool(refresh(semester_id))
        except Exception:  # one school's failure must not keep the others stale
            logger.exception("could not count the figures of semester %s", semester_id)
    return counted


def queue_refresh(school_ids=None):
    from reports.figures.tasks import refresh_figures

    ids = sorted(school_ids) if school_ids else None
    try:
        refresh_figures.apply_async(kwargs={"school_ids": ids}, countdown=refresh_delay())
    except Exception:  # the broker is away: beat's next run counts them
        logger.exception("could not queue the figures' refresh")


def mark_changed(user):
    """After a write by `user`: their schools' snapshots are out of date. The first write
    since the last count queues the count; later ones find the mark already there.

    A person's schools are those of their roles; one with none (the system administrator)
    may have written at any school."""
    school_ids = {
        pk for pk in Role.objects.filter(user=user).values_list("school_id", flat=True) if pk
    }
    snapshots = FigureSnapshot.objects.filter(changed_at__isnull=True)
    if school_ids:
        snapshots = snapshots.filter(school__in=school_ids)
    if snapshots.update(changed_at=timezone.now()):
        transaction.on_commit(lambda: queue_refresh(school_ids or None), robust=True)
