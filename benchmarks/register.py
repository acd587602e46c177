"""Time the barometer register export (a benchmark, not a test: it asserts nothing).

    DATABASE_URL=postgres://…/<bench database> .venv/bin/python manage.py shell < benchmarks/register.py

The register is built by the export worker (counseling/exports), never in a request; the
issue's goal is a 7,000-barometer register in about a second. For the first bench school's
current semester, as its counselor sees it (the sensitive columns too), prints the
barometers, the median of three runs of reading the rows and of making the whole file
(`build_register`: reading, the column values and writing, what the worker does), the
file's size and the milliseconds per thousand rows.
"""

import statistics
import time

from committees.barometer import exports
from counseling.models import Role, School, Semester

RUNS = 3


def median_of(func):
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


school = School.objects.filter(name__startswith="bench-").order_by("name").first()
semester = Semester.objects.current(school)
counselor = Role.objects.filter(school=school, kind=Role.Kind.COUNSELOR).first().user
rows = exports._register_rows(counselor, semester, True)
read, _ = median_of(lambda: exports._register_rows(counselor, semester, True))
whole, data = median_of(lambda: exports.build_register(counselor, semester, sensitive=True))
print(
    f"| {school.name} | {len(rows):,} | {read * 1000:.0f} | {whole * 1000:.0f} | "
    f"{len(data) / 1024:.0f} | {whole * 1000 / max(len(rows), 1) * 1000:.0f} |"
)
