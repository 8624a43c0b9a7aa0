"""The few mistakes a real round always has (``SampleOptions.flaws``), planned from their own random stream.

A liaison officer mistypes a standard code, types a date that does not exist, writes a result word the
form does not know (基本符合), gets a site id wrong (the letter O for a zero), or writes 若干 instead of a
number of problems. :func:`plan_bad_cells` puts one of each of these five kinds into the workbooks of one
or two departments, each on a different row, so the reader rejects exactly those rows with their codes
(:data:`EXPECTED_CODES`). A department also leaves one line of its checklist out altogether
(:func:`standard_left_out`: every row of the field standard with the fewest rows), and one unit never
submits the materials of one document standard (:func:`document_left_out`), so the round has standards
without any evidence and its total a real range.

The stream is the seed's own (never shared with the clean round's draws), so a flawed round differs from
the clean one with the same seed only in the files that hold a flaw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from checker.generate.district import STREETS
from checker.generate.inspections import Inspections
from checker.generate.paperwork import DocumentStats
from checker.generate.writers import Table
from checker.handbook.model import Handbook
from checker.intake.values import code_key

__all__ = [
    "EXPECTED_CODES",
    "KINDS",
    "BadCell",
    "document_left_out",
    "flaw_stream",
    "keep_rows",
    "omit_document",
    "plan_bad_cells",
    "render_date",
    "standard_left_out",
]

FLAW_STREAM = 6  # the child of the seed's SeedSequence the flaws draw from (0–5 make the clean round)
# Kind of bad row → the inspection column it spoils and the code the reader rejects it with.
KINDS: dict[str, str] = {
    "standard": "standard",
    "date": "date",
    "result": "result",
    "site": "site_id",
    "cases": "cases",
}
EXPECTED_CODES: dict[str, str] = {
    "standard": "unknown-standard",
    "date": "bad-date",
    "result": "bad-result",
    "site": "site-not-registered",
    "cases": "bad-number",
}
FIRST_FILE_FLAWS = 3  # with two departments: three bad rows in the first workbook, two in the second
CASES_WORD = "若干"
HEDGED_RESULT = "基本{}"  # 基本符合, 基本合格, 基本达标
THIRTY_DAY_MONTHS = (4, 6, 9, 11)


def flaw_stream(seed: int) -> np.random.Generator:
    """The flaws' own random stream: the seed's child :data:`FLAW_STREAM`."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(FLAW_STREAM + 1)[FLAW_STREAM])


@dataclass(frozen=True)
class BadCell:
    """One spoiled cell of an inspection row; the reader rejects the row with ``code``."""

    row: int  # index into the Inspections arrays
    team: int  # index into Inspections.teams (the workbook)
    kind: str  # a key of KINDS
    column: str  # normalised inspection column
    value: str | tuple[int, int, int]  # the text written; for a date (year, month, day), rendered per layout
    code: str


def keep_rows(rows: Inspections, keep: np.ndarray) -> Inspections:
    """The rows where ``keep`` is true (same order)."""
    return replace(
        rows,
        site=rows.site[keep],
        standard=rows.standard[keep],
        result=rows.result[keep],
        cases=rows.cases[keep],
        description=rows.description[keep],
        date=rows.date[keep],
        inspector=rows.inspector[keep],
        photo=rows.photo[keep],
        team=rows.team[keep],
    )


def standard_left_out(rows: Inspections, rng: np.random.Generator) -> int | None:
    """The field standard (index into ``rows.codes``) whose rows a department left out: one with the fewest
    rows (a rare site type's line of the checklist); None when the round has fewer than two standards."""
    counts = np.bincount(rows.standard, minlength=len(rows.codes))
    present = np.flatnonzero(counts)
    if len(present) < 2:
        return None
    fewest = present[counts[present] == counts[present].min()]
    return int(fewest[rng.integers(0, len(fewest))])


def _mistyped_code(code: str, known: set[str], rng: np.random.Generator) -> str:
    """``code`` with its last number mistyped into one the handbook does not have (Ⅲ-47-3 → Ⅲ-47-8)."""
    head, _, last = code.rpartition("-")
    stem = f"{head}-" if head and last.isdigit() else code
    for digit in rng.permutation(np.arange(5, 10)).tolist():
        candidate = f"{stem}{digit}"
        if code_key(candidate) not in known:
            return candidate
    return f"{code}0" if code_key(f"{code}0") not in known else f"{code}-99"


