"""The long tables of a workbook written as worksheet XML a block of rows at a time, then spliced into the
file xlsxwriter wrote.

xlsxwriter spends ~20 µs of Python on every cell; a 1M-row round's problem list is millions of cells, in
the office workbook and again in the 交办单. For a table of at least :data:`BULK_ROWS` rows the sheet writer
lets xlsxwriter write everything else — the header, column formats and widths, autofilter, frozen panes,
data validation, conditional formats, print setup — and leaves the table's rows empty. Those rows are
rendered here the way :meth:`checker.report.workbook.SheetWriter.cell` would have written them, but once
per distinct (value, format) pair of a column, and assembled into ``<row>`` elements by Arrow's string
kernels (:mod:`checker.report.columnar`). After ``Workbook.close()``, :func:`splice` copies the package
into a new zip with the rows inserted in their sheet's ``<sheetData>`` and ``<dimension>`` widened, then
renames it over the original (the caller still publishes the file atomically).

The cells are what xlsxwriter writes in constant-memory mode: inline strings (no shared-string table),
text neutralised by :func:`checker.report.sanitize.cell_text`, control characters as ``_xHHHH_``, numbers
as ``%.16G``, dates as Excel serial numbers, a cell's format as its xf index. Unlike xlsxwriter, a text
that looks like rich-text XML (``<r>…</r>``) is escaped like any other text.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from checker.numbers import column_letters
from checker.report import columnar
from checker.report.sanitize import cell_text

EXCEL_MAX_ROWS = 1_048_576  # rows a worksheet holds (Excel, LibreOffice, WPS)
BULK_ROWS = 500  # a table this long is rendered here; shorter ones cell by cell by xlsxwriter
COMPRESS_LEVEL = 1  # zlib's fastest: twice as fast as its default (6) on sheet XML, files ~35 % larger

_XF_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_XF_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_EPOCH = datetime(1899, 12, 31)


def column_name(col: int) -> str:
    """The letters of 0-based column ``col`` (``0`` → ``A``)."""
    return column_letters(col + 1)


def excel_serial(value: date | datetime) -> float:
    """An Excel serial day number of the 1900 date system (as xlsxwriter computes it)."""
    moment = value if isinstance(value, datetime) else datetime.fromordinal(value.toordinal())
    moment = moment.replace(tzinfo=None)
    delta = moment - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400
    return serial + 1 if serial > 59 else serial  # Excel's 1900-02-29 that never was


def text_xml(text: str, attr: str) -> str:
    """The rest of an inline-string cell after ``<c r="…"``."""
    text = _XF_CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", _XF_ESCAPE.sub(r"_x005F\1", text))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{attr} t="inlineStr"><is><t{space}>{text}</t></is></c>'


# Every character str.isspace() accepts (a test checks the list against Python's own).
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)
_SPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in SPACES) + "]"
# sanitize.cell_text's patterns in RE2 (Arrow's regex engine); text in Arrow never holds a lone surrogate.
_BAD_RE2 = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{7f}-\\x{9f}\\x{fffe}\\x{ffff}]"
_FORMULA_RE2 = "^[ \\x{3000}\\x{a0}]*[=+\\-@\\t\\r\\n]|(?s:^<r>.*</r>$)"


def texts_xml(texts: list[Any], attr: str, blank: str | None) -> pa.Array | None:
    """:func:`text_xml` of :func:`cell_text` of many strings at once, in Arrow; ``blank`` for an empty
    string. None when a value is not a string or cannot go to Arrow, or a text is longer than a cell
    holds (those take the value-by-value path)."""
    import pyarrow.compute as pc

    from checker.report.sanitize import EXCEL_CELL_MAX, NEUTRALISER, REPLACEMENT

    if any(type(t) is not str for t in texts):
        return None
    try:
        raw = pa.array(texts, type=pa.large_string())
    except (pa.ArrowException, UnicodeError):
        return None
    text = pc.replace_substring_regex(raw, _BAD_RE2, REPLACEMENT)
    formula = pc.match_substring_regex(text, _FORMULA_RE2)
    text = pc.if_else(formula, columnar.join([NEUTRALISER, text]), text)
    if pc.max(pc.utf8_length(text)).as_py() > EXCEL_CELL_MAX:
        return None
    text = pc.replace_substring_regex(text, "_x[0-9a-fA-F]{4}_", "_x005F\\0")
    text = pc.replace_substring(text, "\r", "_x000D_")
    space = pc.match_substring_regex(text, f"^{_SPACE_CLASS}|{_SPACE_CLASS}$")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, char, entity)
    preserve = pc.if_else(space, _large(' xml:space="preserve"'), _large(""))
    cells = columnar.join([f'{attr} t="inlineStr"><is><t', preserve, ">", text, "</t></is></c>"])
    empty = pc.equal(pc.utf8_length(raw), 0)
    return pc.if_else(empty, _large(blank), cells)


def _large(text: str | None) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def number_xml(number: float, attr: str) -> str:
    return f"{attr}><v>{number:.16G}</v></c>"


@dataclass
class CellRules:
    """How a table's values become cells: the xf index of each format name, and the texts of yes/no and
    of a list of names in the report's language."""

    xf: Callable[[str | None], int]
    yes: str
    no: str
    name_sep: str

    def tail(self, value: Any, fmt: str | None) -> str | None:
        """The cell XML after ``<c r="…"`` for ``value`` in format ``fmt``; None for no cell at all (as
        :meth:`SheetWriter.cell` writes nothing for an empty unformatted value or a non-finite number)."""
        xf = self.xf(fmt) if fmt else 0
        attr = f' s="{xf}"' if xf else ""
        if value is None or (isinstance(value, str) and value == ""):
            return f"{attr}/>" if fmt else None
        if isinstance(value, str):
            return text_xml(cell_text(value), attr)
        if isinstance(value, bool):
            return text_xml(self.yes if value else self.no, attr)
        if isinstance(value, (int, float)):
            if not math.isfinite(value):
                return None
            return number_xml(value, attr)
        if isinstance(value, (date, datetime)):
            xf = self.xf(fmt or "date")
            return number_xml(excel_serial(value), f' s="{xf}"' if xf else "")
        if isinstance(value, (list, tuple)):
            return text_xml(cell_text(self.name_sep.join(str(v) for v in value)), attr)
        return text_xml(cell_text(value), attr)


