"""Accept or reject every row of a recognised sheet (逐行校验), column by column, vectorised.

Each check yields a boolean mask over the sheet's data rows; a row that fails checks is rejected once, with
the first failed check's code and every column it is wrong in, each with its message. Rows whose
user-filled columns are all blank are counted apart. Messages are written only for rejected rows, one
check at a time, and rendered once per distinct cell value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from checker.intake import tally, values
from checker.intake.codes import Fields, fields_of
from checker.intake.crosscheck import ROUND_KEYS, HandbookIndex, RoundCodes, keep_codes
from checker.intake.evidence import FileWarning, Rejection
from checker.intake.frames import column_dtypes
from checker.intake.headers import Header
from checker.intake.kinds import KINDS, REPLY_STATUSES, RESULT_FAIL, RESULT_NONE
from checker.intake.sheets import SheetCells
from checker.numbers import column_letters

# Columns that must hold a value for a row to be accepted (beyond having the header).
VALUE_REQUIRED: dict[str, tuple[str, ...]] = {
    "sites": ("site_id", "site_type"),
    "inspections": ("site_id", "standard"),
    "documents": ("standard", "material", "date"),
    "survey": ("question", "respondents", "favourable"),
    "responses": ("respondent",),
    "indicators": ("indicator", "value", "date"),
    "incidents": ("item", "date"),
    "replies": ("problem_id", "status"),
}
# Columns a template may fill in before the department does: a row with only these is a blank row.
PREFILLED: dict[str, frozenset[str]] = {
    "inspections": frozenset(("site_id", "site_name", "site_type", "standard", "department")),
    "documents": frozenset(("standard", "material", "material_kind", "department")),
    "survey": frozenset(("question",)),
    "indicators": frozenset(("indicator", "unit", "department")),
    "replies": frozenset(("problem_id",)),
}
# The method a standard must have to appear in a sheet of this kind.
KIND_METHOD = {"inspections": "field", "documents": "document"}
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass
class SheetContext:
    """What reading one sheet needs besides its cells."""

    file: str  # relative to the evidence root
    folder: Path  # the file's folder, for document file references
    index: HandbookIndex
    date1904: bool = False
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column 1-based) → formula
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # row1, col1, row2, col2 (1-based)


@dataclass
class SheetRows:
    """The outcome of one sheet: accepted rows, rejections, counts, warnings."""

    kind: str
    frame: pd.DataFrame
    rejected: list[Rejection]
    rows_read: int
    rows_blank: int
    warnings: list[FileWarning]
    labels: dict[str, str]
    # Inspections: the round checks' key columns of the accepted rows, as already encoded here.
    keys: RoundCodes | None = None


# The message values of the rows at some positions (one set of fields per position).
Render = Callable[[np.ndarray], list[Fields]]


class _Cells:
    """The cell texts of a column, fetched only for rejected rows, in one take per batch."""

    def __init__(self, series: pd.Series) -> None:
        self.series = series

    def take(self, positions: np.ndarray) -> list[object]:
        return list(self.series.take(positions).tolist())


def _text(code: str, cells: _Cells | None = None, **fixed: object) -> Render:
    """Fields with ``value`` from ``cells`` (when given) plus fixed fields, built once per distinct value."""

    def render(positions: np.ndarray) -> list[Fields]:
        if cells is None:
            return [fields_of(fixed)] * len(positions)
        cache: dict[object, Fields] = {}
        out = []
        for value in cells.take(positions):
            found = cache.get(value)
            if found is None:
                found = cache[value] = fields_of(fixed, value=value)
            out.append(found)
        return out

    return render


def _per_cell(code: str, cells: dict[int, dict[str, object]]) -> Render:
    """Fields that differ cell by cell (``cells``: row position → fields)."""

    def render(positions: np.ndarray) -> list[Fields]:
        return [fields_of(cells[int(i)]) for i in positions]

    return render


def _wrong_method(codes: _Cells, cells: _Cells, method_of: Callable[[str], str | None], kind: str) -> Render:
    def render(positions: np.ndarray) -> list[Fields]:
        pairs = zip(codes.take(positions), cells.take(positions), strict=True)
        return [fields_of(value=c, method=method_of(str(v)), kind=kind) for c, v in pairs]

    return render


class Verdicts:
    """The rejections of each row: every column's first problem, in the order the checks ran.

    A row is rejected once (one :class:`Rejection`, so that row counts stay row counts), but it names every
    problem found in it: a row with a bad count and a bad date is told about both. A column already found
    wrong in a row is not checked again there (a cell with ``#N/A`` is not also reported as blank).
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.rejected = np.zeros(n, dtype=bool)
        self._flagged: dict[str, np.ndarray] = {}  # column label → rows already found wrong in it
        # Batches of rows rejected by one check: positions, code, column label, message fields.
        self.batches: list[tuple[np.ndarray, str, str, list[Fields]]] = []

    @property
    def open(self) -> np.ndarray:
        return ~self.rejected

    def reject(self, mask: np.ndarray, code: str, column: str, text: Render) -> None:
        """Reject rows in ``mask`` whose ``column`` has no problem yet; ``text(positions)`` gives their fields."""
        flagged = self._flagged.get(column)
        if flagged is None:
            flagged = self._flagged[column] = np.zeros(self.n, dtype=bool)
        positions = np.flatnonzero(mask & ~flagged)
        if len(positions):
            flagged[positions] = True
            self.rejected[positions] = True
            self.batches.append((positions, code, column, text(positions)))

    def rejections(
        self, file: str, sheet: str, rows: np.ndarray, standard: pd.Series | None = None
    ) -> list[Rejection]:
        """The rejections in row order, one per row; ``standard`` (normalised codes) names the standard a
        row cited. A row with one problem gets its code, column and message as they are; a row with several
        gets the first problem's code, every column (``C 问题数、E 检查日期``) and every message, each after
        its column."""
        if not self.batches:
            return []
        positions = np.concatenate([b[0] for b in self.batches])
        batch_of = np.concatenate([np.full(len(b[0]), k) for k, b in enumerate(self.batches)])
        at = np.concatenate([np.arange(len(b[0])) for b in self.batches])
        order = np.argsort(positions, kind="stable")  # row order; within a row, the order of the checks
        positions, batch_of, at = positions[order], batch_of[order], at[order]
        starts = np.flatnonzero(np.r_[True, positions[1:] != positions[:-1]])
        ends = np.r_[starts[1:], len(positions)]
        firsts = positions[starts]
        cited = _known(standard, firsts)
        lines = rows[firsts].tolist()
        found: list[Rejection] = []
        for line, std, begin, end in zip(lines, cited, starts.tolist(), ends.tolist(), strict=True):
            problems = [self.batches[k] for k in batch_of[begin:end].tolist()]
            values = [b[3][i] for b, i in zip(problems, at[begin:end].tolist(), strict=True)]
            code, column = problems[0][1], problems[0][2]
            if len(problems) == 1:
                found.append(Rejection(file, sheet, line, column, code, values[0], std))
                continue
            columns = "、".join(b[2] for b in problems)
            each = tuple((b[2], b[1], f) for b, f in zip(problems, values, strict=True))
            found.append(Rejection(file, sheet, line, columns, code, values[0], std, each))
        return found


# Numeric columns: the parser and what the message says was expected (whole counts, or any number).
_NUMBERS: dict[str, tuple[Callable[[pd.Series], tuple[pd.Series, np.ndarray]], str]] = {
    "int": (values.counts, "count"),  # the keys of codes._TERMS["expected"]
    "float": (values.numbers, "number"),
}


def read_rows(sheet: SheetCells, header: Header, ctx: SheetContext) -> SheetRows:
    """Check and normalise the data rows of ``sheet`` under ``header``."""
    kind = header.kind
    start = header.row + 1
    n = max(sheet.table.num_rows - start, 0)
    first = start + sheet.first_row
    rows = np.arange(first, first + n, dtype=np.int64)
    labels = header.labels
    used = dict(header.columns)
    if kind == "responses":
        used.update({f"q:{q}": c for q, c in header.questions.items()})
    free_text = {c.column for c in KINDS[kind].columns if c.value == "text"}
    down = _merged_down(sheet, ctx.merged, start, n, set(used.values()))
    cleaned, sources = _clean_columns(sheet.table, used, start, free_text, down)
    copied = {col: down[c] != np.arange(n) for col, c in used.items() if c in down}
    verdicts = Verdicts(n)
    undecided = np.zeros(n, dtype=bool)

    # Excel error cells and formulas without a saved value: never blank, never guessed. Collected per column
    # and rejected in one batch each (a column of #N/A from a VLOOKUP is common, and large).
    undecided_cells: dict[tuple[int, str, str], dict[int, dict[str, object]]] = {}
    by_table_col = {c: col for col, c in used.items()}
    for (trow, tcol), value in sheet.errors.items():
        col = by_table_col.get(tcol)
        if col is None or trow < start:
            continue
        i = trow - start
        cell = f"{column_letters(sheet.columns[tcol] + 1)}{rows[i]}"
        undecided_cells.setdefault((tcol, col, "cell-error"), {})[i] = {"cell": cell, "value": value}
    if ctx.formulas and n:
        abs_to_col = {sheet.columns[c] + 1: (c, col) for col, c in used.items()}
        missing = {col: cleaned[col].isna().to_numpy() for _c, col in abs_to_col.values()}
        for (row, col1), formula in ctx.formulas.items():
            where = abs_to_col.get(col1)
            i = row - int(rows[0])
            if where is None or not 0 <= i < n or not missing[where[1]][i]:
                continue
            fields: dict[str, object] = {"cell": f"{column_letters(col1)}{row}", "formula": formula or "…"}
            undecided_cells.setdefault((where[0], where[1], "formula-no-cache"), {})[i] = fields
    # Error cells before formulas, each column by column from the left: a row's first such cell names it.
    order = sorted(undecided_cells.items(), key=lambda item: (item[0][2] != "cell-error", item[0][0]))
    for (_tcol, col, code), cells in order:
        mask = np.zeros(n, dtype=bool)
        mask[list(cells)] = True
        undecided |= mask
        verdicts.reject(mask, code, labels[col], _per_cell(code, cells))

    # Blank rows: nothing the department fills in holds a value.
    filled_cols = [c for c in cleaned if c not in PREFILLED.get(kind, frozenset())] or list(cleaned)
    filled = np.zeros(n, dtype=bool)
    for col in filled_cols:
        # A value copied down a merged range does not by itself make a row filled in.
        present = cleaned[col].notna().to_numpy()
        filled |= present & ~copied[col] if col in copied else present
    blank = ~filled & ~undecided

    if kind == "responses":
        return _responses(sheet, header, ctx, cleaned, verdicts, blank, rows)

    spec = KINDS[kind]
    out: dict[str, object] = {}
    warnings: list[FileWarning] = []
    for col in VALUE_REQUIRED[kind]:
        if col in cleaned:
            header_text = next(c.header for c in spec.columns if c.column == col)
            verdicts.reject(
                cleaned[col].isna().to_numpy() & ~blank,
                "missing-value",
                labels[col],
                _text("missing-value", header=header_text),
            )
    for column in spec.columns:
        col = column.column
        if col not in cleaned:
            continue
        series = cleaned[col]
        label = labels[col]
        text = _Cells(series)
        if column.value in ("text", "id"):
            out[col] = series
            if column.value == "id":
                lost = values.precision_lost(series) & ~blank
                for i in np.flatnonzero(lost)[:20]:
                    noted = fields_of(cell=f"{_cell(sheet, used[col], rows[i])}", value=series.iat[i])
                    warnings.append(FileWarning("precision-lost", noted, sheet=sheet.name))
        elif column.value == "result":
            mapped, bad = values.results(series)
            verdicts.reject(bad, "bad-result", label, _text("bad-result", text))
            out[col] = values.fill_missing(mapped, RESULT_NONE)
        elif column.value in _NUMBERS:
            parse, expected = _NUMBERS[column.value]
            parsed, bad = parse(series)
            verdicts.reject(
                bad, "bad-number", label, _text("bad-number", text, header=column.header, expected=expected)
            )
            out[col] = parsed
        elif column.value == "date":
            parsed_dates, bad, early = values.dates(series, ctx.date1904)
            verdicts.reject(
                bad,
                "bad-date",
                label,
                _text("bad-date", text, header=column.header),
            )
            for i in np.flatnonzero(early & ~blank)[:20]:
                noted = fields_of(cell=_cell(sheet, used[col], rows[i]), value=series.iat[i])
                warnings.append(FileWarning("serial-date", noted, sheet=sheet.name))
            out[col] = parsed_dates
        elif column.value == "standard":
            mapped, unknown = values.code_lookup(series, ctx.index.codes)
            verdicts.reject(unknown, "unknown-standard", label, _text("unknown-standard", text))
            wanted = KIND_METHOD.get(kind)
            if wanted is not None:
                method_of = ctx.index.method_of
                # on the resolved code: a cell may be a code followed by its text
                wrong = values.map_distinct_flag(mapped, partial(_other_method, method_of, wanted))
                verdicts.reject(
                    wrong,
                    "wrong-method",
                    label,
                    _wrong_method(_Cells(mapped), _Cells(mapped), method_of, kind),
                )
            out[col] = mapped
        elif column.value == "site_type":
            mapped, unknown = values.lookup(series, ctx.index.site_types, values.name_key)
            verdicts.reject(
                unknown,
                "unknown-site-type",
                label,
                _text("unknown-site-type", text),
            )
            out[col] = mapped
        elif column.value == "department":
            mapped, unknown = values.lookup(series, ctx.index.departments, values.name_key)
            unknown = unknown & ~blank
            if unknown.any():
                names = series[unknown].value_counts()
                for name, count in names[names > 0].head(10).items():
                    warnings.append(
                        FileWarning(
                            "unknown-department", fields_of(value=name, count=int(count)), sheet=sheet.name
                        )
                    )
            # An unknown department is kept as written (a warning, not a rejection).
            out[col] = values.map_distinct_text(series, partial(_department, ctx.index.departments))
        else:
            out[col] = series.astype("string")

    _kind_rules(kind, out, cleaned, verdicts, labels, ctx)
    # The round checks' key columns, while they are still codes (the frame holds them as text).
    keys = {c: _codes(out.get(c), n) for c in ROUND_KEYS} if kind == "inspections" else None
    # A text column that cleaning and normalising left as read is handed on as read (nothing to decode).
    for col, source in sources.items():
        normalised = out.get(col)
        if isinstance(normalised, pd.Series) and values.same_values(cleaned[col], normalised):
            out[col] = values.as_text(source)
    accepted = ~blank & verdicts.open
    frame = _frame(kind, out, accepted, ctx, sheet, rows)
    if kind == "documents":
        frame["file_ok"] = _file_ok(frame["file"], ctx.folder)
    # A rejected row that names a known standard says so, so scoring can tell 数据有误 from 无证据.
    found = out.get("standard")
    standard = found if isinstance(found, pd.Series) else None
    rejected = verdicts.rejections(ctx.file, sheet.name, rows, standard)
    kept = None if keys is None else keep_codes(keys, accepted)
    return SheetRows(kind, frame, rejected, n - int(blank.sum()), int(blank.sum()), warnings, labels, kept)


def _codes(column: object, n: int) -> tuple[np.ndarray, pd.Index]:
    """(codes, distinct values) of a normalised column; a column the sheet lacks is all missing."""
    if isinstance(column, pd.Series):
        return values.distinct(column)
    return np.full(n, -1, dtype=np.int8), pd.Index([], dtype=object)


def _other_method(method_of: Callable[[str], str | None], wanted: str, cell: str) -> bool:
    """The cell names a standard of a method other than ``wanted``."""
    return method_of(cell) not in (None, wanted)


def _department(departments: dict[str, str], cell: str) -> str:
    """The canonical department a cell names, or the cell as written when the handbook has no such one."""
    return departments.get(values.name_key(cell), cell)


def _cell(sheet: SheetCells, table_col: int, row: int) -> str:
    name = f"{sheet.name}!" if sheet.name else ""
    return f"{name}{column_letters(sheet.columns[table_col] + 1)}{row}"


def _kind_rules(
    kind: str,
    out: dict[str, object],
    cleaned: dict[str, pd.Series],
    verdicts: Verdicts,
    labels: dict[str, str],
    ctx: SheetContext,
) -> None:
    """Checks that involve more than one column, or a kind's own vocabulary."""
    if kind == "inspections":
        result = out["result"]
        assert isinstance(result, pd.Series)
        cases = out.get("cases")
        failed = (result == RESULT_FAIL).to_numpy()
        if isinstance(cases, pd.Series):
            filled = cases.fillna(0).to_numpy()
            out["cases"] = np.where(failed, np.where(cases.isna().to_numpy(), 1, filled), 0).astype("int64")
        else:
            out["cases"] = np.where(failed, 1, 0).astype("int64")
    elif kind == "survey":
        question = cleaned["question"]
        mapped, unknown = values.lookup(question, ctx.index.questions, values.name_key)
        text = _Cells(question)
        verdicts.reject(
            unknown,
            "unknown-question",
            labels["question"],
            _text("unknown-question", text),
        )
        out["question"] = mapped
        respondents = out["respondents"]
        favourable = out["favourable"]
        assert isinstance(respondents, pd.Series) and isinstance(favourable, pd.Series)
        verdicts.reject(
            tally.overcounted(respondents, favourable),
            "bad-tally",
            labels["favourable"],
            tally.overcount_fields(respondents.to_numpy(), favourable.to_numpy()),
        )
        out["source"] = "tally"
    elif kind == "incidents":
        item = cleaned["item"]
        mapped, unknown = values.code_lookup(item, ctx.index.negatives)
        text = _Cells(item)
        verdicts.reject(unknown, "unknown-item", labels["item"], _text("unknown-item", text))
        out["item"] = mapped
    elif kind == "replies":
        status = cleaned["status"]
        allowed = {values.name_key(s): s for s in REPLY_STATUSES}
        mapped, unknown = values.lookup(status, allowed, values.name_key)
        text = _Cells(status)
        verdicts.reject(
            unknown,
            "bad-status",
            labels["status"],
            _text("bad-status", text, allowed="/".join(REPLY_STATUSES)),
        )
        out["status"] = mapped


def _frame(
    kind: str,
    out: dict[str, object],
    accepted: np.ndarray,
    ctx: SheetContext,
    sheet: SheetCells,
    rows: np.ndarray,
) -> pd.DataFrame:
    dtypes = column_dtypes(kind)
    n_acc = int(accepted.sum())
    all_accepted = n_acc == len(accepted)
    data: dict[str, pd.Series] = {}
    to_text: dict[str, pd.Series] = {}
    for col, dtype in dtypes.items():
        value = out.get(col)
        if col == "_file":
            data[col] = _constant_text(ctx.file, n_acc)
        elif col == "_sheet":
            data[col] = _constant_text(sheet.name, n_acc)
        elif col == "_row":
            data[col] = pd.Series(rows if all_accepted else rows[accepted], copy=False)
        elif value is None and dtype == "string":
            data[col] = pd.Series(pd.arrays.ArrowStringArray(pa.nulls(n_acc, pa.large_string())))
        elif value is None:
            default: object = {"bool": col != "duplicate", "int64": 0}.get(dtype)
            data[col] = (
                pd.Series(index=pd.RangeIndex(n_acc), dtype=dtype)
                if default is None
                else pd.Series(np.full(n_acc, default), dtype=dtype, copy=False)
            )
        elif isinstance(value, str) and dtype == "string":
            data[col] = _constant_text(value, n_acc)
        elif isinstance(value, str):
            data[col] = pd.Series([value] * n_acc, dtype=dtype)
        elif isinstance(value, pd.Series) and dtype == "string":
            to_text[col] = value if all_accepted else value[accepted]
        elif isinstance(value, pd.Series):
            kept = value if all_accepted else value[accepted]
            data[col] = kept.reset_index(drop=True).astype(dtype)  # type: ignore[call-overload]
        else:
            data[col] = pd.Series(np.asarray(value)[accepted], copy=False).astype(dtype)  # type: ignore[call-overload]
    decoded = values.map_columns(lambda s: values.as_text(s.reset_index(drop=True)), to_text, n_acc)
    # Joined without a copy: ``pd.DataFrame(dict)`` copies every column into consolidated blocks (23 ms for
    # a million rows here); concat keeps each column as built, and copy-on-write keeps that safe.
    return pd.concat({col: decoded.get(col, data.get(col)) for col in dtypes}, axis=1)


def _constant_text(value: str, n: int) -> pd.Series:
    """A ``string`` column holding ``value`` n times, built from Arrow buffers (no Python list of n strings;
    ``pa.repeat`` of a string scalar builds it element by element, 20× slower)."""
    data = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))
    return pd.Series(pd.arrays.ArrowStringArray(array))


