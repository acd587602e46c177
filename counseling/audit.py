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

import datetime
import hashlib
import json
import zlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.permissions import access_of


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The system administrator sees every entry, a head counselor those of its schools."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        schools = access_of(user).head_counselor_school_ids
        if not schools:
            return self.none()
        return self.filter(Q(school_id__in=schools) | Q(school__isnull=True, actor=user))

    def visible_parts(self, user):
        """`visible_to` as disjoint querysets without an OR, for the audit page.

        With the OR the planner cannot walk audit_school_at_idx newest first and stop after
        one page: it filtered every row of the table (125 ms at 42 schools). Each part walks
        its own index; the page takes the union of the parts (UNION ALL: they are disjoint).
        """
        if not user.is_authenticated:
            return [self.none()]
        if user.is_superuser:
            return [self.all()]
        schools = access_of(user).head_counselor_school_ids
        if not schools:
            return [self.none()]
        return [self.filter(school_id__in=schools), self.filter(school__isnull=True, actor=user)]


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DEACTIVATE = "deactivate", _("Deactivated")
        REACTIVATE = "reactivate", _("Reactivated")
        DELETE = "delete", _("Deleted")
        IMPORT = "import", _("Imported")
        READ = "read", _("Read")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        PASSWORD = "password", _("Changed password")

    # Set by record() before hashing (auto_now_add would overwrite it after).
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("kind")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    school = models.ForeignKey(
        "counseling.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Empty on entries written before the chain existed; verify_audit counts them apart.
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="")
    entry_hash = models.CharField(_("hash"), max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            # One object's history.
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
            # The audit page: a school's entries newest first, in the page's exact order
            # (with -id the planner walks the index and stops after a page instead of
            # sorting every entry of the school).
            models.Index(fields=["school", "-at", "-id"], name="audit_page_school_idx"),
            # The audit page's other part: the viewer's own entries without a school.
            models.Index(
                fields=["actor", "-at", "-id"],
                condition=Q(school__isnull=True),
                name="audit_own_unscoped_at_idx",
            ),
        ]
        # On PostgreSQL, migration 0004 adds trigram indexes for the audit page's search
        # (`icontains` on actor_name and object_repr): audit_search_actor_trgm_idx and
        # audit_search_repr_trgm_idx. They are not declared here because SQLite has no GIN.

    def __str__(self):
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")

    def content_hash(self):
        """SHA-256 over every stored field and the previous entry's hash, in a fixed form."""
        content = {
            "at": self.at.astimezone(datetime.UTC).isoformat() if self.at else "",
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "content_type": self.content_type_id,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "school": self.school_id,
            "changes": self.changes,
            "ip": self.ip_address,
            "prev": self.prev_hash,
        }
        raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()


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


def _client_ip(request):
    from counseling.http import client_ip

    return client_ip(request)


def record(actor, action, obj=None, *, changes=None, request=None, school=None, label=""):
    """Append one entry: who did what to which object (and, for sensitive data, who read it)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        actor=actor,
        actor_name=(actor.get_username() if actor else "")[:150],
        action=action,
        changes=changes or {},
        ip_address=_client_ip(request),
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
    if isinstance(value, models.Model):
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
        if hasattr(field, "queryset") and old is not None and not isinstance(old, models.Model):
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


class AuditedModel(models.Model):
    """Base for models whose changes are logged: `obj.log_action(user, action, ...)`."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def log_action(self, actor, action, *, changes=None, request=None):
        return record(actor, action, self, changes=changes, request=request)
