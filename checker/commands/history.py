"""``civcheck history`` (trends and the cycle score) and ``civcheck round add|mark`` (official results)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.campaign.history import History
    from checker.campaign.settings import Settings
    from checker.handbook.model import Handbook

FORMATS = ("terminal", "json", "xlsx", "html")


def _lang(lang: str | None, settings: Settings | None) -> str:
    """The option, else $CIVCHECK_LANG, else the campaign's setting, else zh."""
    from checker.commands.options import resolve_lang

    return resolve_lang(lang, settings.lang if settings else None)


def _handbook(settings: Settings) -> Handbook:
    from checker.handbook.loader import load_handbook

    return load_handbook(settings.handbook)


def load_history(campaign: Path | None, target: float | None) -> tuple[History, bool]:
    """The campaign's history and whether its cycle weights are a local setting."""
    from checker.campaign.history import read_history
    from checker.commands.campaign import campaign_settings, ledger_of

    settings = campaign_settings(campaign)
    with ledger_of(settings) as ledger:
        assert settings is not None  # ledger_of refuses a run outside a campaign
        pack = _handbook(settings)
        weights = pack.settings.cycle_weights
        total_points = pack.settings.total_points
        target = target if target is not None else settings.target
        if target is not None and not 0 <= target <= total_points:
            raise UsageError(
                f"--target {target:g} is outside 0–{total_points:g}",
                zh=f"--target {target:g} 超出 0–{total_points:g} 的范围",
            )
        history = read_history(
            ledger,
            weights=weights.weights(),
            first_year=settings.cycle_start,
            target=target,
            total_points=total_points,
        )
    if not history.district:
        history.district = settings.district
    return history, weights.local_setting


def run_history(
    campaign: Path | None,
    formats: str,
    output: Path | None,
    target: float | None,
    lang: str | None,
    force: bool,
) -> int:
    from checker.commands.campaign import campaign_settings
    from checker.commands.options import parse_formats

    wanted = parse_formats(formats, FORMATS)
    lang = _lang(lang, campaign_settings(campaign))
    if wanted & {"xlsx", "html"} and output is None:
        raise UsageError(
            "xlsx and html need a folder to write to: give -o DIR",
            zh="xlsx 和 html 格式需要输出文件夹：请用 -o 指定",
        )
    history, local = load_history(campaign, target)
    data = history.as_json()
    if "json" in wanted and output is None:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    if "terminal" in wanted:
        from checker.report.trends import render_history

        render_history(history, lang, local)
    if output is not None and wanted & {"json", "xlsx", "html"}:
        from checker import files
        from checker.report import trends

        jobs: list[tuple[Path, Callable[[Path], object]]] = []
        if "json" in wanted:
            jobs.append((output / "history.json", lambda p: p.write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")))  # fmt: skip
        stem = "趋势" if lang == "zh" else "trends"
        if "xlsx" in wanted:
            jobs.append(
                (output / f"{stem}.xlsx", lambda p: trends.write_history_workbook(history, p, lang, local))
            )
        if "html" in wanted:
            page = trends.render_history_html(history, lang, local)
            jobs.append((output / f"{stem}.html", lambda p: p.write_text(page, encoding="utf-8")))
        files.refuse_existing([p for p, _ in jobs], force=force)
        output.mkdir(parents=True, exist_ok=True)
        for path, write in jobs:
            with files.atomic_path(path) as temp:
                write(temp)
            print(path, file=sys.stderr)
    return 0


def _year(year: int) -> int:
    from checker.campaign.settings import CYCLE_YEARS

    low, high = CYCLE_YEARS
    if not low <= year <= high:
        raise UsageError(f"--year {year} is outside {low}–{high}", zh=f"--year {year} 超出 {low}–{high}")
    return year


def run_round_add(
    campaign: Path | None,
    name: str | None,
    year: int,
    score: float,
    low: float | None,
    high: float | None,
    official: bool,
    on: str | None,
    lang: str | None = None,
) -> int:
    """Enter a round by its result alone (an assessment civcheck never saw the evidence of)."""
    from checker.campaign.ledger import LedgerError, now_text
    from checker.commands.campaign import campaign_settings, ledger_of
    from checker.commands.options import parse_day

    settings = campaign_settings(campaign)
    lang = _lang(lang, settings)
    year = _year(year)
    with ledger_of(settings) as ledger:
        assert settings is not None
        pack = _handbook(settings)
        top = pack.settings.total_points
        low = score if low is None else low
        high = score if high is None else high
        for option, value in (("--score", score), ("--low", low), ("--high", high)):
            if not 0 <= value <= top:
                raise UsageError(
                    f"{option} {value:g} is outside 0–{top:g}", zh=f"{option} {value:g} 超出 0–{top:g}"
                )
        if not low <= score <= high:
            raise UsageError("--low ≤ --score ≤ --high is required", zh="须满足 --low ≤ --score ≤ --high")
        day = parse_day(on, "--date") if on else date(year, 12, 31)
        if day.year != year:
            raise UsageError(f"--date {day} is not in {year}", zh=f"--date {day} 不在 {year} 年内")
        name = (name or f"{year}{'年度正式测评' if official else '年度测评'}").strip()
        with ledger.transaction() as conn:
            if conn.execute("SELECT 1 FROM rounds WHERE name = ?", (name,)).fetchone():
                raise LedgerError(f"round {name!r} is already recorded", zh=f"轮次 “{name}” 已存在")
            seq = (conn.execute("SELECT max(seq) FROM rounds").fetchone()[0] or 0) + 1
            cursor = conn.execute(
                "INSERT INTO rounds(name, seq, recorded_at, test_date, issued, district, handbook_id, "
                "handbook_edition, handbook_hash, inputs_hash, total, total_low, total_high, total_max, "
                "deductions, veto, gaps, official, year) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, 0, 0, 0, ?, ?)",
                (name, seq, now_text(), day.isoformat(), day.isoformat(), settings.district, pack.id, pack.edition,
                 score, low, high, top, int(official), year),
            )  # fmt: skip
            ledger.event("enter", f"{name}: {score:g}" + (" official" if official else ""), cursor.lastrowid)
    done = f"✓ 已录入轮次 {name}（{year} 年，{score:g} 分）"
    print(done if lang == "zh" else f"✓ entered round {name!r} ({year}, {score:g})", file=sys.stderr)
    return 0


def run_round_mark(
    campaign: Path | None, name: str, official: bool, year: int | None, lang: str | None = None
) -> int:
    """Mark a recorded round as its year's official result (or not), or set the year it counts for."""
    from checker.commands.campaign import campaign_settings, ledger_of

    settings = campaign_settings(campaign)
    lang = _lang(lang, settings)
    with ledger_of(settings) as ledger:
        info = ledger.round_named(name)
        with ledger.transaction() as conn:
            conn.execute("UPDATE rounds SET official = ? WHERE round_id = ?", (int(official), info.round_id))
            if year is not None:
                conn.execute("UPDATE rounds SET year = ? WHERE round_id = ?", (_year(year), info.round_id))
            ledger.event("mark", f"{name}: official={int(official)}" + (f" year={year}" if year else ""),
                         info.round_id)  # fmt: skip
    kind = ("正式测评", "official") if official else ("自查", "self-check")
    print(f"✓ {name}: {kind[lang == 'en']}", file=sys.stderr)
    return 0
