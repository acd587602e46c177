"""Admin for feedback answers (registered through lectures/admin.py)."""

from django.contrib import admin

from lectures.feedback.models import Feedback


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
