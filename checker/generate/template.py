"""Blank evidence workbooks (填报模板) built from a handbook: one per kind of sheet, or one per department.

Every workbook opens on a 填报说明 sheet (what each sheet and column wants, in one cell per line, so that
intake never mistakes it for a header row). Every data sheet carries exactly the canonical headers of
:mod:`checker.intake.kinds`, under a title row, and prints on A4 landscape one page wide with the title and
header repeated. Drop-down lists (standards, site types, results, departments, negative-list items) refer
to named ranges on a hidden 列表 sheet; a standard or negative-list item is offered as its code followed by
its text ("Ⅲ-9-4 …"), which intake reads back as the code. Date columns accept dates only (Excel warns on
anything else) and display them as 2026-05-03. Inspection sheets pre-list each site type's field standards (点位类型 and 测评标准
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
from checker.generate.writers import DATE_MAX, DATE_MIN, Table, Validation, write_workbook
from checker.handbook.model import MATERIAL_KIND_LABELS_ZH, Handbook, Standard
from checker.intake.kinds import KINDS

__all__ = [
    "INSTRUCTIONS_SHEET",
    "RESULT_CHOICES",
    "TEMPLATE_KINDS",
    "TemplateBook",
    "choice",
    "plan_templates",
    "write_templates",
]

# Kinds a department fills in; 整改反馈 (replies) comes with the dispatch workbooks instead.
TEMPLATE_KINDS = ("sites", "inspections", "documents", "survey", "responses", "indicators", "incidents")
RESULT_CHOICES = ("符合", "不符合", "不适用")
# Rows below the pre-listed ones that still carry the drop-downs, for lines the user adds.
SPARE_ROWS = 1000
INSTRUCTIONS_SHEET = "填报说明"
# A standard's text in a drop-down is cut after this many characters (the code is what counts).
CHOICE_TEXT_CHARS = 40
_VALUE_HINTS = {
    "id": "编号，按原样填写",
    "text": "文字",
    "result": "从下拉列表选择 符合 / 不符合 / 不适用",
    "int": "0 或正整数",
    "float": "数值（可带 %）",
    "date": "日期，如 2026-05-03（也可写 2026/5/3、2026年5月3日）",
    "standard": "从下拉列表选择“代码 标准内容”，读取时只认前面的代码；也可只填代码",
    "site_type": "从下拉列表选择",
    "department": "从下拉列表选择",
}

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


def choice(code: str, text: str) -> str:
    """A drop-down entry: the code, a space, and its text (whitespace collapsed, cut with "…")."""
    words = " ".join(text.split())
    if len(words) > CHOICE_TEXT_CHARS:
        words = words[: CHOICE_TEXT_CHARS - 1] + "…"
    return f"{code} {words}" if words else code


def _prelisted(handbook: Handbook, kind: str, standards: Sequence[Standard]) -> tuple[dict[str, str], ...]:
    if kind == "inspections":
        return tuple(
            {"site_type": t.name, "standard": choice(s.code, s.text)}
            for t in handbook.site_types
            for s in standards
            if s.field is not None and t.name in s.field.site_types
        )
    if kind == "documents":
        return tuple(
            {
                "standard": choice(s.code, s.text),
                "material": m.name,
                "material_kind": MATERIAL_KIND_LABELS_ZH[m.kind],
            }
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
    all_negative = tuple(choice(n.code, n.text) for n in handbook.negative_list)
    if not by_department:
        names = unique_file_names([KINDS[k].label_zh for k in TEMPLATE_KINDS], ".xlsx")
        return [
            TemplateBook(name, ((kind, _prelisted(handbook, kind, every)),), every, all_negative)
            for name, kind in zip(names, TEMPLATE_KINDS, strict=True)
        ]
    plans: list[tuple[str, TemplateBook]] = []
    for dept in handbook.departments:
        own = tuple(s for s in every if dept.name in s.departments)
        negative = tuple(choice(n.code, n.text) for n in handbook.negative_list if n.lead == dept.name)
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
        "field_codes": [choice(s.code, s.text) for s in book.standards if s.method == "field"],
        "document_codes": [choice(s.code, s.text) for s in book.standards if s.method == "document"],
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
    validations += [
        Validation(
            i,
            date=True,
            message=f"“{c.header}”应为 {DATE_MIN.year}–{DATE_MAX.year} 年间的日期，如 2026-05-03",
        )
        for i, c in enumerate(spec.columns)
        if c.value == "date"
    ]
    title = f"{owner + ' ' if owner else ''}{spec.label_zh}（{handbook.name} {handbook.edition}）"
    widths = {
        i: 36.0 for i, col in enumerate(columns) if col in _COLUMN_LISTS.get(kind, {}) and col == "standard"
    }
    widths.update(
        {i: 40.0 for i, c in enumerate(spec.columns) if c.column in ("description", "note", "measure")}
    )
    return Table(
        sheet=spec.label_zh,
        headers=headers,
        columns=data,
        title=title,
        validations=validations,
        validation_rows=len(rows) + SPARE_ROWS,
        widths=widths,
        printable=True,
        wrap=frozenset(i for i, c in enumerate(spec.columns) if c.value == "text"),
    )


def _instructions(handbook: Handbook, book: TemplateBook) -> Table:
    """The 填报说明 sheet: one line per cell, in one column (no line can look like a header row)."""
    lines = [
        f"本工作簿是《{handbook.name}》（{handbook.edition}）的证据填报模板"
        + (f"，供 {book.owner} 填写。" if book.owner else "。"),
        "一、通用要求",
        "1. 不要修改各表的标题行和表头行，不要增删、改名列；可以在表格下方继续添加行。",
        "2. 每行填写一条记录。预先列出的行（已填好点位类型、测评标准、材料、题号或指标）若不填写其余各列，读取时视为空行，不算错误。",
        "3. 带下拉列表的单元格请从列表中选择；测评标准和负面清单事项显示为“代码 内容”，读取时只认前面的代码，也可以只填代码。",
        "4. 日期请按 2026-05-03 填写（2026/5/3、2026年5月3日 也可识别）；日期列会提示非日期的输入。",
        "5. 数字列只填数字，不要带单位或文字（问题数可写 2 或 2处）。",
        "6. 隐藏的“列表”表存放下拉选项，请勿修改。",
        "二、各表各列",
    ]
    for kind, _rows in book.sheets:
        spec = KINDS[kind]
        lines.append(f"【{spec.label_zh}】")
        for c in spec.columns:
            need = "必填" if c.required else "选填"
            hint = _VALUE_HINTS.get(c.value, "")
            if c.column in _COLUMN_LISTS.get(kind, {}) and c.value not in ("standard",):
                hint = "从下拉列表选择"
            lines.append(f"· {c.header}：{need}{'，' + hint if hint else ''}")
        if kind == "responses":
            lines.append("· 题号各列（如 Q01）：每位受访者对该题的回答")
    return Table(
        sheet=INSTRUCTIONS_SHEET,
        headers=[f"{handbook.name} 填报说明"],
        columns=[lines],
        widths={0: 110.0},
        printable=True,
        wrap=frozenset({0}),
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
        tables = [_instructions(handbook, book)]
        tables += [_table(handbook, kind, rows, questions, book.owner) for kind, rows in book.sheets]
        write_workbook(target, tables, _lists(handbook, book), title=f"{handbook.name} 填报模板")
    return targets
