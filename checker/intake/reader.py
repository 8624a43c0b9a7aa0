"""Read a round of evidence (一轮自查材料: a folder searched recursively, or one file) into :class:`Evidence`.

Per file: hash it, sniff its format, run the preflight caps, read its cells (in a worker process when the
preflight cannot vouch for it), recognise each sheet by its header row and accept or reject every row.
Then, over the whole round: fill inspections from the site register, check registration and applicability,
and flag repeated inspections. One bad file is one rejected input; the rest of the round is read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from checker.handbook.model import Handbook
from checker.intake import isolate
from checker.intake.codes import message
from checker.intake.crosscheck import (
    HandbookIndex,
    RoundCodes,
    combine_codes,
    fill_from_register,
    keep_codes,
    mark_duplicates,
    pair_keys,
    register_checks,
    round_codes,
)
from checker.intake.evidence import Evidence, InputFile, Rejection, SkippedFile
from checker.intake.frames import empty_frame
from checker.intake.headers import Header, detect
from checker.intake.htmltables import read_html
from checker.intake.kinds import KINDS
from checker.intake.limits import DEFAULT_LIMITS, Limits
from checker.intake.names import shown_name
from checker.intake.preflight import (
    Preflight,
    PreflightError,
    column_letters,
    preflight_ods,
    preflight_xlsx,
    scan_late,
)
from checker.intake.rows import SheetContext, SheetRows, read_rows
from checker.intake.sheets import FileCells, ReadError, read_csv, read_workbook
from checker.intake.sniff import EXTENSIONS, sniff
from checker.intake.spreadsheetml import read_spreadsheetml
from checker.intake.values import distinct

Progress = Callable[[int, int, str], None]

# The function that parses a workbook into cells; a module attribute so that tests can swap in a bad parser.
WORKBOOK_PARSER: Callable[[Path, str, list[str] | None], FileCells] = read_workbook
# Formats read by intake's own streaming parsers (Excel 2003 XML, HTML tables).
TEXT_PARSERS: dict[str, Callable[[Path, Limits], FileCells]] = {
    "xml2003": read_spreadsheetml,
    "html": read_html,
}

EVIDENCE_SUFFIXES = frozenset(s for suffixes in EXTENSIONS.values() for s in suffixes) - {".txt"}
# civcheck's own outputs (report workbook, JSON, HTML) are never read back as evidence.
OUTPUT_PREFIXES = ("自查报告", "self-check-report", "civcheck-", ".tmp-")

# Sheets of instructions that civcheck itself writes (templates, 交办单): a returned workbook carries them,
# and they are no evidence: skipped and listed, without a warning.
INSTRUCTION_SHEETS = frozenset({"填报说明", "How to reply", "Instructions"})


def discover(path: Path) -> tuple[Path, list[Path]]:
    """(root, files): one file as given, or the evidence files under a folder (hidden and temp files skipped)."""
    root, files, _skipped = discover_all(path)
    return root, files


def discover_all(path: Path) -> tuple[Path, list[Path], list[SkippedFile]]:
    """(root, files, skipped): the evidence files under a folder, and every other file with the reason it
    is not read. A hidden (``.x``) or system (``__x``) folder is listed once, not entered."""
    if path.is_file():
        return path.parent, [path], []
    files: list[Path] = []
    skipped: list[SkippedFile] = []

    def skip(rel: str, code: str, **fields: object) -> None:
        skipped.append(SkippedFile(rel, code, message(code, **fields)))

    for folder, subfolders, names in os.walk(path):
        here = Path(folder)
        for name in sorted(subfolders):
            if name.startswith((".", "__")):
                rel = shown_name((here / name).relative_to(path).as_posix()) + "/"
                skip(rel, "skipped-hidden" if name.startswith(".") else "skipped-system-folder")
        subfolders[:] = sorted(n for n in subfolders if not n.startswith((".", "__")))
        for name in sorted(names):
            candidate = here / name
            rel = shown_name(candidate.relative_to(path).as_posix())
            if name.startswith(("~$", ".~lock.")):
                skip(rel, "skipped-lock-file")
            elif name.startswith("."):
                skip(rel, "skipped-hidden")
            elif name.startswith(OUTPUT_PREFIXES):
                skip(rel, "skipped-own-output")
            elif candidate.suffix.lower() not in EVIDENCE_SUFFIXES:
                skip(
                    rel, "skipped-not-spreadsheet", ext=shown_name(candidate.suffix.lower()) or "(无 / none)"
                )
            elif candidate.is_file():
                files.append(candidate)
    files.sort()
    skipped.sort(key=lambda s: s.file)
    return path, files, skipped


def sha256(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB blocks into one reused buffer (hashlib releases the GIL).

    0.067 s for a 91 MB CSV; a fresh bytes object per block took 0.11 s (each one newly mapped memory).
    Not memory-mapped: a mapped file on a network share that goes away kills the process with SIGBUS.
    """
    digest = hashlib.sha256()
    block = bytearray(1 << 20)
    view = memoryview(block)
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(block):
            digest.update(view[:size])
    return digest.hexdigest()


