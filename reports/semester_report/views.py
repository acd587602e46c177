"""The semester report's pages: the report of a semester with its versions, a version
(read, edit a section, preview, submit, revise, download).

Every version is reached through `ReportVersion.objects.visible_to(user)`: the school's
counselors see every version, its school administrator the submitted ones, nobody else
anything (404). Writing needs a counselor of the school, submitting the head counselor.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counseling.errors import PortalError
from counseling.exports.services import request_export
from counseling.permissions import access_of
from counseling.views.helpers import pick_semester, require_perm
from reports.semester_report import services
from reports.semester_report.exports import pdf_job
from reports.semester_report.forms import SectionForm
from reports.semester_report.models import Report, ReportVersion
from reports.semester_report.render import COUNSELOR_VIEW, document_html
from reports.semester_report.text import numbered, paragraphs

FORMATS = {"pdf": services.PDF, "xlsx": services.XLSX}


def _version(request, pk):
    return get_object_or_404(
        ReportVersion.objects.visible_to(request.user).select_related(
            "report__school", "report__semester"
        ),
        pk=pk,
    )


def _counsels(user, school):
    return access_of(user).counsels(school.pk)


@login_required
@require_perm("reports.see_report")
def report_home(request):
    """The semester's report: its versions, and a button to start it for counselors."""
    semester = pick_semester(request)
    report = Report.objects.visible_to(request.user).filter(semester=semester).first()
    versions = []
    if report:
        versions = list(
            ReportVersion.objects.visible_to(request.user)
            .filter(report=report)
            .select_related("submitted_by", "created_by")
            .order_by("-number")
        )
    is_counselor = _counsels(request.user, semester.school)
    return render(
        request,
        "reports/report/home.html",
        {
            "semester": semester,
            "report": report,
            "versions": versions,
            "is_counselor": is_counselor,
        },
    )


@login_required
@require_perm("reports.write_report")
@require_POST
def report_start(request):
    semester = pick_semester(request)
    try:
        report = services.start_report(request.user, semester)
    except PortalError as error:
        raise PermissionDenied(error.message) from error
    draft = report.versions.filter(status=ReportVersion.Status.DRAFT).first()
    if draft:
        return redirect("reports:report-version", pk=draft.pk)
    return redirect(f"{reverse('reports:report')}?semester={semester.pk}")


@login_required
@require_perm("reports.see_report")
def version_detail(request, pk):
    version = _version(request, pk)
    report = version.report
    figures = version.figure_set()
    can_write = version.is_draft and _counsels(request.user, report.school)
    sections = [
        {
            "index": n,
            "number": numbered(n),
            "heading": s["heading"],
            "paragraphs": paragraphs(s["body"], figures, counselor=COUNSELOR_VIEW),
        }
        for n, s in enumerate(version.sections)
    ]
    previous = services.previous_submitted(report)
    previous_figures = previous.figure_set() if previous else None
    figure_rows = [
        (
            figure,
            figure.display(counselor=COUNSELOR_VIEW),
            previous_figures.get(figure.key).display(counselor=COUNSELOR_VIEW)
            if previous_figures and previous_figures.get(figure.key)
            else "",
        )
        for figure in figures
    ]
    job = pdf_job(version)
    return render(
        request,
        "reports/report/version.html",
        {
            "version": version,
            "report": report,
            "semester": report.semester,
            "sections": sections,
            "figure_rows": figure_rows,
            "previous": previous,
            "can_write": can_write,
            "can_submit": version.is_draft
            and report.school.pk in access_of(request.user).head_counselor_school_ids,
            "can_revise": not version.is_draft
            and _counsels(request.user, report.school)
            and not report.versions.filter(status=ReportVersion.Status.DRAFT).exists(),
            "pdf_job": job,
            "other_versions": ReportVersion.objects.visible_to(request.user)
            .filter(report=report)
            .exclude(pk=version.pk)
            .order_by("-number"),
        },
    )


@login_required
@require_perm("reports.write_report")
def section_edit(request, pk, index):
    version = _version(request, pk)
    if not version.is_draft or not _counsels(request.user, version.report.school):
        raise PermissionDenied
    if not 0 <= index < len(version.sections):
        raise Http404("no such section")
    section = version.sections[index]
    form = SectionForm(request.POST or None, initial=section)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_section(
                request.user,
                version,
                index,
                form.cleaned_data["heading"],
                form.cleaned_data["body"],
            )
        except PortalError as error:
            if error.code == "version_frozen":
                raise PermissionDenied(error.message) from error
            form.add_error("body" if error.code == "unknown_placeholder" else None, error.message)
        else:
            messages.success(request, _("The section is saved."))
            return redirect("reports:report-version", pk=version.pk)
    figures = version.figure_set()
    return render(
        request,
        "reports/report/section_form.html",
        {
            "version": version,
            "report": version.report,
            "semester": version.report.semester,
            "form": form,
            "number": numbered(index),
            "figures": [(f, f.display(counselor=COUNSELOR_VIEW)) for f in figures],
        },
    )


@login_required
@require_perm("reports.see_report")
def preview(request, pk):
    """The very HTML the PDF is made from."""
    version = _version(request, pk)
    html = document_html(version, previous=services.previous_submitted(version.report))
    response = HttpResponse(mark_safe(html))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_perm("reports.submit_report")
@require_POST
def submit(request, pk):
    version = _version(request, pk)
    try:
        services.submit(request.user, version)
    except PortalError as error:
        if error.code in ("not_head",):
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Version %(n)s is submitted; its PDF is being made.") % {"n": version.number}
        )
    return redirect("reports:report-version", pk=version.pk)


@login_required
@require_perm("reports.write_report")
@require_POST
def revise(request, pk):
    version = _version(request, pk)
    try:
        draft = services.revise(request.user, version.report)
    except PortalError as error:
        raise PermissionDenied(error.message) from error
    return redirect("reports:report-version", pk=draft.pk)


@login_required
@require_perm("reports.see_report")
@require_POST
def export(request, pk, fmt):
    version = _version(request, pk)
    if fmt not in FORMATS:
        raise Http404("no such format")
    try:
        job = request_export(request.user, FORMATS[fmt], {"version": version.pk})
    except PortalError as error:
        raise PermissionDenied(error.message) from error
    return redirect("exports:job", pk=job.pk)
