from django.contrib import admin

from committees.barometer.models import (
    Barometer,
    BarometerConcern,
    BarometerSettings,
    ClassAbsence,
)
from counseling.admin import AuditedAdmin

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
