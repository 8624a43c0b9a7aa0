"""Export a pack as the handbook spreadsheet (操作手册 workbook, ``civcheck handbook export``).

The sheets and their columns are those of :mod:`checker.handbook.sheet_columns`; the workbook is written
atomically, text cells as text (never a formula), with a drop-down of the methods on 测评方法.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.files import atomic_path, refuse_existing
from checker.handbook.model import MATERIAL_KIND_LABELS_ZH, METHOD_LABELS_ZH, Handbook, Standard
from checker.handbook.sheet_columns import (
    COLUMNS,
    DEPARTMENTS,
    IDENTITY_KEYS,
    NEGATIVE,
    SEPARATORS,
    SETTINGS,
    SITE_TYPES,
    STANDARDS,
)

__all__ = ["export_workbook"]

SETTING_LABELS: dict[str, str] = {
    "id": "编号（小写字母、数字、连字符）",
    "name": "名称",
    "edition": "版本",
    "description": "说明",
    "source": "来源",
    "schema_version": "格式版本",
    "settings.method_weights.document": "方法权重·材料审核（含数据指标）",
    "settings.method_weights.field": "方法权重·实地考察",
    "settings.method_weights.survey": "方法权重·问卷调查",
    "settings.grade_shares.A": "等级得分率·A",
    "settings.grade_shares.B": "等级得分率·B",
    "settings.grade_shares.C": "等级得分率·C",
    "settings.grade_shares.C#": "等级得分率·C#",
    "settings.thresholds.a": "默认等级阈值·A（问题数不超过）",
    "settings.thresholds.b": "默认等级阈值·B（问题数不超过）",
    "settings.thresholds.c": "默认等级阈值·C（问题数不超过）",
    "settings.bands.b": "默认差距档·B（差距不超过目标的比例）",
    "settings.bands.c": "默认差距档·C（差距不超过目标的比例）",
    "settings.document_window.months": "材料时间窗·月数",
    "settings.document_window.end_offset_months": "材料时间窗·截止于测评前月数",
    "settings.survey_min_sample": "问卷最低有效样本",
    "settings.deadlines.field": "整改时限（天）·实地考察",
    "settings.deadlines.document": "整改时限（天）·材料审核",
    "settings.deadlines.survey": "整改时限（天）·问卷调查",
    "settings.deadlines.data": "整改时限（天）·数据指标",
    "settings.total_points": "总分",
    "settings.cycle_weights.1": "创建周期权重·第一年（%）",
    "settings.cycle_weights.2": "创建周期权重·第二年（%）",
    "settings.cycle_weights.3": "创建周期权重·第三年（%）",
    "settings.cycle_weights.local_setting": "创建周期权重·本地设定",
}
_DIRECTION_LABEL = {">=": "≥", "<=": "≤"}


def _join(items: tuple[str, ...]) -> str:
    if any(SEPARATORS.search(item) for item in items):
        return "\n".join(items)
    return "、".join(items)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _standard_row(codes: tuple[str, str, str], names: tuple[str, str, str], s: Standard) -> dict[str, Any]:
    row: dict[str, Any] = {
        "测评项目": names[0],
        "指标": names[1],
        "测评内容": names[2],
        "项目编号": codes[0],
        "指标编号": codes[1],
        "内容编号": codes[2],
        "标准编号": s.code,
        "测评标准": s.text,
        "测评方法": METHOD_LABELS_ZH[s.method],
        "分值": _number(s.points),
        "牵头单位": s.lead,
        "责任单位": _join(s.responsible),
        "整改建议": s.advice,
        "别名": _join(s.aliases),
        "二值评分": "是" if s.binary else "",
    }
    if s.grades is not None:
        row.update({"阈值A": s.grades.a, "阈值B": s.grades.b, "阈值C": s.grades.c})
    if s.field is not None:
        row.update(
            {
                "点位类型": _join(s.field.site_types),
                "抽查数量": s.field.sample,
                "问题认定": s.field.case_definition,
            }
        )
    if s.document is not None:
        row["要求材料"] = "\n".join(
            f"{m.name}（{MATERIAL_KIND_LABELS_ZH[m.kind]}）" for m in s.document.materials
        )
    bands = None
    if s.survey is not None:
        row.update({"问卷题号": s.survey.question, "问卷题目": s.survey.text, "目标值": s.survey.target})
        bands = s.survey.bands
    if s.data is not None:
        d = s.data
        row.update(
            {
                "数据指标": d.indicator,
                "分子": d.numerator,
                "分母": d.denominator,
                "倍数": _number(d.scale),
                "单位": d.unit,
                "方向": _DIRECTION_LABEL[d.direction],
                "目标值": _number(d.target),
                "本地设定": "是" if d.local_setting else "",
            }
        )
        bands = d.bands
    if bands is not None:
        row.update({"差距档B": bands.b, "差距档C": bands.c})
    return row


def _setting_rows(handbook: Handbook) -> list[dict[str, Any]]:
    rows = [
        {"键": key, "说明": SETTING_LABELS.get(key, ""), "值": getattr(handbook, key)}
        for key in IDENTITY_KEYS
    ]
    for group, value in handbook.settings.model_dump(by_alias=True).items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, item in items:
            key = f"settings.{group}" + (f".{sub}" if sub else "")
            rows.append({"键": key, "说明": SETTING_LABELS.get(key, ""), "值": item})
    return rows


def _sheet_rows(handbook: Handbook) -> dict[str, list[dict[str, Any]]]:
    standards = [
        _standard_row((p.code, i.code, c.code), (p.name, i.name, c.name), s)
        for p, i, c, s in handbook.iter_standards()
    ]
    site_types = [
        {
            "名称": t.name,
            "别名": _join(t.aliases),
            "默认抽查数量": t.sample,
            "本地设定": "是" if t.local_setting else "",
            "说明": t.description,
        }
        for t in handbook.site_types
    ]
    departments = [{"名称": d.name, "简称": d.short, "别名": _join(d.aliases)} for d in handbook.departments]
    negative = [
        {
            "编号": n.code,
            "事项": n.text,
            "扣分": _number(n.deduction),
            "一票否决": "是" if n.veto else "否",
            "回溯月数": n.lookback_months,
            "牵头单位": n.lead,
        }
        for n in handbook.negative_list
    ]
    return {
        STANDARDS: standards,
        SITE_TYPES: site_types,
        DEPARTMENTS: departments,
        NEGATIVE: negative,
        SETTINGS: _setting_rows(handbook),
    }


def export_workbook(handbook: Handbook, target: Path, force: bool = False) -> None:
    """Write ``handbook`` as a handbook spreadsheet at ``target`` (atomically; no overwrite unless ``force``)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    refuse_existing([target], force=force, kind="file")
    book = Workbook()
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    header_font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    first = True
    for sheet, rows in _sheet_rows(handbook).items():
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        first = False
        ws.title = sheet
        columns = COLUMNS[sheet]
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(1, col, column.header)
            cell.fill = header_fill
            cell.font = header_font
            ws.column_dimensions[get_column_letter(col)].width = column.width
        for r, row in enumerate(rows, start=2):
            for col, column in enumerate(columns, start=1):
                value = row.get(column.header)
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    cell = ws.cell(r, col, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
                    cell.data_type = "s"  # text is never a formula, whatever it starts with
                else:
                    cell = ws.cell(r, col, value)
                cell.alignment = wrap if column.wrap else top
        ws.freeze_panes = "A2"
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
        if sheet == STANDARDS:
            methods = DataValidation(
                type="list", formula1='"' + ",".join(METHOD_LABELS_ZH.values()) + '"', allow_blank=False
            )
            ws.add_data_validation(methods)
            methods.add(f"F2:F{max(2, len(rows) + 1)}")
    with atomic_path(target) as temp:
        book.save(temp)
