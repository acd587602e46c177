from django.contrib import admin

from committees.network.models import (
    AssociationOfficer,
    Attendance,
    CommitteeMember,
    Material,
    Meeting,
    MinutesRevision,
    TrainingModule,
)
from counseling.admin import AuditedAdmin


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(AuditedAdmin):
    list_display = [
        "student",
        "school_class",
        "semester",
        "appointed_on",
        "term_ends_on",
        "ended_on",
    ]
    list_filter = ["semester", "school_class__department", "ended_on"]
    search_fields = ["student__name", "student__student_number", "school_class__name"]
    list_select_related = ["student", "school_class", "semester"]
    raw_id_fields = ["student", "school_class", "replaced_by"]


@admin.register(AssociationOfficer)
class AssociationOfficerAdmin(AuditedAdmin):
    list_display = ["student", "position", "department", "starts_on", "ends_on"]
    list_filter = ["position", "school"]
    search_fields = ["student__name"]
    raw_id_fields = ["student"]


@admin.register(TrainingModule)
class TrainingModuleAdmin(AuditedAdmin):
    list_display = ["title", "order", "school", "is_active"]
    list_filter = ["school", "is_active"]
    search_fields = ["title"]


class MinutesInline(admin.StackedInline):
    model = MinutesRevision
    extra = 0
    readonly_fields = ["author", "created_at"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    readonly_fields = ["uploaded_by", "uploaded_at", "size"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["date", "kind", "start_time", "place", "topic", "status"]
    list_filter = ["semester", "kind", "status"]
    search_fields = ["topic", "place"]
    date_hierarchy = "date"
    inlines = [MinutesInline, MaterialInline]


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdmin):
    list_display = ["meeting", "member", "status", "reason", "recorded_by"]
    list_filter = ["status", "meeting__kind", "meeting__semester"]
    search_fields = ["member__student__name"]
    list_select_related = ["meeting", "member__student", "member__school_class", "recorded_by"]
    raw_id_fields = ["meeting", "member"]
