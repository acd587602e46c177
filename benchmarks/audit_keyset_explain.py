"""EXPLAIN ANALYZE of the audit page before and after keyset pages, on a table whose
visibility map is dirty (run it right after a bulk insert, without VACUUM).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/audit_keyset_explain.py [username]
"""

import os
import re
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counseling.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from counseling.audit import AuditEntry  # noqa: E402

PAGE = 50


def explain(title, queryset, *, count=False):
    sql, params = queryset.query.sql_with_params()
    if count:
        sql = f"SELECT COUNT(*) FROM ({sql}) subquery"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    ms = float(re.findall(r"Execution Time: ([\d.]+) ms", plan)[-1])
    print(f"## {title}: {ms} ms\n{plan}\n")
    return ms


def main():
    user = get_user_model().objects.get(username=sys.argv[1] if len(sys.argv) > 1 else "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'counseling_auditentry'"
        )
        pages, visible = cursor.fetchone()
    print(f"# {AuditEntry.objects.count()} rows; {visible} of {pages} pages all-visible\n")
    parts = AuditEntry.objects.visible_parts(user)
    results = {}
    union = [p.order_by().values_list("pk", "at") for p in parts]
    union = union[0].union(*union[1:], all=True).order_by("-at", "-pk")
    results["before: COUNT of the UNION"] = explain("before: count", union, count=True)
    results["before: UNION page 1"] = explain("before: page 1", union[:PAGE])
    results["before: UNION page 200"] = explain("before: page 200", union[199 * PAGE : 200 * PAGE])
    for n, part in enumerate(parts):
        page = part.order_by("-at", "-pk").select_related("content_type", "actor")
        results[f"after: part {n}, newest page"] = explain(f"after: part {n}", page[: PAGE + 1])
    deep = parts[0].order_by("-at", "-pk")[199 * PAGE]
    older = (
        parts[0]
        .filter(Q(at__lt=deep.at) | Q(pk__lt=deep.pk), at__lte=deep.at)
        .order_by("-at", "-pk")
        .select_related("content_type", "actor")[: PAGE + 1]
    )
    results["after: part 0, 200 pages back"] = explain("after: 200 pages back", older)
    print("| query | ms |\n|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
