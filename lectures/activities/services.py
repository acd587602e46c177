"""Actions over group activity sessions: planning one in a free venue, recording it after."""

from django.db import transaction

from counseling import audit
from lectures.activities.models import ActivitySession
from lectures.events.models import Status
from lectures.events.services import check_venue, set_status


@transaction.atomic
def save_activity_session(form, actor, *, request=None):
    """Save an activity session from its form, refusing a venue already booked then."""
    session = form.instance
    if session.venue_id and session.status != Status.CANCELLED:
        check_venue(
            session.venue, session.date, session.start_time, session.end_time, exclude=session
        )
    return audit.save_form(form, actor, request=request)


@transaction.atomic
def record_activity_session(form, actor, *, request=None):
    """Save what a session's record form says (held or cancelled, who took part, what
    happened). A cancelled session held or planned again goes through set_status first,
    which refuses it if its venue was booked since."""
    session = form.instance
    # The form has already put the new status on the instance: the stored one, locked.
    was = ActivitySession.objects.select_for_update().get(pk=session.pk).status
    wanted = form.cleaned_data["status"]
    if was == Status.CANCELLED and wanted != Status.CANCELLED:
        session.status = was
        set_status(session, wanted, actor, request=request)
    return audit.save_form(form, actor, request=request)
