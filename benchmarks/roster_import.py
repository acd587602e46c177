"""Time a 5,000-row roster import (a benchmark, not a test: it asserts nothing about time).

    .venv/bin/python manage.py shell < benchmarks/roster_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/counseling_bench \\
        .venv/bin/python manage.py shell < benchmarks/roster_import.py

It imports into a throw-away school inside a transaction that is rolled back.
"""

import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from counseling.models import School
from counseling.roster import import_roster

ROWS = 5000
lines = ["专业科,班级,学号,姓名,性别,外地生,入学年份"]
for n in range(ROWS):
    lines.append(
        f"基准科{n % 6},2026级基准{n % 100}班,B{n:07d},学生{n},{'男' if n % 2 else '女'},{'是' if n % 3 else '否'},2026"
    )
payload = ("\n".join(lines)).encode("utf-8")


class Rollback(Exception):
    pass


try:
    with transaction.atomic():
        school = School.objects.create(name="基准测试学校")
        for label in ("first import (all new)", "same file again (nothing changes)"):
            upload = SimpleUploadedFile("roster.csv", payload, content_type="text/csv")
            start = time.perf_counter()
            result = import_roster(school, upload, None)
            elapsed = time.perf_counter() - start
            print(
                f"{label}: {ROWS} rows, created {result.created}, updated {result.updated}, "
                f"errors {len(result.errors)}, {elapsed:.2f} s"
            )
        raise Rollback
except Rollback:
    pass
