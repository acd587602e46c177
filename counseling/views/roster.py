from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from counseling import roster
from counseling.forms import RosterImportForm
from counseling.views.helpers import require_perm, school_of


@login_required
@require_perm("counseling.import_roster")
def roster_import(request):
    result = None
    form = RosterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = roster.import_roster(
            school_of(request), form.cleaned_data["file"], request.user, request
        )
    status = 400 if result is not None and not result.ok else 200
    return render(
        request, "counseling/roster_import.html", {"form": form, "result": result}, status=status
    )


@login_required
@require_perm("counseling.import_roster")
def roster_template(request, fmt):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "xlsx":
        response = HttpResponse(
            roster.template_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-template.{fmt}"'
    return response
