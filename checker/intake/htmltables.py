"""Read the tables of an HTML page (网页表格) — the "Excel export" of web report pages — into text cells.

Web report pages export an HTML document saved as ``.xls``; Excel and WPS open it, and so does this reader.
Each ``<table>`` is a sheet named ``表1``, ``表2`` … in the order the tables open (a table inside a cell is a
sheet of its own; its text is not part of the outer cell). ``rowspan``/``colspan`` are merged ranges (the
value stays in the top-left cell; :mod:`checker.intake.rows` fills it down as for xlsx). ``<br>`` is a line
break, other runs of whitespace are one space (as a browser shows them), entities are decoded.

The text is decoded by its byte-order mark, else the charset its ``<meta>`` declares (GB2312 and GBK are
read as GB18030, their superset), else strict UTF-8, then strict GB18030 — never with replacement
characters. The page is only tokenised by the standard library's ``html.parser``: no script is run, no
style applied, nothing fetched. The caps of :class:`~checker.intake.limits.Limits` apply: tables, table
nesting, rows, columns, cells and characters per cell; a page that declares entities (``<!ENTITY``) is
refused as ``xml-dtd`` like an XML part, and a page without a table is ``html-no-table``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from checker.intake.limits import Limits
from checker.intake.preflight import PreflightError, SheetScan, check_range
from checker.intake.sheets import FileCells, ReadError, SheetCells
from checker.intake.spreadsheetml import SheetBuilder
from checker.numbers import column_letters

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\n\r\f]+")
_CHINESE = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
}
# Browsers cap spans at these values (HTML's table processing model).
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an HTML page: BOM, then the ``<meta>`` charset, then UTF-8, then GB18030."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, encoding), encoding
    declared = _META_CHARSET.search(data[:8192])
    if declared is not None:
        name = declared.group(1).decode("ascii", "replace").lower()
        encoding = _CHINESE.get(name, name)
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            encoding = ""
        if encoding:
            return _strict(data, encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as first:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise ReadError("encoding", offset=first.start) from None


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError("encoding", offset=exc.start) from None


def _span(value: str | None, cap: int) -> int:
    try:
        number = int((value or "1").strip())
    except ValueError:
        return 1
    return min(max(number, 1), cap)


@dataclass
class _Table:
    """A table being read: its cells, the open row and cell, and the positions merged ranges cover."""

    sheet: SheetBuilder
    row: int = -1
    col: int = 0
    cell: list[str] | None = None
    cell_chars: int = 0
    at: tuple[int, int] = (0, 0)
    covered: dict[int, set[int]] = field(default_factory=dict)


class _TableParser(HTMLParser):
    def __init__(self, limits: Limits, part: str) -> None:
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.part = part
        self.open: list[_Table] = []
        self.sheets: list[SheetCells] = []
        self.count = 0
        self.ignored = 0  # inside <script>, <style>, <template>: never text, never run

    # -- tags -----------------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "noscript"):
            self.ignored += 1
            return
        if tag == "table":
            self._open_table()
            return
        if not self.open:
            return
        table = self.open[-1]
        if tag == "tr":
            self._close_cell(table)
            self._new_row(table)
        elif tag in ("td", "th"):
            self._close_cell(table)
            if table.row < 0:
                self._new_row(table)  # a cell before any <tr>
            self._open_cell(table, dict(attrs))
        elif tag == "br" and table.cell is not None:
            table.cell.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self.open and self.open[-1].cell is not None:
            self.open[-1].cell.append("\n")
        elif tag not in ("script", "style", "template", "noscript", "table"):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "noscript"):
            self.ignored = max(self.ignored - 1, 0)
            return
        if not self.open:
            return
        table = self.open[-1]
        if tag in ("td", "th", "tr"):
            self._close_cell(table)
        elif tag == "table":
            self._close_table()

    def handle_data(self, data: str) -> None:
        if self.ignored or not self.open:
            return
        table = self.open[-1]
        if table.cell is None:
            return
        text = _SPACE.sub(" ", data)
        table.cell.append(text)
        table.cell_chars += len(text)
        if table.cell_chars > self.limits.max_cell_chars:
            row, col = table.at
            raise PreflightError(
                "cell-too-large",
                sheet=table.sheet.name,
                cell=f"{column_letters(col + 1)}{row + 1}",
                chars=table.cell_chars,
                limit=self.limits.describe("max_cell_chars"),
            )

    # -- structure ------------------------------------------------------------------------------------

    def _open_table(self) -> None:
        self.count += 1
        if self.count > self.limits.max_sheets:
            raise PreflightError("too-many-sheets", limit=self.limits.describe("max_sheets"))
        if len(self.open) >= self.limits.max_xml_depth:
            raise PreflightError("xml-too-deep", part=self.part, limit=self.limits.describe("max_xml_depth"))
        self.open.append(_Table(SheetBuilder(f"表{self.count}")))

    def _new_row(self, table: _Table) -> None:
        table.row += 1
        table.col = 0
        if table.row >= self.limits.max_rows:
            raise PreflightError(
                "too-many-rows",
                sheet=table.sheet.name,
                rows=table.row + 1,
                limit=self.limits.describe("max_rows"),
            )
        table.sheet.height = table.row + 1

    def _open_cell(self, table: _Table, attrs: dict[str, str | None]) -> None:
        covered = table.covered.get(table.row)
        c = table.col
        if covered:
            while c in covered:
                c += 1
        across = _span(attrs.get("colspan"), _MAX_COLSPAN)
        down = _span(attrs.get("rowspan"), _MAX_ROWSPAN)
        if c + across > self.limits.max_columns:
            raise PreflightError(
                "too-wide",
                sheet=table.sheet.name,
                columns=c + across,
                limit=self.limits.describe("max_columns"),
            )
        r = table.row
        if across > 1 or down > 1:
            table.sheet.merged.append((r + 1, c + 1, r + down, c + across))
            for below in range(r + 1, r + down):
                table.covered.setdefault(below, set()).update(range(c, c + across))
        table.at = (r, c)
        table.col = c + across
        table.cell = []
        table.cell_chars = 0

    def _close_cell(self, table: _Table) -> None:
        if table.cell is None:
            return
        text = "".join(table.cell)
        if "\n" in text:
            text = "\n".join(line.strip(" ") for line in text.split("\n"))
        text = text.strip(" ")
        if text:
            row, col = table.at
            table.sheet.put(row, col, text)
        table.cell = None

    def _close_table(self) -> None:
        table = self.open.pop()
        self._close_cell(table)
        sheet = table.sheet
        # A rowspan reaching past the last row ends with the table, as a browser shows it.
        sheet.merged = [(r1, c1, min(r2, sheet.height), c2) for r1, c1, r2, c2 in sheet.merged]
        scan = SheetScan(
            sheet.name, scanned=True, max_row=sheet.height, max_col=len(sheet.rows_of), min_col=1
        )
        check_range(scan, self.limits)
        self.sheets.append(sheet.cells(True))

    def finish(self) -> list[SheetCells]:
        self.close()
        while self.open:  # tables left open at the end of the page
            self._close_table()
        # Sheets in the order their tables opened (an inner table closes before its outer one).
        return sorted(self.sheets, key=lambda s: int(s.name.removeprefix("表")))


def read_html(path: Path, limits: Limits) -> FileCells:
    """Every ``<table>`` of an HTML page as a sheet of text columns."""
    text, encoding = decode_html(path.read_bytes())
    if _ENTITY_DECL.search(text):
        raise PreflightError("xml-dtd", part=path.name)
    parser = _TableParser(limits, path.name)
    parser.feed(text)
    sheets = parser.finish()
    if not sheets:
        raise ReadError("html-no-table")
    return FileCells(sheets, encoding=encoding)


__all__ = ["decode_html", "read_html"]
