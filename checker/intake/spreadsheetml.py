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

Speed: a Python callback per element made a 100,000-row export take 7× its xlsx. Rows made only of plain
cells (``<Cell attrs><Data attrs>text</Data></Cell>``, no comment, rich text, entity other than the five
predefined ones and character references, nor namespace declaration) are recognised by a byte-level scanner
(:func:`_plan`) and each run of them is replaced by one placeholder element; the rest of the document (its
prolog, styles, worksheet options and every row that is not plain) still goes through defusedxml, which
refuses DTDs and entities and checks the structure as before. The scanner is only used on a UTF-8 file
without ``<!`` (DOCTYPE, comments, CDATA) and without processing instructions after the root element; a
plain row's cells then go through the same code (:meth:`_Reader._place`) as a parsed row's.
"""

from __future__ import annotations

import codecs
import io
import re
import secrets
from array import array
from collections.abc import Iterator
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


# A cell as :meth:`_Reader._place` takes it: ss:Index, ss:MergeAcross, ss:MergeDown, ss:Formula (or None),
# the <Data> ss:Type (None when the cell has no <Data>) and the data's text.
Cell = tuple[str | None, str | None, str | None, str | None, str | None, str]


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
    """The cells of one worksheet as they are read: per column, the 0-based rows and their texts in UTF-8
    (pyarrow makes a column of a list of bytes some 15 times faster than of a list of str)."""

    name: str
    rows_of: list[list[int]] = field(default_factory=list)
    texts_of: list[list[bytes]] = field(default_factory=list)
    height: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    covered: dict[int, set[int]] = field(default_factory=dict)  # row → columns under a range merged down
    next_row: int = 0

    def put(self, row: int, col: int, text: str) -> None:
        self.put_utf8(row, col, text.encode())

    def put_utf8(self, row: int, col: int, text: bytes) -> None:
        while len(self.rows_of) <= col:
            self.rows_of.append([])
            self.texts_of.append([])
        self.rows_of[col].append(row)
        self.texts_of[col].append(text)

    def cells(self, visible: bool) -> SheetCells:
        height = self.height
        arrays = {}
        for c, (rows, texts) in enumerate(zip(self.rows_of, self.texts_of, strict=True)):
            values = pa.array(texts, pa.large_binary()).cast(pa.large_string())
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
    def __init__(self, limits: Limits, *, scan: bool = True) -> None:
        self.limits = limits
        self.scan = scan
        self.sheets: list[SheetCells] = []
        self.hidden: list[str] = []
        self.count = 0
        self.plan: _Plan | None = None
        self.part = ""
        self._meta_of: dict[bytes, tuple[str | None, str | None, str | None, str | None]] = {}
        self._kind_of: dict[bytes, str] = {}
        self._cell_of: dict[bytes, tuple[int, int, int, str | None]] = {}

    def read(self, path: Path) -> FileCells:
        limits = self.limits
        depth = 0
        sheet: SheetBuilder | None = None
        table: Any = None
        self.part = path.name
        plan = self.plan = _plan(path.read_bytes(), limits) if self.scan else None
        runs = f"{SS}{plan.name}" if plan is not None else None
        try:
            with io.BytesIO(plan.document) if plan is not None else path.open("rb") as handle:
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
                    elif tag == runs and sheet is not None:
                        self._plain_rows(sheet, int(element.get("i")), depth + 1)
                        if table is not None:
                            table.clear()
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
        """A row the XML parser built: its cells in the form :meth:`_place` takes."""
        cells: list[Cell] = []
        for cell in row:
            if cell.tag != _CELL:
                continue
            meta = (
                _attr(cell, "Index"),
                _attr(cell, "MergeAcross"),
                _attr(cell, "MergeDown"),
                _attr(cell, "Formula"),
            )
            data = cell.find(_DATA)
            if data is None:
                cells.append((*meta, None, ""))
            else:
                text = "".join(data.itertext()) if len(data) else (data.text or "")
                cells.append((*meta, _attr(data, "Type") or "String", text))
        self._place(sheet, _attr(row, "Index"), cells)

    def _plain_rows(self, sheet: SheetBuilder, run: int, depth: int) -> None:
        """The rows of one run of the scanner (see :func:`_plan`), read from the file's bytes.

        The cells of a row are matched by one regular expression whose other branch takes anything that is
        not a plain cell: a row with such a piece (rich text, a comment, text between cells, a namespace
        declaration…) has more matches than ``<Cell`` tags and is parsed on its own by the XML parser. A
        plain row is placed here with what :meth:`_place` does for a parsed one."""
        plan = self.plan
        assert plan is not None
        limits = self.limits
        data, names = plan.data, plan.prefixes
        cell_of, kind_of = self._cell_of, self._kind_of
        max_rows, max_columns, max_chars = limits.max_rows, limits.max_columns, limits.max_cell_chars
        deep = depth + 2 > limits.max_xml_depth
        rows_of, texts_of, errors, formulas = sheet.rows_of, sheet.texts_of, sheet.errors, sheet.formulas
        findall, count, find = _CELL_RE.findall, data.count, data.find
        lo, hi = plan.runs[run]
        numbers = iter(plan.bounds[5 * lo : 5 * hi])
        for start, attrs_end, content, closing, end in zip(
            numbers, numbers, numbers, numbers, numbers, strict=True
        ):
            found = findall(data, content, closing) if closing > content else []
            if len(found) != count(b"<Cell", content, closing):
                self._parsed_row(sheet, data[start:end], depth)
                continue
            if deep and found:
                nested = depth + (2 if any(f[1] or f[4] for f in found) else 1)
                if nested > limits.max_xml_depth:
                    raise PreflightError(
                        "xml-too-deep", part=self.part, limit=limits.describe("max_xml_depth")
                    )
            if attrs_end > start + 4:
                attrs = data[start + 4 : attrs_end]
                index = (self._meta_of.get(attrs) or self._meta(attrs, names))[0]
                r = _index(index, "Row") - 1 if index else sheet.next_row
            else:
                r = sheet.next_row
            if r < sheet.next_row:
                raise ReadError("corrupt-xml", detail=f"sheet '{sheet.name}': Row ss:Index={r + 1} goes back")
            if r >= max_rows:
                raise PreflightError(
                    "too-many-rows", sheet=sheet.name, rows=r + 1, limit=limits.describe("max_rows")
                )
            covered = sheet.covered.pop(r, None) if sheet.covered else None
            references = find(b"&", content, closing) >= 0
            large = closing - content > max_chars  # no text is longer (in characters) than its row (in bytes)
            c = 0
            for attrs, element, data_attrs, raw, named, _other in found:
                across = 0
                if attrs:
                    at, across, down, formula = cell_of.get(attrs) or self._cell(attrs, names)
                    if at >= 0:
                        if at < c:
                            raise ReadError(
                                "corrupt-xml",
                                detail=f"sheet '{sheet.name}' row {r + 1}: ss:Index={at + 1} goes back",
                            )
                        c = at
                    elif covered:
                        while c in covered:
                            c += 1
                    if c + across >= max_columns:
                        raise PreflightError(
                            "too-wide",
                            sheet=sheet.name,
                            columns=c + across + 1,
                            limit=limits.describe("max_columns"),
                        )
                    if across or down:
                        self._merge(sheet, r, c, across, down, max_rows)
                    if formula and not element:
                        formulas[(r + 1, c + 1)] = formula.removeprefix("=")
                else:
                    if covered:
                        while c in covered:
                            c += 1
                    if c >= max_columns:
                        raise PreflightError(
                            "too-wide", sheet=sheet.name, columns=c + 1, limit=limits.describe("max_columns")
                        )
                if named:
                    for one in _NAMED_CELL.findall(named):
                        _attributes(one, names)  # checked as the parser would
                if raw:
                    if references and b"&" in raw:
                        raw = _unescape(raw.decode()).encode()
                    if large and len(raw) > max_chars and len(raw.decode()) > max_chars:
                        raise PreflightError(
                            "cell-too-large",
                            sheet=sheet.name,
                            cell=f"{column_letters(c + 1)}{r + 1}",
                            chars=len(raw.decode()),
                            limit=limits.describe("max_cell_chars"),
                        )
                    kind = (
                        (kind_of.get(data_attrs) or self._kind(data_attrs, names)) if data_attrs else "String"
                    )
                    if kind == "Error":
                        errors[(r, c)] = raw.decode().strip() or "#ERROR"
                    else:
                        if kind != "String":
                            raw = _value(kind, raw.decode()).encode()
                        if c < len(rows_of):
                            rows_of[c].append(r)
                            texts_of[c].append(raw)
                        else:
                            sheet.put_utf8(r, c, raw)
                elif element and data_attrs:
                    kind = kind_of.get(data_attrs) or self._kind(data_attrs, names)
                    if kind == "Error":
                        errors[(r, c)] = "#ERROR"
                c += across + 1
            sheet.next_row = r + 1
            if r >= sheet.height:
                sheet.height = r + 1

    def _cell(self, raw: bytes, names: frozenset[str]) -> tuple[int, int, int, str | None]:
        """A cell's attributes, checked once: its 0-based column (-1 without ss:Index), the columns and rows
        merged across and down, its formula."""
        index, across, down, formula = self._meta_of.get(raw) or self._meta(raw, names)
        cell = (_index(index, "Cell") - 1 if index else -1, _span(across), _span(down), formula)
        if len(self._cell_of) < _CACHE:
            self._cell_of[raw] = cell
        return cell

    @staticmethod
    def _merge(sheet: SheetBuilder, r: int, c: int, across: int, down: int, max_rows: int) -> None:
        """A merged range from (r, c), 0-based: listed, and the cells it covers below skipped."""
        sheet.merged.append((r + 1, c + 1, r + 1 + down, c + 1 + across))
        for below in range(r + 1, min(r + down, max_rows) + 1):
            sheet.covered.setdefault(below, set()).update(range(c, c + across + 1))

    def _parsed_row(self, sheet: SheetBuilder, raw: bytes, depth: int) -> None:
        """One row that is not only plain cells (rich text, a comment, a nested element …), parsed on its own
        inside the namespaces the file declares; the depth counts from the row's own."""
        assert self.plan is not None
        declared = "".join(f' xmlns:{p}="{uri}"' for p, uri in self.plan.bound.items())
        wrapper = f'<civcheck-row xmlns="{SS[1:-1]}"{declared}>'.encode()
        level = depth - 2  # the wrapper stands where the table is
        try:
            events = SafeTree.iterparse(
                io.BytesIO(wrapper + raw + b"</civcheck-row>"), events=("start", "end")
            )
            for event, element in events:
                if event == "start":
                    level += 1
                    if level > self.limits.max_xml_depth:
                        raise PreflightError(
                            "xml-too-deep", part=self.part, limit=self.limits.describe("max_xml_depth")
                        )
                    continue
                level -= 1
                if element.tag == _ROW:
                    self._row(sheet, element)
        except DefusedXmlException:
            raise PreflightError("xml-dtd", part=self.part) from None
        except SafeTree.ParseError as exc:
            raise ReadError("corrupt-xml", detail=str(exc)[:200]) from None

    def _meta(
        self, raw: bytes, names: frozenset[str]
    ) -> tuple[str | None, str | None, str | None, str | None]:
        found = _attributes(raw, names)
        meta = tuple(_get(found, n) for n in ("Index", "MergeAcross", "MergeDown", "Formula"))
        if len(self._meta_of) < _CACHE:
            self._meta_of[raw] = meta  # type: ignore[assignment]
        return meta  # type: ignore[return-value]

    def _kind(self, raw: bytes, names: frozenset[str]) -> str:
        kind = _get(_attributes(raw, names), "Type") or "String"
        if len(self._kind_of) < _CACHE:
            self._kind_of[raw] = kind
        return kind

    def _place(self, sheet: SheetBuilder, index: str | None, cells: list[Cell]) -> None:
        """One row into the sheet: ss:Index, merged ranges, types, errors and formulas, under the caps."""
        limits = self.limits
        r = _index(index, "Row") - 1 if index else sheet.next_row
        if r < sheet.next_row:
            raise ReadError("corrupt-xml", detail=f"sheet '{sheet.name}': Row ss:Index={r + 1} goes back")
        if r >= limits.max_rows:
            raise PreflightError(
                "too-many-rows", sheet=sheet.name, rows=r + 1, limit=limits.describe("max_rows")
            )
        covered = sheet.covered.pop(r, None) if sheet.covered else None
        rows_of, texts_of = sheet.rows_of, sheet.texts_of
        max_columns, max_chars = limits.max_columns, limits.max_cell_chars
        c = 0
        for cindex, merge_across, merge_down, formula, kind, text in cells:
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
            across = _span(merge_across) if merge_across else 0
            if c + across >= max_columns:
                raise PreflightError(
                    "too-wide", sheet=sheet.name, columns=c + across + 1, limit=limits.describe("max_columns")
                )
            down = _span(merge_down) if merge_down else 0
            if across or down:
                self._merge(sheet, r, c, across, down, limits.max_rows)
            if kind is None:
                if formula:
                    sheet.formulas[(r + 1, c + 1)] = formula.removeprefix("=")
            elif len(text) > max_chars:
                raise PreflightError(
                    "cell-too-large",
                    sheet=sheet.name,
                    cell=f"{column_letters(c + 1)}{r + 1}",
                    chars=len(text),
                    limit=limits.describe("max_cell_chars"),
                )
            elif kind == "Error":
                sheet.errors[(r, c)] = text.strip() or "#ERROR"
            elif text:
                value = (text if kind == "String" else _value(kind, text)).encode()
                if c < len(rows_of):
                    rows_of[c].append(r)
                    texts_of[c].append(value)
                else:
                    sheet.put_utf8(r, c, value)
            c += across + 1
        sheet.next_row = r + 1
        if r >= sheet.height:
            sheet.height = r + 1

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


