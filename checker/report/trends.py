"""The trends of a campaign (``civcheck history``) on screen, as a workbook and as a page.

Terminal: the total, the cycle score and one line per Ⅰ item, method and department with a sparkline,
laid out to fit 80 columns. Workbook (趋势.xlsx): a 趋势 sheet with native line charts (the total with its
range; the Ⅰ items' score rates), and sheets for methods, departments, the cycle and the rounds. Page
(趋势.html): inline SVG line charts with a ``viewBox`` (they scale to the width of a phone), no script.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.report.labels import LABELS, label
from checker.report.sanitize import clean_text

if TYPE_CHECKING:
    from rich.console import Console

    from checker.campaign.cycle import CycleScore
    from checker.campaign.history import History, Trend


SPARK = "▁▂▃▄▅▆▇█"
SPARK_ROUNDS = 16  # the sparkline shows at most the last 16 rounds (80 columns)
NAME_WIDTH = 22
COLOURS = ("#4472c4", "#ed7d31", "#a5a5a5", "#ffc000", "#5b9bd5", "#70ad47", "#264478", "#9e480e",
           "#636363", "#997300")  # fmt: skip


def t(key: str, lang: str) -> str:
    return label("generated_by" if key == "generated_by" else f"trend.{key}", lang)


def sparkline(values: list[float | None], width: int = SPARK_ROUNDS) -> str:
    """One character per round (the last ``width`` rounds), its height scaled between the row's own lowest
    and highest value; a round without a value is a space."""
    shown = values[-width:]
    seen = [v for v in shown if v is not None]
    if not seen:
        return ""
    low, high = min(seen), max(seen)
    out = []
    for v in shown:
        if v is None:
            out.append(" ")
        elif high - low < 1e-9:
            out.append(SPARK[3])
        else:
            out.append(SPARK[round((v - low) / (high - low) * (len(SPARK) - 1))])
    return "".join(out)


def _name(trend: Trend, lang: str) -> str:
    if trend.kind == "total":
        return t("total", lang)
    if trend.kind == "method":
        return t(f"method.{trend.code}", lang) if f"trend.method.{trend.code}" in LABELS else trend.name
    if trend.kind == "project":
        return f"{trend.code} {trend.name}"
    return trend.name


def _value_text(trend: Trend, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if trend.kind == "department" else f"{value:.2f}"


def _change_text(trend: Trend) -> tuple[str, str]:
    change = trend.last_change()
    if change is None or abs(change) < 5e-5:
        return ("" if change is None else "0", "")
    text = f"{change * 100:+.1f}%" if trend.kind == "department" else f"{change:+.2f}"
    return (("▲" if change > 0 else "▼") + text, "green" if change > 0 else "red")


def _last(values: list[Any]) -> Any:
    seen = [v for v in values if v is not None]
    return seen[-1] if seen else None


def _first(values: list[Any]) -> Any:
    seen = [v for v in values if v is not None]
    return seen[0] if seen else None


def declining(history: History) -> list[Trend]:
    return [tr for tr in history.trends if (tr.last_change() or 0) < -5e-5]


def _years(cycle: CycleScore) -> str:
    return "、".join(str(y) for y in cycle.open_years)


def cycle_lines(cycle: CycleScore, lang: str) -> list[str]:
    """The cycle's verdict as sentences (terminal, page)."""
    lines: list[str] = []
    if cycle.score is not None:
        lines.append(f"{t('so_far', lang)}: {cycle.score:.2f} ({cycle.low:.2f}–{cycle.high:.2f})")
    if cycle.target is None:
        lines.append(t("no_target", lang))
        return lines
    head = f"{t('target', lang)} {cycle.target:.2f}: "
    if cycle.required is None:
        lines.append(head + t("reached" if cycle.reachable else "missed", lang))
    elif not cycle.reachable:
        lines.append(head + t("unreachable", lang).format(
            years=_years(cycle), score=f"{cycle.required:.2f}", max=f"{cycle.total_points:g}"))  # fmt: skip
    elif cycle.required <= 0:
        lines.append(head + t("secured", lang).format(years=_years(cycle)))
    else:
        lines.append(head + t("required", lang).format(years=_years(cycle), score=f"{cycle.required:.2f}"))
    return lines


def _weights_text(cycle: CycleScore) -> str:
    return "/".join(f"{w:g}" for w in cycle.weights.values())


