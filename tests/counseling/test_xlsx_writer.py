"""The portal's own .xlsx writer (counseling.xlsx.Book) as outside software reads it back:
openpyxl (types, styles, layout, print setup) and calamine (the roster import's reader),
with the raw XML checked for what no reader would show, a formula."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

from counseling.xlsx import Book

FORMULA_LIKE = ["=1+1", "@SUM(A1)", "-2+3", "+86 138 0000 0000", " =2", "\t=cmd", "\r=x", "\n=1"]
SPECIAL = [
    '<script>alert("x")</script>',
    "a & b > c < d",
    "&amp; stays as typed",
    "心理委员：王小明（2026级计算机1班）",
    "_x0041_ is not an A",
    "  spaces around  ",
    "two\r\nlines",
    "]]>",
]


def make(rows, *, name="登记表", title=None, **layout):
    book = Book(title=title)
    sheet = book.sheet(name, **layout)
    for n, row in enumerate(rows):
        sheet.row(row, bold=n == 0, wrap=n > 0)
    return book.close()


def opened(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def raw_sheets(data):
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return [book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")]


class TestValues:
    def test_numbers_dates_and_text_keep_their_types(self):
        aware = datetime.datetime(2026, 11, 2, 4, 30, tzinfo=datetime.UTC)
        row = [
            7,
            -3,
            2.5,
            Decimal("-1.25"),
            True,
            aware,
            datetime.date(2026, 9, 1),
            datetime.time(9, 30),
            "文字",
            None,
            gettext_lazy("Yes"),
        ]
        sheet = opened(make([["h"] * len(row), row])).active
        cells = list(sheet[2])
        values = [c.value for c in cells]
        assert values[:5] == [7, -3, 2.5, -1.25, True]
        assert [c.data_type for c in cells[:4]] == ["n"] * 4
        # An aware datetime is the local wall time (Asia/Shanghai), a date cell.
        assert values[5] == datetime.datetime(2026, 11, 2, 12, 30)
        assert cells[5].is_date and cells[5].number_format == "yyyy-mm-dd hh:mm"
        assert values[6] == datetime.datetime(2026, 9, 1)
        assert cells[6].is_date and cells[6].number_format == "yyyy-mm-dd"
        assert values[7] == datetime.time(9, 30)
        assert values[8] == "文字" and cells[8].data_type == "s"
        assert values[9] is None
        assert values[10] == str(gettext_lazy("Yes")) and cells[10].data_type == "s"

    def test_a_datetime_keeps_its_seconds(self):
        when = datetime.datetime(2026, 12, 2, 23, 59, 58)
        assert opened(make([["h"], [when]])).active["A2"].value == when

    def test_calamine_reads_the_same_values(self):
        when = datetime.datetime(2026, 12, 2, 10, 30)
        data = make([["班级", "周", "提交时间"], ["2026级计算机1班", 3, when], ["=1+1", -2, None]])
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        assert rows == [["班级", "周", "提交时间"], ["2026级计算机1班", 3, when], ["=1+1", -2, ""]]

    def test_many_rows_stream_and_all_arrive(self):
        rows = [["n", "text"], *([n, f"第{n}行"] for n in range(1, 1201))]
        sheet = opened(make(rows)).active
        assert sheet.max_row == 1201
        assert [c.value for c in sheet[1201]] == [1200, "第1200行"]


class TestNoFormula:
    def test_formula_like_text_is_a_string_with_the_quote_prefix(self):
        data = make([["备注", "普通"], *([text, "a=b"] for text in FORMULA_LIKE)])
        sheet = opened(data).active
        for n, text in enumerate(FORMULA_LIKE, start=2):
            cell = sheet.cell(row=n, column=1)
            assert cell.value == text  # as typed, no apostrophe added
            assert cell.data_type == "s" and cell.quotePrefix, text
            assert not sheet.cell(row=n, column=2).quotePrefix

    def test_the_file_holds_no_formula(self):
        data = make([["备注"], *([text] for text in FORMULA_LIKE)])
        for xml in raw_sheets(data):
            assert not re.search(r"<(\w+:)?f[\s>/]", xml), "a cell is a formula"

    def test_a_header_that_looks_like_a_formula_is_bold_text(self):
        cell = opened(make([["=HYPERLINK(1)"]])).active["A1"]
        assert cell.value == "=HYPERLINK(1)" and cell.quotePrefix and cell.font.b


class TestText:
    def test_xml_special_characters_and_chinese_round_trip(self):
        sheet = opened(make([["文字"], *([text] for text in SPECIAL)])).active
        assert [sheet.cell(row=n, column=1).value for n in range(2, 2 + len(SPECIAL))] == SPECIAL

    def test_special_characters_in_the_sheet_name_and_title(self):
        data = make([["x"]], name="晴雨表 & <台账>", title='A&B "登记" <1>')
        sheet = opened(data).active
        assert sheet.title == "晴雨表 & <台账>"
        assert sheet.oddHeader.left.text == 'A&&B "登记" <1>'  # & doubled: not a code

    def test_a_long_title_is_cut_before_its_ampersands_are_doubled(self):
        sheet = opened(make([["x"]], title="长" * 99 + "&后")).active
        assert sheet.oddHeader.left.text == "长" * 99 + "&&"

    def test_text_longer_than_excel_takes_is_cut_to_its_limit(self):
        cell = opened(make([["h"], ["长" * 40000]])).active["A2"]
        assert cell.value == "长" * 32767

    def test_control_characters_are_dropped(self):
        assert opened(make([["h"], ["a\x00b\x07c\x1f"]])).active["A2"].value == "abc"

    def test_text_with_line_breaks_wraps_where_asked(self):
        sheet = opened(make([["a\nb"], ["c\nd", "e"]])).active
        assert not sheet["A1"].alignment.wrap_text  # the header row was not asked to
        assert sheet["A2"].alignment.wrap_text and sheet["A2"].alignment.vertical == "top"
        assert not sheet["B2"].alignment.wrap_text


class TestLayout:
    def test_widths_frozen_panes_filter_and_bold_header(self):
        rows = [["专业科", "班级", "周"], ["信息技术科", "1班", 1], ["财经商贸科", "2班", 2]]
        sheet = opened(make(rows, widths=[12, 20, None], freeze="C2", auto_filter=True)).active
        assert sheet.freeze_panes == "C2"
        assert sheet.auto_filter.ref == "A1:C3"
        assert sheet.column_dimensions["A"].width == 12
        assert sheet.column_dimensions["B"].width == 20
        assert all(c.font.b for c in sheet[1]) and not any(c.font.b for c in sheet[2])

    def test_a_text_column_stays_text_below_the_rows(self):
        sheet = opened(make([["学号"]], text_columns=[0], freeze="A2")).active
        assert sheet.column_dimensions["A"].number_format == "@"
        assert sheet.freeze_panes == "A2"

    def test_print_setup(self):
        with translation.override("zh-hans"):
            data = make([["h"], *([n] for n in range(300))], title="晴雨表登记")
            today = date_format(timezone.localdate(), "DATE_FORMAT")
        sheet = opened(data).active
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.left.text == "晴雨表登记"
        assert sheet.oddHeader.right.text == today and "年" in today
        assert sheet.oddFooter.center.text == "&P / &N"


class TestSheets:
    def test_several_sheets_each_printed_with_its_own_name_as_title(self):
        book = Book()
        first = book.sheet("数据")
        first.row(["a"])
        second = book.sheet("表/一:二*" + "长" * 40)
        second.row(["b"])
        book.sheet("数据").row(["c"])  # a second sheet of the same name
        data = book.close()
        sheets = opened(data).worksheets
        assert [s["A1"].value for s in sheets] == ["a", "b", "c"]
        assert sheets[0].title == "数据" and sheets[2].title == "数据1"
        assert len(sheets[1].title) == 31 and not re.search(r"[/:*]", sheets[1].title)
        assert [s.oddHeader.left.text for s in sheets] == [s.title for s in sheets]
        assert all(s.page_setup.orientation == "landscape" for s in sheets)

    def test_a_finished_sheet_takes_no_more_rows(self):
        book = Book()
        first = book.sheet("一")
        first.row(["a"] * 10)
        first.FLUSH_ROWS = 1
        first.row(["b"])  # written out: its zip entry is open
        book.sheet("二").row(["c"])
        second = book.sheets[1]
        second.FLUSH_ROWS = 1
        second.row(["d"])  # the second one's entry finishes the first
        with pytest.raises(ValueError):
            first.row(["e"])
        book.close()

    def test_an_empty_book_still_opens(self):
        assert opened(Book().close()).worksheets
