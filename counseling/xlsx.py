"""Writing .xlsx files that can't run anything and print as people expect.

A spreadsheet program treats a cell whose text starts with = + - @ (or a tab or carriage
return before one of them) as a formula, which lets text typed into the portal run in the
reader's spreadsheet ("CSV / formula injection"). openpyxl stores any string that starts
with "=" as a formula unless told otherwise. So every string cell is forced to the text
type, and one that starts like a formula also gets the quote-prefix style (Excel's and
LibreOffice's own "this is text" mark): the value a person sees, copies or reads with
pandas stays exactly what was typed, with no apostrophe added to it.

CSV has no cell types: `csv_cell` keeps the apostrophe there.

`workbook_bytes` gives every sheet of every export the same print setup: landscape,
fitted to the page width, the header row repeated on each page, the title and the date in
the page header.
"""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from openpyxl.worksheet.worksheet import Worksheet

# Characters that make a spreadsheet read the rest as a formula (or, in a CSV, start one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters that XML 1.0 (and so openpyxl) refuses.
_ILLEGAL = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}


def looks_like_formula(text):
    return text.startswith(FORMULA_TRIGGERS) or text.lstrip(" ").startswith(FORMULA_TRIGGERS[:4])


def safe_cell(value):
    """A value fit for one cell: numbers and dates as they are, text as it was typed.

    - None stays empty; bools, ints, floats, Decimals stay numbers.
    - Aware datetimes become the local wall time (Excel has no time zones).
    - Lazy translations become text; control characters XML can't hold are dropped.
    Whether text could read as a formula is `write_row`'s business (text type and the
    quote-prefix style), not a character added to the value.
    """
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date | datetime.time):
        return value
    if isinstance(value, Promise):
        value = str(value)
    return str(value).translate(_ILLEGAL)


def csv_cell(value):
    """A value for a CSV file, which has no text type: a leading apostrophe there."""
    value = safe_cell(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def write_row(sheet, row, values):
    """Write row number `row` (1-based) of safe cells; strings are stored as strings."""
    cells = []
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        cell.value = safe_cell(value)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never "f", whatever the text looks like
            if looks_like_formula(cell.value):
                cell.quotePrefix = True
        cells.append(cell)
    return cells


def _header_text(text):
    # "&" starts a code in a page header ("&D" is the date): a literal one is doubled.
    return str(text).replace("&", "&&")


def print_setup(sheet, title=None, header_rows=1):
    """Landscape, fitted to the page width, the header row on every page, title and date."""
    sheet.page_setup.orientation = "landscape"
    # The class's constant: write-only sheets (the register, the report) lack it.
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = f"1:{header_rows}"
    sheet.oddHeader.left.text = _header_text(title or sheet.title)
    sheet.oddHeader.right.text = _header_text(date_format(timezone.localdate(), "DATE_FORMAT"))
    sheet.oddFooter.center.text = "&P / &N"


def workbook_bytes(book, title=None):
    """The workbook as bytes, each sheet set up for printing (see print_setup)."""
    for sheet in book.worksheets:
        if not sheet.oddHeader.left.text:
            print_setup(sheet, title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stream_row(sheet, values, *, font=None, wrap=None, number_formats=None):
    """Append one row of safe cells to a write-only sheet (strings stored as strings);
    `wrap` for text with line breaks, `number_formats` {column index: format}."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for column, value in enumerate(values):
        cell = WriteOnlyCell(sheet, value=safe_cell(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never "f", whatever the text looks like
            if looks_like_formula(cell.value):
                cell.quotePrefix = True
            if wrap is not None and "\n" in cell.value:
                cell.alignment = wrap
        if font is not None:
            cell.font = font
        if number_formats and column in number_formats:
            cell.number_format = number_formats[column]
        cells.append(cell)
    sheet.append(cells)
    return cells
