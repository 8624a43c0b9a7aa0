"""Recording a round into the ledger (``check --record``): its result, every gap under its stable id, and
which earlier problems this round re-inspected and found fixed (销号). One transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from checker.campaign.ledger import Ledger, LedgerError, handbook_hash, inputs_hash, now_text
from checker.scoring import gaps as gapmod
from checker.scoring.tracking import Tracking, tracking

if TYPE_CHECKING:
    from checker.handbook.model import Handbook
    from checker.scoring.assessment import Assessment

SITE_KINDS = ("site_problem", "coverage")


@dataclass
class Recorded:
    round_id: int
    name: str
    tracking: Tracking
    warnings: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # computed id → the id the ledger knows it by


def _iso(series: pd.Series) -> list[str | None]:
    values = pd.to_datetime(series)
    text = values.dt.strftime("%Y-%m-%d")
    return [None if pd.isna(v) else str(v) for v in text]


def _key_parts(keys: pd.Series) -> pd.DataFrame:
    parts = keys.str.split("|", n=2, expand=True).reindex(columns=[0, 1, 2])
    return pd.DataFrame(
        {"kind": parts[0].fillna(""), "standard": parts[1].fillna(""), "rest": parts[2].fillna("")}
    )


def _alias_keys(ledger: Ledger, handbook: Handbook) -> None:
    """Problems first recorded under a standard's old code (an alias in this edition) answer to the keys
    of the new code too, so they keep their ids when the handbook renames the standard."""
    renamed = {alias: s.code for s in handbook.standards for alias in s.aliases}
    if not renamed:
        return
    marks = ",".join("?" * len(renamed))
    rows = ledger.conn.execute(
        f"SELECT problem_id, key, standard FROM problems WHERE standard IN ({marks})", tuple(renamed)
    ).fetchall()
    extra = []
    for problem_id, key, standard in rows:
        kind, _, rest = key.split("|", 2) if key.count("|") >= 2 else (*key.split("|", 1), "")
        new_key = f"{kind}|{renamed[standard]}" + (f"|{rest}" if rest else "")
        extra.append((new_key, problem_id))
    ledger.conn.executemany("INSERT OR IGNORE INTO problem_keys(key, problem_id) VALUES (?, ?)", extra)


def _problem_ids(ledger: Ledger, gaps: pd.DataFrame, round_id: int) -> pd.Series:
    """The ledger's id of every gap: the id it was first recorded under, or its computed id (lengthened
    when another key already holds it). New problems are inserted."""
    keys = gaps["key"].astype(str)
    key_list = keys.tolist()  # plain lists: iterating an Arrow-backed Series costs ~1 µs per value
    computed_list = gaps["id"].astype(str).tolist()
    conn = ledger.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS round_keys(key TEXT PRIMARY KEY, computed TEXT)")
    conn.execute("DELETE FROM round_keys")
    conn.executemany(
        "INSERT OR IGNORE INTO round_keys VALUES (?, ?)", zip(key_list, computed_list, strict=True)
    )
    known = dict(
        conn.execute(
            "SELECT r.key, k.problem_id FROM round_keys r JOIN problem_keys k ON k.key = r.key"
        ).fetchall()
    )
    fresh = [k for k in dict.fromkeys(key_list) if k not in known]
    if fresh:
        computed = dict(zip(key_list, computed_list, strict=True))
        taken = {
            r[0]
            for r in conn.execute(
                "SELECT p.problem_id FROM round_keys r JOIN problems p ON p.problem_id = r.computed"
            ).fetchall()
        }
        frame = pd.Series(fresh, dtype="string")
        legacy = gapmod.legacy_ids(frame).tolist()
        parts = _key_parts(frame)
        rows = []
        for key, old, kind, standard, rest in zip(
            fresh,
            legacy,
            parts["kind"].tolist(),
            parts["standard"].tolist(),
            parts["rest"].tolist(),
            strict=True,
        ):
            pid = computed[key]
            chars = 8
            while pid in taken:  # a different key of an earlier round holds these 40 bits
                chars += 4
                pid = gapmod.id_of(key, chars)
            taken.add(pid)
            known[key] = pid
            site = rest.split("|", 1)[0] if kind in SITE_KINDS else ""
            rows.append((pid, key, old, kind, standard, site, round_id))
        conn.executemany(
            "INSERT INTO problems(problem_id, key, legacy_id, kind, standard, site, first_round) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO problem_keys(key, problem_id) VALUES (?, ?)", [(r[1], r[0]) for r in rows]
        )
    return pd.Series([known[k] for k in key_list], index=keys.index, dtype=object)


def _observed_on(assessment: Assessment, gaps: pd.DataFrame, issued: date) -> pd.Series:
    """The inspection date of each gap: the row's date for a site problem, else the round's 交办日期."""
    day = pd.Series(pd.Timestamp(issued), index=gaps.index)
    inspected = assessment.inspected
    if inspected is None or inspected.empty:
        return day
    site_rows = gaps["kind"] == "site_problem"
    if site_rows.any():
        dates = inspected.drop_duplicates(["standard", "site"]).set_index(["standard", "site"])["date"]
        pairs = pd.MultiIndex.from_arrays([gaps.loc[site_rows, "standard"], gaps.loc[site_rows, "site"]])
        found = pd.Series(dates.reindex(pairs).to_numpy(), index=gaps.index[site_rows])
        day.loc[site_rows] = found.fillna(pd.Timestamp(issued))
    return day


def _passes(
    ledger: Ledger, assessment: Assessment, failing: set[str], issued: date
) -> list[tuple[object, ...]]:
    """Open problems of earlier rounds that this round checked and found compliant: (problem_id, date)."""
    open_rows = ledger.conn.execute(
        """
        SELECT p.problem_id, p.kind, p.standard, p.site
        FROM problems p
        JOIN (SELECT f.problem_id, f.outcome, max(r.seq) AS seq  -- SQLite: outcome of the latest round
              FROM findings f JOIN rounds r USING (round_id) GROUP BY f.problem_id) latest
          ON latest.problem_id = p.problem_id
        WHERE latest.outcome = 'fail'
        """
    ).fetchall()
    if not open_rows:
        return []
    known = pd.DataFrame(open_rows, columns=["problem_id", "kind", "standard", "site"])
    known = known[~known["problem_id"].isin(failing)]
    results = {s.code: s.status for s in assessment.standards}
    out: list[tuple[object, ...]] = []
    site = known[known["kind"].isin(SITE_KINDS)]
    inspected = assessment.inspected
    if len(site) and inspected is not None and len(inspected):
        latest = inspected.sort_values("date", kind="stable").drop_duplicates(
            ["standard", "site"], keep="last"
        )
        look = latest.set_index(["standard", "site"])
        pairs = pd.MultiIndex.from_arrays([site["standard"], site["site"]])
        fail = look["fail"].reindex(pairs).to_numpy()
        when = look["date"].reindex(pairs)
        seen = ~pd.isna(fail)
        passed = seen & np.where(site["kind"].to_numpy() == "coverage", True, fail == False)  # noqa: E712
        for pid, day in zip(site["problem_id"][passed], when[passed], strict=True):
            out.append((pid, None if pd.isna(day) else pd.Timestamp(day).date().isoformat()))
    other = known[~known["kind"].isin(SITE_KINDS)]
    if len(other):
        status = other["standard"].map(results)
        checked = status.notna() & ~status.isin(["not_applicable", "no_evidence"])
        if other["kind"].eq("negative").any():
            checked |= other["kind"].eq("negative")
        for pid in other.loc[checked, "problem_id"]:
            out.append((pid, issued.isoformat()))
    return out


def record_round(
    ledger: Ledger,
    assessment: Assessment,
    handbook: Handbook,
    name: str,
    *,
    replace: bool = False,
) -> Recorded:
    """Record ``assessment`` as round ``name`` (one transaction) and return its tracking."""
    name = name.strip()
    if not name:
        raise LedgerError("a round needs a name (--round)")
    warnings: list[str] = []
    issued = assessment.issued or assessment.options.test_date
    gaps = assessment.gaps.drop_duplicates("key")
    with ledger.transaction() as conn:
        existing = conn.execute("SELECT round_id, seq FROM rounds WHERE name = ?", (name,)).fetchone()
        last = conn.execute("SELECT max(seq) FROM rounds").fetchone()[0]
        if existing and not replace:
            raise LedgerError(f"round {name!r} is already recorded; use --replace to record it again")
        if existing and existing[1] != last:
            raise LedgerError(
                f"round {name!r} has later rounds recorded after it; only the latest round can be replaced"
            )
        digest = inputs_hash(assessment)
        same = conn.execute(
            "SELECT name FROM rounds WHERE inputs_hash = ? AND name != ?", (digest, name)
        ).fetchall()
        if same:
            warnings.append(f"round {name!r} has the same input files as round {same[0][0]!r}")
        dates = assessment.inspected["date"].dropna() if assessment.inspected is not None else pd.Series([])
        total = assessment.total
        values = (
            now_text(),
            assessment.options.test_date.isoformat(),
            issued.isoformat(),
            None if dates.empty else pd.Timestamp(dates.min()).date().isoformat(),
            None if dates.empty else pd.Timestamp(dates.max()).date().isoformat(),
            assessment.district,
            assessment.handbook_id,
            assessment.handbook_edition,
            handbook_hash(handbook),
            digest,
            total.score,
            total.low,
            total.high,
            total.max,
            total.deductions,
            int(total.veto),
            len(gaps),
        )
        columns = (
            "recorded_at, test_date, issued, inspected_from, inspected_to, district, handbook_id, "
            "handbook_edition, handbook_hash, inputs_hash, total, total_low, total_high, total_max, "
            "deductions, veto, gaps"
        )
        if existing:
            round_id = int(existing[0])
            for table in ("findings", "inputs", "results", "rollups", "units"):
                conn.execute(f"DELETE FROM {table} WHERE round_id = ?", (round_id,))
            sets = ", ".join(f"{c.strip()} = ?" for c in columns.split(","))
            conn.execute(f"UPDATE rounds SET {sets} WHERE round_id = ?", (*values, round_id))
            ledger.event("replace", name, round_id)
        else:
            seq = (last or 0) + 1
            cursor = conn.execute(
                f"INSERT INTO rounds(name, seq, {columns}) VALUES (?, ?{', ?' * len(values)})",
                (name, seq, *values),
            )
            round_id = int(cursor.lastrowid or 0)
            ledger.event("record", name, round_id)
        _write_round_tables(ledger, assessment, round_id)
        _alias_keys(ledger, handbook)
        ids = _problem_ids(ledger, gaps, round_id)
        observed = _observed_on(assessment, gaps, issued)
        conn.executemany(
            "INSERT INTO findings(round_id, problem_id, outcome, observed_on, department, street, site_name, "
            "description, cases, points_recoverable, total_recoverable, deadline) "
            "VALUES (?, ?, 'fail', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            zip(
                [round_id] * len(gaps),
                ids.tolist(),
                _iso(observed),
                gaps["department"].astype(str).tolist(),
                gaps["street"].astype(str).tolist(),
                gaps["site_name"].astype(str).tolist(),
                gaps["description"].astype(str).tolist(),
                gaps["cases"].astype(int).tolist(),
                gaps["points_recoverable"].astype(float).tolist(),
                gaps["total_recoverable"].astype(float).tolist(),
                _iso(gaps["deadline"]),
                strict=True,
            ),
        )
        passes = _passes(ledger, assessment, set(ids), issued)
        conn.executemany(
            "INSERT INTO findings(round_id, problem_id, outcome, observed_on) VALUES (?, ?, 'pass', ?)",
            [(round_id, pid, day) for pid, day in passes],
        )
        seq_now = int(conn.execute("SELECT seq FROM rounds WHERE round_id = ?", (round_id,)).fetchone()[0])
        track = tracking(*ledger.tracking_frames(), at_seq=seq_now)
    renamed = {str(c): str(i) for c, i in zip(gaps["id"], ids, strict=True) if c != i}
    return Recorded(round_id, name, track, warnings, renamed)


def _write_round_tables(ledger: Ledger, assessment: Assessment, round_id: int) -> None:
    conn = ledger.conn
    conn.executemany(
        "INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (round_id, i.file, i.sha256, i.format, i.rows_read, i.rows_accepted, i.rows_rejected)
            for i in assessment.inputs
        ],
    )
    conn.executemany(
        "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (round_id, s.code, s.project, s.method, s.points, s.score, s.status, s.grade)
            for s in assessment.standards
        ],
    )
    conn.executemany(
        "INSERT INTO rollups VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (round_id, r.level, r.code, r.name, r.points, r.score, r.high)
            for r in assessment.rollups
            if r.level in ("project", "method")
        ],
    )
    for kind, frame in (("department", assessment.departments), ("street", assessment.streets)):
        if frame.empty:
            continue
        conn.executemany(
            "INSERT OR IGNORE INTO units VALUES (?, ?, ?, ?, ?, ?, ?)",
            zip(
                [round_id] * len(frame),
                [kind] * len(frame),
                frame[kind].astype(str).tolist(),
                frame["inspections"].astype(int).tolist(),
                frame["problems"].astype(int).tolist(),
                frame["conformity"].astype(float).tolist(),
                frame["total_recoverable"].astype(float).tolist(),
                strict=True,
            ),
        )
