"""Writing generated workbooks and CSV files: atomically (see :mod:`checker.files`) and reproducibly.

Workbooks are written with xlsxwriter, whose zip entries carry a fixed 1980 timestamp; the document
properties carry :data:`FIXED_TIMESTAMP`, so the same content gives byte-identical files. Strings are
written as strings (no formula, number or URL guessing), so a value such as ``=1+1`` or a web link stays
the text it is.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.files import atomic_path
from checker.numbers import column_letters

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "FIXED_TIMESTAMP",
    "LIST_SHEET",
    "Table",
    "Validation",
    "excel_serial",
    "write_csv",
    "write_workbook",
]

FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 8, 0, 0)
LIST_SHEET = "列表"  # the hidden sheet holding long drop-down lists (intake skips hidden sheets)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMAT = "yyyy-mm-dd"
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)


def excel_serial(day: dt.date) -> int:
    """The Excel serial number of a date (what a date cell stores)."""
    return (day - _EXCEL_EPOCH).days


@dataclass(frozen=True)
class Validation:
    """A data validation on one column: a drop-down list (``source`` = a list name or values), whole
    numbers, or a date."""

    column: int
    source: str | tuple[str, ...] | None = None  # a key of the workbook's lists, or literal values
    minimum: int | None = None  # whole numbers ≥ minimum when ``source`` is None
    message: str = ""
    date: bool = False  # a date between DATE_MIN and DATE_MAX (a warning Excel lets the user override)


@dataclass(frozen=True)
class Table:
    """One sheet: an optional merged title row, the header row, then the data given column by column.

    Values are str, int, float or None (blank). Columns listed in ``date_columns`` hold Excel serial
    numbers (see :func:`excel_serial`) and get a date format; text in them is written as text.
    """

    sheet: str
    headers: Sequence[str]
    columns: Sequence[Sequence[Any]]
    title: str | None = None
    date_columns: frozenset[int] = frozenset()
    validations: Sequence[Validation] = ()
    validation_rows: int = 0  # how many rows below the header the validations cover (at least the data)
    widths: Mapping[int, float] = field(default_factory=dict)
    printable: bool = False  # A4 landscape, one page wide, title and header repeated on every page
    wrap: frozenset[int] = frozenset()  # columns whose cells wrap (long text)

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def _list_name(key: str) -> str:
    return f"list_{key}"


def write_workbook(
    target: Path,
    tables: Sequence[Table],
    lists: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    constant_memory: bool = False,
    title: str = "",
) -> None:
    """Write ``tables`` (one sheet each) to ``target``; ``lists`` go to the hidden list sheet as named ranges.

    ``lists`` maps a key to (column header, values); a :class:`Validation` whose ``source`` is that key
    becomes a drop-down referring to the named range ``list_<key>``.
    """
    import xlsxwriter

    lists = dict(lists or {})
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": constant_memory,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "default_date_format": _DATE_FORMAT,
            },
        )
        book.set_properties({"title": title, "author": "civcheck", "company": "", "created": FIXED_TIMESTAMP})
        header_fmt = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        title_fmt = book.add_format({"bold": True, "font_size": 14, "align": "center"})
        date_fmt = book.add_format({"num_format": _DATE_FORMAT})
        for table in tables:
            _write_table(book, table, lists, header_fmt, title_fmt, date_fmt)
        if lists:
            sheet = book.add_worksheet(LIST_SHEET)
            for col, (key, (header, values)) in enumerate(lists.items()):
                sheet.write_string(0, col, header, header_fmt)
                for row, value in enumerate(values, start=1):
                    sheet.write_string(row, col, value)
                letter = column_letters(col + 1)
                last = max(len(values), 1) + 1
                book.define_name(_list_name(key), f"='{LIST_SHEET}'!${letter}$2:${letter}${last}")
                sheet.set_column(col, col, 24)
            sheet.hide()
        book.close()


def _write_table(
    book: Any,
    table: Table,
    lists: Mapping[str, tuple[str, Sequence[str]]],
    header_fmt: Any,
    title_fmt: Any,
    date_fmt: Any,
) -> None:
    sheet = book.add_worksheet(table.sheet)
    width = len(table.headers)
    header_row = 0
    if table.title:
        if width > 1:
            sheet.merge_range(0, 0, 0, width - 1, table.title, title_fmt)
        else:
            sheet.write_string(0, 0, table.title, title_fmt)
        header_row = 1
    date_validated = {v.column for v in table.validations if v.date}
    wrap_fmt = book.add_format({"text_wrap": True, "valign": "top"}) if table.wrap else None
    for col, header in enumerate(table.headers):
        sheet.write_string(header_row, col, header, header_fmt)
        col_width = table.widths.get(col, max(10.0, 2.2 * len(header) + 2))
        # a date typed into a date column shows as a date; long text wraps instead of running off the page
        column_fmt = date_fmt if col in date_validated else wrap_fmt if col in table.wrap else None
        sheet.set_column(col, col, col_width, column_fmt)
    sheet.freeze_panes(header_row + 1, 0)
    if table.printable:
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # one page wide, as many pages down as it takes
        sheet.repeat_rows(0, header_row)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        sheet.set_footer("&C&P / &N")
    first = header_row + 1
    dates = sorted(table.date_columns)
    for row, values in enumerate(zip(*table.columns, strict=True), start=first):
        sheet.write_row(row, 0, values)
        for col in dates:
            if isinstance(values[col], int | float):  # a date typed as text stays text
                sheet.write_number(row, col, values[col], date_fmt)
    last = first + max(table.validation_rows, table.rows, 1) - 1
    for v in table.validations:
        options: dict[str, Any]
        if isinstance(v.source, str):
            if v.source not in lists or not lists[v.source][1]:
                continue  # an empty list would only block typing
            options = {"validate": "list", "source": f"={_list_name(v.source)}"}
        elif v.source is not None:
            options = {"validate": "list", "source": list(v.source)}
        elif v.date:
            options = {
                "validate": "date",
                "criteria": "between",
                "minimum": DATE_MIN,
                "maximum": DATE_MAX,
                "error_type": "warning",
            }
        else:
            options = {"validate": "integer", "criteria": ">=", "value": v.minimum or 0}
        if v.message:
            options.update({"error_title": "输入有误", "error_message": v.message})
        sheet.data_validation(first, v.column, last, v.column, options)


def write_csv(target: Path, headers: Sequence[str], columns: Sequence[Sequence[Any]]) -> None:
    """Write a UTF-8 CSV with a byte-order mark (what Excel on Chinese Windows opens cleanly)."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(zip(*columns, strict=True))
