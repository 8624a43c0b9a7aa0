"""``civcheck city DIR… -o OUT``: several districts' campaign folders or report.json files, side by side."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from checker.errors import UsageError

FORMATS = ("terminal", "json", "xlsx", "html")


def run_city(paths: list[Path], output: Path, formats: str, lang: str | None, force: bool) -> int:
    from checker import files
    from checker.campaign.city import city_view, read_districts
    from checker.report import city
    from checker.report.labels import check_lang

    lang = check_lang(lang or os.environ.get("CIVCHECK_LANG") or "zh")
    wanted = {f.strip().lower() for f in formats.split(",") if f.strip()} or set(FORMATS)
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise UsageError(
            f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}",
            zh=f"未知的输出格式 “{unknown[0]}”，可选 {', '.join(FORMATS)}",
        )
    stem = "全市汇总" if lang == "zh" else "city"
    targets = {"json": output / "city.json", "xlsx": output / f"{stem}.xlsx", "html": output / f"{stem}.html"}
    files.refuse_existing([p for f, p in targets.items() if f in wanted], force=force)
    districts, failed = read_districts(paths)
    for f in failed:
        print(f"✗ {f['district']}: {f['message_zh' if lang == 'zh' else 'message']}", file=sys.stderr)
    if not districts:
        raise UsageError("no district could be read", zh="没有一个地区可以读取")
    view = city_view(districts, failed)
    if "terminal" in wanted:
        city.render_city(view, lang)
    jobs: list[tuple[Path, Callable[[Path], object]]] = []
    if "json" in wanted:
        text = json.dumps(view, ensure_ascii=False, indent=1)
        jobs.append((targets["json"], lambda p: p.write_text(text, encoding="utf-8")))
    if "xlsx" in wanted:
        jobs.append((targets["xlsx"], lambda p: city.write_city_workbook(view, p, lang)))
    if "html" in wanted:
        page = city.render_city_html(view, lang)
        jobs.append((targets["html"], lambda p: p.write_text(page, encoding="utf-8")))
    if jobs:
        output.mkdir(parents=True, exist_ok=True)
    for path, write in jobs:
        with files.atomic_path(path) as temp:
            write(temp)
        print(path, file=sys.stderr)
    return 0
