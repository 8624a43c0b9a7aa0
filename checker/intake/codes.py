"""The catalogue of intake codes (错误代码): a stable code, its level, and Chinese and English message templates.

Levels: ``file`` (the whole file is rejected), ``sheet`` (one sheet is rejected or skipped), ``row`` (one row
is rejected; the message names the column), ``warning`` (read, with a caveat), ``skipped`` (a file of the
evidence folder that is not evidence, listed with the reason). Codes never change meaning;
a renamed code keeps its old name as an alias here. Templates use ``str.format`` fields; every file-level
template for a damaged or disguised file ends with the remedy a liaison officer can apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from checker.intake.kinds import KINDS

# The values of a coded problem by name, in template order: what a record keeps instead of a rendered text.
Fields = tuple[tuple[str, object], ...]

Level = Literal["file", "sheet", "row", "warning", "skipped"]

RESAVE_ZH = "请用 Excel/WPS 打开并另存为 .xlsx 后重新提交"
RESAVE_EN = "open it in Excel/WPS, save as .xlsx and send it again"


@dataclass(frozen=True)
class Code:
    code: str
    level: Level
    zh: str
    en: str


_CATALOGUE = (
    # -- whole files ------------------------------------------------------------------------------------
    Code(
        "empty-file",
        "file",
        "文件为空（0 字节）。请重新导出后提交",
        "the file is empty (0 bytes); export it again",
    ),
    Code(
        "file-too-large",
        "file",
        "文件大小 {size:,} 字节，超过限额 {limit}",
        "the file has {size:,} bytes, over {limit}",
    ),
    Code(
        "binary",
        "file",
        "文件含有 NUL 字节，不是文本表格（CSV）。" + RESAVE_ZH,
        "the file holds NUL bytes and is not a text table; " + RESAVE_EN,
    ),
    Code(
        "encoding",
        "file",
        "无法识别文本编码（UTF-8 与 GB18030 均失败，位置 {offset}）。请另存为“CSV UTF-8”",
        "the text is neither UTF-8 nor GB18030 (byte {offset}); save it as 'CSV UTF-8'",
    ),
    Code(
        "html-disguised",
        "file",
        "这是网页（HTML）格式的“Excel 导出”文件，不是真正的表格。" + RESAVE_ZH,
        "this is an HTML page saved as a spreadsheet; " + RESAVE_EN,
    ),
    Code(
        "spreadsheetml-2003",
        "file",
        "这是 Excel 2003 XML 格式的表格，本工具不读取。" + RESAVE_ZH,
        "this is an Excel 2003 XML spreadsheet, which is not read; " + RESAVE_EN,
    ),
    Code(
        "corrupt-xml",
        "file",
        "Excel 2003 XML 表格已损坏或格式不正确（{detail}）。" + RESAVE_ZH,
        "the Excel 2003 XML spreadsheet is damaged or not well-formed ({detail}); " + RESAVE_EN,
    ),
    Code(
        "xml-too-deep",
        "file",
        "{part} 的元素（或表格）嵌套超过限额 {limit}，正常表格不会这样，未读取",
        "{part} nests elements (or tables) deeper than {limit}, which real spreadsheets never do; not read",
    ),
    Code(
        "too-many-sheets",
        "file",
        "文件的工作表（或网页表格）数量超过限额 {limit}，未读取",
        "the file has more sheets (or HTML tables) than {limit}; not read",
    ),
    Code(
        "cell-too-large",
        "file",
        "工作表“{sheet}”的单元格 {cell} 有 {chars:,} 个字符，超过限额 {limit}，未读取",
        "cell {cell} of sheet '{sheet}' holds {chars:,} characters, over {limit}; not read",
    ),
    Code(
        "too-much-text",
        "file",
        "工作表“{sheet}”引用的共享文本展开后约 {size:,} 字节，超过限额 {limit}（同一段长文本被大量单元格重复引用），未读取",
        "sheet '{sheet}' refers to shared text that expands to about {size:,} bytes, over {limit} "
        "(one long text repeated in many cells); not read",
    ),
    Code(
        "html-no-table",
        "file",
        "这是网页（HTML）文件，但其中没有表格（<table>），没有可读取的数据。" + RESAVE_ZH,
        "this HTML page holds no table (<table>), so there is nothing to read; " + RESAVE_EN,
    ),
    Code(
        "encrypted",
        "file",
        "文件设有打开密码（已加密），无法读取。请去掉密码后重新提交",
        "the file is password-protected (encrypted); remove the password and send it again",
    ),
    Code(
        "not-a-spreadsheet",
        "file",
        "文件不是表格（{what}）。请提交 .xlsx、.xls、.ods 或 .csv 文件",
        "the file is not a spreadsheet ({what}); send .xlsx, .xls, .ods or .csv",
    ),
    Code(
        "corrupt-zip",
        "file",
        "文件已损坏或不完整（{detail}）。" + RESAVE_ZH,
        "the file is damaged or truncated ({detail}); " + RESAVE_EN,
    ),
    Code(
        "corrupt-xls",
        "file",
        "旧版 .xls 文件已损坏或不完整（{detail}）。" + RESAVE_ZH,
        "the legacy .xls file is damaged or truncated ({detail}); " + RESAVE_EN,
    ),
    Code(
        "unreadable",
        "file",
        "无法读取该文件（{detail}）。" + RESAVE_ZH,
        "the file cannot be read ({detail}); " + RESAVE_EN,
    ),
    Code(
        "zip-bomb",
        "file",
        "压缩包成员 {part} {detail}，超过限额 {limit}，疑似恶意文件，未读取",
        "zip member {part} {detail}, over {limit}; not read",
    ),
    Code(
        "xml-dtd",
        "file",
        "{part} 含有 DTD/实体声明（<!DOCTYPE/<!ENTITY），正常表格不会有，未读取。" + RESAVE_ZH,
        "{part} declares a DTD or entities, which real spreadsheets never do; not read; " + RESAVE_EN,
    ),
    Code(
        "sparse-range",
        "file",
        "工作表“{sheet}”的使用区域 {area} 约 {cells:,} 个单元格，超过限额 {limit}（可能有远处的零星单元格）。请删除多余单元格后另存",
        "sheet '{sheet}' spans {area}, about {cells:,} cells, over {limit} (stray far-away cells?); delete them and save again",
    ),
    Code(
        "too-wide",
        "file",
        "工作表“{sheet}”用到第 {columns:,} 列，超过限额 {limit}",
        "sheet '{sheet}' uses {columns:,} columns, over {limit}",
    ),
    Code(
        "too-many-rows",
        "file",
        "工作表“{sheet}”有 {rows:,} 行，超过限额 {limit}",
        "sheet '{sheet}' has {rows:,} rows, over {limit}",
    ),
    Code(
        "too-many-cells",
        "file",
        "工作表“{sheet}”声明了约 {cells:,} 个单元格（重复行/列），超过限额 {limit}",
        "sheet '{sheet}' declares about {cells:,} cells (repeated rows/columns), over {limit}",
    ),
    Code(
        "resource-limit",
        "file",
        "读取时超出资源限额（{detail}；{limit}），该文件未读取，其余文件照常读取",
        "reading exceeded a resource limit ({detail}; {limit}); this file was skipped, the others were read",
    ),
    Code(
        "timeout",
        "file",
        "读取超时（{limit}），该文件未读取，其余文件照常读取",
        "reading timed out ({limit}); this file was skipped, the others were read",
    ),
    # -- sheets -----------------------------------------------------------------------------------------
    Code(
        "duplicate-header",
        "sheet",
        "表头“{first}”（{a} 列）与“{second}”（{b} 列）规范化后相同，无法区分，整张表未读取",
        "headers '{first}' (column {a}) and '{second}' (column {b}) are the same after normalising; the sheet was not read",
    ),
    Code(
        "missing-header",
        "sheet",
        "看起来是“{kind}”表，但缺少必需的表头：{missing}",
        "looks like a '{kind}' sheet but lacks required headers: {missing}",
    ),
    # -- rows -------------------------------------------------------------------------------------------
    Code("missing-value", "row", "“{header}”为空，此项必须填写", "'{header}' is blank and is required"),
    Code(
        "bad-result",
        "row",
        "检查结果“{value}”无法识别（应为 符合/不符合/不适用 等）",
        "result '{value}' is not recognised (expected pass/fail/na wording)",
    ),
    Code(
        "bad-number",
        "row",
        "“{header}”的值“{value}”不是有效数字（{expected}）",
        "'{header}' value '{value}' is not a valid number ({expected})",
    ),
    Code(
        "bad-date",
        "row",
        "“{header}”的值“{value}”不是可识别的日期（如 2023-05-03、2023/5/3、2023年5月3日）",
        "'{header}' value '{value}' is not a recognised date (e.g. 2023-05-03 or 2023/5/3)",
    ),
    Code(
        "bad-tally",
        "row",
        "肯定回答 {favourable} 多于有效样本 {respondents}",
        "favourable answers {favourable} exceed the sample {respondents}",
    ),
    Code(
        "bad-status",
        "row",
        "整改状态“{value}”无法识别（应为 {allowed}）",
        "status '{value}' is not recognised (expected {allowed})",
    ),
    # -- replies checked against the campaign ledger (civcheck reply, check --record) ----------------------
    Code(
        "unknown-problem",
        "row",
        "问题编号“{value}”不在创建台账中（不是已交办的问题）",
        "problem id '{value}' is not in the ledger (no problem was dispatched under it)",
    ),
    Code(
        "other-department",
        "row",
        "问题“{value}”交办给了{department}，不是本文件的单位{unit}",
        "problem '{value}' was dispatched to {department}, not to this file's unit {unit}",
    ),
    Code(
        "measure-missing",
        "row",
        "问题“{value}”填报“已整改”，但未填写整改措施",
        "problem '{value}' is reported fixed ('已整改') without the measure taken",
    ),
    Code(
        "date-missing",
        "row",
        "问题“{value}”填报“已整改”，但未填写完成日期",
        "problem '{value}' is reported fixed ('已整改') without a completion date",
    ),
    Code(
        "date-future",
        "row",
        "问题“{value}”的完成日期 {date} 晚于今天（{today}）",
        "problem '{value}' gives a completion date {date} after today ({today})",
    ),
    Code(
        "date-before-dispatch",
        "row",
        "问题“{value}”的完成日期 {date} 早于交办日期 {dispatched}",
        "problem '{value}' gives a completion date {date} before it was dispatched ({dispatched})",
    ),
    Code(
        "cell-error",
        "row",
        "单元格 {cell} 是公式错误值 {value}，无法判定，请修正后重新提交",
        "cell {cell} holds the error value {value}; the row cannot be decided",
    ),
    Code(
        "formula-no-cache",
        "row",
        "单元格 {cell} 是公式（={formula}）但没有保存计算结果，无法判定。" + RESAVE_ZH,
        "cell {cell} is a formula (={formula}) without a saved value; the row cannot be decided; "
        + RESAVE_EN,
    ),
    Code(
        "unknown-standard",
        "row",
        "测评标准“{value}”在测评体系中不存在",
        "standard '{value}' is not in the handbook",
    ),
    Code(
        "wrong-method",
        "row",
        "测评标准 {value} 的测评方法是“{method}”，不能出现在“{kind}”表中",
        "standard {value} is assessed by '{method}' and cannot appear in a '{kind}' sheet",
    ),
    Code(
        "unknown-site-type",
        "row",
        "点位类型“{value}”在测评体系中不存在",
        "site type '{value}' is not in the handbook",
    ),
    Code(
        "site-not-registered",
        "row",
        "点位编号“{value}”不在本轮点位台账中",
        "site '{value}' is not in this round's site register",
    ),
    Code(
        "type-not-applicable",
        "row",
        "测评标准 {standard} 不适用于点位类型“{value}”（适用：{allowed}）",
        "standard {standard} does not apply to site type '{value}' (applies to: {allowed})",
    ),
    Code(
        "unknown-question",
        "row",
        "题号“{value}”不是测评体系中的问卷题",
        "question '{value}' is not a survey question of the handbook",
    ),
    Code(
        "unknown-item",
        "row",
        "负面清单事项“{value}”在测评体系中不存在",
        "negative-list item '{value}' is not in the handbook",
    ),
    # -- warnings ---------------------------------------------------------------------------------------
    Code(
        "extension-mismatch",
        "warning",
        "文件扩展名为 {ext}，实际内容是 {actual}，已按 {actual} 读取",
        "the extension is {ext} but the content is {actual}; read as {actual}",
    ),
    Code(
        "unknown-street",
        "warning",
        "工作表“{sheet}”第{row}行所属街道“{street}”不在本区街道名单中（共{rows}行）",
        "sheet '{sheet}' row {row}: street '{street}' is not in the campaign's list ({rows} rows)",
    ),
    Code(
        "unknown-street-like",
        "warning",
        "工作表“{sheet}”第{row}行所属街道“{street}”不在本区街道名单中（共{rows}行），是否为“{closest}”？",
        "sheet '{sheet}' row {row}: street '{street}' is not in the campaign's list ({rows} rows); "
        "did you mean '{closest}'?",
    ),
    Code("hidden-sheet", "warning", "隐藏的工作表“{sheet}”未读取", "hidden sheet '{sheet}' was not read"),
    Code(
        "unrecognised-sheet",
        "warning",
        "工作表“{sheet}”未识别为任何证据表（{reason}），已跳过",
        "sheet '{sheet}' matches no kind of evidence ({reason}); skipped",
    ),
    Code(
        "single-column",
        "warning",
        "CSV 只识别出一列（分隔符可能不是逗号/分号/制表符）",
        "the CSV has a single column (the delimiter may not be , ; or tab)",
    ),
    Code(
        "precision-lost",
        "warning",
        "{cell} 的编号“{value}”以数字保存，超过 15 位有效数字，可能已丢失精度，请将该列设为文本后重新录入",
        "id '{value}' in {cell} is stored as a number beyond 15 significant digits and may have lost precision",
    ),
    Code(
        "serial-date",
        "warning",
        "{cell} 的日期以序号 {value} 保存，早于 1900-03-01，Excel 的 1900 闰年错误可能使其偏差一天",
        "date serial {value} in {cell} is before 1900-03-01, where Excel's 1900 leap-year bug may shift it by a day",
    ),
    Code(
        "duplicate-row",
        "warning",
        "{count} 组重复检查（同一点位、同一测评标准出现多次），以日期最新（同日取最后读到）的一行为准，例如：{examples}",
        "{count} repeated inspections (same site and standard); the latest date (then the last row read) counts, e.g.: {examples}",
    ),
    Code(
        "unknown-department",
        "warning",
        "单位“{value}”不在测评体系的单位名单中（{count} 行），按原文保留",
        "unit '{value}' is not a department of the handbook ({count} rows); kept as written",
    ),
    Code(
        "merged-cells",
        "warning",
        "工作表“{sheet}”的数据区有合并单元格（{ranges}）：纵向合并的值用于区域内每一行，横向合并的值只计入最左一列",
        "sheet '{sheet}' has merged cells in its data ({ranges}): a value merged down a column is used on every "
        "row of the range; merged across columns, it counts in the first column only",
    ),
)

_SKIPPED = (
    # -- files of the folder that are not read ---------------------------------------------------------
    Code(
        "skipped-not-spreadsheet",
        "skipped",
        "不是表格文件（扩展名 {ext}），未读取",
        "not a spreadsheet (extension {ext}); not read",
    ),
    Code(
        "skipped-lock-file",
        "skipped",
        "Office/WPS/LibreOffice 打开文件时留下的锁文件，未读取",
        "a lock file that Office, WPS or LibreOffice leaves while a file is open; not read",
    ),
    Code(
        "skipped-own-output",
        "skipped",
        "本工具生成的报告（按文件内容识别），不作为证据读取",
        "a report written by this tool (known by its content); not read as evidence",
    ),
    Code(
        "skipped-material",
        "skipped",
        "材料文件，由“{source}”第{row}行引用（作为材料核对，不作为表格读取）",
        "a material file referenced by '{source}' row {row} (checked as a material, not read as a table)",
    ),
    Code(
        "skipped-hidden",
        "skipped",
        "隐藏文件或文件夹（名称以“.”开头），未读取",
        "a hidden file or folder (its name starts with '.'); not read",
    ),
    Code(
        "skipped-link-outside",
        "skipped",
        "指向证据文件夹以外的链接（快捷方式），未读取",
        "a link that leads outside the evidence folder; not followed or read",
    ),
    Code(
        "skipped-system-folder",
        "skipped",
        "名称以“__”开头的文件夹（系统或程序文件夹），未读取",
        "a folder whose name starts with '__' (a system or program folder); not read",
    ),
)

CODES: dict[str, Code] = {}
for _entry in (*_CATALOGUE, *_SKIPPED):
    if _entry.code in CODES:  # pragma: no cover - caught by the tests
        raise ValueError(f"duplicate intake code {_entry.code}")
    CODES[_entry.code] = _entry


def fields_of(mapping: Mapping[str, object] | None = None, /, **named: object) -> Fields:
    """Template values as a record keeps them: a tuple of (name, value) pairs (hashable, picklable)."""
    return tuple({**(mapping or {}), **named}.items())


# A field left empty is shown as this word (a file without an extension).
_NONE = {"zh": "(无)", "en": "(none)"}

# Fields whose value is the key of a fixed wording, shown in the message's language as (zh, en).
_TERMS: dict[str, dict[str, tuple[str, str]]] = {
    "expected": {"count": ("0 或正整数", "0 or a whole number"), "number": ("数值", "a number")},
    "reason": {"empty": ("空表", "empty"), "no-header": ("没有找到已知的表头", "no known header row")},
}


def _place(where: object, en: bool) -> str:
    """A row of evidence given as (file, sheet, row): ``a.xlsx 表1!12行`` / ``'a.xlsx' '表1' row 12``."""
    file, sheet, row = where if isinstance(where, tuple | list) else ("", "", where)
    if en:
        return f"'{file}' " + (f"'{sheet}' " if sheet else "") + f"row {row}"
    return f"{file} " + (f"{sheet}!" if sheet else "") + f"{row}行"


def _examples(examples: object, en: bool) -> str:
    """The examples of ``duplicate-row``: (site, standard, the row that counts, the rows that do not)."""
    if not isinstance(examples, tuple | list):
        return str(examples)
    parts = []
    for site, standard, counted, lost in examples:
        others = (", " if en else "、").join(_place(w, en) for w in lost)
        if en:
            parts.append(f"'{site}' + {standard}: counted {_place(counted, en)}, not {others}")
        else:
            parts.append(f"{site} + {standard}: 计入 {_place(counted, en)}，不计 {others}")
    return ("; " if en else "；").join(parts)


def render(code: str, fields: Fields | Mapping[str, object] = (), lang: str = "zh") -> str:
    """The message of ``code`` in ``lang`` (``zh`` or ``en``) with its template fields filled in."""
    entry = CODES[code]
    values = dict(fields.items() if isinstance(fields, Mapping) else fields)
    if "examples" in values:
        values["examples"] = _examples(values["examples"], lang == "en")
    if values.get("ext") == "":
        values["ext"] = _NONE.get(lang, _NONE["zh"])
    en = lang == "en"
    for name, words in _TERMS.items():
        word = words.get(str(values.get(name)))
        if word is not None:
            values[name] = word[en]
    kind = KINDS.get(str(values.get("kind")))
    if kind is not None:  # a kind of evidence by its key: its label
        values["kind"] = kind.label_en if en else kind.label_zh
    return (entry.en if lang == "en" else entry.zh).format(**values)


def render_row(
    code: str, fields: Fields, problems: Iterable[tuple[str, str, Fields]], lang: str = "zh"
) -> str:
    """The message of a rejected row: one problem's text, or each problem's text after its column."""
    parts = list(problems)
    if not parts:
        return render(code, fields, lang)
    if lang == "en":
        return "; ".join(f"{column}: {render(c, f, lang)}" for column, c, f in parts)
    return "；".join(f"{column}：{render(c, f, lang)}" for column, c, f in parts)


def message(code: str, /, **fields: object) -> str:
    """The Chinese message of ``code`` with its template fields filled in."""
    return render(code, fields, "zh")


def message_en(code: str, /, **fields: object) -> str:
    """The English message of ``code`` with its template fields filled in."""
    return render(code, fields, "en")


__all__ = [
    "CODES",
    "RESAVE_EN",
    "RESAVE_ZH",
    "Code",
    "Fields",
    "Level",
    "fields_of",
    "message",
    "message_en",
    "render",
    "render_row",
]
