from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from counseling import audit, services
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.models import (
    Delivery,
    Department,
    Notification,
    NotificationPreference,
    Role,
    ScheduledRun,
    School,
    SchoolClass,
    Semester,
    SemesterBreak,
    Student,
    User,
    WebhookChannel,
)
from counseling.notifications.forms import WebhookChannelForm
from counseling.notifications.services import queue, retry
from counseling.permissions import GUARDED_KINDS, role_refusal


class AuditedAdminMixin:
    """Changes made in the Django admin land in the portal's audit trail too."""

    def log_addition(self, request, obj, message):
        audit.record(
            request.user,
            audit.AuditEntry.Action.CREATE,
            obj,
            request=request,
            changes={"admin": str(message)},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record(
            request.user,
            audit.AuditEntry.Action.UPDATE,
            obj,
            request=request,
            changes={"admin": str(message)},
        )
        return super().log_change(request, obj, message)


class AuditedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "roles__kind", "must_change_password"]
    search_fields = ["username", "full_name", "email", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "phone"]}),
        (
            _("Access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "must_change_password"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["username", "full_name", "password1", "password2"]},
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    # Whoever sets the password (or the e-mail, for a reset link) of an account holding a
    # counselor or school administrator role reads tier 3 through it: the rule
    # counseling.manage_account keeps such accounts out of the system administrator's hands
    # (it sees them, it does not change them). Their owners use the reset by e-mail.
    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.has_perm("counseling.manage_account", obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.has_perm("counseling.manage_account", obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "school", "code", "is_active"]
    list_filter = ["school", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SchoolClass)
class SchoolClassAdmin(AuditedAdmin):
    list_display = ["name", "department", "enrolment_year", "class_teacher", "is_active"]
    list_filter = ["department__school", "department", "enrolment_year", "is_active"]
    search_fields = ["name", "department__name", "class_teacher__full_name"]
    autocomplete_fields = ["class_teacher"]
    list_select_related = ["department", "class_teacher"]

    def has_delete_permission(self, request, obj=None):
        return False


class SemesterBreakInline(admin.TabularInline):
    model = SemesterBreak
    extra = 0


@admin.register(Semester)
class SemesterAdmin(AuditedAdmin):
    list_display = ["name", "school", "first_monday", "weeks"]
    list_filter = ["school"]
    search_fields = ["name"]
    inlines = [SemesterBreakInline]


@admin.register(Student)
class StudentAdmin(AuditedAdmin):
    list_display = ["student_number", "name", "school_class", "gender", "out_of_town", "is_active"]
    list_filter = ["school", "school_class__department", "gender", "out_of_town", "is_active"]
    search_fields = ["student_number", "name", "school_class__name"]
    list_select_related = ["school_class"]
    raw_id_fields = ["school_class", "user"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Role)
class RoleAdmin(AuditedAdmin):
    list_display = [
        "user",
        "kind",
        "school",
        "department",
        "school_class",
        "is_head",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["kind", "school", "is_head"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user", "school", "department", "school_class"]
    autocomplete_fields = ["user", "department", "school_class"]

    # Every grant is decided by the separation-of-duties rule (counseling.grant_role, in
    # permissions.py) and saved by the one service, as in the portal.
    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type("RoleAdminForm", (RoleAdminForm, form), {"actor": request.user})

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and not request.user.has_perm("counseling.grant_counselor_role"):
            kwargs["choices"] = [c for c in Role.Kind.choices if c[0] not in GUARDED_KINDS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.has_perm("counseling.grant_counselor_role") else ["is_head"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.has_perm("counseling.grant_role", obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.save_role(request.user, obj, original=form.original, request=request)
        except PortalError as error:  # lost a race with another grant: refuse, not crash
            raise PermissionDenied(error.message) from error

    # The service writes the audit entry; the admin's own history still gets its line.
    def log_addition(self, request, obj, message):
        return admin.ModelAdmin.log_addition(self, request, obj, message)

    def log_change(self, request, obj, message):
        return admin.ModelAdmin.log_change(self, request, obj, message)


class RoleAdminForm(forms.ModelForm):
    actor = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original = (
            Role.objects.select_related("user").get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        if services.duplicate_of(self.instance):
            self.add_error(None, services.DUPLICATE_MESSAGE)
            return
        refusal = role_refusal(self.actor, self.instance, self.original)
        if refusal:
            self.add_error(None, refusal)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "content_type", "object_repr", "ip_address"]
    list_filter = ["action", "content_type", "school"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Notifications. Their titles and texts may concern a student, so the administrator's views
# show who, which kind, which channel and what went wrong, never what was said.


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "recipient__full_name", "kind"]
    fields = ["recipient", "kind", "url", "created_at", "read_at"]
    readonly_fields = fields
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Retry the selected deliveries"))
def retry_deliveries(modeladmin, request, queryset):
    ids = retry(queryset)
    queued = queue(ids)
    modeladmin.message_user(
        request,
        _("%(queued)s of %(n)s deliveries queued again.") % {"queued": queued, "n": len(ids)},
    )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "recipient",
        "kind",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "channel", "notification__kind"]
    search_fields = ["notification__recipient__username", "notification__recipient__full_name"]
    fields = [
        "notification",
        "channel",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "attempt_started_at",
        "sent_at",
        "created_at",
    ]
    readonly_fields = fields
    list_select_related = ["notification__recipient"]
    actions = [retry_deliveries]
    date_hierarchy = "created_at"

    @admin.display(description=_("recipient"), ordering="notification__recipient")
    def recipient(self, obj):
        return obj.notification.recipient

    @admin.display(description=_("kind"), ordering="notification__kind")
    def kind(self, obj):
        return obj.notification.kind

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ["user", "kind", "email", "webhook"]
    list_filter = ["kind", "email", "webhook"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(WebhookChannel)
class WebhookChannelAdmin(AuditedAdmin):
    list_display = ["school", "provider", "is_active", "updated_at"]
    list_filter = ["provider", "is_active"]

    def get_form(self, request, obj=None, **kwargs):
        # The secret is write-only here too; the school is chosen once.
        kwargs["form"] = WebhookChannelForm
        kwargs["fields"] = ["school", "provider", "url", "secret", "clear_secret", "is_active"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["school"] if obj else []


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """Beat's daily runs, to see that a day's reminders went out (reconcile_jobs repairs)."""

    list_display = ["slot", "task", "status", "attempts", "started_at", "finished_at"]
    list_filter = ["status", "task"]
    fields = [*list_display, "result", "error", "queued_at", "created_at"]
    readonly_fields = fields
    date_hierarchy = "slot"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
