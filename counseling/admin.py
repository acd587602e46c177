from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditEntry
from counseling.models import (
    Department,
    Role,
    School,
    SchoolClass,
    Semester,
    SemesterBreak,
    Student,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "code", "is_active"]
    list_filter = ["school", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
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
class SemesterAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "first_monday", "weeks"]
    list_filter = ["school"]
    search_fields = ["name"]
    inlines = [SemesterBreakInline]


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["student_number", "name", "school_class", "gender", "out_of_town", "is_active"]
    list_filter = ["school", "school_class__department", "gender", "out_of_town", "is_active"]
    search_fields = ["student_number", "name", "school_class__name"]
    list_select_related = ["school_class"]
    raw_id_fields = ["school_class", "user"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
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

    # Granting a counselor role opens sensitive data, which the system administrator must
    # not reach: only the head counselor or the school administrator grants or changes one.
    def _may_grant(self, request):
        return request.user.has_perm("counseling.grant_counselor_role")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and not self._may_grant(request):
            kwargs["choices"] = [c for c in Role.Kind.choices if c[0] != Role.Kind.COUNSELOR]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if self._may_grant(request) else ["is_head"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.kind == Role.Kind.COUNSELOR and not self._may_grant(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


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
