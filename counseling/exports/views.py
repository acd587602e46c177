"""The export's page (being made / ready / failed), its status for the poller, and the
download, with the exporter's permission checked again."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from counseling.errors import PortalError
from counseling.exports import get_exporter
from counseling.exports.models import ExportJob
from counseling.exports.services import request_export
from counseling.views.helpers import serve_upload, visible_or_404


def _job_for(request, pk):
    job = visible_or_404(ExportJob, request.user, pk=pk)
    exporter = get_exporter(job.exporter)
    if not exporter.allows(request.user, job.params):
        raise PermissionDenied
    return job, exporter


@login_required
@never_cache
def job_page(request, pk):
    job, exporter = _job_for(request, pk)
    return render(request, "exports/job.html", {"job": job, "exporter": exporter})


@login_required
@never_cache
def job_status(request, pk):
    job, _exporter = _job_for(request, pk)
    return JsonResponse({"status": job.status, "ready": job.is_ready})


@login_required
@require_POST
def job_retry(request, pk):
    job, exporter = _job_for(request, pk)
    try:
        job = request_export(request.user, job.exporter, job.params)
    except PortalError as error:
        raise PermissionDenied(error.message) from error
    return redirect("exports:job", pk=job.pk)


@login_required
@never_cache
def download(request, pk):
    job, _exporter = _job_for(request, pk)
    if not job.is_ready:
        return redirect("exports:job", pk=job.pk)
    name = job.filename.rsplit(".", 1)[0] if "." in job.filename else job.filename
    response = serve_upload(job.file, name)
    response["Cache-Control"] = "no-store"
    return response
