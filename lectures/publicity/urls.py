"""Publicity: the bulletin board and its questions, open letters, theme months, contests
(included into the `lectures:` namespace)."""

from django.urls import path

from lectures.publicity.views import bulletin, contests, letters, themes

urlpatterns = [
    # The bulletin board (心理橱窗) and the questions it answers.
    path("bulletin/", bulletin.bulletin_list, name="bulletin-list"),
    path("bulletin/new/", bulletin.bulletin_edit, name="bulletin-new"),
    path("bulletin/<int:pk>/", bulletin.bulletin_detail, name="bulletin-detail"),
    path("bulletin/<int:pk>/edit/", bulletin.bulletin_edit, name="bulletin-edit"),
    path("bulletin/<int:issue_pk>/panels/new/", bulletin.panel_edit, name="bulletin-panel-new"),
    path(
        "bulletin/<int:issue_pk>/panels/<int:pk>/edit/",
        bulletin.panel_edit,
        name="bulletin-panel-edit",
    ),
    path(
        "bulletin/<int:issue_pk>/panels/<int:pk>/delete/",
        bulletin.panel_delete,
        name="bulletin-panel-delete",
    ),
    path("bulletin/panels/<int:pk>/image/", bulletin.panel_image, name="bulletin-panel-image"),
    path("questions/ask/", bulletin.question_ask, name="question-ask"),
    path("questions/", bulletin.question_list, name="question-list"),
    path("questions/<int:pk>/answer/", bulletin.question_answer, name="question-answer"),
    path("questions/<int:pk>/discard/", bulletin.question_discard, name="question-discard"),
    # Open letters, read out in every class.
    path("letters/", letters.letter_list, name="letter-list"),
    path("letters/new/", letters.letter_edit, name="letter-new"),
    path("letters/to-read/", letters.letter_mine, name="letter-mine"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/edit/", letters.letter_edit, name="letter-edit"),
    path("letters/<int:pk>/confirm/", letters.letter_confirm, name="letter-confirm"),
    # Theme months and their events.
    path("theme-months/", themes.theme_month_list, name="theme-month-list"),
    path("theme-months/new/", themes.theme_month_edit, name="theme-month-new"),
    path("theme-months/<int:pk>/", themes.theme_month_detail, name="theme-month-detail"),
    path("theme-months/<int:pk>/edit/", themes.theme_month_edit, name="theme-month-edit"),
    path("theme-months/<int:month_pk>/events/new/", themes.event_edit, name="event-new"),
    path("events/<int:pk>/", themes.event_detail, name="event-detail"),
    path("events/<int:pk>/edit/", themes.event_edit, name="event-edit"),
    path("events/<int:pk>/delete/", themes.event_delete, name="event-delete"),
    # Contests: entries, blind judging, results and awards.
    path("contests/<int:pk>/", contests.contest_detail, name="contest-detail"),
    path("contests/<int:pk>/settings/", contests.contest_settings, name="contest-settings"),
    path("contests/<int:pk>/entries/new/", contests.entry_submit, name="contest-entry-new"),
    path(
        "contests/<int:pk>/entries/<int:entry_pk>/file/",
        contests.entry_file,
        name="contest-entry-file",
    ),
    path(
        "contests/<int:pk>/entries/<int:entry_pk>/withdraw/",
        contests.entry_withdraw,
        name="contest-entry-withdraw",
    ),
    path("contests/<int:pk>/results/", contests.contest_results, name="contest-results"),
    path(
        "contests/<int:pk>/awards/<int:award_pk>/delete/",
        contests.award_delete,
        name="contest-award-delete",
    ),
    path("judging/", contests.judge_home, name="contest-judge-home"),
    path("judging/<int:pk>/", contests.judge_contest, name="contest-judge"),
    path("judging/<int:pk>/<str:code>/", contests.judge_entry, name="contest-judge-entry"),
    path("judging/<int:pk>/<str:code>/file/", contests.judge_file, name="contest-judge-file"),
]