def _basis(year: Any, lang: str) -> str:
    if year.round is None:
        return t("basis.none", lang)
    return t("basis.official" if year.official else "basis.last", lang)


# -- terminal -------------------------------------------------------------------------------------------


def _m(value: Any) -> str:
    """Text of the ledger or the evidence, safe inside a rich markup string (``区水务局[/]`` stays text)."""
    from rich.markup import escape

    return escape(clean_text(value))


def render_history(history: History, lang: str, local: bool, console: Console | None = None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    out = console or Console(highlight=False, emoji=False)
    rounds = history.rounds
    out.print(f"[bold]{t('title', lang)}[/]  {_m(history.district)}  "
              f"{t('rounds', lang)} {len(rounds)}")  # fmt: skip
    if not rounds:
        out.print(t("no_rounds", lang))
        return
    last = rounds[-1]
    out.print(f"{t('total', lang)} {last.total:.2f}（{t('range', lang)} {last.low:.2f}–{last.high:.2f}） "
              f"{_m(last.name)} {last.issued.isoformat()}")  # fmt: skip
    cycle = history.cycle
    if cycle is not None:
        years = [y.year for y in cycle.years]
        out.print(
            f"[bold]{t('cycle_head', lang).format(first=years[0], last=years[-1], weights=_weights_text(cycle), local=t('local', lang) if local else '')}[/]"
        )
        for y in cycle.years:
            score = "—" if y.score is None else f"{y.score:.2f}"
            name = _m((y.round or "")[:16])
            state = t("settled" if y.settled else "open_year", lang)
            out.print(f"  {y.year}  {y.weight:>4g}%  {score:>6}  {name:<16} {_basis(y, lang)} · {state}")
        for line in cycle_lines(cycle, lang):
            out.print(f"  {line}")
        if "outside" in history.notes:
            out.print(f"  {t('outside', lang)}")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), show_edge=False)
    table.add_column(t("item", lang), max_width=NAME_WIDTH, no_wrap=True, overflow="ellipsis")
    for key in ("first", "last", "change"):
        table.add_column(t(key, lang), justify="right", no_wrap=True)
    table.add_column(t("trend", lang), no_wrap=True, max_width=SPARK_ROUNDS)
    table.add_column(t("open", lang), justify="right", no_wrap=True)
    previous_kind = ""
    for trend in history.trends:
        if previous_kind and trend.kind != previous_kind:
            table.add_section()
        previous_kind = trend.kind
        change, colour = _change_text(trend)
        opened = _last(trend.open)
        table.add_row(
            _m(_name(trend, lang)),
            _value_text(trend, _first(trend.values)),
            _value_text(trend, _last(trend.values)),
            f"[{colour}]{change}[/]" if colour else change,
            sparkline(trend.values),
            "" if opened is None else str(opened),
        )
    out.print(table)
    if len(rounds) > SPARK_ROUNDS:
        out.print(t("more_rounds", lang).format(n=SPARK_ROUNDS))
    down = declining(history)
    if down:
        names = "、".join(_m(_name(d, lang)).replace(" ", "\u00a0") for d in down[:12])
        more = f" …(+{len(down) - 12})" if len(down) > 12 else ""
        out.print(f"[red]▼ {t('declining', lang)}[/]: {names}{more}")
    else:
        out.print(t("declining_none", lang))


# -- workbook -------------------------------------------------------------------------------------------


