from django.urls import path

from committees.views import association, barometer, board, meetings, members

app_name = "committees"

urlpatterns = [
    path("members/", members.member_list, name="member-list"),
    path("members/carry-over/", members.carry_over, name="carry-over"),
    path("members/appoint/<int:class_pk>/", members.member_appoint, name="member-appoint"),
    path("members/<int:pk>/", members.member_detail, name="member-detail"),
    path("members/<int:pk>/end/", members.member_end, name="member-end"),
    path("members/me/", members.my_record, name="my-record"),
    path("attendance-rates/", members.rates, name="rates"),
    path("association/", association.association, name="association"),
    path("association/officers/<int:pk>/end/", association.officer_end, name="officer-end"),
    path("curriculum/", association.module_list, name="module-list"),
    path("curriculum/new/", association.module_edit, name="module-new"),
    path("curriculum/<int:pk>/edit/", association.module_edit, name="module-edit"),
    path("schedule/", meetings.schedule, name="schedule"),
    path("meetings/new/", meetings.meeting_edit, name="meeting-new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/attendance/", meetings.attendance, name="attendance"),
    path("meetings/<int:pk>/minutes/", meetings.minutes_edit, name="minutes"),
    path("meetings/<int:pk>/materials/new/", meetings.material_upload, name="material-upload"),
    path("materials/<int:pk>/", meetings.material_download, name="material-download"),
    # The weekly barometer: filing and what follows from it.
    path("barometer/", barometer.file, name="barometer-file"),
    path("barometer/<int:pk>/", barometer.detail, name="barometer-detail"),
    path("barometer/<int:pk>/reopen/", barometer.reopen, name="barometer-reopen"),
    path("barometer/immediate/", barometer.immediate, name="immediate-report"),
    path("barometer/settings/", barometer.settings_edit, name="barometer-settings"),
    path("alerts/", barometer.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", barometer.alert_detail, name="alert-detail"),
    path("talk-tasks/", barometer.talk_tasks, name="talk-tasks"),
    path("suggestions/", barometer.suggestion_list, name="suggestion-list"),
    path("suggestions/<int:pk>/answer/", barometer.suggestion_answer, name="suggestion-answer"),
    path("absences/", barometer.absence_list, name="absence-list"),
    # The counselor's view of every class.
    path("board/", board.week_board, name="week-board"),
    path("board/remind/", board.remind_missing, name="remind-missing"),
    path("board/school/", board.school_trend, name="school-trend"),
    path("board/department/<int:pk>/", board.department_trend, name="department-trend"),
    path("board/class/<int:pk>/", board.class_trend, name="class-trend"),
    path("board/scorecards/", board.scorecard_list, name="scorecards"),
    path("barometer/export.xlsx", board.export, name="barometer-export"),
]
