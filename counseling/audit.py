"""The audit trail: one entry point, `record`, for every app.

Rows are append-only. On PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE,
so not even the application can rewrite history; on SQLite updates are refused the same way.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
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

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
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
    entry.save()
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


class AuditedModel(models.Model):
    """Base for models whose changes are logged: `obj.log_action(user, action, ...)`."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def log_action(self, actor, action, *, changes=None, request=None):
        return record(actor, action, self, changes=changes, request=request)
