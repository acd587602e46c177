from django.contrib import admin

from counseling.admin import AuditedAdmin
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    Feedback,
    Lecture,
    LectureSession,
    SessionClass,
    SessionFile,
    Venue,
)


@admin.register(Venue)
class VenueAdmin(AuditedAdmin):
    list_display = ["name", "capacity", "school", "is_active"]
    list_filter = ["school", "is_active"]
    search_fields = ["name"]


class SessionInline(admin.TabularInline):
    model = LectureSession
    extra = 0
    fields = ["number", "date", "start_time", "end_time", "venue", "status"]
    show_change_link = True


@admin.register(Lecture)
class LectureAdmin(AuditedAdmin):
    list_display = ["title", "speaker", "semester", "audience", "status"]
    list_filter = ["semester", "status", "audience"]
    search_fields = ["title", "theme", "speaker"]
    filter_horizontal = ["audience_departments", "audience_classes"]
    raw_id_fields = ["speaker_user"]
    inlines = [SessionInline]


class SessionClassInline(admin.TabularInline):
    model = SessionClass
    extra = 0
    raw_id_fields = ["school_class"]


class SessionFileInline(admin.TabularInline):
    model = SessionFile
    extra = 0
    readonly_fields = ["uploaded_by", "uploaded_at"]


@admin.register(LectureSession)
class LectureSessionAdmin(AuditedAdmin):
    list_display = ["lecture", "number", "date", "start_time", "venue", "status"]
    list_filter = ["status", "venue", "lecture__semester"]
    search_fields = ["lecture__title"]
    list_select_related = ["lecture", "venue"]
    readonly_fields = ["feedback_token", "reminder_sent_at"]
    inlines = [SessionClassInline, SessionFileInline]


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


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only and without the comments: students' free text is for counselors, who read
    it in the portal; answers are never made or changed by hand."""

    list_display = ["created_at", "satisfaction", "lecture_session", "activity_session"]
    list_filter = ["satisfaction"]
    fields = ["created_at", "satisfaction", "lecture_session", "activity_session"]
    readonly_fields = fields
    list_select_related = ["lecture_session__lecture", "activity_session__design"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from lectures import admin_publicity  # noqa: E402, F401  (publicity models, kept apart)
