"""Trends over the recorded rounds (``civcheck history``): the total with its range, every Ⅰ item, every
method and every department, round after round, read from the ledger; and the cycle score.

Rounds are ordered by 交办日期, then by recording order (a year's official result entered afterwards still
sits in its year). A round entered by hand (``round add``) has a total only: its other cells are empty.
Plain data, under the names ``civcheck history --format json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checker.campaign.cycle import CycleRound, CycleScore, cycle_score
from checker.campaign.ledger import Ledger

__all__ = ["History", "HistoryRound", "Trend", "read_history"]


@dataclass(frozen=True)
class HistoryRound:
    round_id: int
    name: str
    seq: int
    issued: date
    year: int
    official: bool
    entered: bool  # entered by hand (round add): no evidence behind it
    total: float
    low: float
    high: float
    gaps: int | None


@dataclass
class Trend:
    """One line of the trend table: a total, a Ⅰ item, a method or a department, one value per round
    (a score, or a department's conformity rate) and its open problems (None where the round has none)."""

    kind: str  # total | project | method | department
    code: str
    name: str
    values: list[float | None]
    open: list[int | None]
    points: float | None = None  # the item's maximum (Ⅰ items and methods)

    def last_change(self) -> float | None:
        """The change from the previous round that has a value to the last one that has one."""
        seen = [v for v in self.values if v is not None]
        return None if len(seen) < 2 else seen[-1] - seen[-2]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "points": self.points,
            "values": [None if v is None else round(v, 4) for v in self.values],
            "open": self.open,
        }


@dataclass
class History:
    district: str
    rounds: list[HistoryRound]
    trends: list[Trend]
    cycle: CycleScore | None
    first_year: int | None
    notes: list[str] = field(default_factory=list)

    def rows(self, kind: str) -> list[Trend]:
        return [t for t in self.trends if t.kind == kind]

    def as_json(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "rounds": [
                {
                    "name": r.name,
                    "date": r.issued.isoformat(),
                    "official": r.official,
                    "year": r.year,
                    "total": round(r.total, 4),
                    "low": round(r.low, 4),
                    "high": round(r.high, 4),
                    "entered": r.entered,
                    "open": r.gaps,
                }
                for r in self.rounds
            ],
            "trends": [t.as_json() for t in self.trends],
            "cycle": None if self.cycle is None else self.cycle.as_json(),
        }


def read_rounds(ledger: Ledger) -> list[HistoryRound]:
    rows = ledger.conn.execute(
        "SELECT round_id, name, seq, issued, coalesce(year, CAST(substr(issued, 1, 4) AS INTEGER)), official, "
        "inputs_hash = '', total, total_low, total_high, gaps, district FROM rounds"
    ).fetchall()
    out = [
        HistoryRound(
            r[0],
            r[1],
            r[2],
            date.fromisoformat(r[3]),
            int(r[4]),
            bool(r[5]),
            bool(r[6]),
            float(r[7]),
            float(r[8]),
            float(r[9]),
            None if r[6] else int(r[10]),
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: (r.issued, r.seq))


def read_history(
    ledger: Ledger,
    *,
    weights: dict[int, float],
    first_year: int | None,
    target: float | None,
    total_points: float,
) -> History:
    """Every round's figures and the trend lines, and the cycle score (None without any round)."""
    rounds = read_rounds(ledger)
    position = {r.round_id: i for i, r in enumerate(rounds)}
    n = len(rounds)
    conn = ledger.conn
    total = Trend("total", "", "", [r.total for r in rounds], [r.gaps for r in rounds], None)
    trends = [total]
    # Ⅰ items and methods: the rollups; their open problems from the round's failing findings, by the
    # project and method of the standard each problem is under in that round's results.
    open_by: dict[tuple[str, str], list[int | None]] = {}
    for round_id, level, code, count in conn.execute(
        """
        SELECT f.round_id, 'project', res.project, count(*) FROM findings f
          JOIN problems p USING (problem_id)
          JOIN results res ON res.round_id = f.round_id AND res.standard = p.standard
         WHERE f.outcome = 'fail' GROUP BY f.round_id, res.project
        UNION ALL
        SELECT f.round_id, 'method', res.method, count(*) FROM findings f
          JOIN problems p USING (problem_id)
          JOIN results res ON res.round_id = f.round_id AND res.standard = p.standard
         WHERE f.outcome = 'fail' GROUP BY f.round_id, res.method
        UNION ALL
        SELECT round_id, 'department', department, count(*) FROM findings
         WHERE outcome = 'fail' AND department != '' GROUP BY round_id, department
        """
    ):
        counts = open_by.setdefault((level, code), [None if r.entered else 0 for r in rounds])
        counts[position[round_id]] = int(count)
    lines: dict[tuple[str, str], Trend] = {}
    for round_id, level, code, name, points, score in conn.execute(
        "SELECT round_id, level, code, name, points, score FROM rollups ORDER BY level DESC, code"
    ):
        key = (level, code)
        line = lines.get(key)
        if line is None:
            opened = open_by.get(key) or [None if r.entered else 0 for r in rounds]
            line = lines[key] = Trend(level, code, name, [None] * n, list(opened), float(points))
        line.values[position[round_id]] = float(score)
        line.name = name  # the latest round's name wins (rows are read in round order per code)
    projects = sorted((t for t in lines.values() if t.kind == "project"), key=lambda t: _code_key(t.code))
    methods = sorted(
        (t for t in lines.values() if t.kind == "method"), key=lambda t: METHOD_ORDER.get(t.code, 9)
    )
    trends += projects + methods
    # Departments: the conformity of their inspections, and their open problems of every kind.
    departments: dict[str, Trend] = {}
    for (level, name), opened in open_by.items():
        if level == "department":
            departments[name] = Trend("department", name, name, [None] * n, list(opened))
    for round_id, name, conformity in conn.execute(
        "SELECT round_id, name, conformity FROM units WHERE kind = 'department'"
    ):
        line = departments.get(name)
        if line is None:
            line = departments[name] = Trend("department", name, name, [None] * n,
                                             [None if r.entered else 0 for r in rounds])  # fmt: skip
        line.values[position[round_id]] = None if conformity is None else float(conformity)
    trends += [departments[k] for k in sorted(departments)]
    district = ""
    row = conn.execute(
        "SELECT district FROM rounds WHERE district != '' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row:
        district = str(row[0])
    notes: list[str] = []
    cycle = None
    start = first_year if first_year is not None else (min(r.year for r in rounds) if rounds else None)
    if start is not None:
        cycle = cycle_score(
            [CycleRound(r.name, r.year, r.issued, r.seq, r.official, r.total, r.low, r.high) for r in rounds],
            weights,
            start,
            target=target,
            total_points=total_points,
        )
        outside = [r.name for r in rounds if not start <= r.year < start + len(weights)]
        if outside:
            notes.append("outside")
    return History(district, rounds, trends, cycle, start, notes)


METHOD_ORDER = {"document": 0, "field": 1, "survey": 2, "data": 3}


def _code_key(code: str) -> tuple[Any, ...]:
    """Ⅰ-1, Ⅰ-2, …, Ⅰ-10 in number order."""
    parts = code.replace("Ⅰ", "").strip("-").split("-")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)
