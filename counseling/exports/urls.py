from django.urls import path

from counseling.exports import views

app_name = "exports"

urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/status.json", views.job_status, name="job-status"),
    path("<int:pk>/retry/", views.job_retry, name="job-retry"),
    path("<int:pk>/download/", views.download, name="download"),
]
