from django.contrib import admin

from committees.models import (
    AssociationOfficer,
    Attendance,
    Barometer,
    BarometerConcern,
    BarometerSettings,
    ClassAbsence,
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


# The barometer. Tier 3 (StudentOfConcern, ImmediateReport, Alert, AlertNote, TalkTask) is
# deliberately not registered: the system administrator manages accounts and the network,
# and must not read who is named or why (DESIGN.md, "Data that must be protected"). No
# inline below may reach those models either. Tier 2 (the barometer's note, course
# suggestions and their answers) is left out the same way: the portal gives the system
# administrator a 404 on that text, and so does the admin (no field, no search, no page).


class BarometerConcernInline(admin.TabularInline):
    model = BarometerConcern
    extra = 0
    fields = ["kind", "count"]


@admin.register(Barometer)
class BarometerAdmin(AuditedAdmin):
    list_display = [
        "school_class",
        "week",
        "semester",
        "weather",
        "nothing_to_report",
        "late",
        "submitted_at",
    ]
    list_filter = ["semester", "late", "weather", "school_class__department"]
    search_fields = ["school_class__name"]
    list_select_related = ["school_class", "semester"]
    exclude = ["note"]
    # Which class and week a barometer is, and whether it is open again, are not the
    # administrator's to change: its students of concern go with it, and an open barometer
    # shows them to the class's member (reopening is a counselor's act, in the portal).
    readonly_fields = [
        "semester",
        "school_class",
        "week",
        "reopened_until",
        "submitted_at",
        "filed_by",
        "created_at",
        "updated_at",
    ]
    inlines = [BarometerConcernInline]

    def has_add_permission(self, request):
        # Filed through the portal, where the rules (deadline, roster, alerts) apply.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would take the students of concern and their alerts' links with it,
        # and the confirmation page would list those rows.
        return False


@admin.register(ClassAbsence)
class ClassAbsenceAdmin(AuditedAdmin):
    list_display = ["school_class", "kind", "starts_on", "ends_on", "note"]
    list_filter = ["kind", "school_class__department"]
    search_fields = ["school_class__name", "note"]
    list_select_related = ["school_class"]
    raw_id_fields = ["school_class"]


@admin.register(BarometerSettings)
class BarometerSettingsAdmin(AuditedAdmin):
    list_display = ["school", "deadline_weekday", "deadline_time", "reopen_hours"]
