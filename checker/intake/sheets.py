"""Read the cells of a workbook or CSV file as text columns (单元格读取), one table per sheet.

Workbooks (xlsx, xls, ods, xlsb) go through fastexcel, which runs calamine underneath and returns Arrow
columns: every cell as text (numbers as written, date cells as ``YYYY-MM-DD hh:mm:ss``), Excel error cells
reported apart with their position so that they are never taken for blanks. calamine picks its parser by
the file name's extension, so a file whose extension lies is read through a symlink with the right one.
CSV is decoded BOM → strict UTF-8 → strict GB18030 (never with replacement characters) and parsed by
pyarrow; a CSV with ragged rows falls back to the csv module so that line numbers stay exact.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from checker.intake.limits import Limits

_ERROR_NAMES = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")


class ReadError(Exception):
    """A file that a parser refused; ``code`` and ``fields`` feed the message catalogue."""

    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


@dataclass
class SheetCells:
    """The text cells of one sheet: ``table`` row i is spreadsheet row ``first_row + i``.

    ``columns`` gives the 0-based absolute column index of each table column (A = 0). ``errors`` maps a
    (table row, table column) to the Excel error it holds (``#DIV/0!`` …); those cells are null in ``table``.
    ``merged`` lists merged ranges (row1, col1, row2, col2, 1-based) when the parser knows them (xls; for
    xlsx and ods the preflight scan finds them).
    """

    name: str
    visible: bool
    table: pa.Table
    columns: list[int]
    first_row: int = 1
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # (row, column 1-based) → text of a formula saved without a value, when the parser finds them itself
    # (Excel 2003 XML; for xlsx and ods the preflight scan finds them).
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class FileCells:
    """All sheets of one file, with the text encoding (CSV) and notes for warnings."""

    sheets: list[SheetCells]
    hidden: list[str] = field(default_factory=list)
    encoding: str | None = None
    single_column: bool = False
    # CSV lines that are not in the file's encoding (line number, byte offset): read as empty, rejected.
    bad_lines: list[tuple[int, int]] = field(default_factory=list)


@contextmanager
def path_with_extension(path: Path, fmt: str) -> Iterator[Path]:
    """``path`` itself when its extension fits ``fmt``; otherwise a temporary symlink that has it."""
    wanted = "." + fmt
    fits = path.suffix.lower() == wanted or (fmt == "xlsx" and path.suffix.lower() == ".xlsm")
    if fits and _utf8(str(path)):
        yield path
        return
    # Also through a link when the path is not UTF-8 (a GBK name): the Rust readers take UTF-8 paths only.
    with tempfile.TemporaryDirectory(prefix="civcheck-") as folder:
        link = Path(folder) / f"evidence{wanted}"
        link.symlink_to(path.resolve())
        yield link


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _error_value(detail: str) -> str:
    found = _ERROR_DETAIL.search(detail)
    if found is None:
        return "#ERROR"
    return _ERROR_NAMES.get(found.group(1), f"#{found.group(1).upper()}")


def hidden_sheets(source: Path) -> list[str]:
    """Names of the hidden and very hidden sheets, from the workbook's metadata (no sheet is loaded)."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(source))
    try:
        return [
            m.name for m in workbook.sheets_metadata if str(m.visible).rsplit(".", 1)[-1].lower() != "visible"
        ]
    finally:
        workbook.close()


def xls_merged(source: Path, names: list[str]) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges (row1, col1, row2, col2, 1-based) of the named sheets of a legacy .xls workbook.

    fastexcel does not report them; calamine's own reader does (0.07 s for a 60,000-row sheet, against
    0.16 s for the fastexcel parse). .xlsx and .ods ranges come from the preflight scan instead.
    """
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(source))
    try:
        found: dict[str, list[tuple[int, int, int, int]]] = {}
        for name in names:
            ranges = workbook.get_sheet_by_name(name).merged_cell_ranges or []
            found[name] = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in ranges]
        return found
    finally:
        workbook.close()


def read_workbook(path: Path, fmt: str, hidden: list[str] | None = None) -> FileCells:
    """Every visible sheet of a workbook as text columns; ``hidden`` names sheets to skip when known."""
    import fastexcel

    with path_with_extension(path, fmt) as source:
        try:
            if hidden is None:
                hidden = hidden_sheets(source)
            reader = fastexcel.read_excel(source)
            sheets: list[SheetCells] = []
            for name in reader.sheet_names:
                if name in hidden:
                    continue
                sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
                visible = sheet.visible == "visible"
                columns = [c.absolute_index for c in sheet.selected_columns]
                table, cell_errors = sheet.to_arrow_with_errors()
                errors: dict[tuple[int, int], str] = {}
                if cell_errors is not None:
                    for err in cell_errors.errors:
                        errors[(err.position[0], err.position[1])] = _error_value(err.detail)
                sheets.append(SheetCells(name, visible, table, columns, 1, errors))
            if fmt == "xls":
                merged = xls_merged(source, [s.name for s in sheets])
                for cells in sheets:
                    cells.merged = merged.get(cells.name, [])
        except Exception as exc:  # calamine reports damaged files with many error types
            raise _workbook_error(fmt, exc) from None
    return FileCells(sheets, hidden=list(hidden))


def _workbook_error(fmt: str, exc: Exception) -> ReadError:
    text = f"{type(exc).__name__}: {exc}"[:200]
    if "password" in text.lower() or "encrypt" in text.lower():
        return ReadError("encrypted")
    if fmt == "xls":
        return ReadError("corrupt-xls", detail=text)
    if fmt in ("xlsx", "ods", "xlsb") and ("zip" in text.lower() or "eof" in text.lower()):
        return ReadError("corrupt-zip", detail=text)
    return ReadError("unreadable", detail=text)


# -- CSV -------------------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str, list[tuple[int, int]]]:
    """(text, encoding, bad lines): BOM first, then strict UTF-8, then strict GB18030; NUL bytes mean binary.

    A file that is UTF-8 but for a few lines (a line pasted from a GBK file) is UTF-8: those lines are
    left empty in the text and listed as (line number, byte offset), to be rejected one by one. Strict
    GB18030 would accept many such files whole (Chinese runs of even UTF-8 byte length are valid GB18030
    byte pairs) and turn every row into mojibake; see :func:`mostly_utf8`.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ReadError("encoding", offset=exc.start) from None
            if "\x00" in text:
                raise ReadError("binary")
            return text, encoding, []
    bare = utf16_without_bom(data)
    if bare is not None:
        try:
            text = data.decode(bare)
        except UnicodeDecodeError as exc:
            raise ReadError("encoding", offset=exc.start) from None
        if "\x00" in text:
            raise ReadError("binary")
        return text, bare, []
    if b"\x00" in data:
        raise ReadError("binary")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as first:
        if mostly_utf8(data):
            text, bad = _utf8_lines(data)
            return text, "utf-8", bad
        try:
            return data.decode("gb18030"), "gb18030", []
        except UnicodeDecodeError:
            raise ReadError("encoding", offset=first.start) from None


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` starts as UTF-16 text without a byte-order mark, else None.

    Tabs, line breaks, digits and Latin letters are ASCII, which UTF-16 writes with a NUL high byte: every
    NUL of the first 4 KB on odd offsets is little-endian, on even offsets big-endian. The sample must also
    decode strictly, hold no NUL character and hold a line break or a delimiter; binary data does not.
    """
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd and not even:
        encoding = "utf-16-le"
    elif even and not odd:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    if "\x00" in text or not any(c in text for c in "\t\n,;|"):
        return None
    return encoding


# One physical line with its ending (\r\n, \r or \n, as the csv module and pyarrow count lines).
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# Lines with non-ASCII text looked at to decide between UTF-8 with bad lines and GB18030.
_VOTE_LINES = 1000


def mostly_utf8(data: bytes) -> bool:
    """Whether text that is not valid UTF-8 throughout is still UTF-8 with a few foreign lines.

    Among the first lines that hold non-ASCII bytes, those valid as UTF-8 must be at least as many as
    those that are not. Real GBK text is almost never valid UTF-8 (its byte pairs rarely form UTF-8
    sequences), so a GBK file has next to no such lines and stays GB18030.
    """
    good = bad = 0
    for found in _LINE.finditer(data):
        line = found.group()
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
        else:
            good += 1
        if good + bad >= _VOTE_LINES:
            break
    return good > 0 and good >= bad


def _utf8_lines(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """(text, bad lines): ``data`` decoded line by line as UTF-8, each invalid line left empty (its line
    ending kept, so that the line numbers of the rest stay) and listed as (line number, byte offset)."""
    pieces: list[str] = []
    bad: list[tuple[int, int]] = []
    for number, found in enumerate(_LINE.finditer(data), 1):
        line = found.group()
        try:
            pieces.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            bad.append((number, found.start() + exc.start))
            pieces.append(line[len(line.rstrip(b"\r\n")) :].decode("ascii"))
    return "".join(pieces), bad


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter among , ; tab | that splits the sample lines most consistently into several fields."""
    best, best_score = ",", -1.0
    for delimiter in (",", "\t", ";", "|"):
        try:
            counts = [
                len(row) for row in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in row)
            ]
        except csv.Error:  # a field past the csv module's size limit: not this delimiter
            continue
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        share = sum(1 for c in counts if c == widest) / len(counts)
        score = share * 10 + widest / 1000
        if score > best_score:
            best, best_score = delimiter, score
    return best


_HEAD_BYTES = 256 * 1024
_BLOCK = 1 << 20


def _has_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte (binary, not text), read in 1 MiB blocks into one buffer.

    Read, not memory-mapped: an input on a network share that goes away while it is mapped kills the
    process with SIGBUS, where a read fails with an OSError (one rejected file). 17 ms for 91 MB here.
    """
    block = bytearray(_BLOCK)
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(block):
            if block.find(b"\x00", 0, size) >= 0:
                return True
    return False


def _plain_head(head: bytes, encoding: str) -> str | None:
    """The head of a file as text when it looks like plain ``encoding`` (no UTF-16 BOM, no UTF-8 BOM left),
    else None.

    Only the head is decoded here: the rest is checked while pyarrow reads it (UTF-8 validated per cell,
    GB18030 transcoded strictly as a stream), so a large file is not decoded twice. A character cut at the
    end of the head is left for the next chunk.
    """
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def read_csv(path: Path, limits: Limits) -> FileCells:
    """A CSV file as one sheet of text columns (sheet name empty; rows are line numbers).

    The encoding is tried in the order BOM → strict UTF-8 → strict GB18030, as :func:`decode` does. Plain
    UTF-8 and GB18030 files are streamed to pyarrow from the file (the common, large case); when pyarrow
    refuses one, the whole file is decoded by :func:`decode`, which gives the exact reason (or the other
    encoding). A file with a NUL byte anywhere is binary.
    """
    with path.open("rb") as handle:
        start = handle.read(_HEAD_BYTES + len(codecs.BOM_UTF8))
    # The whole file decoded by decode(): (bytes, text), only when streaming it to pyarrow is not possible.
    decoded: tuple[bytes, str] | None = None
    bad_lines: list[tuple[int, int]] = []  # lines of a UTF-8 file that are not UTF-8 (left empty)
    # A UTF-8 BOM (what Excel writes for "CSV UTF-8") is skipped; the rest is read like plain UTF-8.
    skip = len(codecs.BOM_UTF8) if start.startswith(codecs.BOM_UTF8) else 0
    encoding = "utf-8-sig" if skip else "utf-8"
    binary = _has_nul(path)  # UTF-16 has NUL bytes too: decode() below tells the two apart
    head = None if binary else _plain_head(start[skip : skip + _HEAD_BYTES], "utf-8")
    if head is None and not skip and not binary and not mostly_utf8(start[:_HEAD_BYTES]):
        encoding = "gb18030"
        head = _plain_head(start[:_HEAD_BYTES], encoding)
    if head is None:
        decoded, encoding, bad_lines = _decode_file(path)
        head = decoded[1][:_HEAD_BYTES]
    sample = head.splitlines()[: max(limits.header_scan_rows, 50)]
    delimiter = sniff_delimiter(sample)
    try:
        width = max((len(r) for r in csv.reader(sample, delimiter=delimiter)), default=1)
    except csv.Error:
        width = max((line.count(delimiter) + 1 for line in sample), default=1)
    _check_width(width, limits)
    names = [f"c{i}" for i in range(width)]

    def source() -> pa.NativeFile:
        if decoded is not None:
            raw, text = decoded
            plain = encoding == "utf-8" and not bad_lines
            return pa.BufferReader(raw if plain else text.encode("utf-8"))
        stream = pa.OSFile(os.fsencode(path))  # bytes: a name that is not UTF-8 still opens
        stream.seek(skip)
        if encoding in ("utf-8", "utf-8-sig"):
            return stream
        # The transcoder pulls small reads from its source: buffered, reading the 1M-row GB18030 benchmark
        # file takes 0.72 s instead of 1.11 s (medians of eight fresh processes).
        return pa.transcoding_input_stream(pa.BufferedInputStream(stream, 4 * _BLOCK), encoding, "utf-8")

    table, refused = _arrow_csv(source(), names, delimiter)
    if refused and decoded is None:
        # Invalid UTF-8 or GB18030 past the head (a GB18030 file whose first lines are ASCII), or a file
        # pyarrow cannot split: decoding it strictly tells these apart.
        decoded, encoding, bad_lines = _decode_file(path)
        table, refused = _arrow_csv(source(), names, delimiter)
    if table is None:
        if decoded is None:
            decoded, encoding, bad_lines = _decode_file(path)
        table = _csv_slow(decoded[1], delimiter, limits)
    return FileCells(
        [SheetCells("", True, table, list(range(table.num_columns)), 1, {})],
        encoding=encoding,
        single_column=table.num_columns < 2,
        bad_lines=bad_lines,
    )


def _decode_file(path: Path) -> tuple[tuple[bytes, str], str, list[tuple[int, int]]]:
    """((bytes, text), encoding, bad lines) of the whole file, by :func:`decode` (which raises the exact
    reason)."""
    raw = path.read_bytes()
    text, encoding, bad = decode(raw)
    return (raw, text), encoding, bad


def _arrow_csv(source: pa.NativeFile, names: list[str], delimiter: str) -> tuple[pa.Table | None, bool]:
    """(table, refused): every cell as text (UTF-8 checked); no table when a row is ragged (refused False)
    or pyarrow refuses the file or its encoding (refused True)."""
    import pyarrow.csv as pacsv

    ragged = False

    def invalid(_row: object) -> str:
        nonlocal ragged
        ragged = True
        return "skip"

    try:
        with source:  # the file is closed when the parse ends, not whenever the stream is collected
            table = pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(column_names=names, use_threads=True),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, ignore_empty_lines=False, invalid_row_handler=invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.large_string()),  # what pandas keeps text in
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    check_utf8=True,
                ),
            )
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError):
        return None, True
    return (None if ragged else table), False


def _check_width(width: int, limits: Limits) -> None:
    if width > limits.max_columns:
        raise ReadError("too-wide", sheet="CSV", columns=width, limit=limits.describe("max_columns"))


def _csv_slow(text: str, delimiter: str, limits: Limits) -> pa.Table:
    """Ragged CSV: every record padded to the widest; row i is the record that starts on line i + 1.

    The width is checked record by record (one line of 100,000 commas among short lines would otherwise
    pad every line to 100,000 cells: gigabytes from a 300 KB file), and lines × width against max_cells.
    """
    if csv.field_size_limit() < limits.max_cell_chars:
        csv.field_size_limit(limits.max_cell_chars)
    records: list[list[str]] = []
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    width = 1
    try:
        for record in reader:
            starts.append(line)
            records.append(record)
            if len(record) > width:
                width = len(record)
                _check_width(width, limits)
            line = reader.line_num + 1
    except csv.Error:  # a field past max_cell_chars (the csv module's own limit, raised to it)
        raise ReadError(
            "cell-too-large",
            sheet="CSV",
            cell=f"{line}:",
            chars=limits.max_cell_chars + 1,
            limit=limits.describe("max_cell_chars"),
        ) from None
    # Place each record at its first line, blank lines in between (multi-line cells take several lines).
    total = line - 1
    if total * width > limits.max_cells:
        raise ReadError(
            "too-many-cells", sheet="CSV", cells=total * width, limit=limits.describe("max_cells")
        )
    columns: list[list[str]] = [[""] * total for _ in range(width)]
    for start, record in zip(starts, records, strict=True):
        for j, value in enumerate(record):
            columns[j][start - 1] = value
    return pa.table({f"c{j}": pa.array(col, pa.string()) for j, col in enumerate(columns)})


__all__ = [
    "FileCells",
    "ReadError",
    "SheetCells",
    "decode",
    "mostly_utf8",
    "path_with_extension",
    "read_csv",
    "read_workbook",
    "utf16_without_bom",
]