def _file_ok(files: pd.Series, folder: Path) -> pd.Series:
    """A document's file reference resolves next to the evidence file, or is an http(s) URL."""

    def ok(ref: str) -> bool:
        if _URL.match(ref):
            return True
        try:
            return (folder / ref).is_file()
        except (OSError, ValueError):
            return False

    return pd.Series(values.map_distinct_flag(files, ok), index=files.index, copy=False)


def _responses(
    sheet: SheetCells,
    header: Header,
    ctx: SheetContext,
    cleaned: dict[str, pd.Series],
    verdicts: Verdicts,
    blank: np.ndarray,
    rows: np.ndarray,
) -> SheetRows:
    """Raw answers, one row per respondent: each row accepted or rejected, the accepted ones tallied per
    question into survey rows (see :func:`checker.intake.tally.tally_responses`)."""
    labels = header.labels
    verdicts.reject(
        cleaned["respondent"].isna().to_numpy() & ~blank,
        "missing-value",
        labels["respondent"],
        _text("missing-value", header="受访者编号"),
    )
    accepted = ~blank & verdicts.open
    answers = {question: cleaned[f"q:{question}"] for question in header.questions}
    frame = tally.tally_responses(
        header.questions, answers, accepted, file=ctx.file, sheet=sheet.name, row=header.row + sheet.first_row
    )
    rejected = verdicts.rejections(ctx.file, sheet.name, rows)
    n = len(rows)
    return SheetRows("survey", frame, rejected, n - int(blank.sum()), int(blank.sum()), [], labels)


