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
    query = request.GET.get("q", "").strip()
    action = request.GET.get("action", "")
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))

    def filtered(entries):
        if query:
            match = Q(actor_name__icontains=query) | Q(object_repr__icontains=query)
            if query.isdigit():
                match |= Q(object_id=query)
            entries = entries.filter(match)
        if action in AuditEntry.Action.values:
            entries = entries.filter(action=action)
        if since:
            entries = entries.filter(at__date__gte=since)
        if until:
            entries = entries.filter(at__date__lte=until)
        return entries.order_by().values_list("pk", "at")

    # A page of ids from the union of the scope's parts (each walks its index, newest
    # first), then those rows: count, ids, rows — three queries whatever the table's size.
    first, *others = [filtered(part) for part in AuditEntry.objects.visible_parts(request.user)]
    ids = (first.union(*others, all=True) if others else first).order_by("-at", "-pk")
    page = paginate(request, ids, per_page=50)
    keys = [pk for pk, _at in page.object_list]
    rows = AuditEntry.objects.filter(pk__in=keys).select_related("content_type", "actor")
    by_pk = {entry.pk: entry for entry in rows} if keys else {}
    page.object_list = [by_pk[pk] for pk in keys]
    return render(
        request,
        "counseling/audit_list.html",
        {
            "page": page,
            "actions": AuditEntry.Action.choices,
            "filters": {"q": query, "action": action, "since": since, "until": until},
        },
    )
