from django.urls import path

from counseling.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read-all/", views.mark_all_read, name="mark-all-read"),
    path("preferences/", views.preferences, name="preferences"),
    path("robot/", views.webhook, name="webhook"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/retry/", views.delivery_retry, name="delivery-retry-failed"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery-retry"),
]