def _known(standard: pd.Series | None, positions: np.ndarray) -> list[str]:
    """The canonical standard codes at ``positions`` of a normalised column ("" where there is none)."""
    if standard is None:
        return [""] * len(positions)
    return ["" if pd.isna(v) else str(v) for v in standard.take(positions).tolist()]


def _merged_down(
    sheet: SheetCells, merged: list[tuple[int, int, int, int]], start: int, n: int, columns: set[int]
) -> dict[int, np.ndarray]:
    """For each used table column with a range merged over several data rows: the row (from ``start``)
    whose cell each row takes. The value of a merged range sits in its top-left cell only; merged down a
    column (a site named once for the several standards checked there) it belongs to every row of the
    range. Merged across columns it stays in its first column: a note spanning the columns beside it is
    not a date or a name. ``n``: the data rows from ``start``."""
    by_column = {number + 1: c for c, number in enumerate(sheet.columns) if c in columns}
    down: dict[int, np.ndarray] = {}
    for row1, col1, row2, _col2 in merged:
        c = by_column.get(col1)
        first, last = row1 - sheet.first_row - start, min(row2 - sheet.first_row - start, n - 1)
        if c is None or first < 0 or last <= first:
            continue  # not a used column, reaches above the data (a title or the header), or one row high
        take = down.setdefault(c, np.arange(n))
        take[first : last + 1] = first
    return down


