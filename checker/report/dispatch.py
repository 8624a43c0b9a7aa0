"""交办单: one workbook per responsible unit (责任单位) with only its gaps and the reply columns.

The first sheet is laid out so that the returned workbook reads back as 整改反馈 (replies) evidence: the
header is on the first row and holds the replies kind's headers exactly (taken from
:data:`checker.intake.kinds.KINDS`, never retyped here), next to context columns whose headers belong to
no other kind's required set. 整改状态 offers :data:`~checker.intake.kinds.REPLY_STATUSES` as a drop-down.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.files import inside, unique_name
from checker.intake.kinds import KINDS, REPLY_STATUSES
from checker.numbers import num, pct, with_unit
from checker.report import columnar, sheetxml, tables
from checker.report.history import HISTORY_COLUMNS, dispatch_order, gaps_with_history, lifecycle_text
from checker.report.labels import column_label, kind_label, label
from checker.report.reasons import localise_gap_table
from checker.report.sanitize import inline_text
from checker.report.workbook import (
    SheetWriter,
    add_bulk,
    cell_rules,
    close_book,
    formats_of,
    new_book,
    row_height,
    row_heights,
    within_sheet,
)

if TYPE_CHECKING:
    import pandas as pd

    from checker.scoring.assessment import Assessment, StandardResult

# Context columns before the replies (what a liaison officer needs on paper), and after them (the rest);
# the problem id comes first and is the replies kind's own header. Only the id and the replies columns
# are read back, so the order is free: it is chosen so that the printed page (id … replies) fits A4
# landscape at about 75% (the widths below add up to about 190 characters in a recorded round).
CONTEXT_COLUMNS = (
    "kind",
    "standard",
    "street",
    "site_name",
    "address",
    "description",
    "required",
    "to_reach",
    "deadline",
)
TRAILING_COLUMNS = ("site", "site_type", "cases", "photo", "total_recoverable", "evidence")
REPLY_COLUMNS = ("status", "measure", "date", "photo")
DISPATCH_WIDTHS = {
    "id": 12.5,
    "kind": 8,
    "standard": 8,
    "site": 9,
    "site_name": 11,
    "address": 12,
    "site_type": 9,
    "street": 7,
    "description": 22,
    "required": 20,
    "to_reach": 18,
    "cases": 6,
    "photo": 8,
    "total_recoverable": 8,
    "deadline": 10.5,
    "evidence": 14,
}
REPLY_WIDTHS = {"status": 8, "measure": 18, "date": 10.5, "photo": 8}
# In a recorded round (check --record) the 交办单 also carry each problem's history, before the replies:
# its state, the how-many-th dispatch and the unit's previous reply; the date of that reply, the measure
# and the first round seen stay on screen. None of these headers is a replies header, so reading back is
# unchanged.
HISTORY_CONTEXT = ("lifecycle", "dispatches", "last_status")
HISTORY_TRAILING = ("last_completed", "last_measure", "first_seen")
HISTORY_WIDTHS = {"lifecycle": 8, "dispatches": 5, "last_status": 8, "last_completed": 11, "last_measure": 20,
                  "first_seen": 10}  # fmt: skip
ALERT_STATES = frozenset({"false_claim", "recurred", "overdue"})
UNIT_IN_HEADER = 40  # characters of the unit's name in the page header (Excel allows 255 in all)


def reply_headers(lang: str) -> dict[str, str]:
    """Header of each replies column: the canonical Chinese header, or its first English alias."""
    spec = {c.column: c for c in KINDS["replies"].columns}
    if lang == "en":
        return {name: col.aliases[0] for name, col in spec.items()}
    return {name: col.header for name, col in spec.items()}


def _layout(tracked: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The context columns before the replies and the trailing ones after them."""
    if not tracked:
        return CONTEXT_COLUMNS, TRAILING_COLUMNS
    return (*CONTEXT_COLUMNS, *HISTORY_CONTEXT), (*TRAILING_COLUMNS, *HISTORY_TRAILING)


def header_row(lang: str, tracked: bool = False) -> list[str]:
    """The header row of the dispatch sheet, exactly as written."""
    replies = reply_headers(lang)
    context, trailing = _layout(tracked)
    return (
        [replies["problem_id"]]
        + [column_label(c, lang) for c in context]
        + [replies[c] for c in REPLY_COLUMNS]
        + [column_label(c, lang) for c in trailing]
    )


