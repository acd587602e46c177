from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from counseling.forms_auth import PortalPasswordChangeForm
from counseling.views import audit, home, network, roles, roster, semesters

admin.site.site_header = _("Counseling portal administration")
admin.site.site_title = _("Counseling portal")


counseling_patterns = [
    path("network/", network.department_list, name="department-list"),
    path("network/departments/new/", network.department_edit, name="department-new"),
    path("network/departments/<int:pk>/", network.department_detail, name="department-detail"),
    path("network/departments/<int:pk>/edit/", network.department_edit, name="department-edit"),
    path(
        "network/departments/<int:pk>/toggle/", network.department_toggle, name="department-toggle"
    ),
    path("network/classes/", network.class_list, name="class-list"),
    path("network/classes/new/", network.class_edit, name="class-new"),
    path("network/classes/<int:pk>/", network.class_detail, name="class-detail"),
    path("network/classes/<int:pk>/edit/", network.class_edit, name="class-edit"),
    path("network/classes/<int:pk>/toggle/", network.class_toggle, name="class-toggle"),
    path("network/students/", network.student_list, name="student-list"),
    path("network/students/new/", network.student_edit, name="student-new"),
    path("network/students/<int:pk>/edit/", network.student_edit, name="student-edit"),
    path("network/import/", roster.roster_import, name="roster-import"),
    path("network/import/template.<str:fmt>", roster.roster_template, name="roster-template"),
    path("semesters/", semesters.semester_list, name="semester-list"),
    path("semesters/new/", semesters.semester_edit, name="semester-new"),
    path("semesters/<int:pk>/edit/", semesters.semester_edit, name="semester-edit"),
    path("roles/", roles.role_list, name="role-list"),
    path("roles/new/", roles.role_edit, name="role-new"),
    path("roles/<int:pk>/edit/", roles.role_edit, name="role-edit"),
    path("roles/<int:pk>/end/", roles.role_end, name="role-end"),
    path("audit/", audit.audit_list, name="audit-list"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("", include((counseling_patterns, "counseling"))),
    path("notifications/", include("counseling.notifications.urls")),
    path("committees/", include("committees.urls")),
    path("lectures/", include("lectures.urls")),
    path("reports/", include("reports.urls")),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm),
        name="password_change",
    ),
    path("accounts/two-factor/", include("counseling.auth.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Uploaded files are never served from a public URL, not even in development: each app
# serves its files through a view that checks who is asking.
