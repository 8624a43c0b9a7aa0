"""The catalogue of handbook problem codes: a stable code, the family it belongs to, what it means in
Chinese and English, and the Chinese and English templates of its message.

Families: ``file`` (a pack file that cannot be read or merged: reported first, as the other problems
often follow from it), ``structure`` (a key or value the pack format does not allow), ``reference`` (the
pack's cross-reference rules), ``workbook`` (the handbook spreadsheet of ``civcheck handbook import``;
that command also reports intake's preflight codes, from :mod:`checker.intake.codes`). Every
:class:`~checker.errors.PackProblem` the handbook package raises carries one of these codes, named by
its constant here, and the values of its message by name; ``docs/handbook.md`` lists them all (a test
checks both).

Templates use ``str.format`` fields. A code whose problem is worded in more than one way (a YAML alias,
anchor or merge key are all ``yaml-alias``) has a template per ``variant``, named by the problem's
``variant`` field. Values written by the user (a key, a name, a cell) are quoted in the English templates
(``{key!r}`` → ``'区城管局'``), so an English message holds no Chinese outside quotes. A value that is a
tuple is a list: ``、``-joined in Chinese, ``'…', '…'`` in English.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from checker.errors import Fields, PackProblem

Family = Literal["file", "structure", "reference", "workbook"]

# (zh, en): the two templates of one message.
Template = tuple[str, str]


@dataclass(frozen=True)
class HandbookCode:
    code: str
    family: Family
    zh: str  # what the code means
    en: str
    message: Template = ("", "")  # the message, when the code has one wording
    variants: Mapping[str, Template] = field(default_factory=dict)  # else one per variant

    def templates(self) -> dict[str, Template]:
        """Every template of the code by variant (``""``: the code's only wording)."""
        return dict(self.variants) if self.variants else {"": self.message}


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

_MODEL: dict[str, Template] = {
    # A value the pydantic model refuses: its message in English (pydantic's), the value when it is a scalar.
    "model": ("{detail}", "{detail}"),
    "model-got": ("{detail}（实际为 {got!r}）", "{detail} (got {got!r})"),
}

_CATALOGUE = (
    HandbookCode(
        PACK_EMPTY,
        "file",
        "手册中没有 YAML 文件或没有数据",
        "no YAML files, or no data",
        variants={
            "no-files": ("手册中没有 .yaml 文件", "no .yaml files in the pack"),
            "no-data": ("手册中没有任何数据", "the pack holds no data"),
        },
    ),
    HandbookCode(
        PACK_TOO_MANY_FILES,
        "file",
        "手册的文件数超过限额",
        "more files than the limit",
        ("文件数超过 {limit} 个", "more than {limit} files"),
    ),
    HandbookCode(
        PACK_TOO_BIG,
        "file",
        "手册的 YAML 文件合计超过字节限额",
        "the YAML files together exceed the byte limit",
        ("YAML 文件合计 {size:,} 字节（限额 {limit:,}）", "its files hold {size:,} bytes (limit {limit:,})"),
    ),
    HandbookCode(
        PACK_NOT_MAPPING,
        "file",
        "文件的顶层不是映射（键: 值）",
        "a file whose top level is not a mapping",
        ("手册文件的顶层必须是映射（键: 值）", "a pack file must be a mapping"),
    ),
    HandbookCode(
        PACK_DUPLICATE_KEY,
        "file",
        "非列表的顶层键在两个文件中都有设置",
        "a non-list top-level key set in two files",
        ("“{key}”已在 {at} 设置过", "{key!r} is already set in {at}"),
    ),
    HandbookCode(
        YAML_SYNTAX,
        "file",
        "YAML 语法错误",
        "a YAML syntax error",
        variants={
            "syntax": ("YAML 语法错误：{detail}", "YAML syntax error: {detail}"),
            "other": ("YAML 错误：{detail}", "YAML error: {detail}"),
        },
    ),
    HandbookCode(
        YAML_TAB,
        "file",
        "用制表符缩进",
        "tabs used for indentation",
        (
            "YAML 语法错误：此行用制表符缩进，YAML 的缩进必须用空格",
            "YAML syntax error: a tab character indents this line; YAML indentation must use spaces",
        ),
    ),
    HandbookCode(
        YAML_DUPLICATE_KEY,
        "file",
        "同一映射中同一个键出现两次",
        "the same key twice in one mapping",
        ("键“{key}”重复（第一次在第 {first} 行）", "duplicate key {key!r} (first at line {first})"),
    ),
    HandbookCode(
        YAML_ALIAS,
        "file",
        "使用了锚点、别名或合并键",
        "anchors, aliases or merge keys",
        variants={
            "alias": ("不允许使用 YAML 别名（*name）", "YAML aliases (*name) are not allowed"),
            "anchor": ("不允许使用 YAML 锚点（&name）", "YAML anchors (&name) are not allowed"),
            "merge": ("不允许使用 YAML 合并键（<<）", "YAML merge keys (<<) are not allowed"),
        },
    ),
    HandbookCode(
        YAML_TAG,
        "file",
        "自定义标签，或值与显式标签不符",
        "a custom tag, or a value that does not fit its explicit tag",
        variants={
            "value": (
                "“{value}”不是标签 {tag} 要求的有效{kind}",
                "{value!r} is not a valid {kind} for its tag {tag!r}",
            ),
            "tag": ("不允许使用 YAML 标签 {tag}", "YAML tag {tag!r} is not allowed"),
        },
    ),
    HandbookCode(
        YAML_KEY,
        "file",
        "映射的键不是纯文本",
        "a mapping key that is not plain text",
        ("映射的键必须是纯文本", "mapping keys must be plain text"),
    ),
    HandbookCode(
        YAML_NODE,
        "file",
        "不支持的 YAML 节点",
        "an unsupported YAML node",
        ("不支持的 YAML 节点", "unsupported YAML node"),
    ),
    HandbookCode(
        YAML_DEPTH,
        "file",
        "嵌套层数超过限额",
        "nesting deeper than the limit",
        ("嵌套超过 {limit} 层", "nesting deeper than {limit} levels"),
    ),
    HandbookCode(
        YAML_TOO_MANY_NODES,
        "file",
        "整个手册的 YAML 值数量超过限额",
        "more YAML values in the pack than the limit",
        (
            "手册的 YAML 值超过 {limit:,} 个（所有文件合计）",
            "the pack holds more than {limit:,} YAML values (all its files together)",
        ),
    ),
    HandbookCode(
        YAML_TOO_BIG,
        "file",
        "单个文件超过字节限额",
        "one file over the byte limit",
        ("文件有 {size:,} 字节（限额 {limit:,}）", "file is {size:,} bytes (limit {limit:,})"),
    ),
    HandbookCode(
        YAML_ENCODING,
        "file",
        "文件不是 UTF-8 编码",
        "a file that is not UTF-8",
        ("不是 UTF-8 文本（第 {byte} 字节：{reason}）", "not UTF-8 text ({reason} at byte {byte})"),
    ),
    HandbookCode(
        YAML_UNREADABLE,
        "file",
        "文件无法读取",
        "a file that cannot be read",
        ("无法读取文件：{detail}", "cannot read file: {detail}"),
    ),
    HandbookCode(
        UNKNOWN_KEY,
        "structure",
        "格式中没有的键（常为拼写错误）",
        "a key the format does not know (often a typo)",
        variants={
            "key": ("未知的键“{key}”", "unknown key {key!r}"),
            "setting": ("未知的设置“{key}”", "unknown setting {key!r}"),
        },
    ),
    HandbookCode(
        MISSING_KEY,
        "structure",
        "缺少必需的键",
        "a required key is absent",
        ("缺少必需的键“{key}”", "required key {key!r} is missing"),
    ),
    HandbookCode(
        OUT_OF_RANGE, "structure", "数值超出允许范围", "a number outside its range", variants=_MODEL
    ),
    HandbookCode(
        INVALID_VALUE,
        "structure",
        "值的类型不对或不是允许的取值",
        "a value of the wrong type or not an allowed word",
        variants={
            **_MODEL,
            "model-number": (
                "{detail}（实际为数字 {got!r}，请加引号）",
                "{detail} (got the number {got!r}; put it in quotes)",
            ),
            "not-a-list": ("“{key}”必须是列表", "{key!r} must be a list"),
            "not-a-group": ("“{key}”不是一组设置", "{key!r} is not a group"),
        },
    ),
    HandbookCode(
        DUPLICATE_CODE,
        "reference",
        "编号（或别名）被使用两次",
        "a code (or alias) used twice",
        variants={
            "used": ("编号“{code}”已在 {at} 使用", "code {code!r} is already used at {at}"),
            "negative": ("负面清单编号“{code}”重复", "negative-list code {code!r} is repeated"),
        },
    ),
    HandbookCode(
        DUPLICATE_NAME,
        "reference",
        "点位类型或单位的名称（或别名、简称）被两个条目使用",
        "a site-type or department name (or alias, short name) used by two entries",
        ("“{name}”已在 {at} 使用", "{name!r} is already used at {at}"),
    ),
    HandbookCode(
        UNKNOWN_SITE_TYPE,
        "reference",
        "实地考察标准引用了手册中没有的点位类型",
        "a field standard names a site type the pack does not define",
        ("点位类型“{name}”不在手册中", "site type {name!r} is not in the pack"),
    ),
    HandbookCode(
        UNKNOWN_DEPARTMENT,
        "reference",
        "牵头或责任单位不在手册的单位名单中",
        "a lead or responsible unit is not a department of the pack",
        ("单位“{name}”不在手册中", "department {name!r} is not in the pack"),
    ),
    HandbookCode(
        METHOD_BLOCK_MISSING,
        "reference",
        "缺少测评方法对应的配置块",
        "the block of the standard's method is missing",
        (
            "测评方法为“{method}”，但该标准没有“{method}:”配置块",
            "method is {method!r} but the standard has no '{method}:' block",
        ),
    ),
    HandbookCode(
        METHOD_BLOCK_FOREIGN,
        "reference",
        "有其他测评方法的配置块",
        "a block for another method is present",
        (
            "测评方法为“{method}”的标准有“{block}:”配置块",
            "'{block}:' block on a standard whose method is {method!r}",
        ),
    ),
    HandbookCode(
        WEIGHTS_SUM,
        "reference",
        "测评方法权重之和不等于总分",
        "method weights do not add up to the total points",
        (
            "测评方法权重之和为 {sum:g}，不等于总分 {total:g}",
            "method weights add up to {sum:g}, not the total of {total:g}",
        ),
    ),
    HandbookCode(
        THRESHOLDS_ORDER,
        "reference",
        "等级阈值不满足 a ≤ b ≤ c",
        "grade thresholds not a ≤ b ≤ c",
        (
            "等级阈值须满足 a ≤ b ≤ c（实际为 {a}、{b}、{c}）",
            "grade thresholds must satisfy a ≤ b ≤ c (got {a}, {b}, {c})",
        ),
    ),
    HandbookCode(
        BANDS_ORDER,
        "reference",
        "差距档不满足 b ≤ c",
        "shortfall bands not b ≤ c",
        ("差距档须满足 b ≤ c（实际为 {b}、{c}）", "shortfall bands must satisfy b ≤ c (got {b}, {c})"),
    ),
    HandbookCode(
        SHARES_ORDER,
        "reference",
        "等级得分比例不满足 A ≥ B ≥ C ≥ C#",
        "grade shares not A ≥ B ≥ C ≥ C#",
        (
            "等级得分比例须满足 A ≥ B ≥ C ≥ C#（实际为 A {a:g}、B {b:g}、C {c:g}、C# {c_sharp:g}）",
            "grade shares must satisfy A ≥ B ≥ C ≥ C# (got A {a:g}, B {b:g}, C {c:g}, C# {c_sharp:g})",
        ),
    ),
    HandbookCode(
        DATA_METRIC,
        "reference",
        "数据块既不是一个指标，也不是一对分子/分母",
        "a data block without exactly one indicator or numerator/denominator pair",
        (
            "数据指标标准须填写 indicator，或同时填写 numerator 和 denominator",
            "a data standard needs either 'indicator' or both 'numerator' and 'denominator'",
        ),
    ),
    HandbookCode(
        WORKBOOK_TOO_BIG,
        "workbook",
        "工作簿超过字节限额",
        "the workbook is over the byte limit",
        ("工作簿有 {size:,} 字节（限额 {limit:,}）", "{size:,} bytes (limit {limit:,})"),
    ),
    HandbookCode(
        WORKBOOK_UNREADABLE,
        "workbook",
        "工作簿或其中一张工作表无法读取",
        "the workbook, or one of its sheets, cannot be read",
        variants={
            "book": ("无法作为 .xlsx 读取工作簿：{detail}", "cannot read the workbook as .xlsx: {detail}"),
            "sheet": ("工作表“{sheet}”无法读取：{detail}", "sheet {sheet!r} cannot be read: {detail}"),
        },
    ),
    HandbookCode(
        WORKBOOK_UNCHECKED,
        "workbook",
        "工作表太大，无法事先安全检查",
        "sheets too big to check cheaply before reading",
        (
            "工作簿的工作表太大或格式异常，读取前无法检查（{limit}）",
            "the workbook's sheets are too big or too unusual to check before reading ({limit})",
        ),
    ),
    HandbookCode(
        SHEET_MISSING,
        "workbook",
        "缺少必需的工作表",
        "a required sheet is missing",
        ("没有工作表“{sheet}”（工作簿中有：{sheets}）", "no sheet {sheet!r} (the workbook has: {sheets})"),
    ),
    HandbookCode(
        HEADER_MISSING,
        "workbook",
        "工作表没有表头行",
        "a sheet without its header row",
        ("工作表“{sheet}”没有含 {headers} 的表头行", "sheet {sheet!r}: no header row with {headers}"),
    ),
    HandbookCode(
        COLUMN_MISSING,
        "workbook",
        "缺少必需的列",
        "a required column is missing",
        ("工作表“{sheet}”没有“{column}”列", "sheet {sheet!r} has no column {column!r}"),
    ),
    HandbookCode(
        MISSING_VALUE,
        "workbook",
        "必填单元格为空",
        "a required cell is empty",
        variants={
            "no-row-above": (
                "“{column}”为空，且上方没有可沿用的行",
                "{column!r} is empty and there is no row above",
            ),
            "new-code": ("新编号“{code}”的“{column}”为空", "{column!r} is empty for the new code {code!r}"),
            "key": ("键为空", "the key is empty"),
        },
    ),
    HandbookCode(
        NOT_A_NUMBER,
        "workbook",
        "单元格不是数字",
        "a cell that is not a number",
        ("“{value}”不是数字", "{value!r} is not a number"),
    ),
    HandbookCode(
        NOT_AN_INTEGER,
        "workbook",
        "单元格不是整数",
        "a cell that is not a whole number",
        ("{value!r} 不是整数", "{value!r} is not a whole number"),
    ),
    HandbookCode(
        NOT_A_FLAG,
        "workbook",
        "单元格不是“是”或“否”",
        "a cell that is not '是' or '否'",
        ("“{value}”不是“是”或“否”", "{value!r} is not '是' or '否'"),
    ),
    HandbookCode(
        UNKNOWN_METHOD,
        "workbook",
        "无法识别的测评方法",
        "a method that is not recognised",
        (
            "无法识别的测评方法“{value}”，请填写 {allowed} 之一",
            "unknown method {value!r}; use one of {allowed}",
        ),
    ),
    HandbookCode(
        COLUMN_NOT_FOR_METHOD,
        "workbook",
        "填写了不属于该测评方法的列",
        "a column filled in that does not belong to the method",
        (
            "“{column}”只用于{for_methods}标准，本条为{this_method}",
            "{column!r} is only for {for_methods} standards; this one is {this_method}",
        ),
    ),
    HandbookCode(
        UNKNOWN_DIRECTION,
        "workbook",
        "方向不是 ≥ 或 ≤",
        "a direction that is not ≥ or ≤",
        ("“{value}”不是 ≥ 或 ≤", "{value!r} is not ≥ or ≤"),
    ),
    HandbookCode(
        LEVEL_CONFLICT,
        "workbook",
        "同一编号的上级项目、指标或内容前后不一致",
        "one code given different parents or names on two rows",
        variants={
            "parent": (
                "{column}“{code}”已属于另一个上级（第 {row} 行）",
                "{column!r} {code!r} already belongs to another parent (row {row})",
            ),
            "name": (
                "“{code}”在第 {row} 行名为“{first}”，此处为“{name}”",
                "{code!r} is named {first!r} on row {row}, here {name!r}",
            ),
        },
    ),
    HandbookCode(
        DUPLICATE_KEY,
        "workbook",
        "设置表中同一个键出现两次",
        "the same key twice on the settings sheet",
        ("“{key}”出现两次（第 {row} 行）", "{key!r} is given twice (row {row})"),
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


def fields_of(**named: object) -> Fields:
    """The values of a problem's message as the record keeps them: (name, value) pairs, in the given order."""
    return tuple(named.items())


# Fields whose value is the key of a fixed wording, shown in the message's language as (zh, en).
_TERMS: dict[str, dict[str, Template]] = {
    "kind": {
        "text": ("文本", "text"),
        "integer": ("整数", "integer"),
        "number": ("数字", "number"),
        "true or false": ("true 或 false", "true or false"),
        "null": ("空值", "null"),
    },
}
# Fields that hold a method (or a tuple of methods) by its key: 实地考察 … in Chinese, the key in English.
_METHOD_FIELDS = ("for_methods", "this_method")

# What the pydantic model says (in English) of a value it refuses, by its error type, in Chinese; the
# fields are the error's context (``gt``, ``expected`` …). A type not listed keeps pydantic's English.
_MODEL_ZH: dict[str, str] = {
    "greater_than": "应大于 {gt:g}",
    "greater_than_equal": "应大于或等于 {ge:g}",
    "less_than": "应小于 {lt:g}",
    "less_than_equal": "应小于或等于 {le:g}",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "literal_error": "应为以下取值之一：{expected}",
    "enum": "应为以下取值之一：{expected}",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
}


def _method_label(method: object, en: bool) -> str:
    from checker.handbook.model import METHOD_LABELS_ZH

    return str(method) if en else METHOD_LABELS_ZH.get(str(method), str(method))


def render(code: str, fields: Fields | Mapping[str, object] = (), lang: str = "zh") -> str:
    """The message of ``code`` in ``lang`` (``zh`` or ``en``) with its template fields filled in."""
    entry = CODES[code]
    values = dict(fields.items() if isinstance(fields, Mapping) else fields)
    zh, en_template = entry.templates()[str(values.pop("variant", ""))]
    en = lang == "en"
    for name, words in _TERMS.items():
        word = words.get(str(values.get(name)))
        if word is not None:
            values[name] = word[en]
    for name in _METHOD_FIELDS:
        value = values.get(name)
        if isinstance(value, tuple):
            values[name] = (", " if en else "、").join(_method_label(m, en) for m in value)
        elif value is not None:
            values[name] = _method_label(value, en)
    if not en and str(values.get("rule")) in _MODEL_ZH:
        # A context value pydantic did not give: its own (English) words.
        with contextlib.suppress(KeyError, IndexError, ValueError):
            values["detail"] = _MODEL_ZH[str(values["rule"])].format(**values)
    for name, value in values.items():
        if isinstance(value, tuple):  # a list: its items quoted in English, 、-joined in Chinese
            values[name] = ", ".join(f"'{v}'" for v in value) if en else "、".join(str(v) for v in value)
    return (en_template if en else zh).format(**values)


def place(problem: PackProblem, lang: str = "zh") -> str:
    """Where inside its file a problem is: the path in the pack data; in the handbook workbook the sheet,
    cell and column header (``测评标准!E5 分值``) or row (``测评标准 row 3``), then the path."""
    at = problem.path
    if problem.sheet:
        if problem.column:
            spot = f"{problem.sheet}!{problem.cell} {problem.column}"
        elif problem.line:
            spot = (
                f"{problem.sheet} row {problem.line}"
                if lang == "en"
                else f"{problem.sheet} 第 {problem.line} 行"
            )
        else:
            spot = problem.sheet
        at = f"{spot} · {at}" if at else spot
    return at


def locate(problem: PackProblem, lang: str = "zh") -> str:
    """Where a problem is: ``file:line [path]``; in the handbook workbook ``book:row [sheet!E5 header · path]``."""
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    at = place(problem, lang)
    return f"{where} [{at}]" if at else where


def render_problem(problem: PackProblem, lang: str = "zh") -> str:
    """One problem as a line: where it is, its message in ``lang``, its code."""
    return f"{locate(problem, lang)}: {render(problem.code, problem.fields, lang)} ({problem.code})"
