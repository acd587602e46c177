import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from counseling import audit, roster
from counseling.forms import RosterImportForm, RosterSettingsForm
from counseling.views.helpers import require_perm, school_of

SESSION_KEY = "roster_import"


@login_required
@require_perm("counseling.import_roster")
def roster_import(request):
    """Upload → preview (nothing written) → confirm → all-or-nothing import."""
    school = school_of(request)
    form = RosterImportForm()
    settings_form = RosterSettingsForm(instance=school, prefix="settings")
    context = {"result": None, "preview": None}
    status = 200
    action = request.POST.get("action", "check") if request.method == "POST" else None
    if action == "settings":
        settings_form = RosterSettingsForm(request.POST, instance=school, prefix="settings")
        if settings_form.is_valid():
            settings_form.save()
            audit.record(
                request.user,
                audit.AuditEntry.Action.UPDATE,
                school,
                request=request,
                school=school,
                label=_("Roster settings"),
                changes=settings_form.cleaned_data,
            )
            messages.success(request, _("The roster settings are saved."))
            return redirect("counseling:roster-import")
        status = 400
    elif action == "confirm":
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("token") != request.POST.get("token"):
            messages.error(request, _("The preview has expired: upload the file again."))
            return redirect("counseling:roster-import")
        del request.session[SESSION_KEY]
        skipped = [roster.RowError(n, reason) for n, reason in pending["skipped"]]
        context["result"] = roster.apply_rows(
            school, pending["rows"], request.user, pending["file"], request, skipped
        )
    elif action == "check":
        form = RosterImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            parsed, result = roster.check(school, upload)
            if parsed is None:
                context["result"] = result
                status = 400
            else:
                token = uuid.uuid4().hex
                request.session[SESSION_KEY] = {
                    "token": token,
                    "file": upload.name,
                    "rows": parsed.rows,
                    "skipped": [[s.row, s.reason] for s in parsed.skipped],
                }
                context["preview"] = roster.preview(school, parsed.rows, parsed.skipped)
                context["token"] = token
                context["file_name"] = upload.name
    context.update(form=form, settings_form=settings_form, school=school)
    return render(request, "counseling/roster_import.html", context, status=status)


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
