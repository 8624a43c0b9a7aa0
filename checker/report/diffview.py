"""The round diff (轮次对比) on screen and as a workbook, from the plain data ``civcheck diff`` computes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from checker.report.labels import label


def _t(key: str, lang: str) -> str:
    return label("generated_by" if key == "generated_by" else f"diff.{key}", lang)


def _n(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _delta(before: Any, after: Any) -> str:
    if before is None or after is None:
        return ""
    return f"{after - before:+.2f}"


def render_diff(result: dict[str, Any], lang: str, console: Console | None = None) -> None:
    out = console or Console(highlight=False)
    a, b = result["before"], result["after"]
    out.print(f"[bold]{_t('title', lang)}[/]  {a['round']} → {b['round']}")
    out.print(f"{_t('total', lang)}: {_n(a['total'])} → {_n(b['total'])} ({_delta(a['total'], b['total'])})")
    counts = "  ".join(
        f"{_t(k, lang)} {len(result[k])}"
        for k in ("new", "fixed", "persisting", "recurred", "not_reinspected")
    )
    out.print(counts)
    table = Table(title=_t("project", lang), title_justify="left")
    for col in ("project", "before", "after", "change"):
        table.add_column(_t(col, lang), justify="left" if col == "project" else "right")
    for p in result["projects"]:
        table.add_row(
            f"{p['code']} {p['name']}", _n(p["before"]), _n(p["after"]), _delta(p["before"], p["after"])
        )
    out.print(table)
    for kind in ("department", "street"):
        rows = result["departments" if kind == "department" else "streets"]
        table = Table(title=_t(kind, lang), title_justify="left")
        table.add_column(_t(kind, lang), overflow="fold")
        for col in ("problems", "conformity", "recoverable"):
            table.add_column(_t(col, lang), justify="right")
        for r in sorted(rows, key=lambda r: -(r["after"]["problems"] - r["before"]["problems"])):
            x, y = r["before"], r["after"]
            table.add_row(
                r[kind] or "—",
                f"{x['problems']} → {y['problems']}",
                f"{_pct(x['conformity'])} → {_pct(y['conformity'])}",
                f"{_n(x['total_recoverable'])} → {_n(y['total_recoverable'])}",
            )
        out.print(table)


def write_diff_workbook(result: dict[str, Any], path: Path, lang: str) -> None:
    from checker.report.workbook import SheetWriter, close_book, new_book

    book = new_book(path)
    taken: set[str] = set()
    summary = SheetWriter(book, _t("title", lang), taken, lang)
    summary.title(f"{_t('title', lang)}: {result['before']['round']} → {result['after']['round']}")
    summary.pair(_t("total", lang) + " " + _t("before", lang), result["before"]["total"], "points")
    summary.pair(_t("total", lang) + " " + _t("after", lang), result["after"]["total"], "points")
    for k in ("new", "fixed", "persisting", "recurred", "not_reinspected"):
        summary.pair(_t(k, lang), len(result[k]))
    projects = SheetWriter(book, _t("project", lang), taken, lang)
    projects.header([_t(c, lang) for c in ("project", "before", "after")])
    for row, p in enumerate(result["projects"], start=1):
        projects.cell(row, 0, f"{p['code']} {p['name']}")
        projects.cell(row, 1, p["before"], "points")
        projects.cell(row, 2, p["after"], "points")
    for kind, key in (("department", "departments"), ("street", "streets")):
        sheet = SheetWriter(book, _t(kind, lang), taken, lang)
        cols = [kind] + [
            f"{c}.{w}" for c in ("problems", "conformity", "recoverable") for w in ("before", "after")
        ]
        sheet.header(
            [_t(kind, lang)]
            + [f"{_t(c.split('.')[0], lang)}（{_t(c.split('.')[1], lang)}）" for c in cols[1:]]
        )
        for row, r in enumerate(result[key], start=1):
            x, y = r["before"], r["after"]
            values = [r[kind], x["problems"], y["problems"], x["conformity"], y["conformity"],
                      x["total_recoverable"], y["total_recoverable"]]  # fmt: skip
            for col, value in enumerate(values):
                sheet.cell(row, col, value, "percent" if col in (3, 4) else ("points" if col > 4 else None))
    problems = SheetWriter(book, _t("problems_sheet", lang), taken, lang)
    problems.header([_t(k, lang) for k in ("new", "fixed", "persisting", "recurred", "not_reinspected")])
    for col, k in enumerate(("new", "fixed", "persisting", "recurred", "not_reinspected")):
        for row, pid in enumerate(result[k], start=1):
            problems.cell(row, col, pid)
    close_book(book)
