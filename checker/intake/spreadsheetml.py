"""Read Excel 2003 XML spreadsheets (SpreadsheetML, 表格 XML 2003) into text cells.

Business systems export their ledgers in this format (Java/FreeMarker report templates write it and save it
as ``.xls``), Excel and WPS save it as "XML 表格 2003". The file is streamed once with defusedxml (no DTD, no
entities, no external references) under the caps of :class:`~checker.intake.limits.Limits`: element depth,
sheets, rows, columns, cells and characters per cell. What the format says is honoured:

- ``ss:Index`` on a row or a cell skips rows or cells; ``ss:MergeAcross`` / ``ss:MergeDown`` make merged
  ranges (the value stays in the top-left cell; :mod:`checker.intake.rows` fills it down as for xlsx), and
  the cells a range covers are skipped when the next cell has no ``ss:Index``;
- ``ss:Type`` Number / String / DateTime / Boolean / Error: numbers as written (``2.0`` → ``2``), date-times
  as ``YYYY-MM-DD hh:mm:ss`` (what the xlsx reader gives for a date cell), booleans as ``true``/``false``,
  errors apart (:attr:`SheetCells.errors`), never as blanks;
- a cell with ``ss:Formula`` and no ``<Data>``: a formula without a saved value (:attr:`SheetCells.formulas`);
- rich text inside ``<Data>`` (``<Font>``, ``<B>`` …) is read as its plain text; a cell comment is not a value;
- hidden sheets (``<x:Visible>SheetHidden</x:Visible>`` or ``SheetVeryHidden``) are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from checker.intake.limits import Limits
from checker.intake.preflight import PreflightError, SheetScan, check_range, column_letters
from checker.intake.sheets import FileCells, ReadError, SheetCells

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
X = "{urn:schemas-microsoft-com:office:excel}"
_WORKSHEET, _TABLE, _ROW, _CELL, _DATA = (f"{SS}{t}" for t in ("Worksheet", "Table", "Row", "Cell", "Data"))
_WHOLE = re.compile(r"^-?\d+\.0*$")


def _attr(element: Any, name: str) -> str | None:
    """An ``ss:`` attribute; templates sometimes write it without the prefix."""
    value: str | None = element.get(SS + name)
    if value is None:
        value = element.get(name)
    return value


def _index(value: str, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ReadError("corrupt-xml", detail=f"{what} ss:Index='{value[:20]}'") from None
    if number < 1:
        raise ReadError("corrupt-xml", detail=f"{what} ss:Index='{value[:20]}'")
    return number


def _span(value: str | None) -> int:
    if not value:
        return 0
    try:
        return max(int(value), 0)
    except ValueError:
        raise ReadError("corrupt-xml", detail=f"ss:Merge='{value[:20]}'") from None


@dataclass
class SheetBuilder:
    """The cells of one worksheet as they are read: per column, the 0-based rows and their texts."""

    name: str
    rows_of: list[list[int]] = field(default_factory=list)
    texts_of: list[list[str]] = field(default_factory=list)
    height: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    covered: dict[int, set[int]] = field(default_factory=dict)  # row → columns under a range merged down
    next_row: int = 0

    def put(self, row: int, col: int, text: str) -> None:
        while len(self.rows_of) <= col:
            self.rows_of.append([])
            self.texts_of.append([])
        self.rows_of[col].append(row)
        self.texts_of[col].append(text)

    def cells(self, visible: bool) -> SheetCells:
        height = self.height
        arrays = {}
        for c, (rows, texts) in enumerate(zip(self.rows_of, self.texts_of, strict=True)):
            values = pa.array(texts, pa.large_string())
            if len(rows) == height and (not rows or rows[-1] == height - 1):
                arrays[f"c{c}"] = values  # every row has this column, in order: no scatter needed
                continue
            where = np.full(height, -1, dtype=np.int64)
            where[np.asarray(rows, dtype=np.int64)] = np.arange(len(rows), dtype=np.int64)
            arrays[f"c{c}"] = values.take(pa.array(where, mask=where < 0))
        if not arrays:
            arrays["c0"] = pa.nulls(height, pa.large_string())
        table = pa.table(arrays)
        return SheetCells(
            self.name,
            visible,
            table,
            list(range(table.num_columns)),
            1,
            self.errors,
            self.merged,
            self.formulas,
        )


class _Reader:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.sheets: list[SheetCells] = []
        self.hidden: list[str] = []
        self.count = 0

    def read(self, path: Path) -> FileCells:
        limits = self.limits
        depth = 0
        sheet: SheetBuilder | None = None
        table: Any = None
        try:
            with path.open("rb") as handle:
                events = SafeTree.iterparse(handle, events=("start", "end"), forbid_dtd=True)
                for event, element in events:
                    tag = element.tag
                    if event == "start":
                        depth += 1
                        if depth > limits.max_xml_depth:
                            raise PreflightError(
                                "xml-too-deep", part=path.name, limit=limits.describe("max_xml_depth")
                            )
                        if tag == _WORKSHEET:
                            sheet = self._start_sheet(element)
                        elif tag == _TABLE:
                            table = element
                        continue
                    depth -= 1
                    if tag == _ROW and sheet is not None:
                        self._row(sheet, element)
                        if table is not None:
                            table.clear()  # the rows already read are not kept in the tree
                    elif tag == _WORKSHEET and sheet is not None:
                        self._end_sheet(sheet, element)
                        element.clear()
                        sheet, table = None, None
        except DefusedXmlException:
            raise PreflightError("xml-dtd", part=path.name) from None
        except SafeTree.ParseError as exc:
            raise ReadError("corrupt-xml", detail=str(exc)[:200]) from None
        return FileCells(self.sheets, hidden=self.hidden)

    def _start_sheet(self, element: Any) -> SheetBuilder:
        self.count += 1
        if self.count > self.limits.max_sheets:
            raise PreflightError("too-many-sheets", limit=self.limits.describe("max_sheets"))
        return SheetBuilder(_attr(element, "Name") or f"Sheet{self.count}")

    def _row(self, sheet: SheetBuilder, row: Any) -> None:
        limits = self.limits
        index = _attr(row, "Index")
        r = _index(index, "Row") - 1 if index else sheet.next_row
        if r < sheet.next_row:
            raise ReadError("corrupt-xml", detail=f"sheet '{sheet.name}': Row ss:Index={r + 1} goes back")
        if r >= limits.max_rows:
            raise PreflightError(
                "too-many-rows", sheet=sheet.name, rows=r + 1, limit=limits.describe("max_rows")
            )
        covered = sheet.covered.pop(r, None) if sheet.covered else None
        c = 0
        for cell in row:
            if cell.tag != _CELL:
                continue
            cindex = _attr(cell, "Index")
            if cindex:
                at = _index(cindex, "Cell") - 1
                if at < c:
                    raise ReadError(
                        "corrupt-xml", detail=f"sheet '{sheet.name}' row {r + 1}: ss:Index={at + 1} goes back"
                    )
                c = at
            elif covered:
                while c in covered:
                    c += 1
            across = _span(_attr(cell, "MergeAcross"))
            if c + across >= limits.max_columns:
                raise PreflightError(
                    "too-wide", sheet=sheet.name, columns=c + across + 1, limit=limits.describe("max_columns")
                )
            down = _span(_attr(cell, "MergeDown"))
            if across or down:
                sheet.merged.append((r + 1, c + 1, r + 1 + down, c + 1 + across))
                for below in range(r + 1, min(r + down, limits.max_rows) + 1):
                    sheet.covered.setdefault(below, set()).update(range(c, c + across + 1))
            data = cell.find(_DATA)
            if data is None:
                formula = _attr(cell, "Formula")
                if formula:
                    sheet.formulas[(r + 1, c + 1)] = formula.removeprefix("=")
            else:
                kind = _attr(data, "Type") or "String"
                text = "".join(data.itertext()) if len(data) else (data.text or "")
                if len(text) > limits.max_cell_chars:
                    raise PreflightError(
                        "cell-too-large",
                        sheet=sheet.name,
                        cell=f"{column_letters(c + 1)}{r + 1}",
                        chars=len(text),
                        limit=limits.describe("max_cell_chars"),
                    )
                if kind == "Error":
                    sheet.errors[(r, c)] = text.strip() or "#ERROR"
                elif text:
                    sheet.put(r, c, _value(kind, text))
            c += across + 1
        sheet.next_row = r + 1
        sheet.height = max(sheet.height, r + 1)

    def _end_sheet(self, sheet: SheetBuilder, element: Any) -> None:
        visible = True
        for options in element.iter(f"{X}WorksheetOptions"):
            for node in options:
                if node.tag.endswith("}Visible") and (node.text or "").strip() in (
                    "SheetHidden",
                    "SheetVeryHidden",
                ):
                    visible = False
        if sheet.covered:  # ranges merged below the last row written
            sheet.height = max(sheet.height, max(sheet.covered) + 1)
        if not visible:
            self.hidden.append(sheet.name)
            return
        scan = SheetScan(
            sheet.name, scanned=True, max_row=sheet.height, max_col=len(sheet.rows_of), min_col=1
        )
        check_range(scan, self.limits)
        self.sheets.append(sheet.cells(visible))


def _value(kind: str, text: str) -> str:
    if kind == "Number":
        text = text.strip()
        return text.split(".", 1)[0] if _WHOLE.match(text) else text
    if kind == "DateTime":
        text = text.strip()
        if len(text) >= 19 and text[10] == "T":
            return f"{text[:10]} {text[11:19]}"
        return text
    if kind == "Boolean":
        return {"1": "true", "0": "false"}.get(text.strip(), text)
    return text


def read_spreadsheetml(path: Path, limits: Limits) -> FileCells:
    """Every visible worksheet of an Excel 2003 XML file as text columns (hidden ones named apart)."""
    return _Reader(limits).read(path)


__all__ = ["SheetBuilder", "read_spreadsheetml"]
