"""report.html: one self-contained page (inline CSS and SVG, no script, no network) that prints on A4.

Every text that reaches the page goes through :func:`html.escape` (quotes included), after control
characters are replaced visibly.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from checker.report import tables
from checker.report.history import (
    TRACKING_LISTS,
    gaps_with_history,
    lifecycle_text,
    tracking_listing,
)
from checker.report.labels import column_label, kind_label, label, method_label
from checker.report.reasons import gap_texts, plan_note_text, veto_texts
from checker.report.sanitize import clean_text
from checker.scoring.tracking import ACCOUNTABILITY_COLUMNS

if TYPE_CHECKING:
    from checker.scoring.assessment import Assessment, Rollup

TOP_GAPS = 50
TOP_DEPARTMENTS = 40
TOP_PLAN = 20  # steps of the plan on the page; the workbook lists them all
TOP_TRACKED = 30  # rows of the 整改跟踪 listing on the page; the workbook lists them all
# History columns the page's gap table shows for a recorded round (the workbook has them all).
PAGE_HISTORY = ("lifecycle", "first_seen", "rounds_open", "last_status")

CSS = """
@page { size: A4; margin: 15mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       sans-serif; color: #222; margin: 24px auto; padding: 0 12px; max-width: 1100px; font-size: 14px;
       line-height: 1.45; overflow-wrap: break-word; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 2px solid #4472c4; padding-bottom: 3px; }
.meta { color: #555; margin: 0 0 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid #ccd; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card .k { color: #666; font-size: 12px; }
.card .v { font-size: 20px; font-weight: bold; }
.card.veto { border-color: #c00; color: #c00; }
.note { color: #666; font-size: 12px; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #ddebf7; white-space: nowrap; }
td.n { text-align: right; white-space: nowrap; }
td.s { white-space: nowrap; }
td.w { min-width: 8em; }
td.t { min-width: 16em; }
tr:nth-child(even) td { background: #f8f9fb; }
svg.chart { display: block; width: 100%; max-width: 560px; height: auto; }
svg text { font-family: inherit; }
svg .code { font-family: "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif;
            font-variant-east-asian: proportional-width; }
@media (max-width: 600px) {
  body { margin: 12px auto; padding: 0 8px; font-size: 13px; }
  h1 { font-size: 19px; }
  .card { min-width: 0; flex: 1 1 40%; padding: 6px 8px; }
  .card .v { font-size: 16px; }
}
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; }
  tr, .card, svg { break-inside: avoid; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  th { white-space: normal; }
  td.w, td.t { min-width: 0; }
}
"""


def _e(value: Any) -> str:
    return html.escape(clean_text(value), quote=True)


def _num(value: Any, digits: int = 2) -> str:
    return _e(tables.number_text(value, digits))


def _pct(value: Any) -> str:
    return tables.percent_text(value, 1)


CHART_WIDTH = 440  # viewBox units; the SVG scales to the page width, at most 560 px (svg.chart in CSS)
CHART_LABEL_CHARS = 32  # a longer item name is cut with "…" (the full name is the bar's tooltip)


def _chart(projects: list[Rollup], lang: str) -> str:
    """A bar chart of Ⅰ-level score rates, as inline SVG with a ``viewBox``: the page scales it to its width
    (a phone shows all of it, smaller; nothing is clipped). Each item's name sits on its own line above the
    bar, so the chart stays narrow; the code is set in a ``tspan`` with a Latin font first, so that "Ⅰ-1" is
    not drawn as a full-width "Ⅰ" followed by a gap (as CJK fonts draw Roman numerals)."""
    if not projects:
        return f"<p>{_e(label('no_rows', lang))}</p>"
    width, value_w, row_h, bar_h = CHART_WIDTH, 150, 40, 15
    bar_w = width - value_w
    height = row_h * len(projects) + 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-label="{_e(label("chart_title", lang))}">'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = min(bar_w * tick, bar_w - 0.5) + 0.5
        anchor = "start" if tick == 0 else "end" if tick == 1.0 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height - 20}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="{anchor}" fill="#666">'
            f"{tick:.0%}</text>"
        )
    for i, project in enumerate(projects):
        y = i * row_h
        rate = max(0.0, min(1.0, project.rate))
        colour = "#4472c4" if rate >= 0.9 else "#ed7d31" if rate >= 0.7 else "#c00000"
        name = clean_text(project.name)
        if len(name) > CHART_LABEL_CHARS:
            name = name[: CHART_LABEL_CHARS - 1] + "…"
        full = f"{project.code} {project.name}"
        parts.append(
            f"<g><title>{_e(full)}</title>"
            f'<text x="0" y="{y + 15}" font-size="13"><tspan class="code">{_e(project.code)}</tspan> '
            f"{_e(name)}</text>"
            f'<rect x="0.5" y="{y + 20}" width="{max(bar_w * rate, 0.0):.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{bar_w * rate + 6:.1f}" y="{y + 33}" font-size="12">'
            f"{rate:.1%} ({project.score:.2f}/{project.points:.2f})</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


SHORT_TEXT = 12  # a text column whose cells are all at most this long never wraps (class "s")


def _table(
    headers: list[str], rows: list[list[tuple[str, bool]]], cls: str = "", long: tuple[int, ...] = ()
) -> str:
    """A table in a horizontally scrollable box: on a narrow screen the table keeps readable columns and
    scrolls by itself instead of widening the page or wrapping names one character per line.

    Cells are (escaped text, numeric). Numbers never wrap; a text column of short values (codes, dates,
    kinds) never wraps; other text columns keep a minimum width, wider for the ``long`` column indexes."""
    widths = [max((len(html.unescape(row[j][0])) for row in rows), default=0) for j in range(len(headers))]

    def css(j: int, numeric: bool) -> str:
        if numeric:
            return "n"
        if j in long:
            return "t"
        return "s" if widths[j] <= SHORT_TEXT else "w"

    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{css(j, num)}">{v}</td>' for j, (v, num) in enumerate(row)) + "</tr>"
        for row in rows
    )
    attr = f' class="{cls}"' if cls else ""
    return (
        f'<div class="scroll"><table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def _cell(column: str, value: Any) -> tuple[str, bool]:
    if column.endswith("_rate"):
        return _pct(value), True
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return _e(value), False
    if isinstance(value, (int, float)):
        return _num(value, 0 if float(value).is_integer() else 2), True
    return _e(value.isoformat() if hasattr(value, "isoformat") else value), False


def _plan_steps(assessment: Assessment, lang: str) -> str:
    """The plan's first steps (every kind of fix), each with what it fixes and the total after it."""
    plan = assessment.plan
    if plan.empty:
        return ""
    shown = plan.head(TOP_PLAN)
    gaps = assessment.gaps
    ids = tables.column_values(shown, "id")
    picked = gaps[gaps["id"].isin(ids)] if "id" in gaps.columns else gaps.iloc[0:0]
    texts = dict(zip(tables.column_values(picked, "id"), gap_texts(assessment, picked, lang)[0], strict=True))
    names = dict(
        zip(tables.column_values(picked, "id"), tables.column_values(picked, "site_name"), strict=True)
    )
    data = {
        c: tables.column_values(shown, c)
        for c in ("step", "kind", "standard", "department", "cumulative_score")
    }
    rows = []
    for i, step_id in enumerate(ids):
        what = names.get(step_id) or texts.get(step_id) or ""
        rows.append(
            [
                (_e(data["step"][i]), True),
                (_e(kind_label(str(data["kind"][i]), lang)), False),
                (_e(data["standard"][i]), False),
                (_e(what), False),
                (_e(data["department"][i]), False),
                (_num(data["cumulative_score"][i]), True),
            ]
        )
    headers = [
        label(k, lang)
        for k in (
            "col.step",
            "col.kind",
            "col.standard",
            "term.fix",
            "col.department",
            "col.cumulative_score",
        )
    ]
    more = (
        f'<p class="note">{_e(label("more_steps", lang).format(n=f"{len(plan) - len(shown):,}"))}</p>'
        if len(plan) > len(shown)
        else ""
    )
    return _table(headers, rows, long=(3,)) + more


def _tracking(assessment: Assessment, lang: str) -> str:
    """整改跟踪 (the lists since the previous round) and 整改通报 (every unit, worst first); empty unless the
    round was recorded in a campaign ledger."""
    track = assessment.tracking
    if track is None:
        return ""
    counts = [
        (label("track.round", lang), track.round),
        (label("track.previous", lang), track.previous or "—"),
        *((label(f"track.{k}", lang), f"{len(getattr(track, k)):,}") for k in TRACKING_LISTS),
    ]
    cards = "".join(
        f'<div class="card"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div></div>' for k, v in counts
    )
    listing = tracking_listing(assessment, lang)
    shown = min(listing.length, TOP_TRACKED)
    rows = [[_cell(c, listing.data[c][i]) for c in listing.columns] for i in range(shown)]
    headers = [label("sheet.tracking", lang), *(column_label(c, lang) for c in listing.columns[1:])]
    more = (
        f'<p class="note">{_e(label("more_tracked", lang).format(n=f"{listing.length - shown:,}"))}</p>'
        if listing.length > shown
        else ""
    )
    frame = track.accountability
    columns = ["rank", *(c for c in ACCOUNTABILITY_COLUMNS if c != "rank")]
    values = {c: tables.column_values(frame, c) for c in columns}
    unit_rows = [
        [
            (_e(values[c][i] or label("unassigned", lang)), False)
            if c == "department"
            else _cell(c, values[c][i])
            for c in columns
        ]
        for i in range(len(frame))
    ]
    unit_headers = [
        "#" if c == "rank" else label("term.department", lang) if c == "department" else column_label(c, lang)
        for c in columns
    ]
    return (
        f'<h2>{_e(label("tracking_title", lang))}</h2>\n<div class="cards">{cards}</div>\n'
        + (_table(headers, rows) if shown else "")
        + f"{more}\n<h2>{_e(label('accountability_title', lang))}</h2>\n{_table(unit_headers, unit_rows)}\n"
    )


def render_html(assessment: Assessment, lang: str, *, mark: str = "") -> str:
    """The whole page as a string."""
    total = assessment.total
    read, accepted, rejected = tables.rows_read(assessment)
    title = label("report_title", lang)
    cards = [
        (label("total", lang), f"{total.score:.2f} / {total.max:.2f}", False),
        (label("total_range", lang), f"{total.low:.2f} – {total.high:.2f}", False),
        (label("max_reachable", lang), f"{total.max_reachable:.2f}", False),
        (label("deductions", lang), f"{total.deductions:.2f}", False),
        (label("rows_accepted", lang), f"{accepted:,} / {read:,}", False),
        (label("rows_rejected", lang), f"{rejected:,}", False),
    ]
    if total.veto:
        reasons = label("reason.sep", lang).join(veto_texts(assessment, lang))
        veto_text = label("veto_yes", lang)
        if reasons:
            veto_text = label("veto_with_reasons", lang).format(veto=veto_text, reasons=reasons)
        cards.append((label("veto", lang), veto_text, True))
    card_html = "".join(
        f'<div class="card{" veto" if veto else ""}"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div></div>'
        for k, v, veto in cards
    )
    edition = label("handbook_edition", lang).format(
        name=assessment.handbook_name, edition=assessment.handbook_edition
    )
    pairs = [
        ("handbook", edition),
        *([("district", assessment.district)] if assessment.district.strip() else []),
        ("test_date", assessment.options.test_date.isoformat()),
        ("inputs_read", str(len(assessment.inputs))),
    ]
    meta = " · ".join(label("meta_pair", lang).format(key=label(k, lang), value=v) for k, v in pairs)

    methods = tables.methods(assessment)
    method_rows = [
        [
            (_e(method_label(m.code, lang)), False),
            (_num(m.score), True),
            (_num(m.points), True),
            (f"{_num(m.low)} – {_num(m.high)}", True),
            (_pct(m.rate), True),
            (f"{_num(m.weighted or 0.0)} / {_num(m.weighted_max or 0.0)}", True),
        ]
        for m in methods
    ]
    method_table = _table(
        [
            label(k, lang)
            for k in ("col.method", "col.score", "col.points", "total_range", "col.rate_pct", "col.weighted")
        ],
        method_rows,
    )

    gaps = assessment.gaps
    shown = gaps.head(TOP_GAPS)
    gap_columns = [
        "id",
        "kind",
        "standard",
        "site_name",
        "department",
        "description",
        "total_recoverable",
        "deadline",
    ]
    if assessment.tracking is not None:
        shown = gaps_with_history(assessment, shown)
        gap_columns += PAGE_HISTORY
    cols = [c for c in gap_columns if c in shown.columns]
    data = {c: tables.column_values(shown, c) for c in cols}
    if "description" in data:
        data["description"] = gap_texts(assessment, shown, lang)[0]
    gap_rows = []
    for i in range(len(shown)):
        row = []
        for c in cols:
            value = data[c][i]
            if c == "kind":
                row.append((_e(kind_label(str(value), lang)), False))
            elif c == "total_recoverable":
                row.append((_num(value, 3), True))
            elif c == "deadline":
                row.append((_e(value.isoformat() if value is not None else ""), True))
            elif c == "lifecycle":
                row.append((_e(lifecycle_text(value, lang)), False))
            elif c == "rounds_open":
                row.append((_num(value, 0), True))
            elif c == "site_name" and not clean_text(value).strip():
                # a district-level gap (data, survey, paperwork, a standard without evidence) has no site
                row.append((_e(label("site_none", lang)), False))
            else:
                row.append((_e(value), False))
        gap_rows.append(row)
    gap_table = _table(
        [column_label(c, lang) for c in cols],
        gap_rows,
        "gaps tracked" if assessment.tracking is not None else "gaps",
        long=tuple(j for j, c in enumerate(cols) if c == "description"),
    )
    rest = len(gaps) - len(shown)
    more = f'<p class="note">{_e(label("more_gaps", lang).format(n=f"{rest:,}"))}</p>' if rest > 0 else ""

    ranking = assessment.departments.head(TOP_DEPARTMENTS)
    rank_cols = [c for c in ("rank", "department", *tables.RANKING_COLUMNS[1:]) if c in ranking.columns]
    rank_data = {c: tables.column_values(ranking, c) for c in rank_cols}
    rank_rows = []
    for i in range(len(ranking)):
        row = []
        for c in rank_cols:
            value = rank_data[c][i]
            if c == "conformity":
                row.append((_pct(value), True))
            elif c == "total_recoverable":
                row.append((_num(value, 3), True))
            elif isinstance(value, (int, float)):
                row.append((_num(value), True))
            else:
                row.append((_e(value), False))
        rank_rows.append(row)
    rank_table = _table([column_label(c, lang) for c in rank_cols], rank_rows)

    rejected_note = (
        label("rejected_hint", lang).format(n=f"{len(assessment.rejected):,}")
        if assessment.rejected
        else label("rejected_none", lang)
    )
    plan_note = (
        f"<h2>{_e(label('sheet.plan', lang))}</h2>\n<p>{_e(plan_note_text(assessment, lang))}</p>\n"
        + _plan_steps(assessment, lang)
        if assessment.plan_note_code
        else ""
    )
    html_lang = "en" if lang == "en" else "zh-CN"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} · {_e(assessment.district)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<h1>{_e(title)}</h1>\n<p class="meta">{_e(meta)}</p>\n'
        f'<div class="cards">{card_html}</div>\n<p class="note">{_e(label("range_note", lang))}</p>\n'
        f"<h2>{_e(label('chart_title', lang))}</h2>\n{_chart(tables.projects(assessment), lang)}\n"
        f"<h2>{_e(label('methods', lang))}</h2>\n{method_table}\n"
        f"<h2>{_e(label('top_gaps', lang))}</h2>\n{gap_table if len(shown) else _e(label('no_rows', lang))}\n{more}\n"
        f"<h2>{_e(label('department_ranking', lang))}</h2>\n{rank_table}\n{_tracking(assessment, lang)}{plan_note}\n"
        f'<p class="note">{_e(rejected_note)}</p>\n'
        + (f'<p class="note">{_e(mark)}</p>\n' if mark else "")
        + f'<p class="note">{_e(label("generated_by", lang))}</p>\n</body>\n</html>\n'
    )
