"""The rejected rows of a round, to send back: ``civcheck read --format json|xlsx -o OUT``.

Each rejected row (each problem of it, when a row has several) becomes one record: file, sheet, row, column,
code, the message in the run's language and the bad value, with the unit that submitted the file. The unit
of a file/sheet is the department most named by its accepted rows (责任单位, 提交单位, 来源单位), else by the
file's accepted rows, else the file's name — so that the office can send each unit its own rows.

``json`` writes one file (``退回行.json`` / ``rejected-rows.json``) with every record; ``xlsx`` one workbook per
unit (``退回行-<unit>.xlsx``). Every file is written atomically; existing files are kept unless ``force``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from checker.intake.evidence import Evidence

FORMATS = ("terminal", "json", "xlsx")
STEM = {"zh": "退回行", "en": "rejected-rows"}
# The columns of a record and their headings: (key, zh, en).
COLUMNS = (
    ("unit", "提交单位", "Submitted by"),
    ("file", "文件", "File"),
    ("sheet", "工作表", "Sheet"),
    ("row", "行号", "Row"),
    ("column", "列", "Column"),
    ("code", "代码", "Code"),
    ("message", "问题", "Problem"),
    ("value", "填写的值", "Value given"),
)


@dataclass(frozen=True)
class RejectedRow:
    unit: str
    file: str
    sheet: str
    row: int
    column: str
    code: str
    message: str
    value: str


def _units(evidence: Evidence) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The submitting unit of each (file, sheet) and of each file, from the departments of accepted rows."""
    by_sheet: dict[tuple[str, str], Counter[str]] = {}
    by_file: dict[str, Counter[str]] = {}
    for frame in evidence.frames.values():
        if "department" not in frame.columns or "_file" not in frame.columns or not len(frame):
            continue
        sheets = frame["_sheet"] if "_sheet" in frame.columns else [""] * len(frame)
        for file, sheet, department in zip(frame["_file"], sheets, frame["department"], strict=True):
            if not isinstance(department, str) or not department.strip():
                continue
            key = (str(file), "" if not isinstance(sheet, str) else sheet)
            by_sheet.setdefault(key, Counter())[department] += 1
            by_file.setdefault(str(file), Counter())[department] += 1
    return (
        {key: counts.most_common(1)[0][0] for key, counts in by_sheet.items()},
        {key: counts.most_common(1)[0][0] for key, counts in by_file.items()},
    )


def rejected_rows(evidence: Evidence, lang: str) -> list[RejectedRow]:
    """One record per problem of every rejected row, in the order they were read."""
    from checker.intake.codes import render

    sheet_units, file_units = _units(evidence)
    rows: list[RejectedRow] = []
    for r in evidence.rejected:
        unit = (
            sheet_units.get((r.file, r.sheet))
            or file_units.get(r.file)
            or PurePosixPath(r.file).stem
            or r.file
        )
        problems = r.problems or ((r.column, r.code, r.fields),)
        for column, code, fields in problems:
            value = dict(fields).get("value", "")
            rows.append(
                RejectedRow(
                    unit=unit,
                    file=r.file,
                    sheet=r.sheet,
                    row=r.row,
                    column=column,
                    code=code,
                    message=render(code, fields, lang),
                    value="" if value is None else str(value),
                )
            )
    return rows


def targets(rows: list[RejectedRow], out: Path, formats: set[str], lang: str) -> list[Path]:
    """The files a run writes into ``out``, in writing order."""
    from checker.files import unique_file_names

    paths = []
    if "json" in formats:
        paths.append(out / f"{STEM[lang]}.json")
    if "xlsx" in formats:
        units = sorted({r.unit for r in rows})
        names = unique_file_names([f"{STEM[lang]}-{unit}" for unit in units], ".xlsx")
        paths += [out / name for name in names]
    return paths


def write_rejected(
    evidence: Evidence,
    out: Path,
    formats: set[str],
    lang: str,
    *,
    force: bool = False,
    progress: Callable[[int, int, Path], None] | None = None,
) -> list[Path]:
    """Write the rejected rows as JSON and/or one workbook per unit into ``out``; the paths written.

    ``progress(done, total, path)`` as for :func:`checker.report.writer.write_reports`."""
    from checker import files

    rows = rejected_rows(evidence, lang)
    paths = targets(rows, out, formats, lang)
    files.refuse_existing(paths, force=force)
    out.mkdir(parents=True, exist_ok=True)
    total = len(paths)
    step = progress or (lambda done, total, path: None)
    written: list[Path] = []
    if "json" in formats:
        path = paths.pop(0)
        step(len(written), total, path)
        document = {
            "evidence": evidence.root,
            "lang": lang,
            "count": len(rows),
            "units": sorted({r.unit for r in rows}),
            "rows": [asdict(r) for r in rows],
        }
        files.write_text(path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        written.append(path)
    if "xlsx" in formats:
        units = sorted({r.unit for r in rows})
        for unit, path in zip(units, paths, strict=True):
            step(len(written), total, path)
            _workbook(path, [r for r in rows if r.unit == unit], lang)
            written.append(path)
    if written:
        step(total, total, written[-1])
    return written


def _workbook(path: Path, rows: list[RejectedRow], lang: str) -> None:
    """One unit's rejected rows: a header, one line per problem; every text written as text (never a formula)."""
    import xlsxwriter

    from checker.files import atomic_path
    from checker.report.sanitize import cell_text

    with atomic_path(path) as temp:
        book = xlsxwriter.Workbook(str(temp), {"constant_memory": True})
        sheet = book.add_worksheet(STEM[lang] if lang == "zh" else "Rejected rows")
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        widths = {"unit": 18, "file": 32, "sheet": 14, "row": 7, "column": 14, "code": 22, "message": 60}
        for col, (key, zh, en) in enumerate(COLUMNS):
            sheet.set_column(col, col, widths.get(key, 24))
            sheet.write_string(0, col, zh if lang == "zh" else en, bold)
        for line, record in enumerate(rows, start=1):
            values = asdict(record)
            for col, (key, _, _) in enumerate(COLUMNS):
                value = values[key]
                if key == "row":
                    sheet.write_number(line, col, int(value))
                else:
                    sheet.write_string(line, col, cell_text(value))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
        book.close()
