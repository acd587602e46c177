"""Actions of the core that span several rows: granting and ending roles.

Every way of giving a role (the portal's form, the Django admin) goes through `save_role`,
so the separation-of-duties rule (`counseling.permissions.role_refusal`) is checked in one
place, under a lock, and the grant lands in the audit trail with the sessions it affects.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counseling import audit
from counseling.errors import PortalError
from counseling.models import Role, School
from counseling.notifications.services import notify
from counseling.permissions import COUNSELOR, SCHOOL_ADMIN, end_refusal, role_refusal


def duplicate_of(role):
    """The other role of the same person, kind and scope, if there is one (the database's
    three partial unique constraints, checked before saving)."""
    same = Role.objects.filter(user_id=role.user_id, kind=role.kind)
    if role.school_class_id:
        same = same.filter(school_class_id=role.school_class_id)
    elif role.department_id:
        same = same.filter(department_id=role.department_id)
    else:
        same = same.filter(
            school_id=role.school_id, department__isnull=True, school_class__isnull=True
        )
    if role.pk:
        same = same.exclude(pk=role.pk)
    return same.first()


DUPLICATE_MESSAGE = gettext_lazy("This person already has this role here.")


def save_role(actor, role, *, original=None, changes=None, request=None):
    """Grant a new role or save a changed one, if the rule lets `actor` do it."""
    with transaction.atomic():
        # One grant at a time per school: "the school has no head counselor yet" must still
        # hold when the first one is saved.
        School.objects.select_for_update().filter(pk=role.school_id).first()
        refusal = role_refusal(actor, role, original)
        if refusal:
            raise PortalError("role_refused", refusal)
        if duplicate_of(role):
            raise PortalError("role_duplicate", str(DUPLICATE_MESSAGE))
        first_head = (
            original is None
            and role.kind == COUNSELOR
            and role.is_head
            and role.school_id not in actor.access.head_counselor_school_ids
        )
        try:
            with transaction.atomic():
                role.save()
        except IntegrityError:
            raise PortalError("role_duplicate", str(DUPLICATE_MESSAGE)) from None
        details = dict(changes or {})
        details["kind"] = role.kind
        if first_head:
            details["first_head_counselor"] = True
        role.log_action(
            actor,
            audit.AuditEntry.Action.UPDATE if original else audit.AuditEntry.Action.CREATE,
            changes=details,
            request=request,
        )
        if first_head:
            _tell_first_head(actor, role)
        # A changed role may give more or less than before: the person signs in again.
        if original is not None:
            original.user.end_sessions(request)
        if original is None or original.user_id != role.user_id:
            role.user.end_sessions(request)
    return role


def _tell_first_head(actor, role):
    admins = Role.objects.current().filter(school_id=role.school_id, kind=SCHOOL_ADMIN)
    recipients = {role.user_id, *admins.values_list("user_id", flat=True)}
    notify(
        list(recipients),
        "counseling.notice",
        gettext_lazy("A head counselor was appointed"),
        _("%(actor)s appointed %(user)s head counselor of %(school)s.")
        % {"actor": actor, "user": role.user, "school": role.school},
    )


def end_role(actor, role, *, request=None):
    """End a role (roles end, they are not deleted: the audit trail keeps who held what)
    and every session of its holder."""
    with transaction.atomic():
        refusal = end_refusal(actor, role)
        if refusal:
            raise PortalError("role_refused", refusal)
        role.ends_on = timezone.localdate() - datetime.timedelta(days=1)
        if role.starts_on and role.starts_on > role.ends_on:
            role.starts_on = role.ends_on
        role.save(update_fields=["ends_on", "starts_on", "updated_at"])
        role.log_action(actor, audit.AuditEntry.Action.DEACTIVATE, request=request)
        role.user.end_sessions(request)
    return role