class _Round:
    """Accumulates what the files of a round yield."""

    def __init__(self, index: HandbookIndex, limits: Limits, background: Executor) -> None:
        self.index = index
        self.background = background  # hashing, and the formula scan of big sheets
        self.limits = limits
        self.parts: dict[str, list[pd.DataFrame]] = {}
        self.keys: list[RoundCodes] = []  # of each inspections part, in the same order (read_rows gives them)
        self.rejected: list[Rejection] = []
        self.inputs: list[InputFile] = []
        self.labels: dict[tuple[str, str], dict[str, str]] = {}

    def refuse(self, info: InputFile, code: str, fields: dict[str, object]) -> None:
        info.format = code if not info.format or info.format in ("", "?") else info.format
        self.rejected.append(Rejection(info.file, "", 0, "", code, message(code, **fields)))

    def read_file(self, path: Path, rel: str) -> None:
        # The file is hashed on another thread while it is read (hashlib releases the GIL).
        digest = self.background.submit(sha256, path)
        info = InputFile(file=rel, sha256="", format="")
        self.inputs.append(info)
        try:
            self._read_file(path, rel, info)
        except OSError as exc:
            # Permission denied, a file that vanished or an I/O error while it is read: one rejected file.
            self.refuse(info, "unreadable", {"detail": _os_detail(exc)})
        try:
            info.sha256 = digest.result()
        except OSError as exc:
            if not any(r.file == rel and r.row == 0 for r in self.rejected[-1:]):
                self.refuse(info, "unreadable", {"detail": _os_detail(exc)})

    def _read_file(self, path: Path, rel: str, info: InputFile) -> None:
        sniffed = sniff(path, self.limits)
        if not sniffed.ok:
            info.format = sniffed.code
            self.refuse(info, sniffed.code, dict(sniffed.fields))
            return
        fmt = info.format = sniffed.format
        if sniffed.extension_mismatch:
            info.warnings.append(
                message("extension-mismatch", ext=shown_name(path.suffix) or "(无)", actual=fmt)
            )
        try:
            pre = self._preflight(path, fmt)
            cells = self._cells(path, fmt, pre)
        except (PreflightError, ReadError, isolate.WorkerFailure) as exc:
            self.refuse(info, exc.code, dict(exc.fields))
            return
        except Exception as exc:  # a parser failing in a way nobody foresaw is still one rejected file
            self.refuse(info, "unreadable", {"detail": f"{type(exc).__name__}: {exc}"[:200]})
            return
        info.encoding = cells.encoding
        if cells.single_column:
            info.warnings.append(message("single-column"))
        for name in cells.hidden:
            info.skipped_sheets.append(f"{name} (隐藏 / hidden)")
            info.warnings.append(message("hidden-sheet", sheet=name))
        scans = {s.name: s for s in pre.sheets}
        header_rows: dict[str, int] = {}
        for sheet in cells.sheets:
            found = detect(sheet, self.index.questions, self.limits.header_scan_rows)
            label = sheet.name or shown_name(path.name)
            if not isinstance(found, Header):
                if found.code == "unrecognised-sheet" and label.strip() in INSTRUCTION_SHEETS:
                    # The instructions civcheck writes into its templates and 交办单: read past, listed.
                    info.skipped_sheets.append(f"{label} (说明页 / instructions)")
                    continue
                info.skipped_sheets.append(f"{label} ({found.code})")
                if found.code == "unrecognised-sheet":
                    info.warnings.append(message(found.code, **{**found.fields, "sheet": label}))
                else:
                    self.rejected.append(
                        Rejection(
                            rel, sheet.name, found.row, "", found.code, message(found.code, **found.fields)
                        )
                    )
                continue
            scan = scans.get(sheet.name)
            ctx = SheetContext(
                file=rel,
                folder=path.parent,
                index=self.index,
                date1904=pre.date1904,
                formulas=scan.formulas if scan is not None else sheet.formulas,
                merged=scan.merged if scan is not None else sheet.merged,
            )
            result = read_rows(sheet, found, ctx)
            self._take(info, sheet.name, f"{label} → {found.kind}", result)
            header_row = header_rows[sheet.name] = found.row + sheet.first_row
            merged = [m for m in ctx.merged if m[0] > header_row]
            if merged:
                ranges = ", ".join(
                    f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}" for r1, c1, r2, c2 in merged[:5]
                )
                info.warnings.append(message("merged-cells", sheet=sheet.name, ranges=ranges))
        self._bad_lines(info, cells, header_rows.get(""))

    def _bad_lines(self, info: InputFile, cells: FileCells, header_row: int | None) -> None:
        """Lines of a UTF-8 CSV that are not UTF-8: each one rejected row (the reader saw it empty)."""
        for line, offset in cells.bad_lines:
            self.rejected.append(
                Rejection(info.file, "", line, "", "encoding", message("encoding", offset=offset))
            )
            info.rows_read += 1
            info.rows_rejected += 1
            if header_row is not None and line > header_row and info.rows_blank > 0:
                info.rows_blank -= 1  # read as an empty line below the header: counted blank

    def _take(self, info: InputFile, sheet: str, label: str, result: SheetRows) -> None:
        info.sheets.append(label)
        info.rows_read += result.rows_read
        info.rows_blank += result.rows_blank
        info.rows_rejected += len({r.row for r in result.rejected})
        info.rows_accepted += result.rows_read - len({r.row for r in result.rejected})
        info.warnings.extend(result.warnings)
        self.rejected.extend(result.rejected)
        self.parts.setdefault(result.kind, []).append(result.frame)
        if result.keys is not None:
            self.keys.append(result.keys)
        self.labels[(info.file, sheet)] = result.labels

    def _preflight(self, path: Path, fmt: str) -> Preflight:
        if fmt == "xlsx":
            return preflight_xlsx(path, self.limits)
        if fmt == "ods":
            return preflight_ods(path, self.limits)
        if fmt in TEXT_PARSERS:
            # Parsed by a streaming reader that checks every cap as it goes; a big file is still parsed in
            # a worker, which bounds the memory its cells take.
            return Preflight(vouched=path.stat().st_size <= self.limits.scan_bytes)
        # xls bounds its own range (65,536 × 256); xlsb has no cheap scan, so it is parsed isolated.
        return Preflight(vouched=fmt in ("xls", "csv"))

    def _cells(self, path: Path, fmt: str, pre: Preflight) -> FileCells:
        if fmt == "csv":
            return read_csv(path, self.limits)
        if fmt in TEXT_PARSERS:
            parser = TEXT_PARSERS[fmt]
            mode = self.limits.isolate
            if (mode == "always" or (mode == "auto" and not pre.vouched)) and isolate.available():
                isolated: FileCells = isolate.run_isolated(parser, (path, self.limits), self.limits)
                return isolated
            return parser(path, self.limits)
        hidden = [s.name for s in pre.sheets if not s.visible] if fmt == "xlsx" else None
        # Sheets too big for the preflight scan are searched for uncached formulas and merged ranges on the
        # background thread while the parser works (inflating releases the GIL; the worker is a process).
        late = self.background.submit(scan_late, path, fmt, pre, self.limits) if not pre.vouched else None
        try:
            mode = self.limits.isolate
            if (mode == "always" or (mode == "auto" and not pre.vouched)) and isolate.available():
                result: FileCells = isolate.run_isolated(WORKBOOK_PARSER, (path, fmt, hidden), self.limits)
            else:
                result = WORKBOOK_PARSER(path, fmt, hidden)
        finally:
            if late is not None:
                late.exception()  # waited for either way; its error is raised below, once parsing succeeded
        if late is not None:
            late.result()
        return result

    # -- round checks -------------------------------------------------------------------------------------

    def finish(self, root: Path) -> Evidence:
        frames: dict[str, pd.DataFrame] = {}
        for kind, parts in self.parts.items():
            parts = [p for p in parts if len(p)] or parts[:1]
            frames[kind] = _compact(
                pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
            )
        if "inspections" in frames:
            # The same parts as the frame above: the non-empty ones (none when every part is empty).
            keys = [k for k, p in zip(self.keys, self.parts["inspections"], strict=True) if len(p)]
            codes = combine_codes(keys) if keys else None
            frames["inspections"] = self._inspections(frames["inspections"], frames.get("sites"), codes)
        self.rejected.sort(key=lambda r: (r.file, r.sheet, r.row, r.column))
        return Evidence(root=shown_name(str(root)), frames=frames, rejected=self.rejected, inputs=self.inputs)

    def _inspections(
        self, inspections: pd.DataFrame, sites: pd.DataFrame | None, codes: RoundCodes | None
    ) -> pd.DataFrame:
        """Register checks and duplicates. ``codes``: the key columns as the sheets encoded them (else they
        are encoded here, once for both checks)."""
        if sites is not None:
            filled = fill_from_register(inspections, sites)
            if codes is not None and filled is not inspections and (codes["site_type"][0] < 0).any():
                codes = {**codes, "site_type": distinct(filled["site_type"])}  # blanks took the register's
            inspections = filled
        drop = np.zeros(len(inspections), dtype=bool)
        by_file = {i.file: i for i in self.inputs}
        codes = codes or round_codes(inspections)
        for finding in register_checks(inspections, sites, self.index, codes):
            # Columns are taken once per finding, not row by row (a round can reject many thousands).
            pos = finding.positions
            where = zip(
                inspections["_file"].to_numpy()[pos],
                inspections["_sheet"].to_numpy()[pos],
                inspections["_row"].to_numpy()[pos],
                inspections["standard"].to_numpy()[pos],
                finding.fields,
                strict=True,
            )
            for file, sheet, row, standard, fields in where:
                file, sheet = str(file), str(sheet)
                column = self.labels.get((file, sheet), {}).get(finding.column, _header(finding.column))
                self.rejected.append(
                    Rejection(
                        file,
                        sheet,
                        int(row),
                        column,
                        finding.code,
                        message(finding.code, **fields),
                        str(standard),
                    )
                )
                info = by_file[file]
                info.rows_accepted -= 1
                info.rows_rejected += 1
            drop[pos] = True
        if drop.any():
            inspections = inspections[~drop].reset_index(drop=True)
            codes = keep_codes(codes, ~drop)
        inspections, dups = mark_duplicates(inspections, codes)
        if len(dups):
            self._duplicate_warnings(dups)
        return inspections

    def _duplicate_warnings(self, dups: pd.DataFrame) -> None:
        """One warning per file that holds counting rows of repeated pairs: how many, and three examples.

        Vectorised over the groups (a file sent twice repeats every pair); only the examples are visited.
        """
        group = pd.factorize(pair_keys(dups))[0]
        counting = dups["counts"].to_numpy()
        winners = dups[counting].assign(_group=group[counting]).sort_values("_group", kind="stable")
        others = dups[~counting].assign(_group=group[~counting])
        by_file = {i.file: i for i in self.inputs}
        for file, rows in winners.groupby("_file", sort=False):
            examples = []
            for _, winner in rows.head(3).iterrows():
                lost = others[others["_group"].to_numpy() == winner["_group"]].head(3)
                where = "、".join(_where(r) for _, r in lost.iterrows())
                examples.append(
                    f"{winner['site_id']} + {winner['standard']}: 计入 {_where(winner)}，不计 {where}"
                )
            by_file[str(file)].warnings.append(
                message("duplicate-row", count=len(rows), examples="；".join(examples))
            )