@dataclass
class BulkColumn:
    """One column of a bulk table: its index on the sheet, its values, and its format — one name for the
    whole column or one per row."""

    col: int
    values: Sequence[Any]
    fmt: str | Sequence[str | None] | None = None


@dataclass
class Bulk:
    """A table's rows waiting to be spliced into sheet number ``sheet`` (1-based, xlsxwriter's order),
    starting at 0-based row ``first``. ``heights``: each row's height in points (None: the default)."""

    sheet: int
    first: int
    length: int
    columns: list[BulkColumn]
    rules: CellRules
    heights: Sequence[float | None] | None = None

    def xml_blocks(self) -> Iterator[bytes | pa.Buffer]:
        """The ``<row>`` elements, a block of rows at a time, as UTF-8."""
        if not self.length:
            return
        cells = [(f'<c r="{column_name(c.col)}', self._rendered(c)) for c in self.columns]
        heights = None
        if self.heights is not None:
            heights = columnar.Column.of(self.heights, lambda h: f' ht="{h:.16g}" customHeight="1"', "")
        for start, stop in columnar.blocks(self.length):
            rows = columnar.numbers_text(self.first + start + 1, self.first + stop + 1)
            parts: list[Any] = ['<row r="', rows, '"']
            if heights is not None:
                parts.append(heights.piece(start, stop))
            parts.append(">")
            for head, column in cells:
                parts.append(columnar.join([head, rows, '"', column.piece(start, stop)]))
            parts.append("</row>")
            yield columnar.lines_utf8(columnar.join(parts, skip_nulls=True), "")

    def _rendered(self, column: BulkColumn) -> columnar.Column:
        fmt = column.fmt
        if fmt is None or isinstance(fmt, str):
            xf = self.rules.xf(fmt) if fmt else 0
            blank = self.rules.tail(None, fmt)
            return columnar.Column.of(
                column.values,
                lambda v: self.rules.tail(v, fmt),
                blank,
                lambda texts: texts_xml(texts, f' s="{xf}"' if xf else "", blank),
            )
        # One format per row: render each distinct (value, format) pair once.
        values, value_list = columnar.factorize(column.values)
        formats, format_list = columnar.factorize(list(fmt))
        pairs = (values + 1) * (len(format_list) + 1) + (formats + 1)
        kinds, codes = np.unique(pairs, return_inverse=True)
        texts = []
        for pair in kinds.tolist():
            v, f = divmod(pair, len(format_list) + 1)
            texts.append(self.rules.tail(value_list[v - 1] if v else None, format_list[f - 1] if f else None))
        return columnar.Column(codes.astype(np.int64), pa.array(texts, type=pa.large_string()))

    @property
    def last_row(self) -> int:
        """1-based number of the table's last row."""
        return self.first + self.length

    @property
    def last_col(self) -> int:
        """0-based index of the table's last column."""
        return max((c.col for c in self.columns), default=0)


