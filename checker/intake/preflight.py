"""Cheap checks before any parser runs (预检): zip caps, XML DTDs, the used range of every sheet, formulas.

For xlsx the sheet XML is streamed once (inflated in chunks, never whole) to find the used range from the
cells' ``r=`` attributes, merged ranges, and formula cells saved without a value. A 5 KB file with cells at
A1 and XFD1048576 makes calamine try to allocate 512 GiB and abort the interpreter, so this scan must come
before any reader touches the sheet. For ods the ``number-rows-repeated`` × ``number-columns-repeated`` of
cells that carry values is counted; formula cells without a value type (nothing saved) and merged ranges are
noted. A file the scan cannot vouch for (a sheet too big to scan cheaply, or a
format without a cheap scan) is parsed in a worker process instead (see :mod:`checker.intake.isolate`);
a sheet too big to scan is still searched for uncached formulas and merged ranges (:func:`scan_formulas` for
xlsx, :func:`scan_ods_formulas` for ods) while the worker parses it.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import unescape

import numpy as np
from defusedxml import ElementTree

from checker.intake.limits import Limits
from checker.numbers import column_letters

CHUNK = 4 * 1024 * 1024
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Cell addresses as every known writer spells them (`` r="B12"``); literal prefixes keep the scan fast.
_CELL_COLS = re.compile(rb' r="([A-Z]{1,4})[0-9]')
_CELL_ROWS = re.compile(rb' r="[A-Z]{1,4}([0-9]{1,8})"')
_FORMULA_CELL = re.compile(rb"<c\s([^>]*?)>(.*?)</c>", re.DOTALL)
_CACHED = re.compile(rb"<v>")  # a saved value; openpyxl writes <v /> (nothing saved)
_REF_ATTR = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,4})([0-9]{1,8})["']""")
_F_TEXT = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.DOTALL)
_MERGE = re.compile(rb"""<mergeCell\s+ref\s*=\s*["']([A-Z]{1,4})([0-9]{1,8}):([A-Z]{1,4})([0-9]{1,8})["']""")
# A cell that refers to a shared string, and its index (`` t="s"`` before the value, as writers put it).
_SHARED_REF = re.compile(rb'<c [^>]*?t="s"[^>]*><v>([0-9]{1,10})</v>')
_SHARED_ITEM = re.compile(rb"<si\b[^>]*?(?:/>|>(.*?)</si>)", re.DOTALL)
_SHARED = "\x00shared"  # key of the shared strings part among relationship targets
_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'number-rows-repeated="(\d+)"')
_ODS_COLS = re.compile(rb'number-columns-repeated="(\d+)"')
_ODS_FORMULA = re.compile(rb'table:formula="([^"]*)"')
_ODS_ROWS_SPANNED = re.compile(rb'number-rows-spanned="(\d+)"')
_ODS_MERGED_DOWN = re.compile(rb'number-rows-spanned="(?:[2-9]|[1-9][0-9]+)"')
_ODS_COLS_SPANNED = re.compile(rb'number-columns-spanned="(\d+)"')
_ODS_FORMULA_CELL = re.compile(rb"<table:table-cell\b([^>]*\btable:formula=[^>]*)>")
_QUOTES = {"&quot;": '"', "&apos;": "'"}


class PreflightError(Exception):
    """A file refused before parsing; ``code`` and ``fields`` feed the message catalogue."""

    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