@dataclass(frozen=True)
class DispatchTarget:
    department: str  # as the engine names it ("" when no unit could be found)
    path: Path
    gaps: pd.DataFrame
    assessment: Assessment | None = None  # to write what the engine says by code in the report's language


def targets(assessment: Assessment, folder: Path, lang: str) -> list[DispatchTarget]:
    """One target per department with dispatched gaps, each with a distinct, safe file name."""
    gaps = tables.gaps_of(assessment, *tables.DISPATCHED_KINDS)
    if gaps.empty:
        return []
    departments = gaps["department"].astype(object).where(gaps["department"].notna(), "").astype(str)
    taken: set[str] = set()
    found: list[DispatchTarget] = []
    for department, group in gaps.groupby(departments.to_numpy(), sort=True):
        name = str(department)
        shown = name.strip() or label("unassigned", lang)
        file_name = unique_name(shown, ".xlsx", taken, fallback="_", sep="-")
        found.append(DispatchTarget(name, inside(folder, file_name), group, assessment))
    return found


def write_dispatch_book(target: DispatchTarget, path: Path, lang: str, *, mark: str = "") -> None:
    """Write one department's 交办单 to ``path`` (a temporary file; the caller renames it).

    Printed, every page carries the title, the receiving unit, the issue and reply-by dates, a line for the
    unit's contact and signature, and "page X of Y" (page header and footer), so that row 1 stays the
    header row that ``civcheck reply`` / intake read back.
    """
    book = new_book(path)
    book.set_properties({"title": label("dispatch_title", lang), "comments": label("generated_by", lang)})
    taken: set[str] = set()
    sheet = SheetWriter(book, label("sheet.dispatch", lang), taken, lang)
    note = SheetWriter(book, label("sheet.dispatch_note", lang), taken, lang)
    formats = _box_formats(book)

    assessment = target.assessment
    tracked = assessment is not None and assessment.tracking is not None
    gaps = target.gaps
    if assessment is not None and tracked:
        gaps = dispatch_order(gaps_with_history(assessment, gaps))
    context, trailing = _layout(tracked)
    table = tables.frame_table(gaps, ("id", *context, *trailing), known=(*tables.GAP_ORDER, *HISTORY_COLUMNS))
    if assessment is not None:
        localise_gap_table(assessment, table, gaps, lang)
        table.data["to_reach"] = reach_texts(assessment, gaps, lang)
        table.data["address"] = _addresses(assessment, gaps)
    # Only the documented columns: a per-department sheet is no place for engine extras. A column the
    # engine does not provide stays empty rather than shifting the replies columns.
    before = ["id", *context]
    layout: list[str | None] = [*before, *(None for _ in REPLY_COLUMNS), *trailing]
    headers = header_row(lang, tracked)
    ws = sheet.sheet
    widths = [
        DISPATCH_WIDTHS.get(c, HISTORY_WIDTHS.get(c, 10))
        if c is not None
        else REPLY_WIDTHS[REPLY_COLUMNS[i - len(before)]]
        for i, c in enumerate(layout)
    ]
    ws.set_row(0, row_height([(h, w) for h, w in zip(headers, widths, strict=True)]))
    sheet.header(headers, labels=headers)
    first_reply = len(before)
    printed = first_reply + len(REPLY_COLUMNS)
    for col, column in enumerate(layout):
        if column is not None:
            ws.set_column(col, col, widths[col])
    # The reply cells are left unwritten: the column format shows them filled, and a department's own
    # entries take that format too (one cell write fewer per column and row on 200k problems).
    for offset, column in enumerate(REPLY_COLUMNS):
        fmt = sheet.formats["reply_date" if column == "date" else "reply"]
        ws.set_column(first_reply + offset, first_reply + offset, REPLY_WIDTHS[column], fmt)

    kinds = {k: kind_label(k, lang) for k in tables.DISPATCHED_KINDS}
    listed, cut = within_sheet(table, 1)  # the note and counts below keep the whole table
    empty: list[Any] = [None] * listed.length
    columns = [listed.data.get(c, empty) if c is not None else empty for c in layout]
    states = listed.data.get("lifecycle", empty)
    row = _problem_rows(sheet, formats, layout, columns, states, kinds, widths, printed, lang)
    last = max(row - 1, 1)
    if cut:
        ws.write_string(row, 0, label("rows_cut", lang).format(n=cut), formats["alert"])
    ws.data_validation(
        1,
        first_reply,
        last,
        first_reply,
        {
            "validate": "list",
            "source": list(REPLY_STATUSES),
            "input_title": headers[first_reply],
            "input_message": "、".join(REPLY_STATUSES),
        },
    )
    ws.data_validation(
        1,
        first_reply + 2,
        last,
        first_reply + 2,
        {"validate": "date", "criteria": ">=", "value": date(2000, 1, 1), "error_message": "yyyy-mm-dd"},
    )
    # Overdue in red whenever the sheet is opened or printed: past its deadline and not reported fixed.
    # A conditional format's rule (no cell holds a formula; the rule contains no submitted text).
    from xlsxwriter.utility import xl_col_to_name

    due = layout.index("deadline")
    due_cell = f"${xl_col_to_name(due)}2"
    status_cell = f"${xl_col_to_name(first_reply)}2"
    ws.conditional_format(
        1,
        due,
        last,
        due,
        {
            "type": "formula",
            "criteria": f'=AND({due_cell}<>"",{due_cell}<TODAY(),{status_cell}<>"{REPLY_STATUSES[0]}")',
            "format": formats["overdue_rule"],
        },
    )
    ws.autofilter(0, 0, last, len(headers) - 1)
    ws.freeze_panes(1, 1)
    ws.repeat_rows(0)
    # Print the id, the context a department needs and the replies; the trailing columns stay on screen.
    ws.print_area(0, 0, last, printed - 1)
    ws.fit_to_pages(1, 0)
    ws.activate()

    deadlines = [d for d in table.data.get("deadline", []) if d is not None]
    reply_by = min(deadlines) if deadlines else None
    issued = assessment.issued if assessment is not None else None
    unit = target.department or label("unassigned", lang)
    _page_setup(ws, lang, unit, issued, reply_by)
    _page_setup(note.sheet, lang, unit, issued, reply_by)
    note.sheet.set_column(1, 1, 80, book.add_format({"text_wrap": True, "valign": "top"}))
    note.sheet.set_row(0, 24)
    note.title(label("dispatch_title", lang))
    note.pair(label("dispatch_to", lang), unit)
    note.pair(label("dispatch_issued", lang), issued, "left_date")
    note.pair(label("dispatch_reply_by", lang), reply_by, "left_date")
    note.pair(label("dispatch_count", lang), table.length, "left")
    counts = _kind_counts(table.data.get("kind", []), lang)
    note.sheet.set_row(note.row, row_height([(counts, 80)]))
    note.pair(label("dispatch_by_kind", lang), counts)
    note.pair(label("dispatch_statuses", lang), "、".join(REPLY_STATUSES))
    if mark:  # which run made this 交办单: the other outputs of the round name the same generation
        note.pair(label("generation_key", lang), mark)
    howto = label("dispatch_howto", lang)
    note.sheet.set_row(note.row, row_height([(howto, 80)]))
    note.pair(label("col.note", lang), howto)
    note.blank()
    for key in ("dispatch_contact", "dispatch_phone", "dispatch_signed", "dispatch_returned"):
        note.sheet.set_row(note.row, 24)  # room to write by hand
        note.pair(label(key, lang), None, "reply")
    note.sheet.fit_to_pages(1, 0)
    close_book(book)


