"""The audit trail's table (of the `counseling` app); its entry point, `record`, and the
base of audited models are counseling.audit's."""

import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
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
