"""The semester report's figures as .xlsx (counseling.xlsx.Book): a row per figure with its
value a number where it is one, a sheet per table, each sheet printed like every export."""

import io

import openpyxl
import pytest
from django.utils import translation

from reports.semester_report import services
from reports.semester_report.render import xlsx_bytes
from tests.reports.report_world import ReportWorld, frozen_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    with frozen_time():
        world = ReportWorld()
        return services.start_report(world.counselor, world.semester).versions.get()


def test_the_figures_and_every_table(version):
    with translation.override("zh-hans"), frozen_time():
        book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(version)))
        figures = version.figure_set()
    first, *tables = book.worksheets
    assert first.title == "数据"
    assert first["A1"].font.b and first.max_row == 1 + len(list(figures))
    keys = {row[1]: row[3] for row in first.iter_rows(min_row=2, values_only=True)}
    numbers = [v for v in keys.values() if isinstance(v, int | float)]
    assert numbers, "figures that are numbers stay numbers"
    assert [t.title for t in tables] == [name[:31] for name in figures.tables]
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.left.text == sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