def _problem_rows(
    sheet: SheetWriter,
    formats: dict[str, Any],
    layout: list[str | None],
    columns: list[list[Any]],
    states: list[Any],
    kinds: dict[str, str],
    widths: list[float],
    printed: int,
    lang: str,
) -> int:
    """The problems from row 2 on; returns the next free row. Each column's values and formats are decided
    once; a long 交办单 is then rendered column by column (:mod:`sheetxml`), a short one cell by cell."""
    length = len(states)
    cells: list[sheetxml.BulkColumn] = []
    for col, (column, values) in enumerate(zip(layout, columns, strict=True)):
        if column is None:
            continue
        base: str | None = _fmt(column) if col >= printed else _box(column)
        fmt: str | list[str | None] | None = base
        if column == "kind":
            values = _mapped(values, lambda v: kinds.get(v, v))
        elif column == "lifecycle":
            values = _mapped(values, lambda v: lifecycle_text(v, lang))
            fmt = ["box_alert" if s in ALERT_STATES else "box" for s in states]
        elif column == "deadline":
            fmt = [
                "box_overdue" if s == "overdue" else base for s in states
            ]  # 逾期: the missed deadline in red
        cells.append(sheetxml.BulkColumn(col, values, fmt))
    heights = row_heights([(c.values, widths[c.col]) for c in cells if c.col < printed], length)
    if length >= sheetxml.BULK_ROWS:
        rules = cell_rules(sheet.book, lang)
        add_bulk(sheet.book, sheet.sheet, sheetxml.Bulk(0, 1, length, cells, rules, heights))
        return 1 + length
    for n in range(length):
        row = 1 + n
        sheet.sheet.set_row(row, heights[n])  # constant memory: a row's height before its cells
        for c in cells:
            fmt_n = c.fmt if c.fmt is None or isinstance(c.fmt, str) else c.fmt[n]
            if fmt_n is not None and fmt_n.startswith("box"):
                _boxed(sheet, formats, row, c.col, c.values[n], fmt_n)
            else:
                sheet.cell(row, c.col, c.values[n], fmt_n)
    return 1 + length


