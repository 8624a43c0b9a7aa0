"""report.json: the whole assessment under stable names, versioned; its JSON Schema (draft 2020-12) and the
documented fields of its records are the models of :mod:`checker.report.jsonmodel`.

Names never change meaning; a new field may be added (minor version), a removed or renamed one bumps the
major version. No NaN or Infinity (``allow_nan=False`` after turning them into null), dates in ISO 8601.
Text is written as submitted (JSON has no formulas); control characters are escaped by the encoder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

from checker import processes
from checker.report import tables
from checker.report.jsonmodel import (
    SCHEMA_VERSION,
    InputRecord,
    NegativeEventRecord,
    RollupRecord,
    StandardRecord,
    TotalRecord,
    field_names,
)
from checker.report.reasons import gap_texts, plan_note_text, reason_text, veto_texts
from checker.scoring.rankings import RANKING_COLUMNS
from checker.scoring.tracking import ACCOUNTABILITY_COLUMNS

if TYPE_CHECKING:
    from checker.scoring.assessment import Assessment

# The plain records' fields, in documented order, are the models' (checker.report.jsonmodel: the schema's source).
STANDARD_FIELDS = field_names(StandardRecord)
ROLLUP_FIELDS = field_names(RollupRecord)
TOTAL_FIELDS = field_names(TotalRecord)
EVENT_FIELDS = field_names(NegativeEventRecord)
INPUT_FIELDS = field_names(InputRecord)
REJECTED_FIELDS = (*tables.REJECTED_COLUMNS, "standard")
SKIPPED_FIELDS = ("file", "code", "message")
RANKING_FIELDS = RANKING_COLUMNS  # the engine's own order
# What departments[] gain in a recorded round (the engine's accountability counts), and that table's fields.
ACCOUNTABILITY_FIELDS = ACCOUNTABILITY_COLUMNS
DEPARTMENT_TRACKING = ACCOUNTABILITY_COLUMNS[1 : ACCOUNTABILITY_COLUMNS.index("reply_rate")]


def _json_value(value: Any) -> Any:
    value = tables.plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def _records(items: list[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Documented fields in order, then any field the engine added to the dataclass since."""
    if not items:
        return []
    names = list(fields)
    if dataclasses.is_dataclass(items[0]):
        names += [f.name for f in dataclasses.fields(items[0]) if f.name not in fields]
    return [{f: _json_value(getattr(item, f, None)) for f in names} for item in items]


def _standard_records(assessment: Assessment, lang: str) -> list[dict[str, Any]]:
    """The standards, the reason in ``lang`` and reason_args as an object {name: value} (the values of
    reason_code's text)."""
    records = _records(assessment.standards, STANDARD_FIELDS)
    for record, result in zip(records, assessment.standards, strict=True):
        record["reason"] = reason_text(result, lang)
        record["reason_args"] = _args(result.reason_args)
    return records


def _gap_texts(assessment: Assessment, gaps: Any, lang: str) -> dict[str, list[Any]]:
    """The description and required of every gap in ``lang`` (what the engine says by reason_code)."""
    description, required = gap_texts(assessment, gaps, lang)
    return {"description": description, "required": required}


