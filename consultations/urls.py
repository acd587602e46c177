from django.urls import path

from consultations.cases import views as cases
from consultations.letters import views as letters

app_name = "consultations"

urlpatterns = [
    path("letters/write/", letters.letter_write, name="letter-write"),
    path("letters/pickup/", letters.letter_pickup, name="letter-pickup"),
    path("letters/mine/", letters.my_letters, name="my-letters"),
    path("letters/", letters.letter_list, name="letter-list"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter-detail"),
    path("letters/<int:pk>/publish/", letters.letter_publish, name="letter-publish"),
    path("letters/<int:pk>/case/", letters.letter_to_case, name="letter-case"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/new/", cases.case_new, name="case-new"),
    path("cases/from-alert/<int:alert_pk>/", cases.case_from_alert, name="case-from-alert"),
    path("cases/<int:pk>/", cases.case_detail, name="case-detail"),
    path("cases/<int:pk>/break-glass/", cases.case_break_glass, name="case-break-glass"),
    path("cases/<int:pk>/<slug:action>/", cases.case_action, name="case-action"),
]