def _mapped(values: list[Any], convert: Any) -> list[Any]:
    """``convert`` of every value but None, called once per distinct value."""
    codes, uniques = columnar.factorize(values)
    mapped = [convert(u) for u in uniques] + [None]
    return [mapped[c] for c in codes.tolist()]


def _page_setup(ws: Any, lang: str, unit: str, issued: date | None, reply_by: date | None) -> None:
    """Title and receiving unit on every printed page, the dates, a contact line and page X of Y."""
    colon = "：" if lang == "zh" else ": "
    name = inline_text(unit)
    if len(name) > UNIT_IN_HEADER:
        name = name[: UNIT_IN_HEADER - 1] + "…"
    name = name.replace("&", "&&")  # a literal & in a header is written &&
    when = f"{label('dispatch_issued', lang)}{colon}{issued.isoformat() if issued else '—'}"
    due = f"{label('dispatch_reply_by', lang)}{colon}{reply_by.isoformat() if reply_by else '—'}"
    title = label("dispatch_title", lang)
    ws.set_header(
        f'&L&"-,Bold"{label("dispatch_to", lang)}{colon}{name}&C&"-,Bold"&14{title}&R{when}　{due}',
        {"margin": 0.3},
    )
    ws.set_footer(f"&L{label('dispatch_footer', lang)}&R{label('print.page', lang)}", {"margin": 0.3})
    ws.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.75)


def _kind_counts(kinds: list[Any], lang: str) -> str:
    """ "点位问题 600、问卷未达标 2 …": the unit's problems by kind, in the order kinds are dispatched."""
    counts = Counter(k for k in kinds if k)
    sep = "、" if lang == "zh" else ", "
    return sep.join(f"{kind_label(k, lang)} {counts[k]}" for k in tables.DISPATCHED_KINDS if counts[k])


def _addresses(assessment: Assessment, gaps: pd.DataFrame) -> list[Any]:
    """The register's address of each gap's site (None when the site has none or the gap no site)."""
    found = assessment.addresses
    if found is None or not len(gaps):
        return [None] * len(gaps)
    return [tables.plain(v) for v in found.reindex(gaps["site"].astype(str).to_numpy()).tolist()]


