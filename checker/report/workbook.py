"""The self-check workbook (自查报告.xlsx), written with xlsxwriter in constant-memory mode.

xlsxwriter was measured against openpyxl write-only on 50k problem rows × 18 columns of Chinese text:
4.4 s (constant memory) / 4.0 s (in memory) / 7.2 s (openpyxl). Constant memory keeps a 200k-row
problem list flat in RSS for the same speed, at the price of writing every sheet top to bottom.

Every cell that echoes submitted text goes through :func:`checker.report.sanitize.cell_text` and is
written with ``write_string`` (xlsxwriter's ``write`` would turn ``=…`` into a formula). No formula is
ever written.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.report import columnar, sheetxml, tables
from checker.report.history import (
    HISTORY_COLUMNS,
    TRACKING_LISTS,
    gaps_with_history,
    lifecycle_text,
    tracking_listing,
)
from checker.report.labels import column_label, kind_label, label, method_label, status_label
from checker.report.reasons import localise_gap_table, plan_note_text, reason_text, street_text, veto_texts
from checker.report.sanitize import cell_text, sheet_title
from checker.scoring.tracking import ACCOUNTABILITY_COLUMNS

if TYPE_CHECKING:
    from checker.scoring.assessment import Assessment, Rollup

PERCENT_COLUMNS = frozenset({"expected_share", "p_full", "conformity", "rate_pct"})
POINT_COLUMNS = frozenset(
    {
        "points",
        "score",
        "points_lost",
        "points_recoverable",
        "total_recoverable",
        "cumulative_score",
        "low",
        "high",
        "deduction",
        "weighted",
        "weighted_max",
        "total_gain",
    }
)
STATUS_FILLS = {
    "pass": "#C6EFCE",
    "partial": "#FFEB9C",
    "fail": "#FFC7CE",
    "no_evidence": "#D9D9D9",
    "not_applicable": "#F2F2F2",
    "invalid": "#F8CBAD",
}
WIDTH_SAMPLE = 200
PRINT_FIT_CHARS = 200  # about 70% scale on A4 landscape: still legible
# Printed rows with wrapped text: points per line (LibreOffice lays CJK text out at about 15 pt per line
# at 11 pt) and a row's padding; LibreOffice does not grow a row to its wrapped text by itself.
LINE_POINTS = 14.5
ROW_PADDING = 3.0
# What 测评结果 and 问题清单 print (the columns first, in this order; the rest follow on screen only) and
# the width their long texts wrap at.
PRINTED_STANDARDS = ("project", "indicator", "content", "code", "text", "method", "points", "score", "grade",
                     "status", "reason", "lead")  # fmt: skip
WRAPPED_STANDARDS = {"text": 30, "reason": 40, "lead": 12}
PRINTED_PROBLEMS = ("id", "standard", "site_name", "street", "department", "description", "cases",
                    "total_recoverable", "deadline")  # fmt: skip
WRAPPED_PROBLEMS = {"site_name": 18, "department": 20, "description": 34}
WRAPPED_COVERAGE = {"missed_standards": 24}  # a site may have missed many: the list wraps, the row grows


@functools.lru_cache(maxsize=1 << 16)
def _cached_cell_text(value: str) -> str:
    return cell_text(value)


def display_width(text: str) -> int:
    """Columns a text takes on screen: East Asian wide and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def row_height(cells: Sequence[tuple[Any, float]]) -> float:
    """Points a printed row needs so that its longest wrapped text (value, column width) does not spill."""
    lines = 1
    for value, width in cells:
        if not isinstance(value, str) or not value:
            continue
        usable = max(1.0, width * 1.1 - 1)  # LibreOffice fits about 1.2 display columns per width unit
        need = sum(max(1, math.ceil(display_width(part) / usable)) for part in value.split("\n"))
        lines = max(lines, need)
    return lines * LINE_POINTS + ROW_PADDING


def _wide_table() -> Any:
    """For every code point of the Basic Multilingual Plane: is it East Asian wide or full-width?"""
    import numpy as np

    global _WIDE
    if _WIDE is None:
        _WIDE = np.fromiter(
            (unicodedata.east_asian_width(chr(c)) in "WF" for c in range(0x10000)), dtype=bool, count=0x10000
        )
    return _WIDE


