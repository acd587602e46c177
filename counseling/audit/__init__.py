"""The audit trail: one entry point, `record`, for every app.

Rows are append-only. On PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE,
so not even the application can rewrite history; on SQLite updates are refused the same way.
A statement trigger (migration 0004) refuses TRUNCATE, and in production the application
connects as a role that does not own the table (`make db-roles`), so it can neither truncate
nor disable the triggers.

Each entry is also chained: it stores the hash of the previous entry of its chain (one chain
per school, one for entries without a school) and the hash of its own content with that
link, so `manage.py verify_audit` detects a row that was removed or altered by whoever owns
the table. Inserts into one chain are serialised by an advisory lock on PostgreSQL (SQLite
serialises writers anyway); the lock is held until the surrounding transaction commits.
"""

import json
import zlib

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import DateTimeField, Model  # `models` is this package's own module
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.audit.models import AuditEntry
from counseling.http import client_ip

__all__ = ["AuditEntry", "AuditedModel", "form_changes", "record", "save_form", "verify_chains"]


def _chain_lock(school_id):
    """Serialise inserts into one chain until the transaction ends (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"audit-chain:{school_id or 0}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, key - 2**31])


def _append(entry):
    with transaction.atomic():
        _chain_lock(entry.school_id)
        last = (
            AuditEntry.objects.filter(school_id=entry.school_id)
            .exclude(entry_hash="")
            .order_by("-id")
            .values_list("entry_hash", flat=True)
            .first()
        )
        entry.prev_hash = last or ""
        # Stored as the database gives it back, so that the hash can be recomputed.
        entry.changes = json.loads(json.dumps(entry.changes, default=str))
        entry.at = timezone.now()
        entry.ip_address = entry._meta.get_field("ip_address").get_prep_value(entry.ip_address)
        entry.entry_hash = entry.content_hash()
        entry.save()


class ChainReport:
    def __init__(self):
        self.checked = self.chains = self.unchained = 0
        self.problems = []


def verify_chains(queryset=None):
    """Walk every chain in insertion order; return what was checked and what is broken."""
    report = ChainReport()
    rows = (queryset or AuditEntry.objects.all()).order_by("school_id", "id")
    last_hash = {}
    for entry in rows.iterator(chunk_size=2000):
        if not entry.entry_hash:
            report.unchained += 1
            continue
        chain = entry.school_id
        if chain not in last_hash:
            report.chains += 1
            last_hash[chain] = None
        report.checked += 1
        expected_prev = last_hash[chain]
        if expected_prev is not None and entry.prev_hash != expected_prev:
            report.problems.append(
                f"entry {entry.pk} (school {chain}): previous hash does not match: "
                "an entry before it was removed or altered"
            )
        elif expected_prev is None and entry.prev_hash and not report.unchained:
            report.problems.append(
                f"entry {entry.pk} (school {chain}): the first entries of its chain are missing"
            )
        if entry.content_hash() != entry.entry_hash:
            report.problems.append(f"entry {entry.pk} (school {chain}): content was altered")
        last_hash[chain] = entry.entry_hash
    return report


def _school_id_of(obj):
    for path in ("school_id", "department.school_id", "school_class.department.school_id"):
        value = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            continue
        if value:
            return value
    return None


def record(actor, action, obj=None, *, changes=None, request=None, school=None, label=""):
    """Append one entry: who did what to which object (and, for sensitive data, who read it)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        actor=actor,
        actor_name=(actor.get_username() if actor else "")[:150],
        action=action,
        changes=changes or {},
        ip_address=client_ip(request),
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = (label or str(obj))[:200]
        entry.school_id = school.pk if school else _school_id_of(obj)
    else:
        entry.object_repr = label[:200]
        entry.school_id = school.pk if school else None
    _append(entry)
    return entry


def _plain(value):
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, (list, tuple, set)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return [str(v) for v in items]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def form_changes(form):
    """The fields a ModelForm changed, as {field: [old, new]} fit for an entry."""
    changes = {}
    for name in form.changed_data:
        old = form.initial.get(name)
        field = form.fields[name]
        if hasattr(field, "queryset") and old is not None and not isinstance(old, Model):
            try:
                old = field.queryset.model._default_manager.filter(
                    pk__in=old if isinstance(old, list) else [old]
                )
                old = [str(o) for o in old]
            except (TypeError, ValueError):
                pass
        changes[name] = [_plain(old), _plain(form.cleaned_data.get(name))]
    return changes


def save_form(form, actor, *, request=None, changes=None):
    """Save a ModelForm and log it as one action: CREATE for a new object, UPDATE with the
    fields the form changed otherwise. In one transaction, so a failed entry saves nothing.
    Returns the saved object."""
    adding = form.instance._state.adding
    with transaction.atomic():
        obj = form.save()
        record(
            actor,
            AuditEntry.Action.CREATE if adding else AuditEntry.Action.UPDATE,
            obj,
            changes=form_changes(form) if changes is None else changes,
            request=request,
        )
    return obj


class AuditedModel(Model):
    """Base for models whose changes are logged: `obj.log_action(user, action, ...)`."""

    created_at = DateTimeField(_("created"), auto_now_add=True)
    updated_at = DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def log_action(self, actor, action, *, changes=None, request=None):
        return record(actor, action, self, changes=changes, request=request)
