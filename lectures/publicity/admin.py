"""Admin for publicity (registered through lectures/admin.py).

Contest entries are listed by code; the admin is for fixing records, not for judging."""

from django.contrib import admin

from counseling.admin import AuditedAdmin
from lectures.publicity.models import (
    Award,
    BulletinIssue,
    BulletinPanel,
    Contest,
    ContestEntry,
    ContestJudge,
    LetterReading,
    OpenLetter,
    RubricCriterion,
    Score,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
)


class BulletinPanelInline(admin.StackedInline):
    model = BulletinPanel
    extra = 0


@admin.register(BulletinIssue)
class BulletinIssueAdmin(AuditedAdmin):
    list_display = ["theme", "shown_from", "shown_until", "semester"]
    list_filter = ["semester", "school"]
    search_fields = ["theme"]
    inlines = [BulletinPanelInline]


@admin.register(StudentQuestion)
class StudentQuestionAdmin(AuditedAdmin):
    list_display = ["__str__", "asked_at", "answered_in"]
    list_filter = ["school", "answered_in"]
    search_fields = ["question", "answer"]
    readonly_fields = ["asked_at"]


class LetterReadingInline(admin.TabularInline):
    model = LetterReading
    extra = 0
    raw_id_fields = ["school_class", "confirmed_by"]
    readonly_fields = ["confirmed_at"]


@admin.register(OpenLetter)
class OpenLetterAdmin(AuditedAdmin):
    list_display = ["title", "published_on", "semester"]
    list_filter = ["semester", "school"]
    search_fields = ["title", "body"]
    inlines = [LetterReadingInline]


class ThemeEventInline(admin.TabularInline):
    model = ThemeEvent
    extra = 0
    fields = ["kind", "title", "date", "start_time", "end_time", "venue"]
    show_change_link = True


@admin.register(ThemeMonth)
class ThemeMonthAdmin(AuditedAdmin):
    list_display = ["theme", "month", "semester"]
    list_filter = ["semester", "school"]
    search_fields = ["theme"]
    inlines = [ThemeEventInline]


@admin.register(ThemeEvent)
class ThemeEventAdmin(AuditedAdmin):
    list_display = ["title", "kind", "date", "start_time", "venue", "month"]
    list_filter = ["kind", "month"]
    search_fields = ["title"]
    list_select_related = ["venue", "month"]
    filter_horizontal = ["classes"]


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


class ContestJudgeInline(admin.TabularInline):
    model = ContestJudge
    extra = 0
    raw_id_fields = ["judge"]


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    raw_id_fields = ["entry"]


@admin.register(Contest)
class ContestAdmin(AuditedAdmin):
    list_display = ["__str__", "entries_close_on"]
    inlines = [RubricCriterionInline, ContestJudgeInline, AwardInline]


@admin.register(ContestEntry)
class ContestEntryAdmin(AuditedAdmin):
    list_display = ["code", "title", "contest", "school_class", "submitted_at"]
    list_filter = ["contest"]
    search_fields = ["code", "title"]
    raw_id_fields = ["school_class", "submitted_by"]
    readonly_fields = ["submitted_at"]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    """Scores come from the judges' pages only; the admin shows them, never edits them."""

    list_display = ["entry", "judge", "criterion", "points"]
    list_filter = ["entry__contest"]
    list_select_related = ["entry", "judge", "criterion"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
