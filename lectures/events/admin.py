"""Admin for venues, lectures and their sessions (registered through lectures/admin.py)."""

from django.contrib import admin

from counseling.admin import AuditedAdmin
from lectures.events.models import Lecture, LectureSession, SessionClass, SessionFile, Venue


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