# Above this many chunks a text column is made contiguous. Measured: scoring a 1M-row file read as 87
# chunks per column costs the same as one chunk (1.47 s vs 1.44 s), while 21 files (~1,800 chunks) cost
# ~0.8 s more; combining 87 chunks costs ~0.1 s of the read.
_MAX_CHUNKS = 256


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns of many chunks as one contiguous Arrow array.

    Columns handed on as read keep the reader's blocks, and a round concatenates many files: without
    this a column can have thousands of chunks, and every later take or comparison pays per chunk.
    """
    compacted = {}
    for column in frame.columns:
        array = frame[column].array
        if isinstance(array, pd.arrays.ArrowStringArray):
            chunked = pa.array(array)
            if isinstance(chunked, pa.ChunkedArray) and chunked.num_chunks > _MAX_CHUNKS:
                compacted[column] = pd.Series(
                    pd.arrays.ArrowStringArray(chunked.combine_chunks()), index=frame.index
                )
    return frame.assign(**compacted) if compacted else frame


def _os_detail(exc: OSError) -> str:
    """The reason of an OSError without its (maybe undecodable) file name."""
    return (exc.strerror or type(exc).__name__) + (f" [errno {exc.errno}]" if exc.errno else "")


def _where(row: pd.Series) -> str:
    sheet = f"{row['_sheet']}!" if row["_sheet"] else ""
    return f"{row['_file']} {sheet}{row['_row']}行"


def _header(column: str) -> str:
    for spec in KINDS.values():
        for c in spec.columns:
            if c.column == column:
                return c.header
    return column


def read_evidence(
    path: Path,
    handbook: Handbook,
    *,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Evidence:
    """Read every evidence file under ``path`` (or the one file ``path``) against ``handbook``."""
    limits = limits or DEFAULT_LIMITS
    root, files, skipped = discover_all(Path(path))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="civcheck-background") as background:
        state = _Round(HandbookIndex.of(handbook), limits, background)
        for done, file in enumerate(files):
            rel = shown_name(file.relative_to(root).as_posix())
            if progress is not None:
                progress(done, len(files), rel)
            state.read_file(file, rel)
    if progress is not None:
        progress(len(files), len(files), "")
    evidence = state.finish(root)
    evidence.skipped = skipped
    for kind in KINDS:
        if kind != "responses" and kind not in evidence.frames:
            evidence.frames[kind] = empty_frame(kind)
    return evidence


__all__ = ["EVIDENCE_SUFFIXES", "WORKBOOK_PARSER", "Progress", "discover", "discover_all", "read_evidence"]
