"""The evidence contract: kinds of sheet, their canonical headers (Chinese, with English aliases) and the
normalised column each header becomes.

A sheet is recognised by its header row (wherever it is in the first rows), never by file or sheet name.
Intake turns each recognised sheet into rows of a pandas frame whose columns are the ``column`` names
below, plus the provenance columns of :data:`PROVENANCE`. The scoring engine reads only these frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "sites", "inspections", "documents", "survey", "responses", "indicators", "incidents", "replies"
]

# Provenance columns carried by every accepted row: file (relative to the evidence root), sheet, and the
# row number as the spreadsheet shows it (1-based; for CSV the line number).
PROVENANCE = ("_file", "_sheet", "_row")


@dataclass(frozen=True)
class Column:
    """One column of a kind: the normalised name, the canonical Chinese header, accepted aliases."""

    column: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    # How intake normalises the values: text, id (text, leading zeros kept), int, float, date, result,
    # standard (a standard code through the handbook's aliases), site_type, department, answer.
    value: str = "text"


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    label_zh: str
    label_en: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "sites",
            "点位台账",
            "site register",
            (
                Column("site_id", "点位编号", ("site id", "site_id", "点位代码"), value="id"),
                Column("site_name", "点位名称", ("site name", "site_name")),
                Column("site_type", "点位类型", ("site type", "site_type"), value="site_type"),
                Column("street", "所属街道", ("street", "sub-district", "subdistrict", "街道"), value="text"),
                Column("department", "责任单位", ("department", "responsible unit"), value="department"),
                Column("address", "地址", ("address",), required=False),
            ),
        ),
        KindSpec(
            "inspections",
            "实地考察",
            "inspections",
            (
                Column("site_id", "点位编号", ("site id", "site_id", "点位代码"), value="id"),
                Column("site_name", "点位名称", ("site name", "site_name"), required=False),
                Column(
                    "site_type", "点位类型", ("site type", "site_type"), required=False, value="site_type"
                ),
                Column("standard", "测评标准", ("standard", "标准编号", "测评标准编号"), value="standard"),
                Column("result", "检查结果", ("result", "测评结果"), value="result"),
                Column("cases", "问题数", ("cases", "问题数量", "问题处数"), required=False, value="int"),
                Column("description", "问题描述", ("description", "problem", "存在问题")),
                Column("date", "检查日期", ("date", "inspection date", "测评日期"), value="date"),
                Column("inspector", "检查人", ("inspector", "测评员")),
                Column(
                    "department",
                    "责任单位",
                    ("department", "responsible unit"),
                    required=False,
                    value="department",
                ),
                Column("photo", "照片", ("photo", "图片", "照片文件"), required=False),
            ),
        ),
        KindSpec(
            "documents",
            "材料",
            "documents",
            (
                Column("standard", "测评标准", ("standard", "标准编号"), value="standard"),
                Column("material", "材料名称", ("material", "document", "material name")),
                Column("material_kind", "材料类型", ("material kind", "kind"), required=False),
                Column("department", "提交单位", ("submitted by", "department"), value="department"),
                Column("date", "材料日期", ("date", "document date"), value="date"),
                Column("file", "文件", ("file", "link", "文件链接")),
            ),
        ),
        KindSpec(
            "survey",
            "问卷汇总",
            "survey tallies",
            (
                Column("question", "题号", ("question", "question id"), value="id"),
                Column("respondents", "有效样本", ("respondents", "valid sample", "sample"), value="int"),
                Column("favourable", "肯定回答", ("favourable", "positive answers"), value="int"),
            ),
        ),
        KindSpec(
            "responses",
            "问卷原始答卷",
            "survey responses",
            # One row per respondent; every other column whose header is a question id (题号) holds answers.
            (Column("respondent", "受访者编号", ("respondent", "respondent id"), value="id"),),
        ),
        KindSpec(
            "indicators",
            "数据指标",
            "indicators",
            (
                Column("indicator", "指标", ("indicator", "指标名称")),
                Column("value", "数值", ("value",), value="float"),
                Column("unit", "单位", ("unit",), required=False),
                Column("date", "统计日期", ("date", "as of"), value="date"),
                Column("department", "来源单位", ("source", "department"), value="department"),
            ),
        ),
        KindSpec(
            "incidents",
            "负面清单",
            "negative-list incidents",
            (
                Column("item", "事项编号", ("item", "negative item", "负面清单编号")),
                Column("date", "发生日期", ("date", "occurred on"), value="date"),
                Column("note", "说明", ("note", "description")),
            ),
        ),
        KindSpec(
            "replies",
            "整改反馈",
            "rectification replies",
            (
                Column("problem_id", "问题编号", ("problem id", "problem_id"), value="id"),
                Column("status", "整改状态", ("status",)),
                Column("measure", "整改措施", ("measure", "action taken")),
                Column("date", "完成日期", ("date", "completed on"), value="date"),
                Column("photo", "整改照片", ("photo", "after photo"), required=False),
            ),
        ),
    )
}

# Normalised values of an inspection result (检查结果).
RESULT_PASS = "pass"  # 符合 / 达标 / 合格 / √ / 是 / Y
RESULT_FAIL = "fail"  # 不符合 / 不达标 / 不合格 / × / 否 / N
RESULT_NA = "na"  # 不适用: the standard does not apply at this site
RESULT_NONE = (
    "none"  # blank: not inspected. Accepted (a valid row) but it neither scores nor covers the site.
)
# A row whose user-filled columns are all blank (e.g. a pre-listed template line never filled in) is a
# blank row: skipped and counted apart (``rows_blank``), neither accepted nor rejected.

# Reply statuses (整改状态) as the dispatch workbooks offer them in a drop-down.
REPLY_STATUSES = ("已整改", "整改中", "无法整改", "有异议")
