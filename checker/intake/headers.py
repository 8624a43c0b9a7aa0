"""Find the header row of a sheet and recognise its kind (表头识别).

The header row is looked for in the first rows (title rows and merged titles above it are common). Headers
are matched after normalising: NFKC (full-width → half-width), every kind of space removed (incl. U+3000,
NBSP, zero-width, BOM), case folded, and a trailing note in brackets or a required-marker ``*`` dropped,
so ``点位编号（必填）``, ``点位编号*`` and ``Site ID`` all match. A sheet's kind is the one whose required
headers are all present (the most specific when several are); two columns that mean the same header after
normalising make the sheet unreadable (``duplicate-header``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.intake.kinds import KINDS
from checker.intake.sheets import SheetCells
from checker.intake.values import name_key
from checker.numbers import column_letters

_NOTE = re.compile(r"[(\[【<].*[)\]】>]$")
_MARKERS = re.compile(r"^[*※]+|[*※:]+$")


def header_key(text: str) -> str:
    """The matching key of a header cell."""
    key = name_key(text)
    key = _MARKERS.sub("", key)
    stripped = _NOTE.sub("", key)
    return _MARKERS.sub("", stripped or key)


def _build_index() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for spec in KINDS.values():
        for column in spec.columns:
            for name in (column.header, column.column, *column.aliases):
                index.setdefault(header_key(name), {})[spec.kind] = column.column
    return index


HEADER_INDEX = _build_index()


@dataclass
class Header:
    """A recognised header: the kind, the table row it is on, and where each column is."""

    kind: str
    row: int  # table row index of the header
    columns: dict[str, int]  # kind column → table column index
    labels: dict[str, str]  # kind column → "C 检查结果" (letter and header as written)
    questions: dict[str, int] = field(default_factory=dict)  # responses: question id → table column


@dataclass
class NoHeader:
    """Why a sheet was not read: an intake code and its fields."""

    code: str
    fields: dict[str, object]
    row: int = 0  # spreadsheet row of the offending header, 0 when none


def _question_id(key: str, questions: dict[str, str]) -> str | None:
    found = questions.get(key)
    if found is not None:
        return found
    for qkey, question in questions.items():
        after = key[len(qkey) : len(qkey) + 1]
        if key.startswith(qkey) and not (after.isascii() and after.isalnum()):
            return question  # "Q01 您对…满意" is question Q01; "Q011" is not
    return None


def detect(sheet: SheetCells, questions: dict[str, str], scan_rows: int) -> Header | NoHeader:
    """The header of ``sheet``; ``questions`` maps question keys (name_key) to question ids (题号)."""
    head = [sheet.table.column(i).slice(0, scan_rows).to_pylist() for i in range(sheet.table.num_columns)]
    nrows = min(scan_rows, sheet.table.num_rows)
    best: tuple[tuple[int, int, int], str, int, dict[str, list[int]], dict[str, int]] | None = None
    partial: tuple[float, str, int, set[str]] | None = None
    for r in range(nrows):
        raw = [head[c][r] for c in range(len(head))]
        keys = [header_key(v) if isinstance(v, str) and v.strip() else "" for v in raw]
        if not any(keys):
            continue
        found: dict[str, dict[str, list[int]]] = {}
        for c, key in enumerate(keys):
            for kind, column in HEADER_INDEX.get(key, {}).items():
                found.setdefault(kind, {}).setdefault(column, []).append(c)
        found_questions = {}
        # Question columns only count beside the other headers of a response sheet: a row without any
        # of those (a data row, mostly) is not searched for question prefixes, cell by cell.
        for c, key in enumerate(keys if "responses" in found else ()):
            question = _question_id(key, questions) if key else None
            if question is not None and question not in found_questions:
                found_questions[question] = c
        for kind, spec in KINDS.items():
            cols = found.get(kind, {})
            required = {c.column for c in spec.required}
            present = required & cols.keys()
            if kind == "responses" and not found_questions:
                present = set()
            if present == required:
                score = (len(required), len(cols), -r)
                if best is None or score > best[0]:
                    best = (score, kind, r, cols, found_questions if kind == "responses" else {})
            elif present and len(present) * 2 >= len(required):
                share = len(present) / len(required)
                if partial is None or share > partial[0]:
                    partial = (share, kind, r, required - present)
    if best is None:
        if partial is not None:
            _share, kind, r, missing = partial
            spec = KINDS[kind]
            names = "、".join(c.header for c in spec.columns if c.column in missing)
            return NoHeader("missing-header", {"kind": kind, "missing": names}, sheet.first_row + r)
        reason = "empty" if sheet.table.num_rows == 0 else "no-header"  # keys of codes._TERMS
        return NoHeader("unrecognised-sheet", {"sheet": sheet.name, "reason": reason})
    _score, kind, r, cols, found_questions = best
    raw_row = [head[c][r] for c in range(len(head))]
    labels: dict[str, str] = {}
    columns: dict[str, int] = {}
    for column, positions in cols.items():
        if len(positions) > 1:
            a, b = positions[0], positions[1]
            return NoHeader(
                "duplicate-header",
                {
                    "first": raw_row[a],
                    "second": raw_row[b],
                    "a": column_letters(sheet.columns[a] + 1),
                    "b": column_letters(sheet.columns[b] + 1),
                },
                sheet.first_row + r,
            )
        columns[column] = positions[0]
        labels[column] = (
            f"{column_letters(sheet.columns[positions[0]] + 1)} {str(raw_row[positions[0]]).strip()}"
        )
    for question, c in found_questions.items():
        labels[f"q:{question}"] = f"{column_letters(sheet.columns[c] + 1)} {str(raw_row[c]).strip()}"
    return Header(kind, r, columns, labels, found_questions)


__all__ = ["HEADER_INDEX", "Header", "NoHeader", "detect", "header_key"]
