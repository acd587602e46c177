"""The barometer register (台账) as .xlsx: tier 2 for counselors and liaisons (their
department); the tier-3 columns only when a counselor asks (?sensitive=1), logged."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from committees.barometer import exports as register_export
from counseling import audit
from counseling.auth.reauth import is_recently_verified, reverify
from counseling.errors import PortalError
from counseling.exports.services import request_export
from counseling.permissions import access_of
from counseling.views.helpers import pick_semester, require_perm


@login_required
@require_perm("committees.export_barometers")
@never_cache
def export(request):
    """The semester's register as .xlsx, made by the export service: GET shows what will be
    made, POST asks for it and goes to the job's page. The tier-3 columns (students of
    concern) only for a counselor who asks with ?sensitive=1; that request is written to the
    audit trail."""
    semester = pick_semester(request)
    sensitive = request.GET.get("sensitive") == "1"
    if sensitive and not access_of(request.user).counsels(semester.school_id):
        raise PermissionDenied
    if sensitive and not is_recently_verified(request):
        return reverify(request)  # tier 3 leaves the portal: a fresh second factor first
    if request.method == "POST":
        params = {"semester": semester.pk, "sensitive": sensitive}
        try:
            job = request_export(request.user, register_export.KEY, params)
        except PortalError as error:
            raise PermissionDenied(error.message) from error
        if sensitive:
            audit.record(
                request.user,
                audit.AuditEntry.Action.EXPORT,
                semester,
                changes={"sensitive": True},
                request=request,
            )
        return redirect("exports:job", pk=job.pk)
    return render(
        request,
        "committees/board/export.html",
        {"semester": semester, "sensitive": sensitive},
    )