_WIDE: Any = None
_VECTOR_CHARS = 64  # texts up to this long are measured together in NumPy; longer ones one by one


def display_widths(texts: Sequence[str]) -> list[int]:
    """:func:`display_width` of many texts: short BMP texts measured together, the rest one by one."""
    import numpy as np

    out = [0] * len(texts)
    short = [i for i, t in enumerate(texts) if len(t) <= _VECTOR_CHARS and "\x00" not in t]
    if short:
        chars = np.array([texts[i] for i in short], dtype=str)
        points = chars.view(np.uint32).reshape(len(short), -1)
        bmp: list[bool] = np.asarray((points < 0x10000).all(axis=1)).tolist()
        wide = _wide_table()[np.where(points < 0x10000, points, 0)]
        widths = (points != 0).sum(axis=1) + wide.sum(axis=1)
        for i, n, ok in zip(short, widths.tolist(), bmp, strict=True):
            out[i] = n if ok else display_width(texts[i])
    for i in set(range(len(texts))) - set(short):
        out[i] = display_width(texts[i])
    return out


def row_heights(columns: Sequence[tuple[Sequence[Any], float]], length: int) -> list[float]:
    """:func:`row_height` of every row of a table, the columns given as (values, width); each distinct
    value of a column measured once."""
    import numpy as np

    from checker.report import columnar

    lines = np.ones(length, dtype=np.int64)
    for values, width in columns:
        usable = max(1.0, width * 1.1 - 1)
        codes, uniques = columnar.factorize(values)
        need = np.ones(len(uniques) + 1, dtype=np.int64)  # the last: a missing value, one line
        one_line = [i for i, u in enumerate(uniques) if isinstance(u, str) and u and "\n" not in u]
        if one_line:  # the lines of every one-line text at once
            widths = np.asarray(display_widths([uniques[i] for i in one_line]), dtype=np.float64)
            need[one_line] = np.maximum(1, np.ceil(widths / usable)).astype(np.int64)
        for i, u in enumerate(uniques):
            if isinstance(u, str) and "\n" in u:
                need[i] = sum(max(1, math.ceil(display_width(p) / usable)) for p in u.split("\n"))
        codes[codes < 0] = len(uniques)
        lines = np.maximum(lines, need[codes])
    return (lines * LINE_POINTS + ROW_PADDING).tolist()  # type: ignore[no-any-return]


def printed_first(table: tables.Table, printed: Sequence[str]) -> tuple[tables.Table, int]:
    """``table`` with the ``printed`` columns it has first (in that order), and how many they are."""
    first = [c for c in printed if c in table.columns]
    columns = first + [c for c in table.columns if c not in first]
    return tables.Table(columns, table.data, table.length), len(first)


