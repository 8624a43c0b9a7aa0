"""Round against round (轮次对比): totals, Ⅰ items, problems new / fixed / persisting / recurred, units.

Two snapshots are compared; a snapshot comes from the ledger (a recorded round) or from a ``report.json``.
With the ledger, ``fixed`` means verified by a later inspection (销号) and ``recurred`` means failing again
after having been closed; problems of the first round that the second did not re-inspect are listed as
``not_reinspected``. Two report.json files have no history: whatever left the list counts as fixed, and
nothing can be called recurred.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.campaign.ledger import Ledger, LedgerError


@dataclass(frozen=True)
class Snapshot:
    round: str
    total: float
    projects: dict[str, tuple[str, float]]  # code → (name, score)
    gaps: dict[str, tuple[str, str, float]]  # id → (department, street, total_recoverable)
    conformity: dict[tuple[str, str], float | None] = field(default_factory=dict)  # (kind, unit) → rate


def from_report(path: Path) -> Snapshot:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        gaps = {
            str(g["id"]): (
                g.get("department") or "",
                g.get("street") or "",
                float(g.get("total_recoverable") or 0),
            )
            for g in data["gaps"]
        }
        projects = {
            r["code"]: (r["name"], float(r["score"])) for r in data["rollups"] if r["level"] == "project"
        }
        conformity = {
            ("department", d["department"]): d.get("conformity") for d in data.get("departments", [])
        }
        conformity.update({("street", s["street"]): s.get("conformity") for s in data.get("streets", [])})
        name = (data.get("tracking") or {}).get("round") or data["options"]["test_date"]
        return Snapshot(str(name), float(data["total"]["score"]), projects, gaps, conformity)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LedgerError(
            f"{path} is not a civcheck report.json ({exc})",
            zh=f"{path} 不是 civcheck 的 report.json（{exc}）",
        ) from exc


def from_ledger(ledger: Ledger, name: str) -> Snapshot:
    info = ledger.round_named(name)
    conn = ledger.conn
    projects = {
        code: (title, score)
        for code, title, score in conn.execute(
            "SELECT code, name, score FROM rollups WHERE round_id = ? AND level = 'project' ORDER BY code",
            (info.round_id,),
        )
    }
    gaps = {
        pid: (dept, street, value)
        for pid, dept, street, value in conn.execute(
            "SELECT problem_id, department, street, total_recoverable FROM findings "
            "WHERE round_id = ? AND outcome = 'fail'",
            (info.round_id,),
        )
    }
    conformity = {
        (kind, unit): rate
        for kind, unit, rate in conn.execute(
            "SELECT kind, name, conformity FROM units WHERE round_id = ?", (info.round_id,)
        )
    }
    return Snapshot(info.name, info.total, projects, gaps, conformity)


def history(ledger: Ledger, before: str, after: str) -> tuple[set[str], set[str]]:
    """(verified fixed, recurred) between two recorded rounds, from the findings in between."""
    a, b = ledger.round_named(before), ledger.round_named(after)
    rows = ledger.conn.execute(
        "SELECT f.problem_id, f.outcome, r.seq FROM findings f JOIN rounds r USING (round_id) WHERE r.seq <= ?",
        (b.seq,),
    ).fetchall()
    passes_between = {p for p, o, s in rows if o == "pass" and a.seq < s <= b.seq}
    passed_before_b = {p for p, o, s in rows if o == "pass" and s < b.seq}
    failing_b = {p for p, o, s in rows if o == "fail" and s == b.seq}
    return passes_between, failing_b & passed_before_b


def compare(
    a: Snapshot, b: Snapshot, ledger_history: tuple[set[str], set[str]] | None = None
) -> dict[str, Any]:
    """The diff as plain data, under the names ``civcheck diff --format json`` prints."""
    before, after = set(a.gaps), set(b.gaps)
    if ledger_history is None:
        fixed, recurred, unchecked = sorted(before - after), [], []
    else:
        verified, came_back = ledger_history
        fixed = sorted((before - after) & verified)
        unchecked = sorted((before - after) - verified)
        recurred = sorted(came_back & (after - before))
    new = sorted(after - before - set(recurred))
    units: dict[str, list[dict[str, Any]]] = {}
    for kind, slot in (("department", 0), ("street", 1)):
        names = sorted(
            {str(g[slot]) for snap in (a, b) for g in snap.gaps.values()}
            | {u for snap in (a, b) for k, u in snap.conformity if k == kind}
        )
        units[kind] = [
            {
                kind: name,
                "before": _unit(a, kind, slot, name),
                "after": _unit(b, kind, slot, name),
            }
            for name in names
        ]
    codes = list(dict.fromkeys([*a.projects, *b.projects]))
    return {
        "before": {"round": a.round, "total": a.total},
        "after": {"round": b.round, "total": b.total},
        "new": new,
        "fixed": fixed,
        "persisting": sorted(before & after),
        "recurred": recurred,
        "not_reinspected": unchecked,
        "projects": [
            {
                "code": code,
                "name": (b.projects.get(code) or a.projects.get(code) or ("", 0.0))[0],
                "before": a.projects[code][1] if code in a.projects else None,
                "after": b.projects[code][1] if code in b.projects else None,
            }
            for code in codes
        ],
        "departments": units["department"],
        "streets": units["street"],
    }


def _unit(snap: Snapshot, kind: str, slot: int, name: str) -> dict[str, Any]:
    mine = [g for g in snap.gaps.values() if g[slot] == name]
    return {
        "problems": len(mine),
        "conformity": snap.conformity.get((kind, name)),
        "total_recoverable": round(sum(g[2] for g in mine), 10),
    }