def _box_formats(book: Any) -> dict[str, Any]:
    """Bordered, wrapped, top-aligned formats of the printed cells (added once to the shared formats)."""
    formats: dict[str, Any] = formats_of(book)
    if "box" not in formats:
        base = {"border": 1, "text_wrap": True, "valign": "top"}
        formats["box"] = book.add_format(base)
        formats["box_date"] = book.add_format({**base, "num_format": "yyyy-mm-dd"})
        formats["box_points"] = book.add_format({**base, "num_format": "0.00"})
        formats["box_overdue"] = book.add_format(
            {**base, "num_format": "yyyy-mm-dd", "font_color": "#C00000", "bold": True}
        )
        formats["box_alert"] = book.add_format({**base, "font_color": "#C00000", "bold": True})
        formats["left"] = book.add_format({"align": "left", "valign": "top"})
        formats["left_date"] = book.add_format({"align": "left", "valign": "top", "num_format": "yyyy-mm-dd"})
        formats["overdue_rule"] = book.add_format(
            {"font_color": "#C00000", "bold": True, "bg_color": "#FCE4E4"}
        )
    return formats


def _box(column: str) -> str:
    return {"deadline": "box_date", "last_completed": "box_date", "total_recoverable": "box_points"}.get(
        column, "box"
    )


def _boxed(sheet: SheetWriter, formats: dict[str, Any], row: int, col: int, value: Any, fmt: str) -> None:
    """A printed cell: bordered even when empty, so that the page reads as a filled-in form."""
    if value is None or value == "":
        sheet.sheet.write_blank(row, col, None, formats[fmt])
    else:
        sheet.cell(row, col, value, fmt)


DIRECTIONS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


def reach_texts(assessment: Assessment, gaps: pd.DataFrame, lang: str) -> list[str | None]:
    """整改目标 of each gap: what the unit must reach, in the report's language — a survey's target rate
    against its rate now, an indicator's target against its value, the materials and the document window,
    what a field standard still lacks; None for a site problem (its 标准要求 says it)."""
    standards = {s.code: s for s in assessment.standards}
    start, end = (d.isoformat() for d in assessment.window)
    kinds = tables.column_values(gaps, "kind")
    codes = tables.column_values(gaps, "standard")
    required = tables.column_values(gaps, "required")
    out: list[str | None] = []
    for kind, code, need in zip(kinds, codes, required, strict=True):
        if kind == "coverage":
            out.append(label("reach.coverage", lang))
        elif kind == "negative":
            out.append(label("reach.negative", lang))
        elif kind == "material":
            out.append(label("reach.material", lang).format(start=start, end=end, material=need or ""))
        elif kind in ("survey", "data", "standard") and code in standards:
            out.append(_standard_reach(standards[code], start, end, lang))
        else:
            out.append(None)
    return out


def _standard_reach(s: StandardResult, start: str, end: str, lang: str) -> str | None:
    args = dict(s.reason_args)
    if s.method == "survey" and s.rate is not None and s.target is not None:
        text = label("reach.survey", lang).format(
            question=args.get("question") or s.code,
            target=pct(s.target),
            rate=pct(s.rate),
            short=num(max(0.0, (s.target - s.rate) * 100)),
        )
        least = args.get("min_sample")
        if isinstance(least, int) and (s.respondents or 0) < least:
            text += label("reach.survey_sample", lang).format(n=least)
        return text
    if s.method == "data" and s.rate is not None and s.target is not None:
        unit = str(args.get("unit") or "")
        return label("reach.data", lang).format(
            indicator=args.get("indicator") or s.code,
            direction=DIRECTIONS.get(str(args.get("direction") or ">="), str(args.get("direction"))),
            target=with_unit(s.target, unit),
            value=with_unit(s.rate, unit),
        )
    if s.method == "document" and s.missing_materials:
        names = label("reason.name_sep", lang).join(s.missing_materials)
        return label("reach.materials", lang).format(start=start, end=end, materials=names)
    if s.method == "field":
        parts = []
        if s.sites_failing:
            parts.append(label("reach.field_failing", lang).format(n=s.sites_failing))
        if s.sites_uncovered:
            parts.append(label("reach.field_uncovered", lang).format(n=s.sites_uncovered))
        if s.status in ("no_evidence", "invalid") and not s.sites_failing:
            parts.append(label("reach.field_none", lang))
        return label("reach.sep", lang).join(parts) or None
    return None


def _fmt(column: str) -> Any:
    return {
        "total_recoverable": "points",
        "deadline": "date",
        "description": "wrap",
        "required": "wrap",
        "to_reach": "wrap",
        "last_completed": "date",
        "last_measure": "wrap",
    }.get(column)
