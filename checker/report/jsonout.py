"""report.json: the whole assessment under stable names, versioned, with its JSON Schema (draft 2020-12).

Names never change meaning; a new field may be added (minor version), a removed or renamed one bumps the
major version. No NaN or Infinity (``allow_nan=False`` after turning them into null), dates in ISO 8601.
Text is written as submitted (JSON has no formulas); control characters are escaped by the encoder.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TextIO

from checker.intake.codes import CODES
from checker.report import tables
from checker.report.reasons import gap_texts, plan_note_text, reason_text, veto_texts
from checker.scoring.rankings import RANKING_COLUMNS
from checker.scoring.tracking import ACCOUNTABILITY_COLUMNS

if TYPE_CHECKING:
    from checker.scoring.assessment import Assessment

# 1.1: reason_args, reason_code, plan note_code / note_args; 1.2: key, tracking; 1.3: skipped (the files of
# the evidence folder that were not read); 1.4: generation; 1.5: fields (and problems) of rejected rows and
# skipped files, their message in the report's language, their codes enumerated
SCHEMA_VERSION = "1.5"
SCHEMA_ID = "https://civcheck.example/report.schema.json"

STANDARD_FIELDS = (
    "code",
    "text",
    "method",
    "project",
    "indicator",
    "content",
    "status",
    "grade",
    "points",
    "score",
    "expected_share",
    "p_full",
    "lead",
    "departments",
    "reason",
    *tables.STANDARD_COUNTS,
    *tables.SURVEY_RESULT,
    "reason_code",
    "grade_probabilities",
    "excluded_sites",
    "reason_args",
)
ROLLUP_FIELDS = (
    "level",
    "code",
    "name",
    "points",
    "score",
    "low",
    "high",
    "standards",
    "passed",
    "no_evidence",
    "weighted",
    "weighted_max",
)
TOTAL_FIELDS = ("score", "max", "low", "high", "max_reachable", "deductions", "veto", "veto_reasons")
EVENT_FIELDS = ("code", "text", "date", "note", "deduction", "veto", "evidence")
INPUT_FIELDS = (
    "file",
    "sha256",
    "format",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "rows_blank",
    "sheets",
    "skipped_sheets",
    "warnings",
    "encoding",
)
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
    records = _with_reply(_iter_records(gaps, tables.GAP_ORDER, _gap_texts(assessment, gaps, lang)))
    out: dict[str, Any] = {"gaps": records if lazy else list(records)}
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
    records = _iter_records(assessment.gaps, tables.GAP_ORDER, _gap_texts(assessment, assessment.gaps, lang))
    gaps: Any = records if lazy else list(records)
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


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _chunks(document: dict[str, Any]) -> Iterator[str]:
    """The JSON text in pieces: names in documented order, one record per line.

    ``json.dumps(indent=…)`` runs the pure-Python encoder (much slower on 200k gaps); writing each record
    with the C encoder on its own line keeps the file readable and diffable at the C encoder's speed.
    """

    def array(items: Iterable[Any], indent: str) -> Iterator[str]:
        first = True
        for item in items:
            yield ("[\n" if first else ",\n") + indent + _dumps(item)
            first = False
        yield "[]" if first else "\n" + indent[:-1] + "]"

    yield "{\n"
    for n, (key, value) in enumerate(document.items()):
        yield (",\n" if n else "") + f" {_dumps(key)}: "
        if isinstance(value, (list, Iterator)):
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
    return "".join(_chunks(report_document(assessment, generation=generation, lang=lang)))


def write_report_json(
    assessment: Assessment, handle: TextIO, generation: dict[str, Any] | None = None, lang: str = "zh"
) -> None:
    """Stream the JSON text to ``handle`` without holding every gap record in memory."""
    for chunk in _chunks(report_document(assessment, lazy=True, generation=generation, lang=lang)):
        handle.write(chunk)


# -- schema -----------------------------------------------------------------------------------------

_NUM = {"type": "number"}
_NUM_OR_NULL = {"type": ["number", "null"]}
_INT = {"type": "integer"}
_INT_OR_NULL = {"type": ["integer", "null"]}
_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_BOOL = {"type": "boolean"}
_DATE = {"type": "string", "format": "date"}
_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_STRS = {"type": "array", "items": _STR}
_STATUS = {"enum": ["pass", "partial", "fail", "no_evidence", "not_applicable", "invalid"]}
# The values of a reason's template by name: numbers, text, flags, lists of names (materials, indicators).
_REASON_ARGS = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean", "null", "array"], "items": _STR},
}


# The codes intake rejects a file, a sheet or a row with, and skips a file of the folder with.
_REJECTION_CODES = {
    "type": "string",
    "enum": sorted(c for c, e in CODES.items() if e.level in ("file", "sheet", "row")),
}
_SKIPPED_CODES = {"type": "string", "enum": sorted(c for c, e in CODES.items() if e.level == "skipped")}
# The values of a coded problem's message by name (rendered in the report's language as ``message``).
_FIELDS = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}
# A row with several problems: each one's column, code and fields (optional; absent with one problem).
_PROBLEMS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"column": _STR, "code": _REJECTION_CODES, "fields": _FIELDS},
        "required": ["column", "code", "fields"],
        "additionalProperties": False,
    },
}


def _rejected_row() -> dict[str, Any]:
    row = _object(
        {
            "file": _STR,
            "sheet": _STR,
            "row": {"type": "integer", "minimum": 0},
            "column": _STR,
            "code": _REJECTION_CODES,
            "message": _STR,
            "standard": _STR,
            "fields": _FIELDS,
        }
    )
    row["properties"]["problems"] = _PROBLEMS  # not required: only a row with several problems has it
    return row


def _object(properties: dict[str, Any], *, extra: bool = True) -> dict[str, Any]:
    """An object whose documented fields are all required; engines may add more when ``extra``."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": extra,
    }


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of report.json."""
    ranking = {
        "sites": _INT_OR_NULL,
        "inspections": _INT_OR_NULL,
        "problems": _INT_OR_NULL,
        "conformity": _NUM_OR_NULL,
        "gaps": _INT_OR_NULL,
        "points_recoverable": _NUM_OR_NULL,
        "total_recoverable": _NUM_OR_NULL,
        "rank": _INT_OR_NULL,
    }
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "civcheck report",
        "description": "A civilized-city self-check assessment: totals, standards, gaps, rankings, inputs.",
        **_object(
            {
                "schema_version": {"type": "string", "pattern": r"^1\.\d+$"},
                "handbook": _object({"id": _STR, "name": _STR, "edition": _STR}),
                "district": _STR,
                "options": _object(
                    {
                        "test_date": _DATE,
                        "observed_draw": _BOOL,
                        "target": _NUM_OR_NULL,
                        "issued": _DATE_OR_NULL,
                    }
                ),
                "window": _object({"start": _DATE, "end": _DATE}),
                "total": _object(
                    {
                        "score": _NUM,
                        "max": _NUM,
                        "low": _NUM,
                        "high": _NUM,
                        "max_reachable": _NUM,
                        "deductions": _NUM,
                        "veto": _BOOL,
                        "veto_reasons": _STRS,
                    }
                ),
                "rollups": {
                    "type": "array",
                    "items": _object(
                        {
                            "level": {"enum": ["project", "indicator", "content", "method"]},
                            "code": _STR,
                            "name": _STR,
                            "points": _NUM,
                            "score": _NUM,
                            "low": _NUM,
                            "high": _NUM,
                            "standards": _INT,
                            "passed": _INT,
                            "no_evidence": _INT,
                            "weighted": _NUM_OR_NULL,
                            "weighted_max": _NUM_OR_NULL,
                        }
                    ),
                },
                "standards": {
                    "type": "array",
                    "items": _object(
                        {
                            "code": _STR,
                            "text": _STR,
                            "method": {"enum": ["field", "document", "survey", "data"]},
                            "project": _STR,
                            "indicator": _STR,
                            "content": _STR,
                            "status": _STATUS,
                            "grade": {"enum": ["A", "B", "C", "C#", None]},
                            "points": _NUM,
                            "score": _NUM,
                            "expected_share": {"type": "number", "minimum": 0, "maximum": 1},
                            "p_full": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                            "lead": _STR,
                            "departments": _STRS,
                            "reason": _STR,
                            "rows": _INT,
                            "sites_inspected": _INT,
                            "sites_failing": _INT,
                            "cases": _INT,
                            "sites_registered": _INT,
                            "sites_uncovered": _INT,
                            "sample": _INT_OR_NULL,
                            "sample_short": _BOOL,
                            "missing_materials": _STRS,
                            "rate": _NUM_OR_NULL,
                            "rate_low": _NUM_OR_NULL,
                            "rate_high": _NUM_OR_NULL,
                            "target": _NUM_OR_NULL,
                            "respondents": _INT_OR_NULL,
                            "small_sample": _BOOL,
                            "interval_below_target": _BOOL,
                            "reason_code": _STR,
                            "grade_probabilities": {
                                "type": ["array", "null"],
                                "items": {"type": "number", "minimum": 0, "maximum": 1},
                                "minItems": 4,
                                "maxItems": 4,
                            },
                            "excluded_sites": _INT,
                            "reason_args": _REASON_ARGS,
                        }
                    ),
                },
                "negative_events": {
                    "type": "array",
                    "items": _object(
                        {
                            "code": _STR,
                            "text": _STR,
                            "date": _DATE,
                            "note": _STR,
                            "deduction": _NUM,
                            "veto": _BOOL,
                            "evidence": _STR,
                        }
                    ),
                },
                "gaps": {
                    "type": "array",
                    "items": _object(
                        {
                            "id": _STR,
                            "kind": {
                                "enum": [
                                    "site_problem",
                                    "coverage",
                                    "material",
                                    "survey",
                                    "data",
                                    "negative",
                                    "standard",
                                ]
                            },
                            "standard": _STR_OR_NULL,
                            "project": _STR_OR_NULL,
                            "method": _STR_OR_NULL,
                            "site": _STR_OR_NULL,
                            "site_name": _STR_OR_NULL,
                            "site_type": _STR_OR_NULL,
                            "street": _STR_OR_NULL,
                            "department": _STR_OR_NULL,
                            "description": _STR_OR_NULL,
                            "required": _STR_OR_NULL,
                            "cases": _INT_OR_NULL,
                            "photo": _STR_OR_NULL,
                            "points_lost": _NUM_OR_NULL,
                            "points_recoverable": {"type": "number", "minimum": 0},
                            "total_recoverable": {"type": "number", "minimum": 0},
                            "deadline": _DATE_OR_NULL,
                            "evidence": _STR_OR_NULL,
                            "reason_code": _STR_OR_NULL,
                        }
                    ),
                },
                "departments": {
                    "type": "array",
                    "items": _object({"department": _STR_OR_NULL, **ranking}),
                },
                "streets": {"type": "array", "items": _object({"street": _STR_OR_NULL, **ranking})},
                "plan": _object(
                    {
                        "note": _STR,
                        "steps": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "step": _INT,
                                    "id": _STR,
                                    "kind": _STR_OR_NULL,
                                    "cost": _NUM,
                                    "standard": _STR_OR_NULL,
                                    "site": _STR_OR_NULL,
                                    "department": _STR_OR_NULL,
                                    "points_recoverable": _NUM,
                                    "total_gain": _NUM,
                                    "cumulative_score": _NUM,
                                },
                                "required": ["points_recoverable", "cumulative_score"],
                            },
                        },
                        "note_code": _STR,
                        "note_args": _REASON_ARGS,
                    }
                ),
                "inputs": {
                    "type": "array",
                    "items": _object(
                        {
                            "file": _STR,
                            "sha256": _STR,
                            "format": _STR,
                            "rows_read": _INT,
                            "rows_accepted": _INT,
                            "rows_rejected": _INT,
                            "rows_blank": _INT,
                            "sheets": _STRS,
                            "skipped_sheets": _STRS,
                            "warnings": _STRS,
                            "encoding": _STR_OR_NULL,
                        }
                    ),
                },
                # Every file of the evidence folder is in inputs[] or here, with its skipped-… code.
                "skipped": {
                    "type": "array",
                    "items": _object(
                        {
                            "file": _STR,
                            "code": _SKIPPED_CODES,
                            "message": _STR,
                            "fields": _FIELDS,
                        }
                    ),
                },
                "rejected_rows": {"type": "array", "items": _rejected_row()},
            },
            extra=False,
        ),
    }
    _add_tracking_schema(schema)
    # The run that wrote the file (optional: absent when a report is made without `check`).
    schema["properties"]["generation"] = _object(
        {
            "run_id": _STR,
            "written_at": {"type": "string", "format": "date-time"},
            "inputs": {"type": "object", "additionalProperties": _STR},
        }
    )
    return schema


_LIFECYCLE = {"enum": ["new", "dispatched", "in_progress", "claimed", "closed", "false_claim", "recurred",
                       "overdue", "cannot_fix", "disputed"]}  # fmt: skip


def _add_tracking_schema(schema: dict[str, Any]) -> None:
    """The names a recorded round adds (optional: absent without a ledger)."""
    props = schema["properties"]
    gap = props["gaps"]["items"]["properties"]
    gap["key"] = _STR
    gap["lifecycle"] = _LIFECYCLE
    gap["first_seen"] = _STR_OR_NULL
    gap["rounds_open"] = _INT
    gap["last_reply"] = {
        "oneOf": [
            {"type": "null"},
            _object({"status": {"enum": ["已整改", "整改中", "无法整改", "有异议"]}, "date": _DATE_OR_NULL,
                     "measure": _STR}),
        ]
    }  # fmt: skip
    unit = props["departments"]["items"]["properties"]
    for name in DEPARTMENT_TRACKING:
        unit[name] = _INT
    ids = {"type": "array", "items": _STR}
    props["tracking"] = _object(
        {"round": _STR, "previous": _STR_OR_NULL, "as_of": _DATE, "closed": ids, "false_claim": ids,
         "recurred": ids, "overdue": ids, "still_open": ids}
    )  # fmt: skip
    props["accountability"] = {
        "type": "array",
        "items": _object(
            {"department": _STR, **{n: _INT for n in DEPARTMENT_TRACKING}, "reply_rate": _NUM,
             "on_time_rate": _NUM, "fix_rate": _NUM, "rank": _INT}
        ),
    }  # fmt: skip