def write_history_workbook(history: History, path: Path, lang: str, local: bool) -> None:
    from checker.report.workbook import SheetWriter, close_book, new_book

    book = new_book(path)
    taken: set[str] = set()
    rounds = history.rounds
    names = [r.name for r in rounds]
    sheet = SheetWriter(book, t("trend", lang), taken, lang)
    sheet.title(f"{t('title', lang)} · {history.district}")
    head = sheet.header([t("item", lang), *names], labels=[t("item", lang), *names])
    series_rows: dict[str, int] = {}
    lines: list[tuple[str, list[float | None], str | None]] = [
        (t("total", lang), [r.total for r in rounds], "points"),
        (t("low", lang), [r.low for r in rounds], "points"),
        (t("high", lang), [r.high for r in rounds], "points"),
    ]
    for trend in history.rows("project"):
        rates = [None if v is None or not trend.points else v / trend.points for v in trend.values]
        lines.append((_name(trend, lang), rates, "percent"))
    for key, line_values, fmt in lines:
        series_rows[key] = sheet.row
        sheet.cell(sheet.row, 0, key)
        for col, value in enumerate(line_values, start=1):
            sheet.cell(sheet.row, col, value, fmt)
        sheet.row += 1
    sheet.sheet.set_column(0, 0, 30)
    last_col = max(1, len(rounds))
    name = sheet.name
    chart = book.add_chart({"type": "line"})
    for key in (t("total", lang), t("low", lang), t("high", lang)):
        row = series_rows[key]
        chart.add_series(
            {
                "name": [name, row, 0],
                "categories": [name, head, 1, head, last_col],
                "values": [name, row, 1, row, last_col],
                "marker": {"type": "circle", "size": 5} if key == t("total", lang) else {"type": "none"},
                "line": {"width": 2.25} if key == t("total", lang) else {"width": 1, "dash_type": "dash"},
            }
        )
    chart.set_title({"name": t("chart_total", lang)})
    chart.set_y_axis({"num_format": "0"})
    chart.set_size({"width": 720, "height": 320})
    anchor = sheet.row + 1
    sheet.sheet.insert_chart(anchor, 0, chart)
    projects = [tr for tr in history.rows("project")]
    if projects:
        chart2 = book.add_chart({"type": "line"})
        for trend in projects:
            row = series_rows[_name(trend, lang)]
            chart2.add_series(
                {
                    "name": [name, row, 0],
                    "categories": [name, head, 1, head, last_col],
                    "values": [name, row, 1, row, last_col],
                    "marker": {"type": "circle", "size": 4},
                }
            )
        chart2.set_title({"name": t("chart_projects", lang)})
        chart2.set_y_axis({"num_format": "0%"})
        chart2.set_size({"width": 720, "height": 360})
        sheet.sheet.insert_chart(anchor + 17, 0, chart2)
    sheet.finish()
    for kind, title in (("method", "methods"), ("department", "departments")):
        part = SheetWriter(book, t(title, lang), taken, lang)
        part.header([t("item", lang), *names, t("open_long", lang)],
                    labels=[t("item", lang), *names, t("open_long", lang)])  # fmt: skip
        fmt = "percent" if kind == "department" else "points"
        for trend in history.rows(kind):
            part.cell(part.row, 0, _name(trend, lang))
            for col, value in enumerate(trend.values, start=1):
                part.cell(part.row, col, value, fmt)
            part.cell(part.row, len(names) + 1, _last(trend.open))
            part.row += 1
        part.finish()
    cycle = history.cycle
    if cycle is not None:
        part = SheetWriter(book, t("cycle", lang), taken, lang)
        years = [y.year for y in cycle.years]
        part.title(t("cycle_head", lang).format(first=years[0], last=years[-1], weights=_weights_text(cycle),
                                                local=t("local", lang) if local else ""))  # fmt: skip
        cols = ["year", "weight", "round", "score", "low", "high", "basis", "state"]
        part.header(cols, labels=[t(c, lang) for c in cols])
        for y in cycle.years:
            values: list[Any] = [y.year, y.weight, y.round, y.score, y.low, y.high, _basis(y, lang),
                      t("settled" if y.settled else "open_year", lang)]  # fmt: skip
            for col, value in enumerate(values):
                part.cell(part.row, col, value, "points" if col in (3, 4, 5) else None)
            part.row += 1
        part.blank()
        for line in cycle_lines(cycle, lang):
            part.title(line)
        part.finish()
    part = SheetWriter(book, t("rounds", lang), taken, lang)
    cols = ["round", "date", "year", "total", "low", "high", "official", "open_long"]
    part.header(cols, labels=[t(c, lang) for c in cols])
    for r in rounds:
        kind = t("official", lang) if r.official else ""
        if r.entered:
            kind = f"{kind}（{t('entered', lang)}）" if kind else t("entered", lang)
        cells: list[Any] = [r.name, r.issued, r.year, r.total, r.low, r.high, kind, r.gaps]
        for col, value in enumerate(cells):
            part.cell(part.row, col, value, "points" if col in (3, 4, 5) else None)
        part.row += 1
    part.finish()
    close_book(book)


# -- page -----------------------------------------------------------------------------------------------

