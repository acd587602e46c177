"""The counselor's view of every class."""

from django.urls import path

from committees.board import views

urlpatterns = [
    path("board/", views.week_board, name="week-board"),
    path("board/remind/", views.remind_missing, name="remind-missing"),
    path("board/school/", views.school_trend, name="school-trend"),
    path("board/department/<int:pk>/", views.department_trend, name="department-trend"),
    path("board/class/<int:pk>/", views.class_trend, name="class-trend"),
    path("board/scorecards/", views.scorecard_list, name="scorecards"),
]
