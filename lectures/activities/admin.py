"""Admin for group activity designs and sessions (registered through lectures/admin.py)."""

from django.contrib import admin

from counseling.admin import AuditedAdmin
from lectures.activities.models import ActivityDesign, ActivitySession


@admin.register(ActivityDesign)
class ActivityDesignAdmin(AuditedAdmin):
    list_display = ["name", "target_group", "duration_minutes", "school", "is_active"]
    list_filter = ["school", "is_active"]
    search_fields = ["name", "target_group"]


@admin.register(ActivitySession)
class ActivitySessionAdmin(AuditedAdmin):
    list_display = ["design", "date", "start_time", "audience", "participants", "status"]
    list_filter = ["status", "semester", "design"]
    search_fields = ["design__name", "target_group"]
    list_select_related = ["design", "school_class"]
    raw_id_fields = ["school_class"]
    filter_horizontal = ["facilitators"]
    readonly_fields = ["feedback_token"]