def _clean_columns(
    table: pa.Table,
    used: dict[str, int],
    start: int,
    free_text: frozenset[str] | set[str] = frozenset(),
    down: dict[int, np.ndarray] | None = None,
) -> tuple[dict[str, pd.Series], dict[str, pa.Array | pa.ChunkedArray]]:
    """(cleaned, sources): every used column of ``table`` from row ``start``, trimmed, blanks as NA (see
    values.clean), and the columns that were already clean as read. ``free_text`` columns stay text;
    the others become categorical, for the normalisers to work per distinct value. ``down`` gives, per
    table column, the row each row takes its cell from (merged ranges, see :func:`_merged_down`)."""
    down = down or {}
    columns = {
        col: (
            col in free_text,
            table.column(c).slice(start).take(down[c]) if c in down else table.column(c).slice(start),
        )
        for col, c in used.items()
    }

    def clean(item: tuple[bool, pa.ChunkedArray]) -> tuple[pd.Series, pa.Array | pa.ChunkedArray | None]:
        text, array = item
        return values.clean_text(array) if text else values.clean_column(array)

    done = values.map_columns(clean, columns, table.num_rows - start)
    cleaned = {col: series for col, (series, _source) in done.items()}
    sources = {col: source for col, (_series, source) in done.items() if source is not None}
    return cleaned, sources


__all__ = ["KIND_METHOD", "PREFILLED", "VALUE_REQUIRED", "SheetContext", "SheetRows", "read_rows"]