class SheetWriter:
    """Writes tables into one worksheet top to bottom (constant-memory mode forbids going back)."""

    def __init__(self, book: Any, name: str, taken: set[str], lang: str) -> None:
        self.book = book
        self.sheet = book.add_worksheet(sheet_title(name, taken))
        self.name = self.sheet.get_name()
        self.lang = lang
        self.row = 0
        self.widths: dict[int, float] = {}
        self.fixed: set[int] = set()  # columns of wrapped text, kept at their width
        self.print_columns: int | None = None  # print only the first columns (None: as many as fit)
        self.formats = formats_of(book)
        # Print on A4 landscape, one page wide, header rows repeated (set per main table), the report's
        # title and the sheet's name above and page X of Y below every page.
        self.sheet.set_paper(9)
        self.sheet.set_landscape()
        self.sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        title = label("report_title", lang).replace("&", "&&")
        self.sheet.set_header(f"&L{title}&R&A", {"margin": 0.25})
        self.sheet.set_footer(f"&C{label('print.page', lang)}", {"margin": 0.25})

    def finish(self) -> None:
        """Print one page wide. A sheet too wide to stay legible so prints its leading columns only (as
        many as fit in PRINT_FIT_CHARS, or the ones a table chose); the rest stays on screen."""
        widths = [self.widths.get(c, 8) for c in range(max(self.widths, default=-1) + 1)]
        keep = self.print_columns
        if keep is None and sum(widths) > PRINT_FIT_CHARS:
            keep, total = 0, 0.0
            for width in widths:
                if keep and total + width > PRINT_FIT_CHARS:
                    break
                keep, total = keep + 1, total + width
        if keep:
            self.sheet.print_area(0, 0, max(self.row - 1, 0), keep - 1)
        self.sheet.fit_to_pages(1, 0)

    def set_widths(self, widths: Sequence[int]) -> None:
        """Fixed column widths (the summary mixes tables, so fitting each column to its longest text
        would make the page unreadably wide)."""
        for col, width in enumerate(widths):
            self.widths[col] = width
            self.sheet.set_column(col, col, width)

    def _fit(self, col: int, text: str) -> None:
        if col in self.fixed:
            return
        width = min(60, display_width(text) + 2)
        if width > self.widths.get(col, 8):
            self.widths[col] = width
            self.sheet.set_column(col, col, width)

    def title(self, text: str) -> None:
        self.sheet.write_string(self.row, 0, cell_text(text), self.formats["title"])
        self.row += 1

    def pair(self, key: str, value: Any, fmt: str | None = None) -> None:
        self.sheet.write_string(self.row, 0, key, self.formats["key"])
        self._fit(0, key)
        self.cell(self.row, 1, value, fmt)
        self.row += 1

    def blank(self) -> None:
        self.row += 1

    def header(self, columns: Sequence[str], *, labels: Sequence[str] | None = None) -> int:
        texts = list(labels) if labels is not None else [column_label(c, self.lang) for c in columns]
        for col, text in enumerate(texts):
            self.sheet.write_string(self.row, col, text, self.formats["header"])
            self._fit(col, text)
        at = self.row
        self.row += 1
        return at

    def cell(self, row: int, col: int, value: Any, fmt: str | None = None) -> None:
        """Write one plain value by its type; text always as a neutralised string."""
        form = self.formats[fmt] if fmt else None
        if value is None or value == "":
            if form is not None:
                self.sheet.write_blank(row, col, None, form)
            return
        if isinstance(value, str):
            self.sheet.write_string(row, col, _cached_cell_text(value), form)
        elif isinstance(value, bool):
            self.sheet.write_string(row, col, label("yes" if value else "no", self.lang), form)
        elif isinstance(value, (int, float)):
            if value != value or value in (float("inf"), float("-inf")):
                return
            self.sheet.write_number(row, col, value, form)
        elif isinstance(value, (date, datetime)):
            self.sheet.write_datetime(row, col, value, self.formats["date"] if fmt is None else form)
        elif isinstance(value, (list, tuple)):
            names = label("reason.name_sep", self.lang).join(str(v) for v in value)
            self.sheet.write_string(row, col, cell_text(names), form)
        else:
            self.sheet.write_string(row, col, cell_text(value), form)

    def table(
        self,
        table: tables.Table,
        *,
        translate: dict[str, Any] | None = None,
        fills: str | None = None,
        main: bool = True,
        labels: Sequence[str] | None = None,
        wrap: Mapping[str, float] | None = None,
        printed: int | None = None,
    ) -> None:
        """A header row then every row of ``table``; autofilter and frozen header when ``main``.

        ``wrap``: columns whose text wraps at a fixed width, each row made high enough for it on paper;
        ``printed``: print only the first columns of the sheet.
        """
        translate = translate or {}
        wrap_at = {table.columns.index(c): w for c, w in (wrap or {}).items() if c in table.columns}
        for col, width in wrap_at.items():
            self.widths[col] = width
            self.fixed.add(col)
            self.sheet.set_column(col, col, width)
        if printed is not None:
            self.print_columns = printed
        head = self.header(table.columns, labels=labels)
        column_fmt = [_column_format(c) for c in table.columns]
        for col in wrap_at:
            column_fmt[col] = column_fmt[col] or "wrap"
        if wrap_at:
            column_fmt = [f or "top" for f in column_fmt]
        converters = [translate.get(c) for c in table.columns]
        fill_at = table.columns.index(fills) if fills in table.columns else None
        table, cut = within_sheet(table, self.row)
        row = self._rows(table, converters, column_fmt, fill_at, wrap_at)
        if cut:
            self.sheet.write_string(row, 0, label("rows_cut", self.lang).format(n=cut), self.formats["alert"])
            row += 1
        self.row = row
        if main and table.columns:
            self.sheet.autofilter(head, 0, max(head, row - 1), len(table.columns) - 1)
            self.sheet.freeze_panes(head + 1, 0)
            self.sheet.repeat_rows(head)

    def _rows(
        self,
        table: tables.Table,
        converters: list[Any],
        column_fmt: list[str | None],
        fill_at: int | None,
        wrap_at: dict[int, float],
    ) -> int:
        """The rows of ``table`` from ``self.row`` on; returns the next free row. Each column's values and
        formats are decided once; a long table is then rendered column by column and spliced in when the
        book is closed (:mod:`checker.report.sheetxml`), a short one written cell by cell."""
        data = []
        for column, convert in zip(table.columns, converters, strict=True):
            values = table.data[column]
            if convert is not None:  # once per distinct value; None stays None
                codes, uniques = columnar.factorize(values)
                mapped = [convert(u) for u in uniques] + [None]
                values = [mapped[c] for c in codes.tolist()]
            data.append(values)
        columns = []
        for col, values in enumerate(data):
            fmt: str | list[str | None] | None = column_fmt[col]
            if col == fill_at:  # the status column takes its status's fill
                raw = table.data[table.columns[col]]
                fmt = [f"fill_{v}" if f"fill_{v}" in self.formats else column_fmt[col] for v in raw]
            columns.append(sheetxml.BulkColumn(col, values, fmt))
        heights = row_heights([(data[c], w) for c, w in wrap_at.items()], table.length) if wrap_at else None
        for n, values in enumerate(table.rows()):  # widths fitted to the first rows' texts
            if n >= WIDTH_SAMPLE:
                break
            for col, value in enumerate(values):
                if isinstance(value, str):
                    self._fit(col, value if converters[col] is None else str(data[col][n]))
        if table.length >= sheetxml.BULK_ROWS:
            rules = cell_rules(self.book, self.lang)
            add_bulk(self.book, self.sheet, sheetxml.Bulk(0, self.row, table.length, columns, rules, heights))
            return self.row + table.length
        for n in range(table.length):
            row = self.row + n
            if heights is not None:  # constant memory: a row's height is set before its cells are written
                self.sheet.set_row(row, heights[n])
            for c in columns:
                self.cell(
                    row, c.col, c.values[n], c.fmt if c.fmt is None or isinstance(c.fmt, str) else c.fmt[n]
                )
        return self.row + table.length


