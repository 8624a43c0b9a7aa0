"""Recording departments' replies (整改反馈) against the ledger: every row checked, valid rows kept.

A reply row is rejected, with file, sheet, row, column and a code, when its 问题编号 is unknown to the
ledger (``unknown-problem``), belongs to another unit than the file's (``other-department``), says 已整改
without a measure (``measure-missing``) or a completion date (``date-missing``), or gives a completion
date after today (``date-future``) or before the problem was first dispatched (``date-before-dispatch``).
A row identical to a reply already recorded is skipped (``duplicate-reply``, a warning). Statuses outside
the list were already rejected by intake (``bad-status``). A file's unit is the department its file name
names (交办单 are named after the unit), else the unit most of its problems belong to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

import pandas as pd

from checker.campaign.ledger import Ledger, now_text
from checker.intake.codes import fields_of
from checker.intake.evidence import Rejection
from checker.scoring.gaps import is_legacy_id, legacy_ids, normalise_id
from checker.scoring.tracking import FIXED, member


@dataclass
class ReplyOutcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    by_department: dict[str, int] = field(default_factory=dict)


def _problems(ledger: Ledger) -> pd.DataFrame:
    """Every problem with its unit (of its latest failing finding) and the day it was first dispatched."""
    return ledger.frame(
        """
        SELECT p.problem_id, p.key, last.department, first.issued AS dispatched
        FROM problems p
        JOIN (SELECT f.problem_id, f.department, max(r.seq)
              FROM findings f JOIN rounds r USING (round_id) WHERE f.outcome = 'fail'
              GROUP BY f.problem_id) last ON last.problem_id = p.problem_id
        JOIN (SELECT f.problem_id, r.issued, min(r.seq)
              FROM findings f JOIN rounds r USING (round_id) WHERE f.outcome = 'fail'
              GROUP BY f.problem_id) first ON first.problem_id = p.problem_id
        """
    )


def _legacy_index(ledger: Ledger) -> pd.Series:
    """problem_id by the legacy id of each key a problem answers to (its own and its aliases)."""
    keys = ledger.frame(
        "SELECT key, problem_id FROM problems UNION ALL SELECT key, problem_id FROM problem_keys"
    )
    index = pd.Series(
        keys["problem_id"].to_numpy(), index=legacy_ids(keys["key"].astype("string")).to_numpy()
    )
    return index[~index.index.duplicated()]


def _file_department(file: str, departments: pd.Series) -> str | None:
    stem = PurePath(file).stem
    known = {d for d in departments.dropna().astype(str) if d}
    for name in sorted(known, key=len, reverse=True):
        if stem == name or stem.startswith(name):
            return name
    counts = Counter(d for d in departments.dropna().astype(str) if d)
    return counts.most_common(1)[0][0] if counts else None


def record_replies(ledger: Ledger, replies: pd.DataFrame, *, received: date, today: date) -> ReplyOutcome:
    """Check and record the accepted rows of a replies frame (intake's ``replies`` kind). One transaction.

    Rejected replies keep their code and values; the caller renders them in its language."""
    outcome = ReplyOutcome()
    if replies.empty:
        return outcome
    problems = _problems(ledger)
    by_id = problems.set_index("problem_id")
    raw = replies["problem_id"].astype(str)
    typed = raw.map({v: normalise_id(v) for v in raw.unique()})
    old = typed.map(is_legacy_id).astype(bool)
    # An id of a problem merged into another (problem_aliases) names the problem it was merged into.
    named = ledger.resolve_ids(typed[~old].unique().tolist())
    pid = typed.where(~old).map(named)
    if old.any():  # a 交办单 from before the P-XXXX-XXXX ids: its ids are hashes of the problems' keys
        pid = pid.where(~old, typed.map(_legacy_index(ledger)))
    pid = pid.where(member(pid, by_id.index))
    department = pid.map(by_id["department"])
    dispatched = pd.to_datetime(pid.map(by_id["dispatched"]))
    completed = pd.to_datetime(replies["date"])
    measure = replies["measure"].astype("string").fillna("").str.strip()
    status = replies["status"].astype(str)
    file_unit = {f: _file_department(f, department[replies["_file"] == f]) for f in replies["_file"].unique()}
    unit = replies["_file"].map(file_unit)
    now = pd.Timestamp(today)
    fixed = status == FIXED
    checks: list[tuple[pd.Series, str, str, dict[str, object]]] = [
        (pid.isna(), "unknown-problem", "问题编号", {}),
        (pid.notna() & unit.notna() & (department != unit), "other-department", "问题编号", {}),
        (fixed & (measure == ""), "measure-missing", "整改措施", {}),
        (fixed & completed.isna(), "date-missing", "完成日期", {}),
        (completed > now, "date-future", "完成日期", {"today": today.isoformat()}),
        (completed < dispatched, "date-before-dispatch", "完成日期", {}),
    ]
    bad = pd.Series(False, index=replies.index)
    for mask, code, column, extra in checks:
        mask = mask.fillna(False).astype(bool) & ~bad
        for at in replies.index[mask]:
            values = {
                "value": raw[at],
                "department": department[at],
                "unit": unit[at],
                "date": "" if pd.isna(completed[at]) else completed[at].date().isoformat(),
                "dispatched": "" if pd.isna(dispatched[at]) else dispatched[at].date().isoformat(),
                **extra,
            }
            outcome.rejected.append(
                Rejection(
                    str(replies.at[at, "_file"]),
                    str(replies.at[at, "_sheet"]),
                    int(str(replies.at[at, "_row"])),
                    column,
                    code,
                    fields_of(values),
                )
            )
        bad |= mask
    good = replies.index[~bad]
    photo = (
        replies["photo"].astype("string").fillna("")
        if "photo" in replies
        else pd.Series("", index=replies.index)
    )
    recorded_at = now_text()
    rows = [
        (
            pid[at],
            status[at],
            measure[at],
            None if pd.isna(completed[at]) else completed[at].date().isoformat(),
            str(photo[at]),
            "" if pd.isna(unit[at]) else str(unit[at]),
            received.isoformat(),
            str(replies.at[at, "_file"]),
            str(replies.at[at, "_sheet"]),
            int(str(replies.at[at, "_row"])),
            recorded_at,
        )
        for at in good
    ]
    with ledger.transaction() as conn:
        seen = {
            tuple(r)
            for r in conn.execute("SELECT problem_id, status, measure, coalesce(completed, '') FROM replies")
        }
        fresh = []
        for row in rows:
            key = (row[0], row[1], row[2], row[3] or "")
            if key in seen:
                outcome.duplicates += 1
                continue
            seen.add(key)
            fresh.append(row)
        conn.executemany(
            "INSERT INTO replies(problem_id, status, measure, completed, photo, department, received, file, "
            "sheet, row, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            fresh,
        )
        outcome.accepted = len(fresh)
        ledger.event("replies", f"{len(fresh)} accepted, {len(outcome.rejected)} rejected")
    for row in fresh:
        outcome.by_department[row[5]] = outcome.by_department.get(row[5], 0) + 1
    return outcome


def record_decision(ledger: Ledger, problem: str, decision: str, note: str, decided_on: date) -> str:
    """Record the office's decision on a 无法整改 / 有异议 reply: ``accept`` or ``reject``."""
    from checker.campaign.ledger import LedgerError

    typed = normalise_id(problem)
    pid = ledger.resolve_ids([typed]).get(typed, "")  # an alias names the problem it was merged into
    if not pid:
        raise LedgerError(
            f"no problem {problem!r} in {ledger.path}", zh=f"台账 {ledger.path} 中没有编号为“{problem}”的问题"
        )
    if decision not in ("accept", "reject"):
        raise LedgerError(
            f"decision must be accept or reject, not {decision!r}",
            zh=f"决定须为 accept（认可）或 reject（不予认可），不能是“{decision}”",
        )
    with ledger.transaction() as conn:
        conn.execute(
            "INSERT INTO decisions(problem_id, decision, note, decided_on, recorded_at) VALUES (?, ?, ?, ?, ?)",
            (pid, decision, note, decided_on.isoformat(), now_text()),
        )
        ledger.event("decision", f"{pid} {decision}")
    return pid
