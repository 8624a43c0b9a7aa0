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
from checker.scoring.tracking import Tracking, member, tracking

if TYPE_CHECKING:
    from collections.abc import Sequence

    from checker.handbook.model import Handbook
    from checker.scoring.assessment import Assessment

SITE_KINDS = ("site_problem", "coverage")


@dataclass(frozen=True)
class RoundWarning:
    """A caveat on a recorded round: the round, and the earlier round whose input files it repeats."""

    name: str
    same_as: str

    def text(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"round {self.name!r} has the same input files as round {self.same_as!r}"
        return f"轮次“{self.name}”的输入文件与轮次“{self.same_as}”相同"


@dataclass
class Recorded:
    round_id: int
    name: str
    tracking: Tracking
    warnings: list[RoundWarning] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # computed id → the id the ledger knows it by


def _iso(series: pd.Series) -> list[str | None]:
    """Dates as ISO text (None for a missing one), through NumPy: pandas' strftime costs ~1 µs a value."""
    days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
    return [None if v == "NaT" else v for v in np.datetime_as_string(days).tolist()]


def _alias_keys(ledger: Ledger, handbook: Handbook) -> None:
    """Problems first recorded under a standard's old code (an alias in this edition) answer to the keys
    of the new code too, so they keep their ids when the handbook renames the standard."""
    renamed = {alias: s.code for s in handbook.standards for alias in s.aliases}
    if not renamed:
        return
    marks = ",".join("?" * len(renamed))
    rows = ledger.conn.execute(
        f"SELECT problem_id, key, standard, site FROM problems WHERE standard IN ({marks})", tuple(renamed)
    ).fetchall()
    extra = []
    for problem_id, key, standard, site in rows:
        if key == f"coverage|{site}":
            continue  # a site's coverage problem: its key names no standard, a renamed one leaves it as is
        kind, _, rest = key.split("|", 2) if key.count("|") >= 2 else (*key.split("|", 1), "")
        new_key = f"{kind}|{renamed[standard]}" + (f"|{rest}" if rest else "")
        extra.append((new_key, problem_id))
    ledger.conn.executemany(
        "INSERT OR IGNORE INTO problem_keys(key, problem_id) SELECT ?1, ?2 "
        "WHERE NOT EXISTS (SELECT 1 FROM problems WHERE key = ?1)",  # an alias never shadows an own key
        extra,
    )


def _problem_ids(ledger: Ledger, gaps: pd.DataFrame, round_id: int) -> pd.Series:
    """The ledger's id of every gap (one row per key): the id it was first recorded under, or its computed
    id (lengthened when another key already holds it). New problems are inserted.
    """
    key_list = gaps["key"].astype(str).tolist()  # plain lists: iterating Arrow-backed values costs ~1 µs each
    computed_list = gaps["id"].astype(str).tolist()
    conn = ledger.conn
    known: dict[str, str] = {}
    # Every key and id the ledger holds, read whole: one scan is cheaper than a temporary table joined
    # key by key (0.4 s against 1.9 s for 400k problems), and stays so as a campaign's problems grow.
    # A key held through an alias first; a problem's own key wins over any alias.
    known.update(conn.execute("SELECT key, problem_id FROM problem_keys"))
    own = conn.execute("SELECT key, problem_id FROM problems").fetchall()
    known.update(own)
    taken = {pid for _, pid in own}
    # The ids of problems merged into others still name them when typed back: never given to a new one.
    taken.update(pid for (pid,) in conn.execute("SELECT alias_id FROM problem_aliases"))
    fresh = [i for i, k in enumerate(key_list) if k not in known]
    if fresh:
        picked = gaps.iloc[fresh]
        rows = []
        for i, kind, standard, site in zip(
            fresh,
            picked["kind"].astype(str).tolist(),
            picked["standard"].astype(str).tolist(),
            picked["site"].fillna("").astype(str).tolist(),
            strict=True,
        ):
            key, pid = key_list[i], computed_list[i]
            chars = 8
            while pid in taken:  # a different key holds these 40 bits (in an earlier round or this one)
                chars += 4
                pid = gapmod.id_of(key, chars)
            taken.add(pid)
            known[key] = pid
            rows.append((pid, key, kind, standard, site if kind in SITE_KINDS else "", round_id))
        conn.executemany(
            "INSERT INTO problems(problem_id, key, kind, standard, site, first_round) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return pd.Series([known[k] for k in key_list], index=gaps.index, dtype=object)


def _inspected(assessment: Assessment) -> pd.DataFrame | None:
    """The scored inspections (standard, site, date, fail) with the standard as text (scoring keeps it as
    codes)."""
    inspected = assessment.inspected
    if inspected is None or "standard" not in inspected.columns:
        return inspected
    return inspected.astype({"standard": "string"})


def _observed_on(assessment: Assessment, gaps: pd.DataFrame, issued: date) -> pd.Series:
    """The inspection date of each gap: the row's date for a site problem, else the round's 交办日期."""
    day = pd.Series(pd.Timestamp(issued), index=gaps.index)
    inspected = _inspected(assessment)
    if inspected is None or inspected.empty:
        return day
    site_rows = gaps["kind"] == "site_problem"
    if site_rows.any():
        dates = inspected.drop_duplicates(["standard", "site"]).set_index(["standard", "site"])["date"]
        pairs = pd.MultiIndex.from_arrays([gaps.loc[site_rows, "standard"], gaps.loc[site_rows, "site"]])
        found = pd.Series(dates.reindex(pairs).to_numpy(), index=gaps.index[site_rows])
        day.loc[site_rows] = found.fillna(pd.Timestamp(issued))
    return day


def _passes(ledger: Ledger, assessment: Assessment, round_id: int, issued: date) -> list[tuple[object, ...]]:
    """Problems open after the earlier rounds that this round (whose failing findings are written) checked
    and found compliant: (problem_id, date)."""
    open_rows = ledger.conn.execute(
        """
        SELECT p.problem_id, p.kind, p.standard, p.site, p.key
        FROM problems p
        JOIN (SELECT f.problem_id, f.outcome, max(r.seq) AS seq  -- SQLite: outcome of the latest round
              FROM findings f JOIN rounds r USING (round_id)
              WHERE r.seq < (SELECT seq FROM rounds WHERE round_id = :round)
              GROUP BY f.problem_id) latest
          ON latest.problem_id = p.problem_id
        WHERE latest.outcome = 'fail'
          AND NOT EXISTS (SELECT 1 FROM findings here WHERE here.round_id = :round
                          AND here.problem_id = p.problem_id)
        """,
        {"round": round_id},
    ).fetchall()
    if not open_rows:
        return []
    known = pd.DataFrame(open_rows, columns=["problem_id", "kind", "standard", "site", "key"])
    results = {s.code: s.status for s in assessment.standards}
    out: list[tuple[object, ...]] = []
    inspected = _inspected(assessment)
    # A site's coverage problem (key "coverage|<site>") asks for the site to be visited: inspected this round
    # for any standard and not found again (a gap found again has a finding already, so it is not open here).
    per_site = (known["kind"] == "coverage") & (known["key"] == "coverage|" + known["site"])
    visits = known[per_site]
    if len(visits) and inspected is not None and len(inspected):
        last_visit = inspected.groupby("site", sort=False, observed=True)["date"].max()
        visited = member(visits["site"], last_visit.index)
        when = last_visit.reindex(visits["site"][visited])
        for pid, day in zip(visits["problem_id"][visited], when, strict=True):
            out.append((pid, None if pd.isna(day) else pd.Timestamp(day).date().isoformat()))
    site = known[known["kind"].isin(SITE_KINDS) & ~per_site]
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
    descriptions: Sequence[str | None],
    replace: bool = False,
) -> Recorded:
    """Record ``assessment`` as round ``name`` (one transaction) and return its tracking.

    ``descriptions`` holds what each row of ``assessment.gaps`` says, in zh, as the ledger has always
    stored it: the evidence's text, or the sentence the report layer writes from the gap's reason_code
    (the engine keeps only the code, and this layer does not write sentences). The caller renders them.
    """
    name = name.strip()
    if not name:
        raise LedgerError("a round needs a name (--round)", zh="轮次需要名称（--round）")
    if len(descriptions) != len(assessment.gaps):
        raise ValueError(f"{len(descriptions)} descriptions for {len(assessment.gaps)} gaps")
    warnings: list[RoundWarning] = []
    issued = assessment.issued or assessment.options.test_date
    first = ~assessment.gaps["key"].duplicated().to_numpy()  # one row per key: the first, as ever
    gaps = assessment.gaps[first]
    described = ["" if d is None else str(d) for d, keep in zip(descriptions, first, strict=True) if keep]
    with ledger.transaction() as conn:
        existing = conn.execute("SELECT round_id, seq FROM rounds WHERE name = ?", (name,)).fetchone()
        last = conn.execute("SELECT max(seq) FROM rounds").fetchone()[0]
        if existing and not replace:
            raise LedgerError(
                f"round {name!r} is already recorded; use --replace to record it again",
                zh=f"轮次“{name}”已记录；如需重新记录，请加 --replace",
            )
        if existing and existing[1] != last:
            raise LedgerError(
                f"round {name!r} has later rounds recorded after it; only the latest round can be replaced",
                zh=f"轮次“{name}”之后已记录了其他轮次；只能重新记录最近一轮",
            )
        digest = inputs_hash(assessment)
        same = conn.execute(
            "SELECT name FROM rounds WHERE inputs_hash = ? AND name != ?", (digest, name)
        ).fetchall()
        if same:
            warnings.append(RoundWarning(name, str(same[0][0])))
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
        computed = gaps["id"].astype(str).tolist()
        renamed = {c: i for c, i in zip(computed, ids.tolist(), strict=True) if c != i}
        # Two gaps of a round may name one problem when one of them is matched through an extra key (a
        # site's coverage problem answers to the per-standard keys merged into it by schema 4; a renamed
        # standard's problem to its old code's key). One finding per problem: the first gap's.
        once = ~ids.duplicated().to_numpy()
        if not once.all():
            gaps, ids = gaps[once], ids[once]
            described = [d for d, keep in zip(described, once, strict=True) if keep]
        observed = _observed_on(assessment, gaps, issued)
        # The tracking reads the earlier rounds back; this round's findings it takes from memory.
        rounds, earlier, replies, decisions = ledger.tracking_frames()
        departments = gaps["department"].astype(str).tolist()
        deadlines = _iso(gaps["deadline"])
        conn.executemany(
            "INSERT INTO findings(round_id, problem_id, outcome, observed_on, department, street, site_name, "
            "description, cases, points_recoverable, total_recoverable, deadline) "
            "VALUES (?, ?, 'fail', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            zip(
                [round_id] * len(gaps),
                ids.tolist(),
                _iso(observed),
                departments,
                gaps["street"].astype(str).tolist(),
                gaps["site_name"].astype(str).tolist(),
                described,
                gaps["cases"].astype(int).tolist(),
                gaps["points_recoverable"].astype(float).tolist(),
                gaps["total_recoverable"].astype(float).tolist(),
                deadlines,
                strict=True,
            ),
        )
        passes = _passes(ledger, assessment, round_id, issued)
        conn.executemany(
            "INSERT INTO findings(round_id, problem_id, outcome, observed_on) VALUES (?, ?, 'pass', ?)",
            [(round_id, pid, day) for pid, day in passes],
        )
        now = pd.DataFrame(
            {
                "round_id": round_id,
                "problem_id": ids.tolist() + [pid for pid, _ in passes],
                "outcome": ["fail"] * len(gaps) + ["pass"] * len(passes),
                "observed_on": pd.to_datetime(
                    pd.Series(_iso(observed) + [day for _, day in passes], dtype=object)
                ),
                "department": departments + [None] * len(passes),
                "deadline": pd.to_datetime(pd.Series(deadlines + [None] * len(passes), dtype=object)),
            }
        )
        findings = pd.concat([earlier, now], ignore_index=True) if len(earlier) else now
        seq_now = int(rounds.loc[rounds["round_id"] == round_id, "seq"].iloc[0])
        track = tracking(rounds, findings, replies, decisions, at_seq=seq_now)
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