def within_sheet(table: tables.Table, first_row: int) -> tuple[tables.Table, int]:
    """``table`` cut to the rows a sheet still holds from 0-based row ``first_row`` (Excel's 1,048,576, one
    left for the line that says how many were cut), and how many were cut (0: none). A sheet beyond the
    limit does not open; report.json keeps every row."""
    room = sheetxml.EXCEL_MAX_ROWS - first_row - 1
    if table.length <= room:
        return table, 0
    kept = {c: v[:room] for c, v in table.data.items()}
    return tables.Table(table.columns, kept, room), table.length - room


def cell_rules(book: Any, lang: str) -> sheetxml.CellRules:
    """How :meth:`SheetWriter.cell` turns values into cells, for the bulk tables of ``book``."""
    formats = formats_of(book)

    def xf(name: str | None) -> int:
        return int(formats[name]._get_xf_index()) if name else 0

    return sheetxml.CellRules(xf, label("yes", lang), label("no", lang), label("reason.name_sep", lang))


def add_bulk(book: Any, sheet: Any, bulk: sheetxml.Bulk) -> None:
    """Keep ``bulk`` to be spliced into ``sheet`` when :func:`close_book` closes ``book``."""
    bulk.sheet = book.worksheets().index(sheet) + 1
    # xlsxwriter numbers a format (its xf index) when first used and writes styles.xml at close: the
    # formats of the bulk's cells are numbered now, before the rows are rendered after the close.
    names: set[str | None] = {"date"}
    for column in bulk.columns:
        names.update([column.fmt] if column.fmt is None or isinstance(column.fmt, str) else column.fmt)
    for name in names:
        if name is not None:
            bulk.rules.xf(name)
    pending: list[sheetxml.Bulk] = book.__dict__.setdefault("_civcheck_bulk", [])
    pending.append(bulk)