# -- the scanner of plain rows ------------------------------------------------------------------------------
# Possessive quantifiers: nothing matched is given back, which halves the time the cells take. \s is the XML
# white space (form feed and vertical tab are refused up front).
_WS = rb"\s*+"
# Attribute names are ASCII XML names other than namespace declarations; values hold no '<'.
_ATTRS = rb"(?:\s++(?!xmlns)[A-Za-z_][\w.:-]*+\s*+=\s*+(?:\"[^\"<]*+\"|'[^'<]*+'))*+"
# Groups: the cell's attributes, the <Data> element, its attributes, its text, the <NamedCell/> elements; or
# the last group: a piece that is not a plain cell (a '<' or a run of text).
_CELL_RE = re.compile(
    _WS + rb"(?:<Cell(" + _ATTRS + rb")" + _WS + rb"(?:/>|>" + _WS
    + rb"(<Data(" + _ATTRS + rb")" + _WS + rb"(?:/>|>([^<]*+)</Data" + _WS + rb">)" + _WS + rb")?"
    + rb"((?:<NamedCell" + _ATTRS + _WS + rb"/>" + _WS + rb")*+)</Cell" + _WS + rb">)"
    + rb"|(<|[^<\s][^<]*+))"
)  # fmt: skip
_NAMED_CELL = re.compile(rb"<NamedCell(" + _ATTRS + rb")")
_ATTRIBUTE = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ROW_START = re.compile(rb"<Row(" + _ATTRS + rb")" + _WS + rb"(/?)>")
_ROW_END = re.compile(rb"</Row" + _WS + rb">")
_XMLNS = re.compile(rb"xmlns(?::([A-Za-z_][\w.-]*))?" + _WS + rb"=" + _WS + rb"(?:\"([^\"]*)\"|'([^']*)')")
_ENCODING = re.compile(
    rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding" + _WS + rb"=" + _WS + rb"[\"']([^\"']*)[\"']"
)
_REFERENCE = re.compile(r"&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])  # not allowed in XML 1.0
_CHUNK = 1 << 20
_CACHE = 4096  # distinct attribute strings remembered (ss:Index="8", ss:Type="String" …)


@dataclass
class _Plan:
    """The file's bytes, and the document the XML parser reads: each run of rows (rows separated by nothing
    but white space) is one placeholder element ``<name i="k"/>``."""

    data: bytes
    document: bytes
    name: str
    bounds: array[int]  # five offsets per row: start, end of its attributes, content, end tag, end
    runs: list[tuple[int, int]]  # the rows of each run: bounds[5 * lo : 5 * hi]
    bound: dict[str, str]  # namespace prefix → URI, as the file declares them (each prefix one URI)

    @property
    def prefixes(self) -> frozenset[str]:
        return frozenset(self.bound)


def _rows(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """The rows of ``data[start:end]`` of a well-formed file without comments, CDATA or processing
    instructions: (start, end of its attributes, start of its content, its end tag, end); an empty element
    has content == end tag."""
    find = data.find
    at = start
    while True:
        found = find(b"<Row", at, end)
        if found < 0:
            return
        tag = _ROW_START.match(data, found, end)
        if tag is None:  # <Rows…>: another element
            at = found + 4
            continue
        if tag.group(2):
            yield found, tag.end(1), tag.end(), tag.end(), tag.end()
            at = tag.end()
            continue
        closing = find(b"</Row", tag.end(), end)
        tail = _ROW_END.match(data, closing, end) if closing >= 0 else None
        if tail is None or find(b"<Row", tag.end(), closing) >= 0:
            raise _NotPlain  # a row inside a row, or <Row> closed by </Rows>: left to the parser
        yield found, tag.end(1), tag.end(), closing, tail.end()
        at = tail.end()


class _NotPlain(Exception):
    """The file has a shape the scanner does not take; the XML parser reads all of it."""


def _plan(data: bytes, limits: Limits) -> _Plan | None:
    """The runs of rows of an Excel 2003 XML file, or None when the whole file is left to the XML parser.

    Only a UTF-8 file without ``<!`` (a DOCTYPE, which the parser refuses, a comment or CDATA), without
    processing instructions after the root element and without characters XML does not allow is scanned.
    What is not a row goes to the parser; a row is taken only when every piece of it matches the strict
    patterns below (tags, attribute names and values, text without '<'), its references are the five
    entities and character references, and each start tag's attributes are distinct with declared
    prefixes; anything else in a row makes the parser read that row."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"<!" in data:
        return None  # UTF-16; a DOCTYPE (refused by the parser), a comment or CDATA anywhere
    declared = _ENCODING.match(data)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return None
    root = re.search(rb"<[A-Za-z_]", data)
    if root is None or data.find(b"<?", root.start()) >= 0:
        return None
    if b"]]>" in data or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:
        return None  # not allowed in text; U+FFFE, U+FFFF
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for at in range(0, len(data), _CHUNK):
            chunk = data[at : at + _CHUNK]
            if len(chunk.translate(None, _CONTROLS)) != len(chunk):
                return None  # a control character XML does not allow
            decoder.decode(chunk)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return None
    bound: dict[str, str] = {}
    for prefix, double, single in _XMLNS.findall(data):
        if (
            prefix
            and bound.setdefault(prefix.decode(), (double or single).decode()) != (double or single).decode()
        ):
            return None  # one prefix bound to two namespaces
    if (
        any(uri == SS[1:-1] for prefix, uri in bound.items() if prefix != "ss")
        or bound.get("ss", SS[1:-1]) != SS[1:-1]
    ):
        return None
    if b"\r" in data:  # what the parser does to line ends before anything else
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    name = f"civcheck-rows-{secrets.token_hex(8)}"
    bounds = array("q")  # per row of a run: start, end of its attributes, content, end tag, end
    runs: list[tuple[int, int]] = []
    pieces: list[bytes] = []
    kept = 0  # data[:kept] is in pieces
    first = last = -1  # the run being made: its first row (index into bounds) and its end in data
    rows = 0

    def close() -> None:
        nonlocal kept
        if first >= 0:
            pieces.append(data[kept : bounds[5 * first]])
            pieces.append(b'<%s i="%d"/>' % (name.encode(), len(runs)))
            runs.append((first, len(bounds) // 5))
            kept = last

    try:
        for row in _rows(data, root.start(), len(data)):
            rows += 1
            if rows > limits.max_rows:
                break  # the rows past the cap are left to the parser, which refuses them
            start, attrs_end, _, _, end = row
            if data.find(b"xmlns", start, attrs_end) >= 0:  # the row declares a namespace
                close()
                first = -1
                continue
            if first < 0 or (last != start and not data[last:start].isspace()):
                close()
                first = len(bounds) // 5
            bounds.extend(row)
            last = end
    except _NotPlain:
        return None
    close()
    if not runs:
        return None
    pieces.append(data[kept:])
    return _Plan(data, b"".join(pieces), name, bounds, runs, bound)


def _attributes(raw: bytes, prefixes: frozenset[str]) -> dict[str, str]:
    """The attributes of a plain start tag by qualified name; a repeated name or an undeclared prefix is
    malformed, as the XML parser would say."""
    found = _ATTRIBUTE.findall(raw)
    out = {name.decode(): _attribute_value((double or single).decode()) for name, double, single in found}
    if len(out) != len(found):
        raise ReadError("corrupt-xml", detail="duplicate attribute")
    for name in out:
        prefix, colon, _ = name.partition(":")
        if colon and prefix not in prefixes and prefix != "xml":
            raise ReadError("corrupt-xml", detail=f"unbound prefix '{prefix}'")
    return out


def _attribute_value(value: str) -> str:
    """An attribute's value as the XML parser gives it: references replaced, tabs and line ends as spaces."""
    if "&" in value:
        value = _unescape(value.replace("\t", " ").replace("\n", " "))
    elif "\t" in value or "\n" in value:
        value = value.replace("\t", " ").replace("\n", " ")
    return value


def _get(attributes: dict[str, str], name: str) -> str | None:
    """An ``ss:`` attribute or the same without prefix, as :func:`_attr`."""
    value = attributes.get("ss:" + name)
    return attributes.get(name) if value is None else value


def _character(match: re.Match[str]) -> str:
    if match.group(3):
        return _ENTITIES[match.group(3)]
    code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    if (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        return chr(code)
    raise ReadError("corrupt-xml", detail=f"reference to invalid character number {code}")


def _unescape(text: str) -> str:
    """Text with its references replaced; an '&' that starts none (or an undefined entity) is malformed."""
    replaced, count = _REFERENCE.subn(_character, text)
    if count != text.count("&"):
        raise ReadError("corrupt-xml", detail="'&' that is not a reference")
    return replaced


def read_spreadsheetml(path: Path, limits: Limits, *, scan: bool = True) -> FileCells:
    """Every visible worksheet of an Excel 2003 XML file as text columns (hidden ones named apart).

    ``scan=False`` leaves every row to the XML parser (the tests compare both ways)."""
    return _Reader(limits, scan=scan).read(path)


__all__ = ["SheetBuilder", "read_spreadsheetml"]
