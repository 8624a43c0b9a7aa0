"""``civcheck diff [A] [B]``: two recorded rounds (default: the last two) or two report.json files."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.errors import UsageError

FORMATS = ("terminal", "json", "xlsx")


def _snapshots(campaign: Path | None, before: str | None, after: str | None) -> dict[str, Any]:
    from checker.campaign import diff
    from checker.commands.campaign import campaign_settings, ledger_of

    files = [p for p in (before, after) if p and p.endswith(".json") and Path(p).is_file()]
    if files:
        if len(files) != 2:
            raise UsageError(
                "give two report.json files, or two round names of the campaign",
                zh="请给出两个 report.json 文件，或台账中的两个轮次名称",
            )
        return diff.compare(diff.from_report(Path(files[0])), diff.from_report(Path(files[1])))
    with ledger_of(campaign_settings(campaign)) as ledger:
        rounds = [r.name for r in ledger.rounds()]
        if len(rounds) < 2 and not (before and after):
            raise UsageError(
                f"the ledger {ledger.path} holds {len(rounds)} round(s); diff needs two",
                zh=f"台账 {ledger.path} 中只有 {len(rounds)} 个轮次，对比需要两个",
            )
        a = before or rounds[-2]
        b = after or rounds[-1]
        return diff.compare(
            diff.from_ledger(ledger, a), diff.from_ledger(ledger, b), diff.history(ledger, a, b)
        )


def run_diff(
    campaign: Path | None,
    before: str | None,
    after: str | None,
    formats: str,
    output: Path | None,
    lang: str | None,
    force: bool,
) -> int:
    from checker.commands.options import parse_formats

    wanted = parse_formats(formats, FORMATS)
    from checker.commands.campaign import campaign_settings
    from checker.commands.options import resolve_lang

    settings = campaign_settings(campaign)
    lang = resolve_lang(lang, settings.lang if settings else None)
    result = _snapshots(campaign, before, after)
    if "json" in wanted and output is None:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    if "terminal" in wanted:
        from checker.report.diffview import render_diff

        render_diff(result, lang)
    if output is not None and wanted & {"json", "xlsx"}:
        from checker import files
        from checker.report.diffview import write_diff_workbook

        jobs: list[tuple[Path, Callable[[Path], object]]] = []
        if "json" in wanted:
            jobs.append((output / "diff.json", lambda p: p.write_text(
                json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")))  # fmt: skip
        if "xlsx" in wanted:
            name = "轮次对比.xlsx" if lang == "zh" else "round-diff.xlsx"
            jobs.append((output / name, lambda p: write_diff_workbook(result, p, lang)))
        files.refuse_existing([p for p, _ in jobs], force=force)
        for path, write in jobs:
            with files.atomic_path(path) as temp:
                write(temp)
            print(path, file=sys.stderr)
    return 0