def close_book(book: Any) -> None:
    """Close the xlsxwriter workbook, then splice in its bulk tables."""
    book.close()
    sheetxml.splice(Path(book.filename), book.__dict__.get("_civcheck_bulk", []))


def _column_format(column: str) -> str | None:
    if column in ("reply_rate", "on_time_rate", "fix_rate"):
        return "percent"
    if column in PERCENT_COLUMNS:
        return "percent"
    if column in POINT_COLUMNS:
        return "points"
    if column in ("rate", "rate_low", "rate_high", "target"):
        return "rate"
    if column == "deadline":
        return "date"
    return None


def formats_of(book: Any) -> dict[str, Any]:
    """The workbook's shared formats, created once per workbook."""
    cached: dict[str, Any] | None = getattr(book, "_civcheck_formats", None)
    if cached is not None:
        return cached
    made = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "key": book.add_format({"bold": True}),
        "header": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        # Cells align at the top, so that a row made high for a wrapped text reads across on paper.
        "top": book.add_format({"valign": "top"}),
        "percent": book.add_format({"num_format": "0.0%", "valign": "top"}),
        "points": book.add_format({"num_format": "0.00", "valign": "top"}),
        "rate": book.add_format({"num_format": "0.00##", "valign": "top"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
        "reply": book.add_format({"bg_color": "#FFF2CC", "border": 1, "text_wrap": True, "valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "reply_date": book.add_format({"bg_color": "#FFF2CC", "border": 1, "num_format": "yyyy-mm-dd"}),
        "overdue_date": book.add_format({"num_format": "yyyy-mm-dd", "font_color": "#C00000", "bold": True}),
        "alert": book.add_format({"font_color": "#C00000", "bold": True, "text_wrap": True, "valign": "top"}),
    }
    for status, colour in STATUS_FILLS.items():
        made[f"fill_{status}"] = book.add_format({"bg_color": colour, "valign": "top"})
    book._civcheck_formats = made
    return made


def new_book(path: Path) -> Any:
    import xlsxwriter

    # strings_to_* off: text stays text (no URLs, formulas or numbers guessed from submitted strings).
    return xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )


def _status_text(lang: str) -> Any:
    return lambda value: status_label(value, lang)


def _method_text(lang: str) -> Any:
    return lambda value: method_label(value, lang)


def write_workbook(assessment: Assessment, path: Path, lang: str, *, mark: str = "") -> None:
    """Write the whole self-check workbook to ``path`` (a temporary file; the caller renames it)."""
    book = new_book(path)
    book.set_properties({"title": label("report_title", lang), "comments": label("generated_by", lang)})
    taken: set[str] = set()
    names = [
        "summary",
        "standards",
        "problems",
        "coverage",
        "materials",
        "survey_data",
        "departments",
        "streets",
        "plan",
        "rejected",
    ]
    sheets = {key: SheetWriter(book, label(f"sheet.{key}", lang), taken, lang) for key in names}
    translate = {"status": _status_text(lang), "method": _method_text(lang)}

    _summary(assessment, sheets["summary"], book, lang)
    if mark:  # which run made this workbook: the other outputs of the round name the same generation
        sheets["summary"].pair(label("generation_key", lang), mark)
    reasons = [reason_text(s, lang) for s in assessment.standards]
    standards = tables.record_table(assessment.standards, tables.STANDARD_COLUMNS, {"reason": reasons})
    standards, printed = printed_first(standards, PRINTED_STANDARDS)
    sheets["standards"].table(
        standards, translate=translate, fills="status", wrap=WRAPPED_STANDARDS, printed=printed
    )
    history = HISTORY_COLUMNS if assessment.tracking is not None else ()
    for key, kind, columns in (
        ("problems", "site_problem", tables.SITE_PROBLEM_COLUMNS),
        ("coverage", "coverage", tables.COVERAGE_COLUMNS),
        ("materials", "material", tables.MATERIAL_COLUMNS),
    ):
        gaps = gaps_with_history(assessment, tables.gaps_of(assessment, kind))
        table = tables.frame_table(gaps, (*columns, *history), known=(*tables.GAP_ORDER, *HISTORY_COLUMNS))
        localise_gap_table(assessment, table, gaps, lang)
        if history:
            table.data["lifecycle"] = [lifecycle_text(v, lang) for v in table.data["lifecycle"]]
        if key == "coverage":  # one row per site: "required" lists the standards it missed
            table = tables.renamed(table, "required", "missed_standards")
        if key == "problems":
            table, printed = printed_first(table, PRINTED_PROBLEMS)
            sheets[key].table(table, wrap=WRAPPED_PROBLEMS, printed=printed)
        elif key == "coverage":
            sheets[key].table(table, wrap=WRAPPED_COVERAGE)
        else:
            sheets[key].table(table)
    survey_data = [s for s in assessment.standards if s.method in ("survey", "data")]
    sheets["survey_data"].table(
        tables.record_table(survey_data, tables.SURVEY_DATA_COLUMNS), translate=translate, fills="status"
    )
    sheets["departments"].table(
        tables.frame_table(assessment.departments, ("department", *tables.RANKING_COLUMNS))
    )
    sheets["streets"].table(
        tables.frame_table(assessment.streets, ("street", *tables.RANKING_COLUMNS)),
        translate={"street": lambda value: street_text(value, lang)},
    )
    plan = sheets["plan"]
    if assessment.plan_note_code:
        plan.pair(label("plan_note", lang), plan_note_text(assessment, lang))
        plan.blank()
    steps = tables.frame_table(assessment.plan, tables.PLAN_COLUMNS)
    if "kind" in steps.data:  # every kind of fix: say which in words
        steps.data["kind"] = [kind_label(str(k), lang) if k else "" for k in steps.data["kind"]]
    plan.table(steps)
    sheets["rejected"].table(
        tables.rejected_table(assessment.rejected, lang),
        labels=[label(f"col.{c}", lang) for c in ("file", "sheet", "row", "column", "error_code", "message")],
    )
    if assessment.tracking is not None:
        _tracking_sheets(assessment, book, taken, lang, sheets)
    for sheet in sheets.values():
        sheet.finish()
    close_book(book)


def _tracking_sheets(
    assessment: Assessment, book: Any, taken: set[str], lang: str, sheets: dict[str, SheetWriter]
) -> None:
    """整改跟踪 (what changed since the previous round) and 整改通报 (units' accountability)."""
    track = assessment.tracking
    assert track is not None
    sheet = SheetWriter(book, label("sheet.tracking", lang), taken, lang)
    sheets["tracking"] = sheet
    sheet.title(label("tracking_title", lang))
    sheet.pair(label("track.round", lang), track.round)
    sheet.pair(label("track.previous", lang), track.previous or "—")
    for key in TRACKING_LISTS:
        sheet.pair(label(f"track.{key}", lang), len(getattr(track, key)))
    sheet.blank()
    listing = tracking_listing(assessment, lang)
    sheet.table(
        listing,
        labels=[label("sheet.tracking", lang), *(label(f"col.{c}", lang) for c in listing.columns[1:])],
    )
    unit = SheetWriter(book, label("sheet.accountability", lang), taken, lang)
    sheets["accountability"] = unit
    unit.title(label("accountability_title", lang))
    unit.table(tables.frame_table(track.accountability, ACCOUNTABILITY_COLUMNS, known=ACCOUNTABILITY_COLUMNS))


def _summary(assessment: Assessment, sheet: SheetWriter, book: Any, lang: str) -> None:
    total = assessment.total
    read, accepted, rejected = tables.rows_read(assessment)
    sheet.title(label("report_title", lang))
    edition = label("handbook_edition", lang)
    sheet.pair(
        label("handbook", lang),
        edition.format(name=assessment.handbook_name, edition=assessment.handbook_edition),
    )
    sheet.pair(label("district", lang), assessment.district)
    sheet.pair(label("test_date", lang), assessment.options.test_date)
    sheet.pair(label("window", lang), f"{assessment.window[0]:%Y-%m-%d} ~ {assessment.window[1]:%Y-%m-%d}")
    sheet.pair(label("inputs_read", lang), len(assessment.inputs))
    sheet.pair(label("rows_read", lang), read)
    sheet.pair(label("rows_accepted", lang), accepted)
    sheet.pair(label("rows_rejected", lang), rejected)
    sheet.pair(label("total", lang), total.score, "points")
    sheet.pair(label("total_max", lang), total.max, "points")
    sheet.pair(label("col.low", lang), total.low, "points")
    sheet.pair(label("col.high", lang), total.high, "points")
    sheet.pair(label("max_reachable", lang), total.max_reachable, "points")
    sheet.pair(label("deductions", lang), total.deductions, "points")
    veto = label("veto_yes" if total.veto else "veto_none", lang)
    if total.veto and (events := veto_texts(assessment, lang)):
        reasons = label("reason.sep", lang).join(events)
        veto = label("veto_with_reasons", lang).format(veto=veto, reasons=reasons)
    sheet.pair(label("veto", lang), veto)
    sheet.pair(label("total_range", lang), label("range_note", lang))
    sheet.blank()

    projects = tables.projects(assessment)
    project_table = _rollup_table(
        projects, ("code", "name", "points", "score", "rate_pct", "standards", "passed", "no_evidence")
    )
    head = sheet.row
    project_labels = [
        label(k, lang)
        for k in (
            "col.project",
            "col.name",
            "col.points",
            "col.score",
            "col.rate_pct",
            "col.standards",
            "col.passed",
            "col.no_evidence",
        )
    ]
    sheet.table(project_table, main=False, labels=project_labels)
    if projects:
        chart = book.add_chart({"type": "bar"})
        name = sheet.name.replace("'", "''")
        chart.add_series(
            {
                "name": label("chart_title", lang),
                "categories": f"='{name}'!$B${head + 2}:$B${head + 1 + len(projects)}",
                "values": f"='{name}'!$E${head + 2}:$E${head + 1 + len(projects)}",
                "data_labels": {"value": True, "num_format": "0%"},
                "fill": {"color": "#4472C4"},
            }
        )
        chart.set_title({"name": label("chart_title", lang)})
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
        chart.set_y_axis({"reverse": True, "crossing": "max"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 560, "height": 80 + 36 * len(projects)})
        sheet.sheet.insert_chart(0, 4, chart)
    sheet.blank()

    methods = tables.methods(assessment)
    sheet.table(
        _rollup_table(
            methods,
            ("method", "points", "score", "low", "high", "rate_pct", "weighted", "weighted_max"),
            method=[method_label(m.code, lang) for m in methods],
        ),
        main=False,
    )
    if assessment.negative_events:
        sheet.blank()
        sheet.title(label("sheet.negative", lang))
        sheet.table(
            tables.record_table(
                assessment.negative_events, ("code", "text", "date", "note", "deduction", "veto", "evidence")
            ),
            main=False,
            labels=[
                label(f"col.{k}", lang)
                for k in ("item", "name", "date", "note", "deduction", "veto", "evidence")
            ],
        )
    sheet.blank()
    sheet.title(label("inputs_read", lang))
    # The digests are in report.json; the file (often a long path) comes last so that it overflows freely.
    inputs = ("format", "rows_read", "rows_accepted", "rows_rejected", "file")
    sheet.table(tables.record_table(assessment.inputs, inputs), main=False)
    if assessment.skipped:  # the other files of the folder, each with why it was not read
        sheet.blank()
        sheet.title(label("skipped_title", lang))
        sheet.table(
            _skipped_table(assessment, lang),
            main=False,
            labels=[label(f"col.{c}", lang) for c in ("error_code", "message", "file")],
        )
    sheet.set_widths([16, 26, 11, 11, 11, 11, 11, 11])


def _skipped_table(assessment: Assessment, lang: str) -> tables.Table:
    """code, message, file of each skipped file; the message in the report's language."""
    skipped = assessment.skipped
    columns = {
        "code": [s.code for s in skipped],
        "message": tables.problem_texts(skipped, lang),
        "file": [s.file for s in skipped],
    }
    return tables.Table(list(columns), columns, len(skipped))


def _rollup_table(rollups: list[Rollup], columns: tuple[str, ...], **given: list[Any]) -> tables.Table:
    """Rollups as a table: each column is the rollup's field (``rate_pct`` its rate) unless ``given``."""

    def values(column: str) -> list[Any]:
        if column in given:
            return given[column]
        return [r.rate if column == "rate_pct" else getattr(r, column) for r in rollups]

    return tables.Table(list(columns), {c: values(c) for c in columns}, len(rollups))
