"""EXPLAIN ANALYZE of the audit page's queries, before and after the OR was split.

Run against a database filled by `make_bench_data` (PostgreSQL):
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/audit_explain.py [username]
The head counselor of the first bench school by default.
"""

import os
import re
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counseling.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Q  # noqa: E402

from counseling.audit import AuditEntry  # noqa: E402


def timing(plan):
    found = re.findall(r"Execution Time: ([\d.]+) ms", plan)
    return float(found[-1]) if found else None


def show(title, queryset):
    plan = queryset.explain(analyze=True)
    print(f"## {title}: {timing(plan)} ms\n{plan}\n")
    return timing(plan)


def main():
    username = sys.argv[1] if len(sys.argv) > 1 else "bench-s001-counselor"
    user = get_user_model().objects.get(username=username)
    total = AuditEntry.objects.count()
    print(f"# audit rows in the table: {total}\n")
    results = {}
    old = AuditEntry.objects.visible_to(user).order_by("-at", "-id")[:50]
    results["scope with OR, first page"] = show("scope with OR, first page", old)
    parts = [p.order_by().values_list("pk", "at") for p in AuditEntry.objects.visible_parts(user)]
    new = parts[0].union(*parts[1:], all=True).order_by("-at", "-pk")[:50]
    results["scope as UNION ALL, first page"] = show("scope as UNION ALL, first page", new)
    term = "学"
    match = Q(actor_name__icontains=term) | Q(object_repr__icontains=term)
    old_search = AuditEntry.objects.visible_to(user).filter(match).order_by("-at", "-id")[:50]
    results["search, OR scope"] = show("search (icontains), OR scope", old_search)
    rare = AuditEntry.objects.filter(school__isnull=False).values_list("object_repr", flat=True)
    rare = (rare.first() or "x")[:4]
    match = Q(actor_name__icontains=rare) | Q(object_repr__icontains=rare)
    parts = [
        p.filter(match).order_by().values_list("pk", "at")
        for p in AuditEntry.objects.visible_parts(user)
    ]
    new_search = parts[0].union(*parts[1:], all=True).order_by("-at", "-pk")[:50]
    results[f"search '{rare}', UNION ALL"] = show(f"search '{rare}', UNION ALL", new_search)
    print("| query | ms |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
