"""The report's actions, each one entry point with all of its checks."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling import audit
from counseling.errors import PortalError
from counseling.permissions import access_of
from reports.semester_report.models import Report, ReportVersion
from reports.semester_report.text import default_sections, unknown_placeholders

PDF = "reports.pdf"
XLSX = "reports.xlsx"


def _require_counselor(user, school):
    if not access_of(user).counsels(school.pk):
        raise PortalError("not_counselor", _("Only the school's counselors write the report."))


def _draft_for_edit(user, version):
    _require_counselor(user, version.report.school)
    if not version.is_draft:
        raise PortalError("version_frozen", _("A submitted version cannot be changed."))


def default_title(school, semester):
    return _("%(school)s counseling office work report, %(semester)s") % {
        "school": school.name,
        "semester": semester.name,
    }


def start_report(user, semester):
    """The semester's report with its first draft, drafted from the figures; the existing
    one when it was started before."""
    school = semester.school
    _require_counselor(user, school)
    with transaction.atomic():
        report, created = Report.objects.get_or_create(school=school, semester=semester)
        if created:
            ReportVersion.objects.create(
                report=report,
                number=1,
                title=default_title(school, semester),
                sections=default_sections(),
                created_by=user,
            )
            report.log_action(user, audit.AuditEntry.Action.CREATE)
    return report


def save_section(user, version, index, heading, body):
    """Change one section of a draft; a placeholder that names no figure is refused."""
    heading, body = (heading or "").strip(), (body or "").strip()
    if not heading:
        raise PortalError("heading_required", _("A section needs a heading."))
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version.pk)
        _draft_for_edit(user, version)
        if not 0 <= index < len(version.sections):
            raise PortalError("no_section", _("There is no such section."))
        unknown = unknown_placeholders(heading + "\n" + body, version.figure_set())
        if unknown:
            raise PortalError(
                "unknown_placeholder",
                _("These placeholders name no figure: %(names)s. Pick one from the list.")
                % {"names": "、".join(f"〔{u}〕" for u in unknown)},
            )
        version.sections[index] = {"heading": heading, "body": body}
        version.save(update_fields=["sections", "updated_at"])
        audit.record(
            user,
            audit.AuditEntry.Action.UPDATE,
            version.report,
            changes={"section": index + 1, "version": version.number},
            label=str(version),
        )
    return version


def submit(user, version):
    """Freeze a draft (figures, text) as the submitted version; only the head counselor.
    The PDF is made after commit and kept with the version."""
    from counseling.exports.services import request_export

    school = version.report.school
    if school.pk not in access_of(user).head_counselor_school_ids:
        raise PortalError("not_head", _("Only the head counselor submits the report."))
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_draft:
            raise PortalError("version_frozen", _("This version was submitted already."))
        figures = version.figure_set()
        text = "\n".join(s["heading"] + "\n" + s["body"] for s in version.sections)
        if unknown_placeholders(text, figures):
            raise PortalError(
                "unknown_placeholder", _("Some placeholders name no figure: fix them first.")
            )
        version.figures = figures.as_snapshot()
        version.status = ReportVersion.Status.SUBMITTED
        version.submitted_by = user
        version.submitted_at = timezone.now()
        version.save()
        audit.record(
            user,
            audit.AuditEntry.Action.UPDATE,
            version.report,
            changes={"submitted": version.number},
            label=str(version),
        )
        request_export(user, PDF, {"version": version.pk})
    return version


def revise(user, report):
    """The draft to go on with: the open one, else a new one copied from the latest
    submitted version (which stays as it is)."""
    _require_counselor(user, report.school)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        draft = report.versions.filter(status=ReportVersion.Status.DRAFT).first()
        if draft:
            return draft
        latest = report.versions.order_by("-number").first()
        return ReportVersion.objects.create(
            report=report,
            number=latest.number + 1,
            title=latest.title,
            sections=latest.sections,
            created_by=user,
        )


def previous_submitted(report):
    """The latest submitted version of the school's previous semester, or None."""
    semester = report.semester
    previous = (
        type(semester)
        .objects.filter(school=report.school, first_monday__lt=semester.first_monday)
        .order_by("-first_monday")
        .first()
    )
    if previous is None:
        return None
    return (
        ReportVersion.objects.submitted()
        .filter(report__school=report.school, report__semester=previous)
        .select_related("report__semester")
        .order_by("-number")
        .first()
    )
