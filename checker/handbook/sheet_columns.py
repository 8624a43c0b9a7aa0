"""The handbook spreadsheet's layout (操作手册 workbook), shared by its export and its import.

Sheets, in the form offices receive the handbook in:

* 测评标准 — one row per standard: the usual columns (测评项目, 指标, 测评内容, 标准编号, 测评标准, 测评方法,
  分值, 点位类型, 牵头单位, 责任单位, 整改建议) and, to the right, the columns that carry the rest of the model
  (Ⅰ/Ⅱ/Ⅲ codes, aliases, thresholds, sample, materials, survey and data fields). Blank hierarchy cells
  (merged cells) repeat the row above.
* 点位类型, 责任单位, 负面清单 — one row per site type, department, negative-list item.
* 设置 — one row per identity field or setting (``键`` is the dotted key, e.g. ``settings.thresholds.b``).

Lists in one cell are separated by ``、`` (or by line breaks when a name itself holds a separator).
Materials are one per line, written ``名称（类型）``.

:mod:`checker.handbook.sheet_export` writes a pack in this layout, :mod:`checker.handbook.sheet_import`
reads one back; ``export → import`` gives back an equal :class:`~checker.handbook.model.Handbook`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "COLUMNS",
    "DEPARTMENTS",
    "DEPARTMENT_COLUMNS",
    "IDENTITY_KEYS",
    "NEGATIVE",
    "NEGATIVE_COLUMNS",
    "SEPARATORS",
    "SETTINGS",
    "SETTING_COLUMNS",
    "SHEETS",
    "SITE_TYPES",
    "SITE_TYPE_COLUMNS",
    "STANDARDS",
    "STANDARD_COLUMNS",
    "Column",
]

STANDARDS = "测评标准"
SITE_TYPES = "点位类型"
DEPARTMENTS = "责任单位"
NEGATIVE = "负面清单"
SETTINGS = "设置"
SHEETS = (STANDARDS, SITE_TYPES, DEPARTMENTS, NEGATIVE, SETTINGS)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, width, whether an import needs it, and the model path it fills."""

    header: str
    width: int
    required: bool = False
    path: tuple[str, ...] = ()
    wrap: bool = False


# 测评标准: the eleven columns offices know, then the columns that carry the rest of the model.
STANDARD_COLUMNS: tuple[Column, ...] = (
    Column("测评项目", 14, True),
    Column("指标", 14, True),
    Column("测评内容", 16, True),
    Column("标准编号", 12, True, ("code",)),
    Column("测评标准", 48, True, ("text",), wrap=True),
    Column("测评方法", 10, True, ("method",)),
    Column("分值", 7, True, ("points",)),
    Column("点位类型", 22, True, ("field", "site_types"), wrap=True),
    Column("牵头单位", 16, True, ("lead",)),
    Column("责任单位", 24, True, ("responsible",), wrap=True),
    Column("整改建议", 36, True, ("advice",), wrap=True),
    Column("项目编号", 9),
    Column("指标编号", 9),
    Column("内容编号", 9),
    Column("别名", 12, path=("aliases",)),
    Column("二值评分", 9, path=("binary",)),
    Column("阈值A", 7, path=("grades", "a")),
    Column("阈值B", 7, path=("grades", "b")),
    Column("阈值C", 7, path=("grades", "c")),
    Column("抽查数量", 9, path=("field", "sample")),
    Column("问题认定", 24, path=("field", "case_definition"), wrap=True),
    Column("要求材料", 36, path=("document", "materials"), wrap=True),
    Column("问卷题号", 9, path=("survey", "question")),
    Column("问卷题目", 30, path=("survey", "text"), wrap=True),
    Column("目标值", 8),
    Column("差距档B", 8),
    Column("差距档C", 8),
    Column("数据指标", 18, path=("data", "indicator")),
    Column("分子", 16, path=("data", "numerator")),
    Column("分母", 16, path=("data", "denominator")),
    Column("倍数", 7, path=("data", "scale")),
    Column("单位", 7, path=("data", "unit")),
    Column("方向", 7, path=("data", "direction")),
    Column("本地设定", 9, path=("data", "local_setting")),
)
SITE_TYPE_COLUMNS: tuple[Column, ...] = (
    Column("名称", 18, True, ("name",)),
    Column("别名", 24, path=("aliases",)),
    Column("默认抽查数量", 12, True, ("sample",)),
    Column("本地设定", 9, path=("local_setting",)),
    Column("说明", 40, path=("description",), wrap=True),
)
DEPARTMENT_COLUMNS: tuple[Column, ...] = (
    Column("名称", 22, True, ("name",)),
    Column("简称", 12, path=("short",)),
    Column("别名", 30, path=("aliases",)),
)
NEGATIVE_COLUMNS: tuple[Column, ...] = (
    Column("编号", 8, True, ("code",)),
    Column("事项", 48, True, ("text",), wrap=True),
    Column("扣分", 7, path=("deduction",)),
    Column("一票否决", 9, path=("veto",)),
    Column("回溯月数", 9, path=("lookback_months",)),
    Column("牵头单位", 18, path=("lead",)),
)
SETTING_COLUMNS: tuple[Column, ...] = (
    Column("键", 40, True),
    Column("说明", 36),
    Column("值", 60, True, wrap=True),
)
COLUMNS: dict[str, tuple[Column, ...]] = {
    STANDARDS: STANDARD_COLUMNS,
    SITE_TYPES: SITE_TYPE_COLUMNS,
    DEPARTMENTS: DEPARTMENT_COLUMNS,
    NEGATIVE: NEGATIVE_COLUMNS,
    SETTINGS: SETTING_COLUMNS,
}
IDENTITY_KEYS = ("id", "name", "edition", "description", "source", "schema_version")
# Separators of a list cell (、，,；;); a list whose items hold one is written one item per line.
SEPARATORS = re.compile(r"[、，,；;]")
