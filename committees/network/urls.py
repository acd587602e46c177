from django.urls import path

from committees.network.views import association, meetings, members

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
]
