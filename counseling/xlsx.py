"""Writing .xlsx files that can't run anything and print as people expect.

A spreadsheet program treats a cell whose text starts with = + - @ (or a tab or carriage
return before one of them) as a formula, which lets text typed into the portal run in the
reader's spreadsheet ("CSV / formula injection"). So this writer has no way to write a
formula at all: every string cell is of the string type (a shared string), and one that
starts like a formula also gets the quote-prefix style (Excel's and LibreOffice's own
"this is text" mark). The value a person sees, copies or reads with pandas stays exactly
what was typed, with no apostrophe added to it (cut at Excel's 32,767 characters a cell,
past which Excel refuses the whole file). Numbers stay numbers (negative ones too),
and dates are serial numbers with a date format, so a spreadsheet can sort and sum them.

CSV has no cell types: `csv_cell` keeps the apostrophe there.

Why not openpyxl's writer (its helpers for column letters, cell references and serial dates
are used here): its write-only mode made a cell object, styled it and serialised it
element by element, 165,000 times for a school's register of 7,200 barometers (2.4 s of
3.8 s). Here a row is one string, a style is a number from one shared table of the few
combinations the exports use, and each distinct text is checked and escaped once (the
shared-string table), so the same register is written in a fraction of that. Rows go to
the zip entry as they come: a sheet's size in memory is its distinct texts, not its
cells. openpyxl is still what the tests read the files back with.

Every sheet prints the same way: landscape A4, fitted to the page width, the header row
repeated on each page, the title and the date in the page header, "page / pages" below.
"""

import datetime
import io
import math
import re
import zipfile
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.utils.datetime import to_excel

# Characters that make a spreadsheet read the rest as a formula (or, in a CSV, start one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Characters that XML 1.0 can't hold (control characters, two non-characters).
_ILLEGAL = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]}
_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def looks_like_formula(text):
    return text.startswith(FORMULA_TRIGGERS) or text.lstrip(" ").startswith(FORMULA_TRIGGERS[:4])