def _args(args: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    return {str(k): _json_value(v) for k, v in args}


def _json_column(frame: Any, column: str) -> list[Any]:
    """One frame column as JSON-ready values, converted per column (not per cell) where the dtype allows."""
    import pandas as pd

    series = frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return [_json_value(v) for v in tables.column_values(frame, column)]
    if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
        return series.astype(object).where(series.notna(), None).tolist()  # type: ignore[no-any-return]
    values = tables.column_values(frame, column)
    if pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
        return [None if isinstance(v, float) and not math.isfinite(v) else v for v in values]
    return [_json_value(v) for v in values]


def _iter_records(
    frame: Any, preferred: tuple[str, ...], texts: dict[str, list[Any]] | None = None
) -> Iterator[dict[str, Any]]:
    """Like :func:`_frame_records`, one record at a time (columns are converted once, up front); a column
    in ``texts`` takes its values from there (the gaps' texts in the report's language)."""
    columns = tables.ordered_columns(frame, preferred, known=preferred)
    if not columns:
        return iter(())
    given = texts or {}
    data = [given[c] if c in given else _json_column(frame, c) for c in columns]
    return (dict(zip(columns, row, strict=True)) for row in zip(*data, strict=True))


def _frame_records(frame: Any, preferred: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of a frame under its column names: documented ones first, any the engine added after."""
    return list(_iter_records(frame, preferred))


REPLY_COLUMNS = ("last_status", "last_completed", "last_measure", "dispatches")


class RecordLines:
    """The records of a frame as JSON text, one line per record, built column by column.

    The text is what ``_dumps`` writes for each record of :func:`_iter_records` (with ``reply``: of
    :func:`_with_reply`), byte for byte: each distinct value of a column is converted and dumped once by
    the same functions, and the lines are assembled in blocks (:mod:`checker.report.columnar`). Writing
    the gaps of a 1M-row round this way takes a fraction of dumping 400k dicts one by one.
    """

    def __init__(
        self,
        frame: Any,
        preferred: tuple[str, ...],
        *,
        reply: bool = False,
        texts: dict[str, list[Any]] | Callable[[Any], dict[str, list[Any]]] | None = None,
    ) -> None:
        self.frame = frame
        # Given, or made from the records' own rows when they are rendered (each half of a split list
        # makes its own: in parallel, and never for the whole list first).
        self.texts = texts if texts is not None else {}
        self.columns = tables.ordered_columns(frame, preferred, known=preferred)
        self.reply = reply and "last_status" in self.columns
        if reply:
            self.columns = [c for c in self.columns if c not in REPLY_COLUMNS]
        self._rendered: tuple[list[tuple[str, Any]], Any] | None = None

    def __len__(self) -> int:
        return len(self.frame) if self.columns or self.reply else 0

    def blocks(self, sep: str) -> Iterator[Any]:
        """The record lines, a block at a time, each block's lines joined with ``sep``, as UTF-8 in an
        Arrow buffer (written to a file as it is, no round trip through a Python str)."""
        from checker.report import columnar

        pieces, reply = self.rendered()
        for start, stop in columnar.blocks(len(self)):
            parts: list[Any] = ["{"]
            for n, (name, column) in enumerate(pieces):
                parts += [(", " if n else "") + name, column.piece(start, stop)]
            if reply is not None:
                parts += [", " if pieces else "", '"last_reply": ', reply(start, stop)]
            parts.append("}")
            yield columnar.lines_utf8(columnar.join(parts), sep)

    def sliced(self, start: int, stop: int) -> RecordLines:
        """The records ``start:stop`` on their own (their lines are the same text)."""
        part = RecordLines.__new__(RecordLines)
        part.frame = self.frame.iloc[start:stop]
        texts = self.texts
        part.texts = texts if callable(texts) else {k: v[start:stop] for k, v in texts.items()}
        part.columns, part.reply, part._rendered = self.columns, self.reply, None
        return part

    def rendered(self) -> tuple[list[tuple[str, Any]], Any]:
        """Each column's distinct values rendered, once, and the last-reply texts."""
        if self._rendered is None:
            if callable(self.texts):
                self.texts = self.texts(self.frame)
            pieces = [(f"{_dumps(c)}: ", self._column(c)) for c in self.columns]
            self._rendered = (pieces, self._reply_texts() if self.reply else None)
        return self._rendered

    def _column(self, column: str) -> Any:
        import pyarrow as pa

        from checker.report import columnar

        texts = self.texts
        assert not callable(texts)  # made by rendered()
        if column in texts:  # given as plain values (the gaps' texts in the report's language)
            values = texts[column]
            try:  # texts and nulls, as they always are: quoted by Arrow; anything else value by value
                return columnar.Quoted(pa.array(values, pa.large_string()))
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                return columnar.Column.of(values, _dump_value, "null")
        return _json_texts(self.frame, column)

    def _reply_texts(self) -> Any:
        """``last_reply`` of each record: null, or the last reply's status, date and measure."""
        import pyarrow.compute as pc

        from checker.report import columnar

        status = _json_texts(self.frame, "last_status")
        completed = _json_texts(self.frame, "last_completed")
        measures = self.frame["last_measure"].astype(object).where(self.frame["last_measure"].notna(), None)
        measure = columnar.Column.of(list(measures), lambda v: _dumps(v or ""), _dumps(""))
        missing = self.frame["last_status"].isna().to_numpy()

        def texts(start: int, stop: int) -> Any:
            whole = columnar.join(
                [
                    '{"status": ',
                    status.piece(start, stop),
                    ', "date": ',
                    completed.piece(start, stop),
                    ', "measure": ',
                    measure.piece(start, stop),
                    "}",
                ]
            )
            return pc.if_else(missing[start:stop], "null", whole)

        return texts


def _dump_value(value: Any) -> str:
    return _quote(value) if type(value) is str else _dumps(value)


def _json_texts(frame: Any, column: str) -> Any:
    """The JSON text of every value of one frame column, as :func:`_json_column` then ``_dumps`` make it,
    rendered once per distinct value (a float's sign of zero counts: ``-0.0`` stays ``-0.0``)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from checker.report import columnar

    series = frame[column]
    if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
        # A text column: a string or null per row, quoted by Arrow over the whole column.
        return columnar.Quoted(pa.array(series.array))
    if pd.api.types.is_float_dtype(series):
        floats = series.to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(floats)
        codes = np.full(len(floats), -1, dtype=np.int64)
        codes[known] = pd.factorize(floats[known].view(np.int64))[0]  # by bits: -0.0 is not 0.0
    else:
        codes, _ = columnar.factorize(series)
    present = np.flatnonzero(codes >= 0)
    count = int(codes.max()) + 1 if len(present) else 0
    first = np.empty(count, dtype=np.int64)
    first[codes[present][::-1]] = present[::-1]  # the first row holding each distinct value
    sample = frame[[column]].iloc[first]  # this column only: the whole frame cost a take of every column
    quote = _quote
    texts = [quote(v) if type(v) is str else _dumps(v) for v in _json_column(sample, column)]
    texts.append("null")
    codes = np.where(codes < 0, count, codes)
    return columnar.Column(codes, pa.array(texts, type=pa.large_string()))


def _with_reply(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Tracked gap records: the last reply's three columns become one object (null when none came)."""
    for record in records:
        status = record.pop("last_status", None)
        completed = record.pop("last_completed", None)
        measure = record.pop("last_measure", None)
        record.pop("dispatches", None)
        record["last_reply"] = (
            None if status is None else {"status": status, "date": completed, "measure": measure or ""}
        )
        yield record


def _tracked(assessment: Assessment, lazy: bool, lang: str) -> dict[str, Any]:
    """What a recorded round adds: gaps' history, the tracking lists, departments' accountability."""
    from checker.report.history import gaps_with_history

    track = assessment.tracking
    gaps = gaps_with_history(assessment)
    out: dict[str, Any] = {
        "gaps": RecordLines(
            gaps, tables.GAP_ORDER, reply=True, texts=partial(_gap_texts, assessment, lang=lang)
        )
        if lazy
        else list(_with_reply(_iter_records(gaps, tables.GAP_ORDER, _gap_texts(assessment, gaps, lang))))
    }
    if track is None:
        return out
    departments = _frame_records(assessment.departments, ("department", *RANKING_FIELDS))
    by_unit = {r["department"]: r for r in _frame_records(track.accountability, ACCOUNTABILITY_FIELDS)}
    for record in departments:
        found = by_unit.get(record["department"], {})
        for name in DEPARTMENT_TRACKING:
            record[name] = found.get(name, 0)
    out["departments"] = departments
    out["tracking"] = {
        "round": track.round,
        "previous": track.previous,
        "as_of": track.as_of.isoformat(),
        "closed": list(track.closed),
        "false_claim": list(track.false_claim),
        "recurred": list(track.recurred),
        "overdue": list(track.overdue),
        "still_open": list(track.still_open),
    }
    out["accountability"] = list(by_unit.values())
    return out


def report_document(
    assessment: Assessment,
    *,
    lazy: bool = False,
    generation: dict[str, Any] | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """The JSON document as Python data (plain types only).

    With ``lazy`` the gaps are a generator of records, for :func:`write_report_json` to stream. A round
    recorded in a ledger adds each gap's history, ``tracking`` and ``accountability``. ``generation``
    (run id, time, the inputs' SHA-256, as ``civcheck-generation.json`` has them) is written second,
    after ``schema_version``, when the report is one output of a ``check`` run. The messages of rejected
    rows, warnings and skipped files are in ``lang``; their ``code`` and ``fields`` hold them in any language.
    So are the engine's sentences — a standard's ``reason``, a gap's ``description`` and ``required`` where
    it has a ``reason_code``, the plan's ``note``, the total's ``veto_reasons`` — written from their codes
    and values (``reason_code``/``reason_args``, ``note_code``/``note_args``, the negative events).
    """
    document = _plain_document(assessment, lazy=lazy, lang=lang)
    if generation is not None:
        document = {"schema_version": document.pop("schema_version"), "generation": generation, **document}
    if assessment.tracking is not None:
        document.update(_tracked(assessment, lazy, lang))
    return document


def _plain_document(assessment: Assessment, *, lazy: bool, lang: str) -> dict[str, Any]:
    options = assessment.options
    total = {f: _json_value(getattr(assessment.total, f, None)) for f in TOTAL_FIELDS}
    total["veto_reasons"] = veto_texts(assessment, lang)
    gaps: Any = (
        RecordLines(assessment.gaps, tables.GAP_ORDER, texts=partial(_gap_texts, assessment, lang=lang))
        if lazy
        else list(
            _iter_records(assessment.gaps, tables.GAP_ORDER, _gap_texts(assessment, assessment.gaps, lang))
        )
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "handbook": {
            "id": assessment.handbook_id,
            "name": assessment.handbook_name,
            "edition": assessment.handbook_edition,
        },
        "district": assessment.district,
        "options": {
            "test_date": options.test_date.isoformat(),
            "observed_draw": options.observed_draw,
            "target": _json_value(options.target),
            "issued": _json_value(assessment.issued),
        },
        "window": {"start": assessment.window[0].isoformat(), "end": assessment.window[1].isoformat()},
        "total": total,
        "rollups": _records(assessment.rollups, ROLLUP_FIELDS),
        "standards": _standard_records(assessment, lang),
        "negative_events": _records(assessment.negative_events, EVENT_FIELDS),
        "gaps": gaps,
        "departments": _frame_records(assessment.departments, ("department", *RANKING_FIELDS)),
        "streets": _frame_records(assessment.streets, ("street", *RANKING_FIELDS)),
        "plan": {
            "note": plan_note_text(assessment, lang),
            "steps": _frame_records(assessment.plan, tables.PLAN_COLUMNS),
            "note_code": assessment.plan_note_code,
            "note_args": _args(assessment.plan_note_args),
        },
        "inputs": _input_records(assessment, lang),
        "skipped": _coded_records(assessment.skipped, SKIPPED_FIELDS, lang),
        "rejected_rows": _coded_records(assessment.rejected, REJECTED_FIELDS, lang),
    }


def _input_records(assessment: Assessment, lang: str) -> list[dict[str, Any]]:
    """The input files, their warnings as texts in ``lang``."""
    records = _records(assessment.inputs, INPUT_FIELDS)
    for record, info in zip(records, assessment.inputs, strict=True):
        record["warnings"] = tables.problem_texts(info.warnings, lang)
    return records


def _coded_records(items: Sequence[Any], fields: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """Rejected rows or skipped files: the documented fields with ``message`` in ``lang``, then ``fields``
    (the values of the message by name; a row with several problems: each one's column, code and fields)."""
    texts = tables.problem_texts(items, lang)
    out = []
    for item, text in zip(items, texts, strict=True):
        record = {f: _json_value(getattr(item, f)) for f in fields if f != "message"}
        record["message"] = text
        record["fields"] = _args(item.fields)
        problems = getattr(item, "problems", ())
        if problems:
            record["problems"] = [
                {"column": column, "code": code, "fields": _args(values)} for column, code, values in problems
            ]
        out.append({f: record[f] for f in (*fields, "fields", "problems") if f in record})
    return out


SPLIT_RECORDS = 50_000  # shorter lists are written whole: a child does not pay for itself


class _ForkedTail:
    """The second half of a record list, rendered by a forked child while this process renders the first
    half, and written by the child into the output itself, in place, while this process writes its half.

    Each process renders its own half (the values' texts do not depend on the other rows). The child
    shares the frames copy-on-write, puts ``sep`` before each of its blocks (so its text follows the first
    half's last line as the parent's next block would), holds them until it is told where its text starts
    (:meth:`place`), writes them there with ``pwrite``, reports their length and leaves with ``os._exit``:
    no atexit handlers, no flushing of the parent's buffers. Writing the child's text once, where it
    belongs, replaced copying it from a file beside the output after the parent's half (~0.4 s of kernel
    copying on one core for a 250k-site round's 120 MB). A child that fails is an error here."""

    def __init__(self, pid: int, at: int, offsets: int, lengths: int) -> None:
        self.pid: int | None = pid
        self.at = at
        self.offsets, self.lengths = offsets, lengths  # pipe ends: to the child, from the child

    @classmethod
    def start(cls, items: RecordLines, sep: str, path: str) -> _ForkedTail | None:
        at = len(items) // 2
        offsets_r, offsets_w = os.pipe()
        lengths_r, lengths_w = os.pipe()
        try:
            pid = processes.fork()
        except OSError:
            for fd in (offsets_r, offsets_w, lengths_r, lengths_w):
                os.close(fd)
            return None  # no second process: the parent writes everything
        if pid == 0:  # the child
            code = 1
            try:
                os.close(offsets_w)
                os.close(lengths_r)
                glue = sep.encode("utf-8")
                blocks = [
                    piece for block in items.sliced(at, len(items)).blocks(sep) for piece in (glue, block)
                ]
                start = where = _read_number(offsets_r)
                fd = os.open(path, os.O_WRONLY)
                try:
                    for piece in blocks:
                        view = memoryview(piece).cast("B")
                        while len(view):
                            written = os.pwrite(fd, view, where)
                            where, view = where + written, view[written:]
                finally:
                    os.close(fd)
                os.write(lengths_w, (where - start).to_bytes(8, "little"))
                code = 0
            finally:
                os._exit(code)
        os.close(offsets_r)
        os.close(lengths_w)
        return cls(pid, at, offsets_w, lengths_r)

    def place(self, offset: int) -> None:
        """Tell the child where in the output its text starts (a child already gone is found by join)."""
        with contextlib.suppress(BrokenPipeError):
            os.write(self.offsets, offset.to_bytes(8, "little"))

    def join(self) -> int:
        """Wait for the child to have written its text; its length in bytes."""
        assert self.pid is not None
        try:
            length = _read_number(self.lengths)
        except EOFError:
            length = -1
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.waitstatus_to_exitcode(status) != 0 or length < 0:
            raise OSError(f"the process writing the second half of report.json's records failed ({status})")
        return length

    def close(self) -> None:
        """Stop a child still running (the parent gave up: an error, an interrupt); close the pipes."""
        if self.pid is not None:
            processes.stop(self.pid)
            self.pid = None
        for fd in (self.offsets, self.lengths):
            with contextlib.suppress(OSError):
                os.close(fd)


def _read_number(fd: int) -> int:
    """An 8-byte number from a pipe; EOFError when the writer closed it first."""
    data = b""
    while len(data) < 8:
        more = os.read(fd, 8 - len(data))
        if not more:
            raise EOFError
        data += more
    return int.from_bytes(data, "little")


@dataclasses.dataclass
class _Split:
    """A record list whose second half a child writes: the parent's rendered first half and the child."""

    head: list[Any]
    tail: _ForkedTail


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
# What json.dumps(text, ensure_ascii=False) does to one string, without building an encoder per call.
_quote: Callable[[str], str] = json.encoder.encode_basestring


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def _text(chunk: Any) -> str:
    return chunk if isinstance(chunk, str) else bytes(chunk).decode("utf-8")


def _chunks(document: dict[str, Any], split: str | None = None) -> Iterator[Any]:
    """The JSON text in pieces: names in documented order, one record per line.

    ``json.dumps(indent=…)`` runs the pure-Python encoder (much slower on 200k gaps); writing each record
    with the C encoder on its own line keeps the file readable and diffable at the C encoder's speed.
    ``split``: the output's path; the second half of a long record list is written into it by a forked
    child (:class:`_ForkedTail`), handed on as a :class:`_Split`.
    """

    def array(items: Iterable[Any] | RecordLines, indent: str) -> Iterator[Any]:
        if isinstance(items, RecordLines):
            if not len(items):
                yield "[]"
                return
            sep = ",\n" + indent
            tail = _ForkedTail.start(items, sep, split) if split and len(items) >= SPLIT_RECORDS else None
            if tail is None:
                first = True
                for block in items.blocks(sep):
                    yield ("[\n" if first else ",\n") + indent
                    yield block
                    first = False
            else:
                try:
                    head: list[Any] = []
                    for block in items.sliced(0, tail.at).blocks(sep):
                        head += [(("[\n" if not head else ",\n") + indent).encode("utf-8"), block]
                    yield _Split(head, tail)
                finally:
                    tail.close()
            yield "\n" + indent[:-1] + "]"
            return
        first = True
        for item in items:
            yield ("[\n" if first else ",\n") + indent + _dumps(item)
            first = False
        yield "[]" if first else "\n" + indent[:-1] + "]"

    yield "{\n"
    for n, (key, value) in enumerate(document.items()):
        yield (",\n" if n else "") + f" {_dumps(key)}: "
        if isinstance(value, (list, Iterator, RecordLines)):
            yield from array(value, "  ")
        elif isinstance(value, dict) and any(isinstance(v, list) and v for v in value.values()):
            yield "{\n"
            for m, (k, v) in enumerate(value.items()):
                yield (",\n" if m else "") + f"  {_dumps(k)}: "
                if isinstance(v, list):
                    yield from array(v, "   ")
                else:
                    yield _dumps(v)
            yield "\n }"
        else:
            yield _dumps(value)
    yield "\n}\n"


def report_json(assessment: Assessment, generation: dict[str, Any] | None = None, lang: str = "zh") -> str:
    """The JSON text of the report (see :func:`write_report_json` for a file)."""
    return "".join(map(_text, _chunks(report_document(assessment, generation=generation, lang=lang))))


def write_report_json(
    assessment: Assessment,
    handle: TextIO,
    generation: dict[str, Any] | None = None,
    lang: str = "zh",
    *,
    split: bool = False,
) -> None:
    """Stream the JSON text to ``handle`` without holding every gap record in memory. ``split``: on Linux,
    a forked child writes the second half of a long gap list at the same time (the same bytes; for a run
    whose only output is report.json, so that the second core works too). Split, each process holds its
    half's rendered lines until the first half's length is known (~120 MB each on a 250k-site round; the
    check's peak, in scoring, moved by the noise: 1,098–1,105 against 1,092–1,100 MiB in three pairs)."""
    raw = getattr(
        handle, "buffer", None
    )  # a text file's bytes underneath: the gap lines go there as they are
    name = getattr(handle, "name", None)
    path = os.path.abspath(name) if isinstance(name, str) and raw is not None else None
    fork = split and path is not None and processes.can_fork()
    document = report_document(assessment, lazy=True, generation=generation, lang=lang)
    for chunk in _chunks(document, split=path if fork else None):
        if isinstance(chunk, str):
            handle.write(chunk)
        elif isinstance(chunk, _Split):
            assert raw is not None  # split only when there is one
            handle.flush()
            start = raw.tell()
            chunk.tail.place(start + sum(memoryview(piece).nbytes for piece in chunk.head))
            for piece in chunk.head:
                raw.write(piece)
            raw.flush()
            raw.seek(raw.tell() + chunk.tail.join())
        elif raw is not None:
            handle.flush()
            raw.write(chunk)
        else:
            handle.write(_text(chunk))
