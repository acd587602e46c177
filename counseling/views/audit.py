import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from counseling.audit import AuditEntry
from counseling.views.helpers import paginate, require_perm


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_perm("counseling.see_audit")
def audit_list(request):
    entries = AuditEntry.objects.visible_to(request.user).select_related("content_type", "actor")
    query = request.GET.get("q", "").strip()
    if query:
        entries = entries.filter(
            Q(actor_name__icontains=query) | Q(object_repr__icontains=query) | Q(object_id=query)
        )
    action = request.GET.get("action", "")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return render(
        request,
        "counseling/audit_list.html",
        {
            "page": paginate(request, entries, per_page=50),
            "actions": AuditEntry.Action.choices,
            "filters": {"q": query, "action": action, "since": since, "until": until},
        },
    )
