"""Writing .xlsx files that can't run anything: every export goes through `safe_cell`.

A spreadsheet program treats a cell whose text starts with = + - @ (or a tab or carriage
return before one of them) as a formula, which lets text typed into the portal run in the
reader's spreadsheet ("CSV / formula injection"). And openpyxl itself stores any string that
starts with "=" as a formula. So text that starts that way gets a leading apostrophe, and
every string cell is forced to the string type.
"""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise

# Characters that make a spreadsheet read the rest as a formula (or, in a CSV, start one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters that XML 1.0 (and so openpyxl) refuses.
_ILLEGAL = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}


def safe_cell(value):
    """A value fit for one cell: numbers and dates as they are, text never a formula.

    - None stays empty; bools, ints, floats, Decimals stay numbers.
    - Aware datetimes become the local wall time (Excel has no time zones).
    - Lazy translations become text.
    - Text that starts with = + - @, a tab, a carriage return or a newline (or with spaces
      before = + - @) is prefixed with an apostrophe, so it reads the same and computes
      nothing; control characters XML can't hold are dropped.
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
    text = str(value).translate(_ILLEGAL)
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(" ").startswith(FORMULA_TRIGGERS[:4]):
        text = "'" + text
    return text


def write_row(sheet, row, values):
    """Write row number `row` (1-based) of safe cells; strings are stored as strings."""
    cells = []
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        cell.value = safe_cell(value)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never "f", whatever the text looks like
        cells.append(cell)
    return cells


def workbook_bytes(book):
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
            if wrap is not None and "\n" in cell.value:
                cell.alignment = wrap
        if font is not None:
            cell.font = font
        if number_formats and column in number_formats:
            cell.number_format = number_formats[column]
        cells.append(cell)
    sheet.append(cells)
    return cells
