import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from counseling.audit import AuditEntry
from counseling.views.helpers import require_perm

PER_PAGE = 50
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _cursor(value):
    """An entry's place in the trail, `<microseconds since 1970>-<id>`, or None."""
    try:
        micros, pk = value.split("-")
        return EPOCH + datetime.timedelta(microseconds=int(micros)), int(pk)
    except (AttributeError, ValueError, OverflowError):
        return None


def _key(entry):
    return f"{(entry.at - EPOCH) // datetime.timedelta(microseconds=1)}-{entry.pk}"


@login_required
@require_perm("counseling.see_audit")
def audit_list(request):
    query = request.GET.get("q", "").strip()
    action = request.GET.get("action", "")
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    before, after = _cursor(request.GET.get("before")), _cursor(request.GET.get("after"))
    newer_side = after is not None and before is None

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
        # Keyset pages, no COUNT and no OFFSET: each part walks its (school|actor, -at, -id)
        # index from the cursor and stops after one page, whatever the visibility map says
        # (a COUNT and a sorted UNION read all 90,000 entries of a 600-class school).
        # `at <= t` is the index condition, the OR only settles ties on `at`.
        if newer_side:
            at, pk = after
            entries = entries.filter(Q(at__gt=at) | Q(pk__gt=pk), at__gte=at).order_by("at", "pk")
        else:
            if before:
                at, pk = before
                entries = entries.filter(Q(at__lt=at) | Q(pk__lt=pk), at__lte=at)
            entries = entries.order_by("-at", "-pk")
        return entries.select_related("content_type", "actor")[: PER_PAGE + 1]

    # One query per part of the scope (one or two), merged here: a fixed count of queries.
    rows = [
        entry for part in AuditEntry.objects.visible_parts(request.user) for entry in filtered(part)
    ]
    rows.sort(key=lambda e: (e.at, e.pk), reverse=not newer_side)
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    if newer_side:
        rows.reverse()
        newer, older = (rows and more), bool(rows)
    else:
        newer, older = (rows and before is not None), more
    base = request.GET.copy()
    for param in ("before", "after", "page"):
        base.pop(param, None)
    return render(
        request,
        "counseling/audit_list.html",
        {
            "entries": rows,
            "newer": f"?{_with(base, 'after', _key(rows[0]))}" if newer else None,
            "older": f"?{_with(base, 'before', _key(rows[-1]))}" if older else None,
            "newest": f"?{base.urlencode()}" if (before or after) else None,
            "actions": AuditEntry.Action.choices,
            "filters": {"q": query, "action": action, "since": since, "until": until},
        },
    )


def _with(query, param, value):
    query = query.copy()
    query[param] = value
    return query.urlencode()