_ROW = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')


def _column_index(name: bytes) -> int:
    index = 0
    for ch in name:
        index = index * 26 + (ch - 64)
    return index - 1


def _widened(sheet: bytes, bulks: Sequence[Bulk]) -> bytes:
    found = _DIMENSION.search(sheet)
    if found is None:
        return sheet
    last_row = max(int(found.group(4) or found.group(2)), *(b.last_row for b in bulks))
    last_col = max(_column_index(found.group(3) or found.group(1)), *(b.last_col for b in bulks))
    ref = f'<dimension ref="A1:{column_name(last_col)}{last_row}"/>'.encode()
    return sheet[: found.start()] + ref + sheet[found.end() :]


def _pieces(sheet: bytes, bulks: Sequence[Bulk]) -> Iterator[bytes | pa.Buffer]:
    """The sheet's XML with each bulk's rows inserted before the first row after them."""
    sheet = _widened(sheet, bulks)
    if b"<sheetData/>" in sheet:
        sheet = sheet.replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)
    end = sheet.index(b"</sheetData>")
    rows = [(int(m.group(1)), m.start()) for m in _ROW.finditer(sheet, 0, end)]
    at = 0
    for bulk in sorted(bulks, key=lambda b: b.first):
        cut = next((pos for number, pos in rows if number > bulk.last_row and pos >= at), end)
        yield sheet[at:cut]
        yield from bulk.xml_blocks()
        at = cut
    yield sheet[at:]


def splice(path: Path, bulks: Sequence[Bulk]) -> None:
    """Insert the bulk tables' rows into the workbook at ``path`` (see the module docstring)."""
    if not bulks:
        return
    by_sheet: dict[str, list[Bulk]] = {}
    for bulk in bulks:
        by_sheet.setdefault(f"xl/worksheets/sheet{bulk.sheet}.xml", []).append(bulk)
    spliced = path.with_name(path.name + ".rows")
    try:
        with (
            zipfile.ZipFile(path) as source,
            zipfile.ZipFile(spliced, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as target,
        ):
            for info in source.infolist():
                data = source.read(info)
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                # A ZipInfo handed to the archive keeps its own level, None (zlib's default, 6) unless set:
                # the archive's compresslevel applies only to members named by a string.
                entry._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]  # 3.13: compress_level
                entry.external_attr = info.external_attr
                if info.filename not in by_sheet:
                    target.writestr(entry, data)
                    continue
                with target.open(entry, "w", force_zip64=True) as out:
                    for piece in _pieces(data, by_sheet[info.filename]):
                        out.write(piece)
        os.replace(spliced, path)
    finally:
        if spliced.exists():
            spliced.unlink()