def _wrong_site_id(site_id: str, registered: set[str]) -> str:
    """The id with its first zero typed as the letter O (BJ0123 → BJO123); else an O typed after it."""
    digits = next((i for i, ch in enumerate(site_id) if ch.isdigit()), len(site_id))
    zero = site_id.find("0", digits)
    if zero >= 0 and (typo := f"{site_id[:zero]}O{site_id[zero + 1 :]}") not in registered:
        return typo
    return f"{site_id}O"


def _impossible_date(day: dt.date) -> tuple[int, int, int]:
    """A date that does not exist, near the real one: the 31st of a 30-day month, else month 13."""
    if day.month in THIRTY_DAY_MONTHS:
        return day.year, day.month, 31
    return day.year, 13, day.day


def render_date(value: tuple[int, int, int], style: str) -> str:
    """An impossible date as the team types its dates (a date-cell team types it as text)."""
    year, month, day = value
    if style == "slash":
        return f"{year}/{month}/{day}"
    if style == "chinese":
        return f"{year}年{month}月{day}日"
    return f"{year}-{month:02d}-{day:02d}"


def plan_bad_cells(
    handbook: Handbook,
    rows: Inspections,
    site_ids: np.ndarray,
    pass_words: Sequence[str],
    rng: np.random.Generator,
) -> list[BadCell]:
    """One bad row of each kind, in the workbooks of one or two departments (teams after the streets).

    A department qualifies with at least five passed rows and one failed row; the spoilt rows are passed
    rows, except 若干 in 问题数, which goes on a failed one. ``pass_words`` is each team's word for a pass.
    """
    departments = [t for t in range(len(rows.teams)) if rows.teams[t] not in STREETS]
    eligible = [
        t
        for t in departments
        if int(((rows.team == t) & (rows.result == 0)).sum()) >= len(KINDS)
        and bool(((rows.team == t) & (rows.result == 1)).any())
    ]
    if not eligible:
        return []
    chosen = sorted(rng.choice(eligible, size=min(2, len(eligible)), replace=False).tolist())
    kinds = [list(KINDS)[k] for k in rng.permutation(len(KINDS)).tolist()]
    split = FIRST_FILE_FLAWS if len(chosen) == 2 else len(kinds)
    known = {code_key(k) for k in handbook.code_index()}
    registered = {str(s) for s in site_ids.tolist()}
    cells: list[BadCell] = []
    for team, group in ((chosen[0], kinds[:split]), (chosen[-1], kinds[split:])):
        passed = np.flatnonzero((rows.team == team) & (rows.result == 0))
        picks = iter(rng.choice(passed, size=len(group), replace=False).tolist())
        for kind in group:
            if kind == "cases":
                row = int(rng.choice(np.flatnonzero((rows.team == team) & (rows.result == 1))))
            else:
                row = int(next(picks))
            value: str | tuple[int, int, int]
            if kind == "standard":
                value = _mistyped_code(rows.codes[int(rows.standard[row])], known, rng)
            elif kind == "date":
                value = _impossible_date(rows.date[row].astype(dt.date))
            elif kind == "result":
                word = pass_words[team]
                value = HEDGED_RESULT.format(word if word.isalpha() else "符合")
            elif kind == "site":
                value = _wrong_site_id(str(site_ids[int(rows.site[row])]), registered)
            else:
                value = CASES_WORD
            cells.append(BadCell(row, team, kind, KINDS[kind], value, EXPECTED_CODES[kind]))
    return sorted(cells, key=lambda c: c.row)


def document_left_out(handbook: Handbook, documents: Table, rng: np.random.Generator) -> str | None:
    """A document standard none of whose materials was submitted; None with fewer than two in the table."""
    submitted = sorted(set(documents.columns[0]), key=[s.code for s in handbook.standards].index)
    if len(submitted) < 2:
        return None
    return str(submitted[int(rng.integers(0, len(submitted)))])


def omit_document(documents: Table, stats: DocumentStats, code: str, window_start: int) -> Table:
    """The table without the rows of standard ``code``: their attachments are not written, and every
    material of the standard counts as missing (none as outdated or a link any more). ``window_start`` is
    the Excel serial of the document window's first day."""
    codes, days, refs = documents.columns[0], documents.columns[4], documents.columns[-1]
    dropped = [i for i, c in enumerate(codes) if c == code]
    for i in dropped:
        ref = str(refs[i])
        if stats.attachments.pop(ref, None) is None:
            stats.links -= 1
        stats.outdated -= int(days[i]) < window_start
    stats.missing += len(dropped)
    stats.rows -= len(dropped)
    keep = [i for i, c in enumerate(codes) if c != code]
    return replace(documents, columns=[[column[i] for i in keep] for column in documents.columns])
