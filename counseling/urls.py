from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from counseling.auth.forms import PortalPasswordChangeForm
from counseling.health import healthz
from counseling.ratelimit import limit
from counseling.sessions import PortalLoginView
from counseling.views import audit, floor, home, network, roles, roster, semesters

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
    path("roles/people/", roles.person_search, name="person-search"),
    path("roles/<int:pk>/edit/", roles.role_edit, name="role-edit"),
    path("roles/<int:pk>/end/", roles.role_end, name="role-end"),
    path("audit/", audit.audit_list, name="audit-list"),
]

SIGN_IN = limit("sign-in", rate="30/10m", key="ip")(PortalLoginView.as_view())

urlpatterns = [
    path("", home.home, name="home"),
    path("favicon.ico", lambda request: redirect(static("favicon.svg"), permanent=True)),
    path("", include((counseling_patterns, "counseling"))),
    path("notifications/", include("counseling.notifications.urls")),
    path("exports/", include("counseling.exports.urls")),
    path("committees/", include("committees.urls")),
    path("lectures/", include("lectures.urls")),
    path("consultations/", include("consultations.urls")),
    path("reports/", include("reports.urls")),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm),
        name="password_change",
    ),
    # Before django.contrib.auth's own "login": the same view, behind the rate limiter.
    path("accounts/login/", SIGN_IN, name="login"),
    path("accounts/two-factor/", include("counseling.auth.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("_floor/", floor.floor, name="floor"),
]

# Uploaded files are never served from a public URL, not even in development: each app
# serves its files through a view that checks who is asking.
