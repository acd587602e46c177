"""The report's PDF and .xlsx, made by the core's export service.

A submitted version's files are made once and shared by everyone who may read it (its
identity is the version alone). A draft's change with the data: the same draft asked for
within five minutes and unchanged since is the same file.
"""

import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counseling.exports import Exporter, register_exporter
from reports.semester_report.models import ReportVersion
from reports.semester_report.services import PDF, XLSX, previous_submitted

FRESH_SECONDS = 5 * 60


def _version(params):
    return ReportVersion.objects.select_related("report__school", "report__semester").get(
        pk=params["version"]
    )


def allows(user, params):
    return ReportVersion.objects.visible_to(user).filter(pk=params.get("version")).exists()


def identity(user, params):
    version = _version(params)
    if not version.is_draft:
        return {"version": version.pk}
    return {
        "version": version.pk,
        "updated": version.updated_at.isoformat(),
        "window": int(time.time()) // FRESH_SECONDS,
    }


def filename(params):
    version = _version(params)
    draft = "" if not version.is_draft else "-" + _("draft")
    return f"{version.report.semester.name}-{_('work report')}-v{version.number}{draft}"


def build_pdf(job):
    from reports.semester_report.render import pdf_bytes

    version = _version(job.params)
    return pdf_bytes(version, previous=previous_submitted(version.report)), ".pdf"


def build_xlsx(job):
    from reports.semester_report.render import xlsx_bytes

    version = _version(job.params)
    return xlsx_bytes(version, previous=previous_submitted(version.report)), ".xlsx"


def register():
    for key, label, build in [
        (PDF, gettext_lazy("Semester report (PDF)"), build_pdf),
        (XLSX, gettext_lazy("Semester report figures (.xlsx)"), build_xlsx),
    ]:
        register_exporter(
            Exporter(
                key=key,
                label=label,
                build=build,
                allows=allows,
                school_of=lambda params: _version(params).report.school,
                filename=filename,
                identity=identity,
                shared=True,
            )
        )


def pdf_job(version):
    """The export job of a version's PDF (a submitted version's stored PDF), or None."""
    from counseling.exports.models import ExportJob
    from counseling.exports.services import fingerprint

    if version.is_draft:
        return None
    return ExportJob.objects.filter(fingerprint=fingerprint(PDF, {"version": version.pk})).first()
