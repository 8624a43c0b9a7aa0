"""The catalogue of handbook problem codes: a stable code, the family it belongs to, and what it means in
Chinese and English.

Families: ``file`` (a pack file that cannot be read or merged: reported first, as the other problems
often follow from it), ``structure`` (a key or value the pack format does not allow), ``reference`` (the
pack's cross-reference rules), ``workbook`` (the handbook spreadsheet of ``civcheck handbook import``;
that command also reports intake's preflight codes, from :mod:`checker.intake.codes`). Every
:class:`~checker.errors.PackProblem` the handbook package raises carries one of these codes, named by
its constant here; ``docs/handbook.md`` lists them all (a test checks both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["file", "structure", "reference", "workbook"]


@dataclass(frozen=True)
class HandbookCode:
    code: str
    family: Family
    zh: str
    en: str


# -- files and YAML ----------------------------------------------------------------------------------------
PACK_EMPTY = "pack-empty"
PACK_TOO_MANY_FILES = "pack-too-many-files"
PACK_TOO_BIG = "pack-too-big"
PACK_NOT_MAPPING = "pack-not-mapping"
PACK_DUPLICATE_KEY = "pack-duplicate-key"
YAML_SYNTAX = "yaml-syntax"
YAML_TAB = "yaml-tab"
YAML_DUPLICATE_KEY = "yaml-duplicate-key"
YAML_ALIAS = "yaml-alias"
YAML_TAG = "yaml-tag"
YAML_KEY = "yaml-key"
YAML_NODE = "yaml-node"
YAML_DEPTH = "yaml-depth"
YAML_TOO_MANY_NODES = "yaml-too-many-nodes"
YAML_TOO_BIG = "yaml-too-big"
YAML_ENCODING = "yaml-encoding"
YAML_UNREADABLE = "yaml-unreadable"
# -- structure (the pydantic model) ------------------------------------------------------------------------
UNKNOWN_KEY = "unknown-key"
MISSING_KEY = "missing-key"
OUT_OF_RANGE = "out-of-range"
INVALID_VALUE = "invalid-value"
# -- cross references ------------------------------------------------------------------------------------
DUPLICATE_CODE = "duplicate-code"
DUPLICATE_NAME = "duplicate-name"
UNKNOWN_SITE_TYPE = "unknown-site-type"
UNKNOWN_DEPARTMENT = "unknown-department"
METHOD_BLOCK_MISSING = "method-block-missing"
METHOD_BLOCK_FOREIGN = "method-block-foreign"
WEIGHTS_SUM = "weights-sum"
THRESHOLDS_ORDER = "thresholds-order"
BANDS_ORDER = "bands-order"
SHARES_ORDER = "shares-order"
DATA_METRIC = "data-metric"
# -- the handbook workbook (civcheck handbook import) ------------------------------------------------------
WORKBOOK_TOO_BIG = "workbook-too-big"
WORKBOOK_UNREADABLE = "workbook-unreadable"
WORKBOOK_UNCHECKED = "workbook-unchecked"
SHEET_MISSING = "sheet-missing"
HEADER_MISSING = "header-missing"
COLUMN_MISSING = "column-missing"
MISSING_VALUE = "missing-value"
NOT_A_NUMBER = "not-a-number"
NOT_AN_INTEGER = "not-an-integer"
NOT_A_FLAG = "not-a-flag"
UNKNOWN_METHOD = "unknown-method"
COLUMN_NOT_FOR_METHOD = "column-not-for-method"
UNKNOWN_DIRECTION = "unknown-direction"
LEVEL_CONFLICT = "level-conflict"
DUPLICATE_KEY = "duplicate-key"

_CATALOGUE = (
    HandbookCode(PACK_EMPTY, "file", "手册中没有 YAML 文件或没有数据", "no YAML files, or no data"),
    HandbookCode(PACK_TOO_MANY_FILES, "file", "手册的文件数超过限额", "more files than the limit"),
    HandbookCode(
        PACK_TOO_BIG,
        "file",
        "手册的 YAML 文件合计超过字节限额",
        "the YAML files together exceed the byte limit",
    ),
    HandbookCode(
        PACK_NOT_MAPPING, "file", "文件的顶层不是映射（键: 值）", "a file whose top level is not a mapping"
    ),
    HandbookCode(
        PACK_DUPLICATE_KEY,
        "file",
        "非列表的顶层键在两个文件中都有设置",
        "a non-list top-level key set in two files",
    ),
    HandbookCode(YAML_SYNTAX, "file", "YAML 语法错误", "a YAML syntax error"),
    HandbookCode(YAML_TAB, "file", "用制表符缩进", "tabs used for indentation"),
    HandbookCode(
        YAML_DUPLICATE_KEY, "file", "同一映射中同一个键出现两次", "the same key twice in one mapping"
    ),
    HandbookCode(YAML_ALIAS, "file", "使用了锚点、别名或合并键", "anchors, aliases or merge keys"),
    HandbookCode(
        YAML_TAG,
        "file",
        "自定义标签，或值与显式标签不符",
        "a custom tag, or a value that does not fit its explicit tag",
    ),
    HandbookCode(YAML_KEY, "file", "映射的键不是纯文本", "a mapping key that is not plain text"),
    HandbookCode(YAML_NODE, "file", "不支持的 YAML 节点", "an unsupported YAML node"),
    HandbookCode(YAML_DEPTH, "file", "嵌套层数超过限额", "nesting deeper than the limit"),
    HandbookCode(
        YAML_TOO_MANY_NODES,
        "file",
        "整个手册的 YAML 值数量超过限额",
        "more YAML values in the pack than the limit",
    ),
    HandbookCode(YAML_TOO_BIG, "file", "单个文件超过字节限额", "one file over the byte limit"),
    HandbookCode(YAML_ENCODING, "file", "文件不是 UTF-8 编码", "a file that is not UTF-8"),
    HandbookCode(YAML_UNREADABLE, "file", "文件无法读取", "a file that cannot be read"),
    HandbookCode(
        UNKNOWN_KEY,
        "structure",
        "格式中没有的键（常为拼写错误）",
        "a key the format does not know (often a typo)",
    ),
    HandbookCode(MISSING_KEY, "structure", "缺少必需的键", "a required key is absent"),
    HandbookCode(OUT_OF_RANGE, "structure", "数值超出允许范围", "a number outside its range"),
    HandbookCode(
        INVALID_VALUE,
        "structure",
        "值的类型不对或不是允许的取值",
        "a value of the wrong type or not an allowed word",
    ),
    HandbookCode(DUPLICATE_CODE, "reference", "编号（或别名）被使用两次", "a code (or alias) used twice"),
    HandbookCode(
        DUPLICATE_NAME,
        "reference",
        "点位类型或单位的名称（或别名、简称）被两个条目使用",
        "a site-type or department name (or alias, short name) used by two entries",
    ),
    HandbookCode(
        UNKNOWN_SITE_TYPE,
        "reference",
        "实地考察标准引用了手册中没有的点位类型",
        "a field standard names a site type the pack does not define",
    ),
    HandbookCode(
        UNKNOWN_DEPARTMENT,
        "reference",
        "牵头或责任单位不在手册的单位名单中",
        "a lead or responsible unit is not a department of the pack",
    ),
    HandbookCode(
        METHOD_BLOCK_MISSING,
        "reference",
        "缺少测评方法对应的配置块",
        "the block of the standard's method is missing",
    ),
    HandbookCode(
        METHOD_BLOCK_FOREIGN, "reference", "有其他测评方法的配置块", "a block for another method is present"
    ),
    HandbookCode(
        WEIGHTS_SUM,
        "reference",
        "测评方法权重之和不等于总分",
        "method weights do not add up to the total points",
    ),
    HandbookCode(THRESHOLDS_ORDER, "reference", "等级阈值不满足 a ≤ b ≤ c", "grade thresholds not a ≤ b ≤ c"),
    HandbookCode(BANDS_ORDER, "reference", "差距档不满足 b ≤ c", "shortfall bands not b ≤ c"),
    HandbookCode(
        SHARES_ORDER, "reference", "等级得分比例不满足 A ≥ B ≥ C ≥ C#", "grade shares not A ≥ B ≥ C ≥ C#"
    ),
    HandbookCode(
        DATA_METRIC,
        "reference",
        "数据块既不是一个指标，也不是一对分子/分母",
        "a data block without exactly one indicator or numerator/denominator pair",
    ),
    HandbookCode(WORKBOOK_TOO_BIG, "workbook", "工作簿超过字节限额", "the workbook is over the byte limit"),
    HandbookCode(
        WORKBOOK_UNREADABLE,
        "workbook",
        "工作簿或其中一张工作表无法读取",
        "the workbook, or one of its sheets, cannot be read",
    ),
    HandbookCode(
        WORKBOOK_UNCHECKED,
        "workbook",
        "工作表太大，无法事先安全检查",
        "sheets too big to check cheaply before reading",
    ),
    HandbookCode(SHEET_MISSING, "workbook", "缺少必需的工作表", "a required sheet is missing"),
    HandbookCode(HEADER_MISSING, "workbook", "工作表没有表头行", "a sheet without its header row"),
    HandbookCode(COLUMN_MISSING, "workbook", "缺少必需的列", "a required column is missing"),
    HandbookCode(MISSING_VALUE, "workbook", "必填单元格为空", "a required cell is empty"),
    HandbookCode(NOT_A_NUMBER, "workbook", "单元格不是数字", "a cell that is not a number"),
    HandbookCode(NOT_AN_INTEGER, "workbook", "单元格不是整数", "a cell that is not a whole number"),
    HandbookCode(NOT_A_FLAG, "workbook", "单元格不是“是”或“否”", "a cell that is not 是 or 否"),
    HandbookCode(UNKNOWN_METHOD, "workbook", "无法识别的测评方法", "a method that is not recognised"),
    HandbookCode(
        COLUMN_NOT_FOR_METHOD,
        "workbook",
        "填写了不属于该测评方法的列",
        "a column filled in that does not belong to the method",
    ),
    HandbookCode(UNKNOWN_DIRECTION, "workbook", "方向不是 ≥ 或 ≤", "a direction that is not ≥ or ≤"),
    HandbookCode(
        LEVEL_CONFLICT,
        "workbook",
        "同一编号的上级项目、指标或内容前后不一致",
        "one code given different parents or names on two rows",
    ),
    HandbookCode(
        DUPLICATE_KEY, "workbook", "设置表中同一个键出现两次", "the same key twice on the settings sheet"
    ),
)

CODES: dict[str, HandbookCode] = {}
for _entry in _CATALOGUE:
    if _entry.code in CODES:  # pragma: no cover - caught by the tests
        raise ValueError(f"duplicate handbook code {_entry.code}")
    CODES[_entry.code] = _entry


def describe(code: str, lang: str = "zh") -> str:
    """What a problem of ``code`` means, in ``lang``."""
    entry = CODES[code]
    return entry.en if lang == "en" else entry.zh
