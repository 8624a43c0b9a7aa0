"""The city's view (``civcheck city``) on screen, as a workbook (全市汇总.xlsx) and as a page (全市汇总.html)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from checker.report.labels import label
from checker.report.sanitize import clean_text


def t(key: str, lang: str) -> str:
    return label("generated_by" if key == "generated_by" else f"city.{key}", lang)


def _rows(view: dict[str, Any], lang: str) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Each table as (headers, rows of plain values)."""
    tables = {
        "ranking": (
            [t(k, lang) for k in ("rank", "district", "round", "total", "range", "open", "overdue", "false_claims")],
            [[d["rank"], d["district"], d["round"], d["total"], f"{d['low']:.2f}–{d['high']:.2f}", d["open"],
              d["overdue"], d["false_claims"]] for d in view["districts"]],
        ),
        "projects": (
            [t(k, lang) for k in ("item", "loss", "mean", "rate", "worst")],
            [[f"{p['code']} {p['name']}", p["loss"], p["mean"], p["rate"], p["worst_district"]]
             for p in view["projects"]],
        ),
        "departments": (
            [t(k, lang) for k in ("department", "open", "districts", "conformity")],
            [[r["department"], r["open"], r["districts"], r["conformity"]] for r in view["departments"]],
        ),
    }  # fmt: skip
    if view["failed"]:
        key = "message_zh" if lang == "zh" else "message"
        tables["failed"] = ([t("district", lang), t("message", lang)],
                            [[f["district"], f[key]] for f in view["failed"]])  # fmt: skip
    return tables


def _text(value: Any, column: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if column in (t("rate", "zh"), t("rate", "en"), t("conformity", "zh"), t("conformity", "en")):
            return f"{value * 100:.1f}%"
        return f"{value:.2f}"
    return clean_text(value)


def render_city(view: dict[str, Any], lang: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = Console(highlight=False, markup=False, emoji=False)
    out.print(Text(t("title", lang), style="bold"))
    for key, (headers, rows) in _rows(view, lang).items():
        table = Table(title=t(key, lang), title_justify="left")
        for i, h in enumerate(headers):
            table.add_column(
                h, justify="left" if i in (0, 1) and key != "ranking" else "right" if i else "left"
            )
        for row in rows[:20]:
            table.add_row(*[Text(_text(v, headers[j])) for j, v in enumerate(row)])
        out.print(table)


def write_city_workbook(view: dict[str, Any], path: Path, lang: str) -> None:
    from checker.report.workbook import SheetWriter, close_book, new_book

    book = new_book(path)
    taken: set[str] = set()
    for key, (headers, rows) in _rows(view, lang).items():
        sheet = SheetWriter(book, t(key, lang), taken, lang)
        sheet.header(headers, labels=headers)
        for row in rows:
            for col, value in enumerate(row):
                fmt = None
                if isinstance(value, float):
                    fmt = "percent" if headers[col] in (t("rate", lang), t("conformity", lang)) else "points"
                sheet.cell(sheet.row, col, value, fmt)
            sheet.row += 1
        sheet.finish()
    close_book(book)


def render_city_html(view: dict[str, Any], lang: str) -> str:
    from checker.report.html import CSS, _table

    def e(value: Any) -> str:
        return html.escape(clean_text(value), quote=True)

    body = [f"<h1>{e(t('title', lang))}</h1>"]
    if view.get("handbook"):
        body.append(f'<p class="meta">{e(view["handbook"]["id"])} {e(view["handbook"]["edition"])}</p>')
    for key, (headers, rows) in _rows(view, lang).items():
        body.append(f"<h2>{e(t(key, lang))}</h2>")
        cells = [
            [(e(_text(v, headers[j])), isinstance(v, (int, float))) for j, v in enumerate(row)]
            for row in rows
        ]
        body.append(_table(headers, cells, long=(0,) if key != "ranking" else ()))
    body.append(f'<p class="note">{e(t("generated_by", lang))}</p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "zh-CN"}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(t('title', lang))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
