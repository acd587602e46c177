"""One document for the browser's preview, the PDF and nothing else: the same HTML.

`document_html(version)` renders templates/reports/report/document.html; `pdf_bytes`
gives that HTML to WeasyPrint with a fetcher that reads only the portal's static files,
and drops any attachment a document might ask for.
"""

import datetime

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.figures import SECTIONS, chart_svg
from reports.semester_report.fetcher import BASE_URL, StaticOnlyFetcher
from reports.semester_report.text import numbered, paragraphs

# The report is read by the school's leaders: counts are shown as to anyone but a counselor.
COUNSELOR_VIEW = False

CHARTS = ["weather_by_week", "filing_by_week", "attendance_by_department"]


def _chart(figures, name):
    try:
        return mark_safe(chart_svg(figures, name))  # noqa: S308 (the chart escapes its text)
    except (KeyError, ValueError, TypeError, ZeroDivisionError):
        return ""


def _date(value):
    if not value:
        return ""
    try:
        return formats.date_format(datetime.date.fromisoformat(str(value)[:10]), "DATE_FORMAT")
    except ValueError:
        return value


def _kind_labels():
    return {
        "meeting": _("Meeting"),
        "training": _("Training"),
        "bulletin": _("Bulletin issue"),
        "letter": _("Open letter"),
        "theme_month": _("Theme month"),
        "contest": _("Contest"),
    }


def _ledger(figures):
    """The appendix of 台账: one table per kind of record, rows as anyone may read them."""
    kinds = _kind_labels()
    ledger = {}
    for name in ("lectures", "meetings", "activities", "publicity"):
        rows = figures.display_rows(name, counselor=COUNSELOR_VIEW)
        for row in rows:
            for column in ("first_date", "last_date", "date"):
                if column in row:
                    row[column] = _date(row[column])
            if "kind" in row:
                row["kind"] = kinds.get(row["kind"], row["kind"])
        ledger[name] = rows
    return ledger


def document_context(version, *, previous=None, for_pdf=False):
    report = version.report
    figures = version.figure_set()
    previous_figures = previous.figure_set() if previous else None
    sections = [
        {
            "anchor": f"section-{n + 1}",
            "number": numbered(n),
            "heading": s["heading"],
            "paragraphs": paragraphs(s["body"], figures, counselor=COUNSELOR_VIEW),
        }
        for n, s in enumerate(version.sections)
    ]
    figure_tables = []
    for key, label in SECTIONS.items():
        rows = []
        for figure in figures.section(key):
            before = previous_figures.get(figure.key) if previous_figures else None
            rows.append(
                {
                    "label": figure.label,
                    "value": figure.display(counselor=COUNSELOR_VIEW),
                    "unit": figure.unit,
                    "previous": before.display(counselor=COUNSELOR_VIEW) if before else "",
                }
            )
        if rows:
            figure_tables.append({"label": label, "rows": rows})
    dated = version.submitted_at or timezone.now()
    return {
        "version": version,
        "report": report,
        "school": report.school,
        "semester": report.semester,
        "title": version.title,
        "office": _("Psychological Counseling Office"),
        "date": formats.date_format(timezone.localtime(dated).date(), "DATE_FORMAT"),
        "sections": sections,
        "figure_tables": figure_tables,
        "previous": previous,
        "charts": [c for c in (_chart(figures, name) for name in CHARTS) if c],
        "ledger": _ledger(figures),
        "for_pdf": for_pdf,
    }


def document_html(version, *, previous=None, for_pdf=False):
    return render_to_string(
        "reports/report/document.html",
        document_context(version, previous=previous, for_pdf=for_pdf),
    )


def pdf_from_html(html):
    """WeasyPrint on a finished document, with the static-only fetcher and no attachments."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render()
    # <link rel="attachment"> and <a rel="attachment"> would embed files in the PDF.
    document.metadata.attachments = []
    for page in document.pages:
        page.links[:] = [link for link in page.links if link[0] != "attachment"]
    return document.write_pdf(uncompressed_pdf=False)


def pdf_bytes(version, *, previous=None):
    return pdf_from_html(document_html(version, previous=previous, for_pdf=True))


def xlsx_bytes(version, *, previous=None):
    """The figures (with the previous semester's beside them) and every table, as .xlsx."""
    from counseling.xlsx import Book

    figures = version.figure_set()
    previous_figures = previous.figure_set() if previous else None
    book = Book()
    sheet = book.sheet(_("Figures"), widths=[16, 26, 40, 12, 10, 12])
    sheet.row(
        [_("Section"), _("Key"), _("Figure"), _("Value"), _("Unit"), _("Previous semester")],
        bold=True,
    )
    for figure in figures:
        before = previous_figures.get(figure.key) if previous_figures else None
        shown = figure.display(counselor=COUNSELOR_VIEW)
        value = figure.value if shown == _plain(figure.value) else shown
        sheet.row(
            [
                str(SECTIONS.get(figure.section, figure.section)),
                figure.key,
                figure.label,
                value,
                figure.unit,
                before.display(counselor=COUNSELOR_VIEW) if before else "",
            ]
        )
    for name in figures.tables:
        rows = figures.display_rows(name, counselor=COUNSELOR_VIEW)
        table = book.sheet(name)
        columns = list(rows[0]) if rows else []
        table.row(columns, bold=True)
        for row in rows:
            table.row([_cell(row[c]) for c in columns])
    return book.close()


def _plain(value):
    from reports.figures.base import format_number

    return format_number(value)


def _cell(value):
    if isinstance(value, list):
        return "；".join(
            "，".join(f"{v}" for v in item.values()) if isinstance(item, dict) else str(item)
            for item in value
        )
    if isinstance(value, dict):
        return "，".join(f"{k}: {v}" for k, v in value.items())
    return value
