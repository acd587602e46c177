"""The demo school's semester report: the past semester's submitted (version 1), the
current one's a draft as drafted from the figures. Idempotent: a report already there is
left as it is."""

from django.contrib.auth import get_user_model

from counseling.models import Semester
from reports.semester_report import services
from reports.semester_report.models import Report, ReportVersion


def load(school):
    current = Semester.objects.current(school)
    if current is None:
        return
    counselor = get_user_model().objects.filter(username="counselor").first()
    if counselor is None:
        return
    past = (
        Semester.objects.filter(school=school, first_monday__lt=current.first_monday)
        .order_by("-first_monday")
        .first()
    )
    if past and not Report.objects.filter(school=school, semester=past).exists():
        report = services.start_report(counselor, past)
        services.submit(counselor, report.versions.get(status=ReportVersion.Status.DRAFT))
    if not Report.objects.filter(school=school, semester=current).exists():
        services.start_report(counselor, current)
