"""The city's view of its districts (``civcheck city``): one snapshot per district, from its campaign folder
(the last round recorded in its ledger) or from a ``report.json``, then the ranking, the Ⅰ items where the
city loses most and the departments summed across districts by their canonical name.

Every district must be scored on the same handbook edition. A district that cannot be read is reported
(``failed``) and does not stop the others. Plain data, under the names ``civcheck city --format json`` writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import CivcheckError, UsageError

__all__ = ["District", "city_view", "district_from_document", "read_district", "read_districts"]


@dataclass
class District:
    district: str
    source: str
    handbook: str
    edition: str
    round: str
    total: float
    low: float
    high: float
    projects: dict[str, tuple[str, float, float]]  # code → (name, score, points)
    methods: dict[str, tuple[str, float, float]]
    departments: dict[str, tuple[int, float | None]]  # name → (open problems, conformity)
    open: int
    overdue: int
    false_claims: int
    tracked: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _from_report(path: Path) -> District:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is not a civcheck report.json ({exc})",
                         zh=f"{path} 不是 civcheck 的 report.json（{exc}）") from exc  # fmt: skip
    return district_from_document(data, str(path), path.parent.name)


def district_from_document(data: Any, source: str, name: str) -> District:
    """A district from a report.json document (parsed, or made in memory from a round just checked);
    ``name`` stands in when the document names no district."""
    try:
        rollups = data["rollups"]
        by_level: dict[str, dict[str, tuple[str, float, float]]] = {"project": {}, "method": {}}
        for r in rollups:
            if r["level"] in by_level:
                by_level[r["level"]][str(r["code"])] = (str(r["name"]), float(r["score"]), float(r["points"]))
        gaps = data["gaps"]
        open_by: dict[str, int] = {}
        for g in gaps:
            name = str(g.get("department") or "")
            if name:
                open_by[name] = open_by.get(name, 0) + 1
        departments: dict[str, tuple[int, float | None]] = {
            str(d["department"]): (open_by.get(str(d["department"]), 0), d.get("conformity"))
            for d in data.get("departments", [])
        }
        for name, count in open_by.items():
            departments.setdefault(name, (count, None))
        tracking = data.get("tracking") or {}
        total = data["total"]
        return District(
            district=str(data.get("district") or name),
            source=source,
            handbook=str(data["handbook"]["id"]),
            edition=str(data["handbook"]["edition"]),
            round=str(tracking.get("round") or data["options"]["test_date"]),
            total=float(total["score"]),
            low=float(total["low"]),
            high=float(total["high"]),
            projects=by_level["project"],
            methods=by_level["method"],
            departments=departments,
            open=len(tracking["still_open"])
            if tracking.get("still_open")
            else len({str(g["id"]) for g in gaps}),
            overdue=len(tracking.get("overdue") or []),
            false_claims=len(tracking.get("false_claim") or []),
            tracked=bool(tracking),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{source} is not a civcheck report.json ({exc})",
                         zh=f"{source} 不是 civcheck 的 report.json（{exc}）") from exc  # fmt: skip


def _from_campaign(folder: Path) -> District:
    from checker.campaign.ledger import open_ledger
    from checker.campaign.settings import load_settings
    from checker.scoring.tracking import tracking

    settings = load_settings(folder)
    with open_ledger(settings.ledger) as ledger:
        conn = ledger.conn
        row = conn.execute(
            "SELECT round_id, name, seq, total, total_low, total_high, handbook_id, handbook_edition, district "
            "FROM rounds WHERE inputs_hash != '' ORDER BY issued DESC, seq DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise UsageError(f"{folder}: the ledger holds no recorded round",
                             zh=f"{folder}：台账中没有已记录的轮次")  # fmt: skip
        round_id, name, seq = row[0], row[1], row[2]
        by_level: dict[str, dict[str, tuple[str, float, float]]] = {"project": {}, "method": {}}
        for level, code, title, score, points in conn.execute(
            "SELECT level, code, name, score, points FROM rollups WHERE round_id = ?", (round_id,)
        ):
            by_level[level][code] = (title, float(score), float(points))
        departments: dict[str, tuple[int, float | None]] = {}
        for dept, count in conn.execute(
            "SELECT department, count(*) FROM findings WHERE round_id = ? AND outcome = 'fail' "
            "AND department != '' GROUP BY department",
            (round_id,),
        ):
            departments[dept] = (int(count), None)
        for dept, conformity in conn.execute(
            "SELECT name, conformity FROM units WHERE round_id = ? AND kind = 'department'", (round_id,)
        ):
            departments[dept] = (departments.get(dept, (0, None))[0], conformity)
        (open_count,) = conn.execute(
            "SELECT count(*) FROM findings WHERE round_id = ? AND outcome = 'fail'", (round_id,)
        ).fetchone()
        rounds, findings, replies, decisions = ledger.tracking_frames()
        track = tracking(rounds, findings, replies, decisions, at_seq=int(seq))
    return District(
        district=str(row[8] or settings.district),
        source=str(folder),
        handbook=str(row[6]),
        edition=str(row[7]),
        round=str(name),
        total=float(row[3]),
        low=float(row[4]),
        high=float(row[5]),
        projects=by_level["project"],
        methods=by_level["method"],
        departments=departments,
        open=len(track.still_open) if len(track.still_open) else int(open_count),
        overdue=len(track.overdue),
        false_claims=len(track.false_claim),
        tracked=True,
    )


def read_district(path: Path) -> District:
    """A district from its campaign folder or a report.json (a folder holding report.json works too)."""
    from checker.campaign.settings import SETTINGS_FILE

    if path.is_dir() and (path / SETTINGS_FILE).is_file():
        return _from_campaign(path)
    if path.is_dir() and (path / "report.json").is_file():
        return _from_report(path / "report.json")
    if path.is_file():
        return _from_report(path)
    raise UsageError(
        f"{path}: neither a campaign folder (civcheck.toml) nor a report.json",
        zh=f"{path}：既不是创建台账文件夹（civcheck.toml），也不是 report.json",
    )


def read_districts(paths: list[Path]) -> tuple[list[District], list[dict[str, str]]]:
    """Every district that can be read, and the others with why (one bad district stops no other)."""
    found: list[District] = []
    failed: list[dict[str, str]] = []
    for path in paths:
        try:
            found.append(read_district(path))
        except CivcheckError as exc:
            failed.append({"district": str(path), "message": exc.text("en"), "message_zh": exc.text("zh")})
        except OSError as exc:
            failed.append({"district": str(path), "message": str(exc), "message_zh": str(exc)})
    return found, failed


def _canonical(handbook: str) -> dict[str, str]:
    try:
        from checker.handbook.loader import load_handbook

        return load_handbook(handbook).department_index()
    except CivcheckError:
        return {}


def city_view(districts: list[District], failed: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The ranking, the Ⅰ items, the departments — under the names of ``civcheck city --format json``."""
    editions = sorted({(d.handbook, d.edition) for d in districts})
    if len(editions) > 1:
        listing = "; ".join(f"{d.district}: {d.handbook} {d.edition}" for d in districts)
        raise UsageError(
            f"the districts are scored on different handbook editions ({listing}); score them on one edition",
            zh=f"各区使用的测评体系版本不一致（{listing}）；请用同一版本评分",
        )
    names = [d.district for d in districts]
    if len(set(names)) != len(names):
        seen: set[str] = set()
        for d in districts:  # two folders of the same district name: tell them apart by their source
            if d.district in seen:
                d.district = f"{d.district}（{Path(d.source).name}）"
            seen.add(d.district)
    ranked = sorted(districts, key=lambda d: (-d.total, d.district))
    rows = []
    for rank, d in enumerate(ranked, start=1):
        rows.append(
            {
                "district": d.district,
                "round": d.round,
                "total": round(d.total, 4),
                "low": round(d.low, 4),
                "high": round(d.high, 4),
                "rank": rank,
                "open": d.open,
                "overdue": d.overdue,
                "false_claims": d.false_claims,
                "tracked": d.tracked,
                "projects": {code: round(score, 4) for code, (_, score, _) in sorted(d.projects.items())},
                "methods": {code: round(score, 4) for code, (_, score, _) in sorted(d.methods.items())},
                "source": d.source,
            }
        )
    projects: dict[str, dict[str, Any]] = {}
    for d in districts:
        for code, (name, score, points) in d.projects.items():
            p = projects.setdefault(code, {"code": code, "name": name, "points": points, "loss": 0.0,
                                           "scores": {}})  # fmt: skip
            p["loss"] += points - score
            p["scores"][d.district] = round(score, 4)
    project_rows = []
    for p in projects.values():
        count = len(p["scores"])
        worst = min(p["scores"].items(), key=lambda kv: kv[1])[0] if p["scores"] else None
        mean = sum(p["scores"].values()) / count if count else 0.0
        project_rows.append(
            {
                "code": p["code"],
                "name": p["name"],
                "points": p["points"],
                "loss": round(p["loss"], 4),
                "mean": round(mean, 4),
                "rate": round(mean / p["points"], 4) if p["points"] else None,
                "worst_district": worst,
                "scores": p["scores"],
            }
        )
    project_rows.sort(key=lambda p: (-p["loss"], p["code"]))
    canonical = _canonical(districts[0].handbook) if districts else {}
    departments: dict[str, dict[str, Any]] = {}
    for d in districts:
        for name, (count, conformity) in d.departments.items():
            key = canonical.get(name, name)
            line = departments.setdefault(key, {"department": key, "open": 0, "districts": 0, "rates": [],
                                                "by_district": {}})  # fmt: skip
            line["open"] += count
            line["districts"] += 1
            line["by_district"][d.district] = count
            if conformity is not None:
                line["rates"].append(float(conformity))
    department_rows = []
    for line in departments.values():
        rates = line.pop("rates")
        line["conformity"] = round(sum(rates) / len(rates), 4) if rates else None
        department_rows.append(line)
    department_rows.sort(key=lambda r: (-r["open"], r["department"]))
    return {
        "handbook": {"id": editions[0][0], "edition": editions[0][1]} if editions else None,
        "districts": rows,
        "projects": project_rows,
        "departments": department_rows,
        "failed": failed or [],
    }