def column_number(letters: str) -> int:
    """1-based column number of ``letters`` (A → 1, XFD → 16384)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class SheetScan:
    """What the preflight learnt about one sheet."""

    name: str
    visible: bool = True
    part: str = ""
    scanned: bool = False
    max_row: int = 0
    max_col: int = 0
    min_col: int = 0
    cells: int = 0
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col 1-based) → formula text
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # row1, col1, row2, col2


@dataclass
class Preflight:
    """The result of the preflight of one workbook."""

    sheets: list[SheetScan] = field(default_factory=list)
    date1904: bool = False
    vouched: bool = True  # False: parse in a worker process (the scan could not cover everything)


# -- zip ----------------------------------------------------------------------------------------------------


_END_RECORD = b"PK\x05\x06"


def check_directory(path: Path, limits: Limits) -> None:
    """Refuse a zip whose directory is bigger than ``max_zip_directory_bytes``, read from its end record
    (the last 64 KB) before anything parses the directory itself. A zip64 directory counts as the whole
    file; a file without an end record is left to the zip reader to call damaged."""
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) - at < 22:
        return
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    if directory == 0xFFFFFFFF or entries == 0xFFFF:
        directory = max(directory if directory != 0xFFFFFFFF else 0, size)
    if directory > limits.max_zip_directory_bytes:
        raise PreflightError(
            "zip-bomb",
            part="(zip)",
            detail=f"has a directory of {directory:,} bytes ({entries:,} members)",
            limit=limits.describe("max_zip_directory_bytes"),
        )


def check_zip(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Declared sizes, compression ratios and DTDs of every XML part, from metadata and 4 KB heads."""
    infos = archive.infolist()
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_entry_bytes:
            raise PreflightError(
                "zip-bomb",
                part=info.filename,
                detail=f"expands to {info.file_size:,} bytes",
                limit=limits.describe("max_entry_bytes"),
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_grace_bytes and ratio > limits.max_ratio:
            raise PreflightError(
                "zip-bomb",
                part=info.filename,
                detail=f"expands {ratio:,.0f}:1 ({info.compress_size:,} → {info.file_size:,} bytes)",
                limit=limits.describe("max_ratio"),
            )
    if total > limits.max_total_bytes:
        raise PreflightError(
            "zip-bomb",
            part="(zip)",
            detail=f"expands to {total:,} bytes",
            limit=limits.describe("max_total_bytes"),
        )
    for info in infos:
        name = info.filename.lower()
        if info.is_dir() or not (name.endswith((".xml", ".rels", ".vml")) or name == "mimetype"):
            continue
        try:
            with archive.open(info) as member:
                head = member.read(4096)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise PreflightError("corrupt-zip", detail=f"{info.filename}: {exc}") from None
        if _DTD.search(head):
            raise PreflightError("xml-dtd", part=info.filename)


def _read_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        data = archive.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise PreflightError("corrupt-zip", detail=f"{name}: {exc}") from None
    try:
        return ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml/ElementTree raise several types for bad XML
        raise PreflightError("corrupt-zip", detail=f"{name}: {type(exc).__name__}") from None


def _local(tag: object) -> str:
    """The local name of an element tag, whatever its namespace (transitional, Strict, or none)."""
    return str(tag).rsplit("}", 1)[-1]


def _attr(node: ElementTree.Element, name: str) -> str | None:
    """Attribute ``name`` in any namespace (``r:id`` is in the transitional or the Strict namespace)."""
    value = node.get(name)
    if value is not None:
        return str(value)
    for key, found in node.attrib.items():
        if key.endswith("}" + name):
            return str(found)
    return None


def _workbook_sheets(archive: zipfile.ZipFile) -> tuple[list[SheetScan], bool, str | None]:
    """The sheets of the workbook with their state and part, the date system, and the shared strings part.

    Elements are matched by local name: Excel's "Strict Open XML" save uses other namespaces
    (``http://purl.oclc.org/ooxml/...``) than the usual transitional ones, and some writers leave the
    relationships without any. calamine reads all of them, so the preflight must see the same sheets.
    """
    names = {n.lower(): n for n in archive.namelist()}
    workbook = _read_xml(archive, names.get("xl/workbook.xml", "xl/workbook.xml"))
    if workbook is None:
        raise PreflightError("corrupt-zip", detail="xl/workbook.xml missing")
    rels = _read_xml(archive, names.get("xl/_rels/workbook.xml.rels", "xl/_rels/workbook.xml.rels"))
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter():
            if _local(rel.tag) != "Relationship":
                continue
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[rel.get("Id", "")] = names.get(path.lower(), path)
            if rel.get("Type", "").endswith("/sharedStrings"):
                targets[_SHARED] = targets[rel.get("Id", "")]
    date1904 = False
    sheets = []
    for node in workbook.iter():
        tag = _local(node.tag)
        if tag == "workbookPr":
            date1904 = (node.get("date1904") or "0").lower() in ("1", "true")
        elif tag == "sheet":
            state = node.get("state", "visible")
            sheets.append(
                SheetScan(
                    name=node.get("name", ""),
                    visible=state == "visible",
                    part=targets.get(_attr(node, "id") or "", ""),
                )
            )
    shared = targets.get(_SHARED) or names.get("xl/sharedstrings.xml")
    return sheets, date1904, shared


_XLSX_ENDS = (b"</c>", b"</row>")  # where a sheet XML piece may end
_ODS_ENDS = (b"</table:table-row>",)  # where a content.xml piece may end


def _pieces(archive: zipfile.ZipFile, part: str, ends: tuple[bytes, ...] = _XLSX_ENDS) -> Iterator[bytes]:
    """A part inflated in chunks, each cut after the last of ``ends`` (a closed cell or row) so that no
    element of interest straddles two pieces.

    A damaged or missing member is a ``corrupt-zip`` refusal, wherever in the stream it shows.
    """
    leftover = b""
    try:
        with archive.open(part) as member:
            while chunk := member.read(CHUNK):
                buffer = leftover + chunk
                cut = max((at + len(end) for end in ends if (at := buffer.rfind(end)) >= 0), default=0)
                if not cut and len(buffer) > 2 * CHUNK:
                    # No closed cell or row in 8 MB (self-closing cells only, or no XML at all): cut after
                    # any tag, so the carried-over text stays bounded instead of growing with the member.
                    cut = buffer.rfind(b">") + 1 or len(buffer)
                work, leftover = buffer[:cut], buffer[cut:]
                if work:
                    yield work
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise PreflightError("corrupt-zip", detail=f"{part}: {exc}") from None
    if leftover:
        yield leftover


def _shared_sizes(archive: zipfile.ZipFile, part: str | None, limits: Limits) -> np.ndarray | None:
    """The size in bytes of every shared string (its XML, an upper bound of its text), or None when
    there is no shared strings part, or one too big to measure here (the file is then parsed in a worker)."""
    if part is None:
        return None
    try:
        size = archive.getinfo(part).file_size
    except KeyError:
        return None
    if size > limits.scan_bytes:
        return None
    data = b"".join(_pieces(archive, part))
    return np.fromiter((len(m.group(1) or b"") for m in _SHARED_ITEM.finditer(data)), dtype=np.int64)


def _check_text(sheet: SheetScan, work: bytes, sizes: np.ndarray, text: int, limits: Limits) -> int:
    """``text`` plus the bytes of the shared strings the cells of ``work`` refer to; past
    ``max_text_bytes`` the file is refused: 200,000 cells referring to one 21 KB string (a 428 KB file)
    made calamine allocate 4 GB and abort."""
    found = _SHARED_REF.findall(work)
    if found and len(sizes):
        index = np.array(found, dtype="S10").astype(np.int64)
        text += int(sizes[index[index < len(sizes)]].sum())
    if text > limits.max_text_bytes:
        raise PreflightError(
            "too-much-text", sheet=sheet.name, size=text, limit=limits.describe("max_text_bytes")
        )
    return text


# The fewest bytes of sheet XML a cell that refers to a shared string takes: <c t="s"><v>0</v></c>.
_SHARED_CELL_BYTES = 21


def _most_text(part_bytes: int, shared: np.ndarray | None) -> int:
    """The most text a sheet part of ``part_bytes`` can refer to: as many shared-string cells as fit,
    each the longest shared string (no shared strings: the cells hold their own text, within the part)."""
    if shared is None or not len(shared):
        return 0
    return part_bytes // _SHARED_CELL_BYTES * int(shared.max())


def _scan_sheet(
    archive: zipfile.ZipFile,
    sheet: SheetScan,
    limits: Limits,
    shared: np.ndarray | None = None,
    text: int = 0,
) -> tuple[bool, int]:
    """Stream one sheet part: (whether the range can be vouched for — False when it holds cells without
    ``r=`` —, ``text`` plus the bytes of shared strings its cells refer to)."""
    refs = 0
    opens = 0
    unusual = False
    max_row = max_col = 0
    min_col = 1 << 30
    for work in _pieces(archive, sheet.part):
        # Whole-chunk regex passes (no Python work per cell): distinct column letters, row numbers.
        letters = _CELL_COLS.findall(work)
        if letters:
            refs += len(letters)
            columns = [column_number(c.decode()) for c in set(letters)]
            max_col, min_col = max(max_col, *columns), min(min_col, *columns)
            digits = np.array(_CELL_ROWS.findall(work), dtype="S8").astype(np.int64)
            max_row = max(max_row, int(digits.max()))
        opens += work.count(b"<c ") + work.count(b"<c>") + work.count(b"<c/")
        # Legal but unusual spellings of an address (r='A1', tabs, spaces around =) that the fast
        # pattern above misses show up as surplus "r=": then a worker parses the file instead.
        surplus = work.count(b"r=") - len(letters) - work.count(b'<row r="')
        unusual = unusual or surplus > 64 or b"r =" in work
        _formulas_and_merges(work, sheet)
        if shared is not None:
            text = _check_text(sheet, work, shared, text, limits)
    sheet.scanned = True
    sheet.max_row, sheet.max_col = max_row, max_col
    sheet.min_col = min_col if refs else 0
    sheet.cells = refs
    check_range(sheet, limits)
    # Cells opened without an address sit at positions only a parser knows.
    return opens <= refs and not unusual, text


def scan_late(path: Path, fmt: str, pre: Preflight, limits: Limits) -> None:
    """What the preflight could not scan before parsing (sheets too big for it), looked for while a parser
    works: uncached formulas and merged ranges, added to ``pre``."""
    if fmt == "xlsx":
        scan_formulas(path, [s for s in pre.sheets if s.visible and s.part and not s.scanned])
    elif fmt == "ods" and not pre.sheets:
        pre.sheets.extend(scan_ods_formulas(path, limits))


def scan_formulas(path: Path, sheets: list[SheetScan]) -> None:
    """Formulas saved without a value, and merged ranges, of sheets too big for the full scan.

    Only these two are looked for (a substring test per chunk, a regex only where one occurs), so a
    300 MB sheet costs about its inflating, 0.8 s here; the reader runs this while a worker parses the
    sheet, so an uncached formula is never read as a blank cell, whatever the size of the sheet.
    """
    with _open_zip(path) as archive:
        for sheet in sheets:
            for work in _pieces(archive, sheet.part):
                _formulas_and_merges(work, sheet)


def _formulas_and_merges(work: bytes, sheet: SheetScan) -> None:
    # "f" first: a one-byte search (memchr) that most pieces of cells fail, as their XML has no lowercase f;
    # the two-byte search it saves is ~2.6x slower (0.31 → 0.12 s over 245 MB of a round's sheet XML).
    if b"f" in work and b"<f" in work:
        _formulas(work, sheet)
    if b"<mergeCell" in work:
        for m in _MERGE.finditer(work):
            sheet.merged.append(
                (
                    int(m.group(2)),
                    column_number(m.group(1).decode()),
                    int(m.group(4)),
                    column_number(m.group(3).decode()),
                )
            )


def _formulas(work: bytes, sheet: SheetScan) -> None:
    for cell in _FORMULA_CELL.finditer(work):
        inner = cell.group(2)
        if b"<f" not in inner or _CACHED.search(inner):
            continue
        ref = _REF_ATTR.search(cell.group(1))
        if ref is None:
            continue
        text_match = _F_TEXT.search(inner)
        text = ""
        if text_match is not None and text_match.group(1) is not None:
            text = unescape(text_match.group(1).decode("utf-8", "replace"))
        sheet.formulas[(int(ref.group(2)), column_number(ref.group(1).decode()))] = text


def check_range(sheet: SheetScan, limits: Limits) -> None:
    """Refuse a sheet whose used range would make a reader allocate too much."""
    width = max(sheet.max_col - max(sheet.min_col, 1) + 1, 0) if sheet.max_col else 0
    area = sheet.max_row * width
    if area > limits.max_cells:
        last = f"{column_letters(sheet.max_col)}{sheet.max_row}"
        first = f"{column_letters(max(sheet.min_col, 1))}1"
        raise PreflightError(
            "sparse-range",
            sheet=sheet.name,
            area=f"{first}:{last}",
            cells=area,
            limit=limits.describe("max_cells"),
        )
    if sheet.max_col > limits.max_columns:
        raise PreflightError(
            "too-wide", sheet=sheet.name, columns=sheet.max_col, limit=limits.describe("max_columns")
        )
    if sheet.max_row > limits.max_rows:
        raise PreflightError(
            "too-many-rows", sheet=sheet.name, rows=sheet.max_row, limit=limits.describe("max_rows")
        )


def _open_zip(path: Path) -> zipfile.ZipFile:
    """The archive of an xlsx/ods file; a damaged one is a ``corrupt-zip`` rejection, not a traceback."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PreflightError("corrupt-zip", detail=str(exc)) from None


def preflight_xlsx(path: Path, limits: Limits, *, workers: bool = False) -> Preflight:
    """The checks of an xlsx before any parser sees it. ``workers``: a sheet not vouched for will be parsed
    in a worker process; then sheets past ``apart_bytes`` are sent there unscanned when they cannot hold
    too much text (the full scan costs ~2.5× the parse, a worker ~0.07 s once)."""
    check_directory(path, limits)
    with _open_zip(path) as archive:
        check_zip(archive, limits)
        sheets, date1904, shared_part = _workbook_sheets(archive)
        result = Preflight(sheets=sheets, date1904=date1904)
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        shared = _shared_sizes(archive, shared_part, limits)
        text = 0
        if not sheets or (shared_part in sizes and shared is None):
            result.vouched = False  # sheets the scan cannot name, or shared text it cannot measure
        # The sheet XML a parser reads: each visible sheet's part, once for every sheet that points at it
        # (300 sheets sharing one part are 300 parses). Capped as that work (max_total_bytes); parts read
        # again are scanned in-process only up to scan_bytes in all, past which the file is parsed in a
        # worker, under its memory and time limits.
        readers: dict[str, int] = {}
        for sheet in sheets:
            if sheet.visible and sheet.part in sizes:
                readers[sheet.part] = readers.get(sheet.part, 0) + 1
        work = sum(sizes[part] * count for part, count in readers.items())
        if work > limits.max_total_bytes:
            part = max(readers, key=lambda p: sizes[p] * readers[p])
            raise PreflightError(
                "zip-bomb",
                part=part,
                detail=f"is read for {readers[part]:,} sheets ({work:,} bytes of sheet XML in all)",
                limit=limits.describe("max_total_bytes"),
            )
        seen: set[str] = set()
        repeated = 0  # bytes of parts read again for another sheet: what no honest workbook has
        for sheet in sheets:
            if not sheet.visible:
                continue
            if sheet.part not in sizes:
                result.vouched = False  # a sheet whose part cannot be found: the parser may still find it
                continue
            if sheet.part in seen:
                repeated += sizes[sheet.part]
            seen.add(sheet.part)
            if sizes[sheet.part] > limits.scan_bytes or repeated > limits.scan_bytes:
                result.vouched = False
                continue
            if workers and sizes[sheet.part] > limits.apart_bytes:
                most = _most_text(sizes[sheet.part], shared)
                if text + most <= limits.max_text_bytes:
                    result.vouched = False
                    text += most  # counted at its most, so that the sheets scanned after stay bounded
                    continue
            vouched, text = _scan_sheet(archive, sheet, limits, shared, text)
            if not vouched:
                result.vouched = False
    return result


def preflight_ods(path: Path, limits: Limits) -> Preflight:
    check_directory(path, limits)
    with _open_zip(path) as archive:
        check_zip(archive, limits)
        info = archive.getinfo("content.xml") if "content.xml" in archive.namelist() else None
        if info is None:
            raise PreflightError("corrupt-zip", detail="content.xml missing")
        if info.file_size > limits.scan_bytes:
            return Preflight(vouched=False)
        try:
            content = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise PreflightError("corrupt-zip", detail=f"content.xml: {exc}") from None
    return Preflight(sheets=scan_ods(content, limits))


def scan_ods(content: bytes, limits: Limits) -> list[SheetScan]:
    """Per table: the extent and count of cells that carry a value (repeats multiplied out), and the
    formulas saved without a value."""
    scan = _OdsScan(limits, check=True)
    scan.feed(content)
    return scan.sheets


def scan_ods_formulas(path: Path, limits: Limits) -> list[SheetScan]:
    """The formulas saved without a value, and the merged ranges, of an ods too big to scan before parsing.

    content.xml is streamed twice at most: first only for a formula cell without a value type, or a cell
    merged down over several rows (one regex each over every chunk, matching those cells only); when
    there is one, again through the table/row/cell counter to place it. Ranges merged only across
    columns do not cause the second pass (they change no value). Sizes are not checked here: the worker
    parsing the file has its own limits.
    """
    with _open_zip(path) as archive:
        if not any(_ods_needs_placing(work) for work in _pieces(archive, "content.xml", _ODS_ENDS)):
            return []
        scan = _OdsScan(limits, check=False)
        for work in _pieces(archive, "content.xml", _ODS_ENDS):
            scan.feed(work)
    return scan.sheets


def _ods_needs_placing(work: bytes) -> bool:
    uncached = any(b"value-type" not in cell.group(1) for cell in _ODS_FORMULA_CELL.finditer(work))
    return uncached or _ODS_MERGED_DOWN.search(work) is not None


# A formula cell repeated over a huge block names at most this many cells per table (each is one rejection).
_MAX_ODS_FORMULAS = 100_000


class _OdsScan:
    """The table/row/cell counter of an ods content.xml, fed whole or in pieces cut between tags."""

    def __init__(self, limits: Limits, *, check: bool) -> None:
        self.limits = limits
        self.check = check
        self.sheets: list[SheetScan] = []
        self.current: SheetScan | None = None
        self.row = self.col = 0
        self.rows_rep = 1

    def feed(self, content: bytes) -> None:
        for match in _ODS_TAG.finditer(content):
            closing, tag, attrs, selfclose = match.groups()
            if tag == b"table":
                self._table(closing, attrs)
            elif self.current is None:
                continue
            elif tag == b"table-row":
                self._row(closing, attrs, selfclose)
            elif not closing:
                self._cell(self.current, tag, attrs, selfclose)

    def _table(self, closing: bytes, attrs: bytes) -> None:
        if closing:
            if self.current is not None and self.check:
                check_range(self.current, self.limits)  # the cell count is checked as it grows
            self.current = None
            return
        name = _ODS_NAME.search(attrs)
        self.current = SheetScan(name=unescape(name.group(1).decode("utf-8", "replace")) if name else "")
        self.current.scanned = self.check
        self.current.min_col = 1
        self.sheets.append(self.current)
        self.row = 0

    def _row(self, closing: bytes, attrs: bytes, selfclose: bytes) -> None:
        if closing:
            self.row += self.rows_rep
            return
        reps = _ODS_ROWS.search(attrs)
        self.rows_rep = int(reps.group(1)) if reps else 1
        self.col = 0
        if selfclose:
            self.row += self.rows_rep

    def _cell(self, current: SheetScan, tag: bytes, attrs: bytes, selfclose: bytes) -> None:
        reps = _ODS_COLS.search(attrs)
        cols_rep = int(reps.group(1)) if reps else 1
        valued = b"value-type" in attrs
        if valued or not selfclose:
            current.cells += cols_rep * self.rows_rep
            current.max_col = max(current.max_col, self.col + cols_rep)
            current.max_row = max(current.max_row, self.row + self.rows_rep)
            if self.check and current.cells > self.limits.max_cells:
                raise PreflightError(
                    "too-many-cells",
                    sheet=current.name,
                    cells=current.cells,
                    limit=self.limits.describe("max_cells"),
                )
        if b"-spanned=" in attrs:
            rows = _ODS_ROWS_SPANNED.search(attrs)
            cols = _ODS_COLS_SPANNED.search(attrs)
            height, width = int(rows.group(1)) if rows else 1, int(cols.group(1)) if cols else 1
            if height > 1 or width > 1:
                top, left = self.row + 1, self.col + 1
                current.merged.append((top, left, top + height - 1, left + width - 1))
        if tag == b"table-cell" and not valued and b"formula=" in attrs:
            formula = _ODS_FORMULA.search(attrs)
            text = unescape(formula.group(1).decode("utf-8", "replace"), _QUOTES) if formula else ""
            text = text.removeprefix("of:").removeprefix("=")
            room = max(_MAX_ODS_FORMULAS - len(current.formulas), 0)
            for k in range(min(self.rows_rep * cols_rep, room)):  # row by row through the repeated block
                r, c = divmod(k, cols_rep)
                current.formulas[(self.row + r + 1, self.col + c + 1)] = text
        self.col += cols_rep


__all__ = [
    "Preflight",
    "PreflightError",
    "SheetScan",
    "check_directory",
    "check_range",
    "check_zip",
    "column_letters",  # re-exported from checker.numbers for the readers that take it from here
    "column_number",
    "preflight_ods",
    "preflight_xlsx",
    "scan_formulas",
    "scan_late",
    "scan_ods",
    "scan_ods_formulas",
]
