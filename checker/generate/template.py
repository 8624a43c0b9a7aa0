"""Blank evidence workbooks (填报模板) built from a handbook: one per kind of sheet, or one per department.

Every sheet carries exactly the canonical headers of :mod:`checker.intake.kinds`, under a title row.
Drop-down lists (codes, site types, results, departments, negative-list items) refer to named ranges on
a hidden 列表 sheet. Inspection sheets pre-list each site type's field standards (点位类型 and 测评标准
filled, the rest blank); document sheets pre-list the required materials of each document standard;
survey and indicator sheets pre-list their questions and indicators. A pre-listed line left unfilled is
read as a blank row, never as a rejection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.errors import UsageError
from checker.files import inside, refuse_existing, unique_file_names
from checker.generate.writers import Table, Validation, write_workbook
from checker.handbook.model import MATERIAL_KIND_LABELS_ZH, Handbook, Standard
from checker.intake.kinds import KINDS

__all__ = ["RESULT_CHOICES", "TEMPLATE_KINDS", "TemplateBook", "plan_templates", "write_templates"]

# Kinds a department fills in; 整改反馈 (replies) comes with the dispatch workbooks instead.
TEMPLATE_KINDS = ("sites", "inspections", "documents", "survey", "responses", "indicators", "incidents")
RESULT_CHOICES = ("符合", "不符合", "不适用")
# Rows below the pre-listed ones that still carry the drop-downs, for lines the user adds.
SPARE_ROWS = 1000

# Which drop-down list each column offers (a key of the lists built by _lists).
_COLUMN_LISTS: dict[str, dict[str, str]] = {
    "sites": {"site_type": "site_types", "department": "departments"},
    "inspections": {
        "site_type": "site_types",
        "standard": "field_codes",
        "department": "departments",
    },
    "documents": {
        "standard": "document_codes",
        "material_kind": "material_kinds",
        "department": "departments",
    },
    "survey": {"question": "questions"},
    "indicators": {"indicator": "indicators", "department": "departments"},
    "incidents": {"item": "negative_codes"},
}
_LIST_HEADERS = {
    "field_codes": "测评标准（实地考察）",
    "document_codes": "测评标准（材料审核）",
    "site_types": "点位类型",
    "departments": "责任单位",
    "material_kinds": "材料类型",
    "questions": "题号",
    "indicators": "指标",
    "negative_codes": "负面清单事项编号",
}


@dataclass(frozen=True)
class TemplateBook:
    """One workbook to write: its file name and, per kind, the pre-listed rows (column → value)."""

    name: str
    sheets: tuple[tuple[str, tuple[dict[str, str], ...]], ...]
    standards: tuple[Standard, ...]
    negative_codes: tuple[str, ...]
    owner: str = ""  # the department a by-department workbook is for


def indicator_names(standards: Sequence[Standard]) -> list[str]:
    """Every indicator the data standards refer to (single indicators, numerators, denominators), in order."""
    names: dict[str, None] = {}
    for s in standards:
        if s.data is not None:
            for name in (s.data.indicator, s.data.numerator, s.data.denominator):
                if name:
                    names[name] = None
    return list(names)


def _questions(standards: Sequence[Standard]) -> list[str]:
    return list(dict.fromkeys(s.survey.question for s in standards if s.survey is not None))


def _prelisted(handbook: Handbook, kind: str, standards: Sequence[Standard]) -> tuple[dict[str, str], ...]:
    if kind == "inspections":
        return tuple(
            {"site_type": t.name, "standard": s.code}
            for t in handbook.site_types
            for s in standards
            if s.field is not None and t.name in s.field.site_types
        )
    if kind == "documents":
        return tuple(
            {"standard": s.code, "material": m.name, "material_kind": MATERIAL_KIND_LABELS_ZH[m.kind]}
            for s in standards
            if s.document is not None
            for m in s.document.materials
        )
    if kind == "survey":
        return tuple({"question": q} for q in _questions(standards))
    if kind == "indicators":
        return tuple({"indicator": name} for name in indicator_names(standards))
    return ()


def plan_templates(handbook: Handbook, by_department: bool) -> list[TemplateBook]:
    """The workbooks ``civcheck template`` writes, before any file is touched."""
    every = handbook.standards
    all_negative = tuple(n.code for n in handbook.negative_list)
    if not by_department:
        names = unique_file_names([KINDS[k].label_zh for k in TEMPLATE_KINDS], ".xlsx")
        return [
            TemplateBook(name, ((kind, _prelisted(handbook, kind, every)),), every, all_negative)
            for name, kind in zip(names, TEMPLATE_KINDS, strict=True)
        ]
    plans: list[tuple[str, TemplateBook]] = []
    for dept in handbook.departments:
        own = tuple(s for s in every if dept.name in s.departments)
        negative = tuple(n.code for n in handbook.negative_list if n.lead == dept.name)
        sheets: list[tuple[str, tuple[dict[str, str], ...]]] = []
        for kind in ("inspections", "documents", "survey", "indicators"):
            rows = _prelisted(handbook, kind, own)
            if rows:
                sheets.append((kind, rows))
        if negative:
            sheets.append(("incidents", ()))
        if sheets:
            plans.append((dept.name, TemplateBook("", tuple(sheets), own, negative, dept.name)))
    names = unique_file_names([dept for dept, _ in plans], ".xlsx")
    return [
        TemplateBook(name, book.sheets, book.standards, book.negative_codes, book.owner)
        for name, (_, book) in zip(names, plans, strict=True)
    ]


def _lists(handbook: Handbook, book: TemplateBook) -> dict[str, tuple[str, list[str]]]:
    values = {
        "field_codes": [s.code for s in book.standards if s.method == "field"],
        "document_codes": [s.code for s in book.standards if s.method == "document"],
        "site_types": [t.name for t in handbook.site_types],
        "departments": [d.name for d in handbook.departments],
        "material_kinds": list(MATERIAL_KIND_LABELS_ZH.values()),
        "questions": _questions(book.standards),
        "indicators": indicator_names(book.standards),
        "negative_codes": list(book.negative_codes),
    }
    return {key: (_LIST_HEADERS[key], vals) for key, vals in values.items() if vals}


def _table(
    handbook: Handbook, kind: str, rows: Sequence[dict[str, str]], questions: list[str], owner: str
) -> Table:
    spec = KINDS[kind]
    columns = [c.column for c in spec.columns]
    headers = [c.header for c in spec.columns]
    if kind == "responses":
        columns += questions
        headers += questions
    data = [[row.get(col) for row in rows] for col in columns]
    validations = [
        Validation(i, source=_COLUMN_LISTS.get(kind, {})[col], message=f"请从下拉列表中选择{headers[i]}")
        for i, col in enumerate(columns)
        if col in _COLUMN_LISTS.get(kind, {})
    ]
    if kind == "inspections":
        validations.append(
            Validation(
                columns.index("result"), source=RESULT_CHOICES, message="请选择 符合 / 不符合 / 不适用"
            )
        )
        validations.append(Validation(columns.index("cases"), minimum=0, message="问题数应为非负整数"))
    if kind == "survey":
        for col in ("respondents", "favourable"):
            validations.append(Validation(columns.index(col), minimum=0, message="应为非负整数"))
    title = f"{owner + ' ' if owner else ''}{spec.label_zh}（{handbook.name} {handbook.edition}）"
    return Table(
        sheet=spec.label_zh,
        headers=headers,
        columns=data,
        title=title,
        validations=validations,
        validation_rows=len(rows) + SPARE_ROWS,
    )


def write_templates(handbook: Handbook, output: Path, by_department: bool, force: bool) -> list[Path]:
    """Write the blank workbooks into ``output``; refuse to replace existing files unless ``force``."""
    books = plan_templates(handbook, by_department)
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is a file, not a folder")
    output.mkdir(parents=True, exist_ok=True)
    targets = [inside(output, book.name) for book in books]
    refuse_existing(targets, force=force)
    for book, target in zip(books, targets, strict=True):
        questions = _questions(book.standards)
        tables = [_table(handbook, kind, rows, questions, book.owner) for kind, rows in book.sheets]
        write_workbook(target, tables, _lists(handbook, book), title=f"{handbook.name} 填报模板")
    return targets
