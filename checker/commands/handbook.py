"""``civcheck handbook …``: list, show, validate, summarise, schema, import and export criteria packs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from checker.errors import HandbookError
from checker.handbook.loader import load_handbook
from checker.handbook.model import METHOD_LABELS_ZH


def run_validate(path: str) -> int:
    """Validate a pack: 0 when valid, 2 with every problem listed otherwise."""
    console = Console(highlight=False)
    try:
        handbook = load_handbook(path)
    except HandbookError as exc:
        err = Console(stderr=True, highlight=False)
        err.print(f"[bold red]✗[/] {path}: {len(exc.problems)} problem(s)")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False)
        return 2
    console.print(
        f"[green]✓[/] {path}: {handbook.name} ({handbook.edition}), {len(handbook.standards)} standards — valid"
    )
    return 0


def run_summary(path: str) -> int:
    """Summarise a pack: levels, standards per method, points, site types, departments."""
    handbook = load_handbook(path)
    console = Console(highlight=False)
    console.print(f"[bold]{handbook.name}[/]  edition {handbook.edition}  (id: {handbook.id})")
    console.print(handbook.description, markup=False)
    rows = list(handbook.iter_standards())
    by_method = Counter(s.method for *_, s in rows)
    points: Counter[str] = Counter()
    for *_, s in rows:
        points[s.method] += int(s.points * 100)
    table = Table(title="测评标准 by method")
    for col in ("method", "standards", "points", "weight"):
        table.add_column(col, justify="right" if col != "method" else "left")
    weights = handbook.settings.method_weights
    for method in ("document", "data", "field", "survey"):
        table.add_row(
            f"{METHOD_LABELS_ZH[method]} ({method})",
            str(by_method[method]),
            f"{points[method] / 100:g}",
            f"{weights.for_method(method):g}",
        )
    console.print(table)
    n_ind = sum(len(p.indicators) for p in handbook.projects)
    n_con = sum(len(i.contents) for p in handbook.projects for i in p.indicators)
    console.print(
        f"Ⅰ 测评项目 {len(handbook.projects)} · Ⅱ 指标 {n_ind} · Ⅲ 测评内容 {n_con} · 测评标准 {len(rows)} · "
        f"点位类型 {len(handbook.site_types)} · 责任单位 {len(handbook.departments)} · 负面清单 {len(handbook.negative_list)}"
    )
    return 0


def run_list(path: Path | None) -> int:  # pragma: no cover - replaced by the full handbook commands
    raise NotImplementedError


def run_show(handbook: str, code: str) -> int:  # pragma: no cover
    raise NotImplementedError


def run_schema(output: Path | None) -> int:  # pragma: no cover
    raise NotImplementedError


def run_import(workbook: Path, output: Path, force: bool) -> int:  # pragma: no cover
    raise NotImplementedError


def run_export(pack: str, output: Path, force: bool) -> int:  # pragma: no cover
    raise NotImplementedError
