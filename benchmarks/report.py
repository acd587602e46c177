"""Time the demo school's semester report (a benchmark, not a test: it asserts nothing).

    .venv/bin/python manage.py load_demo
    .venv/bin/python manage.py shell < benchmarks/report.py

Prints the median of three runs of: gathering the figures, rendering the HTML, the PDF end
to end (gather + render + WeasyPrint, as the export task does), and WeasyPrint alone on the
same final HTML; then the ratio end to end / WeasyPrint alone (aim: at most 1.3).
"""

import statistics
import time

from counseling.models import School, Semester
from reports.figures import gather
from reports.semester_report.fetcher import BASE_URL, StaticOnlyFetcher
from reports.semester_report.models import Report
from reports.semester_report.render import document_html, pdf_bytes
from reports.semester_report.services import previous_submitted

RUNS = 3


def timed(func):
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


school = School.objects.get(name__contains="职业教育中心")
semester = Semester.objects.current(school)
version = Report.objects.get(school=school, semester=semester).versions.order_by("-number")[0]
previous = previous_submitted(version.report)


def weasyprint_alone(html):
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()


t_gather, _ = timed(lambda: gather(school, semester))
t_html, html = timed(lambda: document_html(version, previous=previous, for_pdf=True))
t_pdf, pdf = timed(lambda: pdf_bytes(version, previous=previous))
t_alone, alone = timed(lambda: weasyprint_alone(html))
print(f"demo school, {semester.name}, version {version.number} ({version.status})")
print(f"gather figures        {t_gather:6.2f} s")
print(f"render HTML           {t_html:6.2f} s  (gathers again for a draft)")
print(f"PDF end to end        {t_pdf:6.2f} s  ({len(pdf) // 1024} KB)")
print(f"WeasyPrint alone      {t_alone:6.2f} s  ({len(alone) // 1024} KB)")
print(f"ratio                 {t_pdf / t_alone:6.2f} x  (aim <= 1.3)")