CHART_W, CHART_H = 440, 230
PAD_L, PAD_R, PAD_T, PAD_B = 36, 10, 10, 34
PAGE_CSS = """
.legend { list-style: none; padding: 0; margin: 4px 0 12px; display: flex; flex-wrap: wrap; gap: 4px 14px;
          font-size: 12.5px; }
.legend i { display: inline-block; width: 14px; height: 4px; vertical-align: middle; margin-right: 4px; }
svg.line { display: block; width: 100%; max-width: 720px; height: auto; }
.down { color: #c00000; } .up { color: #2e7d32; }
"""


def _e(value: Any) -> str:
    return html.escape(clean_text(value), quote=True)


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float | None], str]],
    *,
    low: float,
    high: float,
    percent: bool,
    title: str,
    band: tuple[list[float | None], list[float | None]] | None = None,
) -> str:
    """An inline SVG line chart (``viewBox``, scales to the page's width): one polyline per series, a point
    per round with its value as a tooltip, at most six round names under the axis."""
    n = len(labels)
    span = high - low if high - low > 1e-9 else 1.0
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return PAD_T + plot_h * (1 - (v - low) / span)

    def fmt(v: float) -> str:
        return f"{v * 100:.0f}%" if percent else f"{v:.0f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="line" viewBox="0 0 {CHART_W} {CHART_H}" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{_e(title)}">'
    ]
    for k in range(5):
        v = low + span * k / 4
        parts.append(
            f'<line x1="{PAD_L}" y1="{y(v):.1f}" x2="{CHART_W - PAD_R}" y2="{y(v):.1f}" stroke="#e3e3e3"/>'
            f'<text x="{PAD_L - 4}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end" fill="#666">'
            f"{fmt(v)}</text>"
        )
    step = max(1, -(-n // 6))
    for i, name in enumerate(labels):
        if i % step and i != n - 1:
            continue
        if i != n - 1 and n - 1 - i < step:
            continue  # keep the last round's name clear of the one before
        short = name if len(name) <= 8 else name[:7] + "…"
        anchor = "start" if n > 1 and i == 0 else "end" if n > 1 and i == n - 1 else "middle"
        parts.append(
            f'<text x="{x(i):.1f}" y="{CHART_H - PAD_B + 16}" font-size="10" text-anchor="{anchor}" '
            f'fill="#444">{_e(short)}</text>'
        )
    if band is not None:
        lows, highs = band
        top = [(x(i), y(v)) for i, v in enumerate(highs) if v is not None]
        bottom = [(x(i), y(v)) for i, v in enumerate(lows) if v is not None]
        if top and bottom:
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in top + bottom[::-1])
            parts.append(f'<polygon points="{points}" fill="#4472c4" fill-opacity="0.15" stroke="none"/>')
    for name, values, colour in series:
        marks = [(x(i), y(v), v, labels[i]) for i, v in enumerate(values) if v is not None]
        if len(marks) > 1:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b, _, _ in marks)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for a, b, v, round_name in marks:
            value = f"{v * 100:.1f}%" if percent else f"{v:.2f}"
            parts.append(
                f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{colour}">'
                f"<title>{_e(name)} · {_e(round_name)}: {value}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: list[tuple[str, list[float | None], str]]) -> str:
    items = "".join(f'<li><i style="background:{c}"></i>{_e(n)}</li>' for n, _, c in series)
    return f'<ul class="legend">{items}</ul>'


def _bounds(values: list[float], *, percent: bool) -> tuple[float, float]:
    if not values:
        return (0.0, 1.0 if percent else 100.0)
    low, high = min(values), max(values)
    margin = max((high - low) * 0.1, 0.02 if percent else 1.0)
    floor = 0.0
    return (max(floor, low - margin), high + margin)


def render_history_html(history: History, lang: str, local: bool) -> str:
    from checker.report.html import CSS, _table

    rounds = history.rounds
    labels = [r.name for r in rounds]
    title = f"{t('title', lang)} · {history.district}" if history.district else t("title", lang)
    body: list[str] = [f"<h1>{_e(title)}</h1>"]
    if rounds:
        last = rounds[-1]
        body.append(
            f'<p class="meta">{_e(t("rounds", lang))} {len(rounds)} · {_e(rounds[0].issued.isoformat())} – '
            f"{_e(last.issued.isoformat())}</p>"
        )
        cards = [
            (t("total", lang), f"{last.total:.2f}"),
            (t("range", lang), f"{last.low:.2f}–{last.high:.2f}"),
        ]
        if history.cycle is not None and history.cycle.score is not None:
            cards.append((t("cycle", lang), f"{history.cycle.score:.2f}"))
            if history.cycle.required is not None:
                cards.append((t("required", lang).format(years=_years(history.cycle), score="").strip(),
                               f"{history.cycle.required:.2f}"))  # fmt: skip
        body.append(
            '<div class="cards">'
            + "".join(
                f'<div class="card"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div></div>'
                for k, v in cards
            )
            + "</div>"
        )
        totals = [r.total for r in rounds]
        low, high = _bounds([r.low for r in rounds] + [r.high for r in rounds] + totals, percent=False)
        body.append(f"<h2>{_e(t('chart_total', lang))}</h2>")
        body.append(
            line_chart(labels, [(t("total", lang), list(totals), COLOURS[0])], low=low, high=high, percent=False,
                       title=t("chart_total", lang), band=([r.low for r in rounds], [r.high for r in rounds]))
        )  # fmt: skip
        projects = history.rows("project")
        if projects:
            series = []
            for i, trend in enumerate(projects):
                rates = [None if v is None or not trend.points else v / trend.points for v in trend.values]
                series.append((_name(trend, lang), rates, COLOURS[i % len(COLOURS)]))
            seen = [v for _, vals, _ in series for v in vals if v is not None]
            low, high = _bounds(seen, percent=True)
            body.append(f"<h2>{_e(t('chart_projects', lang))}</h2>")
            body.append(line_chart(labels, series, low=low, high=min(high, 1.0) if max(seen, default=0) <= 1 else high, percent=True,
                                   title=t("chart_projects", lang)))  # fmt: skip
            body.append(_legend(series))
    cycle = history.cycle
    if cycle is not None:
        years = [y.year for y in cycle.years]
        body.append(
            f"<h2>{_e(t('cycle_head', lang).format(first=years[0], last=years[-1], weights=_weights_text(cycle), local=t('local', lang) if local else ''))}</h2>"
        )
        rows = []
        for y in cycle.years:
            rows.append([
                (_e(y.year), False), (_e(f"{y.weight:g}%"), True), (_e(y.round or "—"), False),
                (_e("—" if y.score is None else f"{y.score:.2f}"), True), (_e(_basis(y, lang)), False),
                (_e(t("settled" if y.settled else "open_year", lang)), False),
            ])  # fmt: skip
        body.append(
            _table([t(c, lang) for c in ("year", "weight", "round", "score", "basis", "state")], rows)
        )
        body.append("".join(f"<p><b>{_e(line)}</b></p>" for line in cycle_lines(cycle, lang)))
        if "outside" in history.notes:
            body.append(f'<p class="note">{_e(t("outside", lang))}</p>')
    for kind, key in (("project", "projects"), ("method", "methods"), ("department", "departments")):
        trends = history.rows(kind)
        if not trends:
            continue
        body.append(f"<h2>{_e(t(key, lang))}</h2>")
        rows = []
        for trend in trends:
            change, colour = _change_text(trend)
            cls = {"red": "down", "green": "up"}.get(colour, "")
            opened = _last(trend.open)
            rows.append([
                (_e(_name(trend, lang)), False),
                (_e(_value_text(trend, _first(trend.values))), True),
                (_e(_value_text(trend, _last(trend.values))), True),
                (f'<span class="{cls}">{_e(change)}</span>' if cls else _e(change), True),
                (_e("" if opened is None else opened), True),
            ])  # fmt: skip
        body.append(
            _table([t(c, lang) for c in ("item", "first", "last", "change", "open")], rows, long=(0,))
        )
    if rounds:
        body.append(f"<h2>{_e(t('rounds', lang))}</h2>")
        rows = []
        for r in rounds:
            kind = t("official", lang) if r.official else ""
            if r.entered:
                kind = f"{kind}（{t('entered', lang)}）" if kind else t("entered", lang)
            rows.append([
                (_e(r.name), False), (_e(r.issued.isoformat()), False), (_e(r.year), False),
                (_e(f"{r.total:.2f}"), True), (_e(f"{r.low:.2f}–{r.high:.2f}"), True), (_e(kind), False),
                (_e("" if r.gaps is None else r.gaps), True),
            ])  # fmt: skip
        cols = ("round", "date", "year", "total", "range", "official", "open")
        body.append(_table([t(c, lang) for c in cols], rows))
    body.append(f'<p class="note">{_e(t("generated_by", lang))}</p>')
    lang_attr = "en" if lang == "en" else "zh-CN"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}{PAGE_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