def safe_cell(value):
    """A value fit for one cell: numbers and dates as they are, text as it was typed.

    - None stays empty; bools, ints, floats, Decimals stay numbers.
    - Aware datetimes become the local wall time (Excel has no time zones).
    - Lazy translations become text; characters XML can't hold are dropped.
    Whether text could read as a formula is the writer's business (string type and the
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
    value = str(value)
    return value.translate(_ILLEGAL) if _ILLEGAL_RE.search(value) else value


def csv_cell(value):
    """A value for a CSV file, which has no text type: a leading apostrophe there."""
    value = safe_cell(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


# -- Styles: one cellXfs table for every file, a style is a sum of these. --------------
BOLD, WRAP, QUOTE = 1, 2, 4  # header; wrapped at the top (text with line breaks); text mark
GENERAL, DATETIME, DATE, TIME, TEXT = (n * 8 for n in range(5))  # the number formats
_NUMBER_FORMATS = {  # style bits -> (numFmtId, custom format code or None)
    GENERAL: (0, None),
    DATETIME: (164, "yyyy-mm-dd hh:mm"),
    DATE: (165, "yyyy-mm-dd"),
    TIME: (166, "hh:mm"),
    TEXT: (49, None),  # "@", built in
}
_STYLES = len(_NUMBER_FORMATS) * 8
_S = ["", *(f' s="{n}"' for n in range(1, _STYLES))]  # a cell's style attribute
_MULTILINE = 8  # a flag of a shared string, not a style

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;"}
)
# Excel reads _x0041_ in a string as "A": a literal one has its underscore escaped.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_FIRST_SERIAL_DAY = datetime.datetime(1900, 3, 1)  # before it, Excel's 1900 leap-year bug
CELL_TEXT_LIMIT = 32767  # characters, Excel's limit for one cell


def _text(text):
    text = text.translate(_TEXT_ESCAPES)
    return _EXCEL_ESCAPE.sub(r"_x005F_\1", text) if "_x" in text else text


def _attribute(text):
    return text.translate(_ATTRIBUTE_ESCAPES)


def _header_text(text):
    # "&" starts a code in a page header ("&D" is the date): a literal one is doubled.
    return str(text).replace("&", "&&")


def _quoted(sheet_name):
    return "'" + sheet_name.replace("'", "''") + "'"


class Sheet:
    """One worksheet: rows appended in order, written out as they come (see Book.sheet)."""

    FLUSH_ROWS = 500

    def __init__(self, book, number, name, *, widths, text_columns, freeze, auto_filter, title):
        self.book, self.number, self.name, self.title = book, number, name, title
        self.widths, self.text_columns = list(widths), set(text_columns)
        self.freeze, self.auto_filter = freeze, auto_filter
        self.rows, self.columns = 0, 0
        self._letters = []
        self._chunks = []
        self._stream = None
        self.closed = False

    @property
    def path(self):
        return f"xl/worksheets/sheet{self.number}.xml"

    def row(self, values, *, bold=False, wrap=False):
        """Append one row; `bold` for a header, `wrap` to wrap text that has line breaks."""
        if self.closed:
            raise ValueError(f"sheet {self.name!r} is closed")
        values = list(values)
        if len(values) > len(self._letters):
            self._letters += [
                get_column_letter(n + 1) for n in range(len(self._letters), len(values))
            ]
        self.rows += 1
        self.columns = max(self.columns, len(values))
        number = str(self.rows)
        base = BOLD if bold else 0
        letters, strings, add_string = self._letters, self.book._strings, self.book._add_string
        cells = [f'<row r="{number}">']
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    entry = strings.get(value) or add_string(value)
                    style = base | (entry[1] & QUOTE)
                    if wrap and entry[1] & _MULTILINE:
                        style |= WRAP
                    cells.append(
                        f'<c r="{letters[column]}{number}" t="s"{_S[style]}><v>{entry[0]}</v></c>'
                    )
            elif kind is int:
                cells.append(f'<c r="{letters[column]}{number}"{_S[base]}><v>{value}</v></c>')
            elif value is not None:
                cell = self._other_cell(value, letters[column] + number, base, wrap)
                if cell:
                    cells.append(cell)
        cells.append("</row>")
        self._chunks.append("".join(cells))
        if len(self._chunks) >= self.FLUSH_ROWS:
            self._flush()

    def _other_cell(self, value, ref, base, wrap):
        """The cell of anything but a str or an int (see safe_cell), or "" for none."""
        value = safe_cell(value)
        if value is None:
            return ""
        if isinstance(value, str):
            if not value:
                return ""
            index, flags = self.book._strings.get(value) or self.book._add_string(value)
            style = base | (flags & QUOTE) | (WRAP if wrap and flags & _MULTILINE else 0)
            return f'<c r="{ref}" t="s"{_S[style]}><v>{index}</v></c>'
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"{_S[base]}><v>{int(value)}</v></c>'
        if isinstance(value, int):
            return f'<c r="{ref}"{_S[base]}><v>{int(value)}</v></c>'
        if isinstance(value, float | Decimal):
            finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
            if not finite:  # Excel has no NaN or infinity: as text
                return self._other_cell(str(value), ref, base, wrap)
            text = repr(float(value)) if isinstance(value, float) else str(value)
            return f'<c r="{ref}"{_S[base]}><v>{text}</v></c>'
        # A date, a datetime or a time, naive (safe_cell).
        if isinstance(value, datetime.datetime):
            style, early = DATETIME, value < _FIRST_SERIAL_DAY
        elif isinstance(value, datetime.date):
            style, early = DATE, value < _FIRST_SERIAL_DAY.date()
        else:
            style, early = TIME, False
        if early:  # a day before Excel counts days right: the date as text
            return self._other_cell(value.isoformat(), ref, base, wrap)
        return f'<c r="{ref}"{_S[base | style]}><v>{to_excel(value)!r}</v></c>'

    def _flush(self):
        if self._stream is None:
            self.book._close_open_sheet(but=self)
            self._stream = self.book._zip.open(self.path, "w")
            self._stream.write(self._head().encode())
        if self._chunks:
            self._stream.write("".join(self._chunks).encode())
            self._chunks = []

    def _head(self):
        parts = [
            DECLARATION,
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            '<sheetViews><sheetView workbookViewId="0"',
            ' tabSelected="1">' if self.number == 1 else ">",
            self._pane(),
            "</sheetView></sheetViews>",
            '<sheetFormatPr defaultRowHeight="15"/>',
        ]
        cols = []
        for column in range(max(len(self.widths), max(self.text_columns, default=-1) + 1)):
            width = self.widths[column] if column < len(self.widths) else None
            style = TEXT if column in self.text_columns else 0
            if width is None and not style:
                continue
            n = column + 1
            attributes = f'min="{n}" max="{n}" width="{width or 9.140625}"'
            if width is not None:
                attributes += ' customWidth="1"'
            if style:
                attributes += f' style="{style}"'
            cols.append(f"<col {attributes}/>")
        if cols:
            parts.append("<cols>" + "".join(cols) + "</cols>")
        parts.append("<sheetData>")
        return "".join(parts)

    def _pane(self):
        if not self.freeze or self.freeze == "A1":
            return ""
        row, column = coordinate_to_tuple(self.freeze)
        x, y = column - 1, row - 1
        split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
        pane = {(True, True): "bottomRight", (True, False): "topRight"}.get(
            (bool(x), bool(y)), "bottomLeft"
        )
        selections = [f'<selection pane="{p}"/>' for p in ("topRight", "bottomLeft") if x and y]
        cell = self.freeze
        return (
            f'<pane{split} topLeftCell="{cell}" activePane="{pane}" state="frozen"/>'
            + "".join(selections)
            + f'<selection pane="{pane}" activeCell="{cell}" sqref="{cell}"/>'
        )

    @property
    def filter_range(self):
        if not self.auto_filter or not self.rows or not self.columns:
            return None
        return f"A1:{get_column_letter(self.columns)}{self.rows}"

    def close(self):
        if self.closed:
            return
        self._flush()
        tail = ["</sheetData>"]
        if self.filter_range:
            tail.append(f'<autoFilter ref="{self.filter_range}"/>')
        tail.append(
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        )
        title = _header_text(str(self.title or self.name)[:100])  # cut before doubling &
        day = _header_text(date_format(timezone.localdate(), "DATE_FORMAT"))
        tail.append(
            "<headerFooter>"
            f"<oddHeader>{_text(f'&L{title}&R{day}')}</oddHeader>"
            f"<oddFooter>{_text('&C&P / &N')}</oddFooter>"
            "</headerFooter></worksheet>"
        )
        self._stream.write("".join(tail).encode())
        self._stream.close()
        self._stream = None
        self.closed = True


class Book:
    """A workbook written as it goes: add sheets, append rows, then `close()` for the bytes.

    Sheets are written one after the other: adding rows to a sheet finishes the one
    before it. `title` is the page header's title of every sheet (its name if none).
    """

    def __init__(self, title=None):
        self.title = title
        self.sheets = []
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED)
        self._strings = {}  # text as given -> (index in the table, QUOTE | _MULTILINE)
        self._table = {}  # text as written -> index
        self._result = None

    def sheet(self, name, *, widths=(), text_columns=(), freeze=None, auto_filter=False):
        """A new sheet. widths: column widths from A (None: the default); text_columns:
        indexes of columns formatted as text ("@") down to the last row; freeze: the
        top-left cell of the scrolling part ("C2": row 1 and columns A–B stay)."""
        sheet = Sheet(
            self,
            len(self.sheets) + 1,
            self._sheet_name(name),
            widths=widths,
            text_columns=text_columns,
            freeze=freeze,
            auto_filter=auto_filter,
            title=self.title,
        )
        self.sheets.append(sheet)
        return sheet

    def _sheet_name(self, name):
        # Excel's rules: at most 31 characters, none of []:*?/\, not starting or ending
        # with an apostrophe, unique regardless of case.
        name = _SHEET_NAME_ILLEGAL.sub("_", safe_cell(str(name))).strip("'")[:31] or "Sheet"
        taken = {s.name.lower() for s in self.sheets}
        base, n = name, 1
        while name.lower() in taken:
            suffix = str(n)
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        return name

    def _add_string(self, value):
        text = value.translate(_ILLEGAL) if _ILLEGAL_RE.search(value) else value
        # Excel refuses to open a file with a longer cell ("a problem with some content").
        text = text[:CELL_TEXT_LIMIT]
        index = self._table.setdefault(text, len(self._table))
        flags = (QUOTE if looks_like_formula(text) else 0) | (_MULTILINE if "\n" in text else 0)
        entry = self._strings[value] = (index, flags)
        return entry

    def _close_open_sheet(self, but):
        for sheet in self.sheets:
            if sheet is not but and sheet._stream is not None:
                sheet.close()

    def close(self):
        """Finish every sheet and the workbook's own parts; the file's bytes."""
        if self._result is not None:
            return self._result
        if not self.sheets:
            self.sheet("Sheet")
        for sheet in self.sheets:
            if not sheet.closed:
                sheet.close()
        z = self._zip
        z.writestr("[Content_Types].xml", self._content_types())
        z.writestr(
            "_rels/.rels", self._relationships([(f"{REL}/officeDocument", "xl/workbook.xml")])
        )
        z.writestr("xl/workbook.xml", self._workbook())
        parts = [(f"{REL}/worksheet", f"worksheets/sheet{s.number}.xml") for s in self.sheets]
        parts += [(f"{REL}/styles", "styles.xml"), (f"{REL}/sharedStrings", "sharedStrings.xml")]
        z.writestr("xl/_rels/workbook.xml.rels", self._relationships(parts))
        z.writestr("xl/styles.xml", _styles())
        z.writestr("xl/sharedStrings.xml", self._shared_strings())
        z.close()
        self._result = self._buffer.getvalue()
        return self._result

    def _content_types(self):
        overrides = [("/xl/workbook.xml", f"{CONTENT}.sheet.main+xml")]
        overrides += [(f"/{s.path}", f"{CONTENT}.worksheet+xml") for s in self.sheets]
        overrides += [
            ("/xl/styles.xml", f"{CONTENT}.styles+xml"),
            ("/xl/sharedStrings.xml", f"{CONTENT}.sharedStrings+xml"),
        ]
        return (
            DECLARATION
            + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
            + "</Types>"
        )

    @staticmethod
    def _relationships(targets):
        return (
            DECLARATION
            + f'<Relationships xmlns="{PACKAGE_REL}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{kind}" Target="{target}"/>'
                for n, (kind, target) in enumerate(targets, start=1)
            )
            + "</Relationships>"
        )

    def _workbook(self):
        sheets, names = [], []
        for index, sheet in enumerate(self.sheets):
            sheets.append(
                f'<sheet name="{_attribute(sheet.name)}" sheetId="{sheet.number}" '
                f'r:id="rId{sheet.number}"/>'
            )
            quoted = _text(_quoted(sheet.name))
            if sheet.filter_range:
                start, end = sheet.filter_range.split(":")
                absolute = re.sub(r"([A-Z]+)([0-9]+)", r"$\1$\2", f"{start}:{end}")
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" '
                    f'hidden="1">{quoted}!{absolute}</definedName>'
                )
            names.append(
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                f"{quoted}!$1:$1</definedName>"
            )
        return (
            DECLARATION
            + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            + '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
            + "<sheets>"
            + "".join(sheets)
            + "</sheets><definedNames>"
            + "".join(names)
            + "</definedNames></workbook>"
        )

    def _shared_strings(self):
        items = []
        for text in self._table:
            space = ' xml:space="preserve"' if text != text.strip() else ""
            items.append(f"<si><t{space}>{_text(text)}</t></si>")
        return (
            DECLARATION
            + f'<sst xmlns="{MAIN}" uniqueCount="{len(items)}">'
            + "".join(items)
            + "</sst>"
        )


def _styles():
    formats = "".join(
        f'<numFmt numFmtId="{number}" formatCode="{_attribute(code)}"/>'
        for number, code in _NUMBER_FORMATS.values()
        if code
    )
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    xfs = []
    for style in range(_STYLES):
        number_format = _NUMBER_FORMATS[style & ~7][0]
        attributes = f'numFmtId="{number_format}" fontId="{style & BOLD}" fillId="0" borderId="0"'
        attributes += ' xfId="0"'
        if number_format:
            attributes += ' applyNumberFormat="1"'
        if style & BOLD:
            attributes += ' applyFont="1"'
        if style & QUOTE:
            attributes += ' quotePrefix="1"'
        if style & WRAP:
            xfs.append(
                f'<xf {attributes} applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
            )
        else:
            xfs.append(f"<xf {attributes}/>")
    return (
        DECLARATION
        + f'<styleSheet xmlns="{MAIN}">'
        + f'<numFmts count="{formats.count("<numFmt ")}">{formats}</numFmts>'
        + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        + '<fill><patternFill patternType="gray125"/></fill></fills>'
        + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        + "</borders>"
        + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        + "</cellStyleXfs>"
        + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        + "</styleSheet>"
    )
