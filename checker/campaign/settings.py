"""The campaign settings file ``civcheck.toml``: read with every problem located by line; written by init."""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from checker.errors import UsageError
from checker.files import write_text

__all__ = [
    "DEFAULT_HANDBOOK",
    "FORMATS",
    "GUIDE_FILE",
    "LANGS",
    "LEDGER_FILE",
    "METHODS",
    "REPLIES_DIR",
    "ROUNDS_DIR",
    "SETTINGS_FILE",
    "Settings",
    "SettingsError",
    "SettingsProblem",
    "find_campaign",
    "load_settings",
    "resolve_handbook",
    "street_key",
    "toml_string",
    "unknown_streets",
    "write_campaign",
]

SETTINGS_FILE = "civcheck.toml"
ROUNDS_DIR = "轮次"  # one subfolder per round's evidence
REPLIES_DIR = "反馈"  # 交办单 returned by the departments
GUIDE_FILE = "使用说明.txt"
LEDGER_FILE = "ledger.sqlite"
DEFAULT_HANDBOOK = "wenming-city"
LANGS = ("zh", "en")
FORMATS = ("terminal", "json", "xlsx", "html", "text")  # those of `civcheck check --format`
METHODS = ("field", "document", "survey", "data")  # assessment methods with a rectification deadline
DEADLINE_DAYS = (1, 365)
CYCLE_YEARS = (2000, 2100)
SETTINGS_KEYS = (
    "district",
    "handbook",
    "streets",
    "lang",
    "formats",
    "target",
    "ledger",
    "cycle_start",
    "deadlines",
)

_DEFAULT_LEDGER = Path(LEDGER_FILE)
# Characters refused in a name: controls, invisible format characters (zero-width space, BOM, bidi
# overrides: they break matching and can disguise a name in reports), surrogates, line/paragraph separators.
_BAD_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


# -- errors ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class SettingsProblem:
    """One problem of the settings file: the file, its line (0 = unknown), the dotted key ('' = none)."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class SettingsError(UsageError):
    """A settings file that cannot be read or is invalid (``problems`` lists them all), or a refused write."""

    def __init__(self, message: str, problems: Sequence[SettingsProblem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    @classmethod
    def listing(cls, path: Path, problems: Sequence[SettingsProblem]) -> SettingsError:
        """One error listing every problem of ``path``, in line order."""
        ordered = sorted(problems)
        count = len(ordered)
        head = f"{path} has {count} problem{'s' if count != 1 else ''}"
        return cls(head + ":\n" + "\n".join(f"  {p}" for p in ordered), ordered)


# -- the settings ---------------------------------------------------------------------------------------


def resolve_handbook(value: str, folder: Path) -> str:
    """A pack id as given; a path (absolute, written as a path, or an entry of ``folder``) made absolute.

    As in :func:`checker.handbook.loader.resolve_pack`, an existing path wins over a pack id of the same name,
    but relative to the campaign folder, so that a run from any working folder finds the same pack.
    """
    path = Path(value)
    if path.is_absolute():
        return str(path)
    written_as_path = (
        "/" in value or "\\" in value or value.startswith(".") or path.suffix in (".yaml", ".yml")
    )
    if value and (written_as_path or (folder / path).exists()):
        return str((folder / path).resolve())
    return value


@dataclass(frozen=True)
class Settings:
    """A campaign's settings; relative paths are made absolute against ``folder`` on construction.

    :func:`load_settings` validates the values; constructing directly only normalises the paths.
    """

    folder: Path
    district: str
    handbook: str = DEFAULT_HANDBOOK
    streets: tuple[str, ...] = ()
    lang: str = "zh"
    formats: tuple[str, ...] = ("terminal",)
    target: float | None = None
    ledger: Path = _DEFAULT_LEDGER
    deadlines: tuple[tuple[str, int], ...] = ()
    cycle_start: int | None = None
    rounds_dir: Path = field(init=False)
    replies_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        folder = Path(self.folder).resolve()
        # A frozen dataclass sets its derived fields through object.__setattr__.
        object.__setattr__(self, "folder", folder)
        object.__setattr__(self, "handbook", resolve_handbook(self.handbook, folder))
        object.__setattr__(self, "ledger", (folder / self.ledger).resolve())  # an absolute ledger stays
        object.__setattr__(self, "rounds_dir", folder / ROUNDS_DIR)
        object.__setattr__(self, "replies_dir", folder / REPLIES_DIR)

    def deadline_days(self) -> dict[str, int]:
        """The deadline overrides, method → days (methods not set keep the handbook's default)."""
        return dict(self.deadlines)


# -- locating keys --------------------------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\n]|\\.)*"'
_LITERAL = r"'[^'\n]*'"
_PART = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_DOTTED = rf"{_PART}(?:[ \t]*\.[ \t]*{_PART})*"
_KEY_LINE = re.compile(rf"[ \t]*({_DOTTED})[ \t]*=")
_HEADER_LINE = re.compile(rf"[ \t]*\[\[?[ \t]*({_DOTTED})[ \t]*\]")


def _key_path(dotted: str) -> tuple[str, ...]:
    """The parts of a dotted TOML key as written (quotes and escapes decoded by tomllib itself)."""
    try:
        node: Any = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        return ()
    parts: list[str] = []
    while isinstance(node, dict) and len(node) == 1:
        ((name, node),) = node.items()
        parts.append(name)
    return tuple(parts)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of every key and table header, by full key path; the first occurrence wins.

    tomllib keeps no positions, hence this scan: it follows ``[table]`` headers, reads ``key =`` at the
    start of a line (bare, quoted or dotted keys) and skips the inside of multi-line strings, where a
    ``key =`` is text. A key given inside an inline table is found through its parent's line.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    open_quote: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):  # tomllib counts "\n" only
        if open_quote is not None:
            if line.count(open_quote) % 2:
                open_quote = None
            continue
        header = _HEADER_LINE.match(line)
        key = None if header else _KEY_LINE.match(line)
        if header:
            table = _key_path(header.group(1))
            full = table
        else:
            full = table + _key_path(key.group(1)) if key else ()
        for end in range(1, len(full) + 1):
            found.setdefault(full[:end], number)
        for quote in ('"""', "'''"):
            if line.count(quote) % 2:
                open_quote = quote
                break
    return found


# -- reading --------------------------------------------------------------------------------------------


def _describe(value: object) -> str:
    """A value as the user wrote it, for 'got …'."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f'text "{shown}"'
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the whole number {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date | time):
        return f"the date/time {value.isoformat()}"
    return type(value).__name__


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bad_char(text: str) -> str | None:
    """The first character a name must not hold, as U+XXXX, or None."""
    for char in text:
        if unicodedata.category(char) in _BAD_NAME_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def _name_problem(text: str) -> str | None:
    """Why ``text`` is not a usable name (district, street), or None."""
    if not text.strip():
        return "is empty"
    bad = _bad_char(text)
    return f"contains the control or invisible character {bad}" if bad else None


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


STREET_SUFFIXES = ("街道办事处", "办事处", "街道", "镇", "乡", "街")


def street_key(name: str) -> str:
    """A street name compared as people mean it: full-width folded (NFKC), every space removed."""
    return "".join(unicodedata.normalize("NFKC", name).split())


class _Reader:
    """Collects the problems of one parsed settings file, each located by the line of its key."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.file = str(path)
        self.data = data
        self.lines = _key_lines(text)
        self.problems: list[SettingsProblem] = []

    def line(self, key: tuple[str, ...]) -> int:
        for end in range(len(key), 0, -1):  # a key inside an inline table: its parent's line
            if key[:end] in self.lines:
                return self.lines[key[:end]]
        return 0

    def problem(self, key: tuple[str, ...], message: str) -> None:
        name = ".".join(key)
        self.problems.append(
            SettingsProblem(
                self.file,
                self.line(key),
                name,
                f"key '{name}'{message if message.startswith(':') else ' ' + message}",
            )
        )

    def wrong_type(self, key: tuple[str, ...], expected: str, value: object, hint: str = "") -> None:
        self.problem(key, f": expected {expected}, got {_describe(value)}{hint}")

    # typed getters: each returns None when the key is absent or its problem is reported

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.wrong_type((key,), "text in double quotes", value, f' (e.g. {key} = "…")')
            return None
        if not value.strip():
            self.problem((key,), "is empty")
            return None
        return value

    def texts(self, key: str, example: str) -> list[str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        expected = f"a list of strings (e.g. {key} = {example})"
        if not isinstance(value, list):
            self.wrong_type((key,), expected, value)
            return None
        for n, item in enumerate(value, start=1):
            if not isinstance(item, str):
                self.problem((key,), f": expected {expected}, but item {n} is {_describe(item)}")
                return None
        return value

    def whole(self, key: tuple[str, ...], value: object, limits: tuple[int, int], unit: str) -> int | None:
        """A whole number within ``limits``; ``unit`` is "days" or "year"."""
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong_type(key, f"a whole number ({unit})", value, _unquote_hint(value))
            return None
        low, high = limits
        if not low <= value <= high:
            self.problem(key, f"is {value}: expected {low} to {high} {unit}")
            return None
        return value


def _unquote_hint(value: object) -> str:
    """A hint when a number was written in quotes: "85" is text in TOML."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return ""
        return " (remove the quotes)"
    return ""


def _read(reader: _Reader, folder: Path) -> Settings | None:
    data = reader.data
    for key in data:
        if key not in SETTINGS_KEYS:
            listed = "" if _suggest(key, SETTINGS_KEYS) else f"; the settings are {', '.join(SETTINGS_KEYS)}"
            reader.problem((key,), f"is not a setting{_suggest(key, SETTINGS_KEYS)}{listed}")

    district = reader.text("district")
    if "district" not in data:
        reader.problems.append(
            SettingsProblem(
                reader.file,
                0,
                "district",
                "key 'district' is missing: the district's name, e.g. district = \"某某区\"",
            )
        )
    elif district is not None and (why := _name_problem(district)):
        reader.problem(("district",), why)
        district = None

    handbook = reader.text("handbook")
    ledger = reader.text("ledger")

    streets = reader.texts("streets", '["城东街道", "城西街道"]')
    if streets is not None:
        seen: set[str] = set()
        for street in streets:
            if why := _name_problem(street):
                reader.problem(("streets",), f'has a street name that {why}: "{street}"')
            elif street_key(street) in seen:
                reader.problem(("streets",), f'lists "{street}" twice')
            seen.add(street_key(street))

    lang = reader.text("lang")
    if lang is not None and lang not in LANGS:
        reader.problem(("lang",), f'is "{lang}": expected "zh" or "en"')

    formats: list[str] = []
    format_texts = reader.texts("formats", '["terminal", "xlsx"]')
    if format_texts is not None:
        for text in format_texts:
            name = text.strip().lower()  # as --format does
            if name not in FORMATS:
                reader.problem(
                    ("formats",),
                    f'has "{text}", not a format{_suggest(name, FORMATS)}: '
                    f"expected some of {', '.join(FORMATS)}",
                )
            elif name not in formats:  # a repeated format is harmless: kept once
                formats.append(name)
        if not format_texts:
            reader.problem(
                ("formats",), 'is an empty list: name at least one format, e.g. formats = ["terminal"]'
            )

    target = data.get("target")
    if target is not None:
        if not _is_number(target):
            reader.wrong_type(("target",), "a number (e.g. target = 90)", target, _unquote_hint(target))
            target = None
        elif not 0 < target <= 100:  # nan fails this too
            reader.problem(("target",), f"is {target}: expected more than 0 and at most 100")
            target = None

    cycle_start = data.get("cycle_start")
    if cycle_start is not None:
        cycle_start = reader.whole(("cycle_start",), cycle_start, CYCLE_YEARS, "year")

    deadlines: dict[str, int] = {}
    table = data.get("deadlines")
    if table is not None and not isinstance(table, dict):
        reader.wrong_type(("deadlines",), "a table [deadlines] of days per method", table)
    elif table is not None:
        for method, days in table.items():
            where = ("deadlines", method)
            if method in METHODS:
                if (checked := reader.whole(where, days, DEADLINE_DAYS, "days")) is not None:
                    deadlines[method] = checked
            elif method in SETTINGS_KEYS:  # TOML puts every key after a [table] header inside that table
                reader.problem(where, f"is not a method: move '{method}' above the [deadlines] header")
            else:
                reader.problem(
                    where,
                    f"is not a method{_suggest(method, METHODS)}: expected some of {', '.join(METHODS)}",
                )

    if reader.problems or district is None:
        return None
    return Settings(
        folder=folder,
        district=district,
        handbook=handbook if handbook is not None else DEFAULT_HANDBOOK,
        streets=tuple(streets or ()),
        lang=lang if lang is not None else "zh",
        formats=tuple(formats) if formats else ("terminal",),
        target=float(target) if target is not None else None,
        ledger=Path(ledger) if ledger is not None else _DEFAULT_LEDGER,
        deadlines=tuple((m, deadlines[m]) for m in METHODS if m in deadlines),
        cycle_start=cycle_start,
    )


_AT = re.compile(
    r"^(?P<reason>.*?) \((?:at line (?P<line>\d+), column (?P<column>\d+)|at end of document)\)$", re.S
)
_FULL_WIDTH = "＝“”‘’［］｛｝，"


def _syntax_problem(path: Path, text: str, error: tomllib.TOMLDecodeError) -> SettingsProblem:
    """The TOML syntax error with its line, and a hint for the mistakes Chinese input methods make."""
    lines = text.split("\n")
    message = str(error)
    found = _AT.match(message)
    reason, line, column = message, 0, ""
    if found:
        reason = found["reason"]
        line = int(found["line"]) if found["line"] else len(text.rstrip("\n").split("\n"))
        column = f" (column {found['column']})" if found["column"] else ""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    hint = ""
    if any(char in source for char in _FULL_WIDTH):
        hint = '; the line has full-width punctuation (＝ “ ” ［ ］ ，): use the ASCII = " [ ] ,'
    elif reason.startswith("Invalid value") and "=" in source:
        value = source.split("=", 1)[1].strip()
        if value and value[0] not in "\"'[{+-0123456789tfin":
            hint = '; text goes in double quotes, e.g. district = "某某区"'
    elif reason.startswith(("Cannot overwrite", "Cannot declare")):
        hint = "; a key or [table] is given twice"
    return SettingsProblem(str(path), line, "", f"TOML syntax error: {reason}{column}{hint}")


def _not_utf8(path: Path, raw: bytes, error: UnicodeDecodeError) -> SettingsProblem:
    line = raw[: error.start].count(b"\n") + 1
    message = f"the file is not UTF-8 text (byte 0x{raw[error.start]:02X} at byte offset {error.start})"
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        message += ": save it again as UTF-8"
    else:  # what Notepad on a Chinese Windows calls "ANSI"
        message += ': it looks saved as GBK ("ANSI"); save it again with the encoding UTF-8'
    return SettingsProblem(str(path), line, "", message)


def load_settings(folder: Path) -> Settings:
    """The settings of the campaign in ``folder``; a :class:`SettingsError` lists every problem at once."""
    path = folder / SETTINGS_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(
            f"no {SETTINGS_FILE} in {folder}: run `civcheck init` to set up a campaign folder"
        ) from None
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError.listing(path, [_not_utf8(path, raw, exc)]) from None
    text = text.removeprefix("\ufeff")  # Notepad may save UTF-8 with a BOM, which tomllib refuses
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError.listing(path, [_syntax_problem(path, text, exc)]) from None
    reader = _Reader(path, text, data)
    settings = _read(reader, folder)
    if settings is None:
        raise SettingsError.listing(path, reader.problems)
    return settings


def find_campaign(start: Path) -> Path | None:
    """The nearest of ``start`` and its parents that holds ``civcheck.toml``, or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def _street_stem(key: str) -> str:
    """A street key without its administrative suffix (街道, 镇, 乡…): 北门街 and 北门街道 share the stem 北门,
    and two streets are never alike only for both ending in 街道."""
    for suffix in STREET_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def unknown_streets(names: Iterable[str], known: Sequence[str]) -> list[tuple[str, str | None]]:
    """Each distinct name not in ``known``, first-seen order, with the closest known name or None.

    Names are compared after NFKC with every space removed (城东 街道 is 城东街道); a blank name is no
    street and is skipped. The closest name is looked for among the stems (the name without 街道, 街, 镇,
    乡 or 办事处), so a suggestion rests on the part that names the place.
    """
    by_key: dict[str, str] = {}
    for name in known:
        by_key.setdefault(street_key(name), name)
    by_stem: dict[str, str] = {}
    for key, name in by_key.items():
        by_stem.setdefault(_street_stem(key), name)
    stems = list(by_stem)
    seen: set[str] = set()
    unknown: list[tuple[str, str | None]] = []
    for name in names:
        key = street_key(name)
        if not key or key in by_key or key in seen:
            continue
        seen.add(key)
        close = difflib.get_close_matches(_street_stem(key), stems, n=1)
        unknown.append((name, by_stem[close[0]] if close else None))
    return unknown


# -- writing --------------------------------------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control or invisible characters escaped.

    TOML itself only requires escaping controls other than tab; format characters and separators are
    escaped too so that the file shows where they are. A lone surrogate cannot be written (ValueError).
    """
    out: list[str] = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError(f"a lone surrogate U+{ord(char):04X} cannot be written to TOML")
        if category in _BAD_NAME_CATEGORIES:
            out.append(f"\\u{ord(char):04X}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _settings_text(district: str, handbook: str, year: int) -> str:
    return f"""\
# civcheck 创建周期设置 · civcheck campaign settings
#
# 本文件由 civcheck init 生成。以 # 开头的行是注释，删去行首的 # 即启用该项。
# 文字放在英文双引号里，标点用半角：district = "某某区"。用记事本编辑后请以 UTF-8 编码保存。
# Written by `civcheck init`. Lines starting with # are comments: remove the # to use a setting.
# Text goes in straight double quotes, punctuation is ASCII: district = "某某区". Save as UTF-8.

# 区名（必填），印在报告和交办单上。
# The district's name (required), printed on reports and 交办单 (dispatch forms).
district = {toml_string(district)}

# 测评体系：内置测评体系的名称，或测评体系文件夹、YAML 文件的路径（相对路径从本文件夹算起）。
# Handbook: the id of a bundled pack, or the path of a pack folder or YAML file (relative to this folder).
handbook = {toml_string(handbook)}

# 报告语言："zh"（中文）或 "en"（英文）。
# Language of the reports: "zh" (Chinese) or "en" (English).
lang = "zh"

# 台账数据库文件（相对路径从本文件夹算起），第一次 check --record 时生成。
# The ledger database (relative to this folder), created by the first `civcheck check --record`.
ledger = "{LEDGER_FILE}"

# 街道名单：证据中出现名单以外的街道名时会提示（多半是错别字）。
# The district's streets (街道): a street in the evidence that is not listed here is flagged (often a typo).
# streets = ["城东街道", "城西街道"]

# 报告格式，可选 terminal、json、xlsx、html、text。
# Report formats, any of terminal, json, xlsx, html, text.
# formats = ["terminal", "xlsx", "html"]

# 目标总分（大于 0，不超过 100），提分计划据此排出要补的分。
# Target total score (above 0, at most 100) that the plan of what to fix aims at.
# target = 90

# 创建周期（三年）的第一年。
# The first year of the three-year campaign cycle (创建周期).
# cycle_start = {year}

# 整改时限（天，1–365），覆盖测评体系的默认值。
# field 实地考察，document 材料审核，survey 问卷调查，data 数据指标。
# [deadlines] 下面的各行都属于这张表，所以它要留在文件末尾。
# Rectification deadlines in days (1–365) per assessment method, overriding the handbook's defaults.
# Every line below [deadlines] belongs to that table, so it stays at the end of the file.
# [deadlines]
# field = 7
# document = 15
# survey = 30
# data = 30
"""


def _guide_text(district: str) -> str:
    return f"""\
{district}创建周期文件夹 · 使用说明

本文件夹由 civcheck init 生成，存放一个创建周期（三年）的自查材料和台账。

文件夹里有什么
  civcheck.toml    设置：区名、测评体系、街道名单、报告语言、目标分、整改时限（用记事本打开，按其中说明修改）
  轮次/            每轮自查一个子文件夹，放各部门报送的证据表格，例如 轮次/第1轮/
  反馈/            各部门填好整改情况后退回的交办单
  ledger.sqlite    台账：每轮得分、问题和整改情况（第一次 check --record 时生成）

工作流程（在本文件夹中打开命令行，依次执行）
  1. 生成空白证据模板，发给各部门填报：
       civcheck template
  2. 把收齐的表格放进 轮次/第1轮/，评分、记入台账并生成各部门交办单：
       civcheck check 轮次/第1轮 --record --round 第1轮 --dispatch
  3. 各部门填好整改情况的交办单保存到 反馈/，记入台账：
       civcheck reply 反馈/
  4. 下一轮的表格放进 轮次/第2轮/，再次评分并记入台账：
       civcheck check 轮次/第2轮 --record --round 第2轮
  5. 对比最近两轮：哪些问题已整改，哪些是新问题：
       civcheck diff
  6. 定期备份台账：
       civcheck ledger backup 备份.sqlite
"""


def write_campaign(
    folder: Path, district: str, handbook: str = DEFAULT_HANDBOOK, *, force: bool = False
) -> list[Path]:
    """Set up a campaign folder: ``civcheck.toml``, the folders 轮次 and 反馈, and 使用说明.txt.

    Everything is checked before anything is written. An existing ``civcheck.toml`` is refused unless
    ``force``; an existing 使用说明.txt is kept unless ``force`` (it may hold the office's own notes).
    ``civcheck.toml`` is written last, so a failed run leaves no settings file that would refuse a retry.
    Returns what was written or created, in that order. The ledger is not created here.
    """
    if why := _name_problem(district):
        raise SettingsError(f"the district name {district!r} {why}")
    if not handbook.strip():
        raise SettingsError("the handbook is empty: give a pack id or the path of a pack")
    if any(unicodedata.category(c) == "Cs" for c in handbook):  # undecodable bytes of a command line
        raise SettingsError(f"the handbook {handbook!r} is not valid text")
    settings_path, guide = folder / SETTINGS_FILE, folder / GUIDE_FILE
    subfolders = [folder / ROUNDS_DIR, folder / REPLIES_DIR]
    if folder.exists() and not folder.is_dir():
        raise SettingsError(f"{folder} is a file, not a folder")
    if settings_path.is_dir():
        raise SettingsError(f"{settings_path} is a folder; it will not be replaced")
    if (settings_path.exists() or settings_path.is_symlink()) and not force:
        raise SettingsError(
            f"{settings_path} already exists: this is a campaign folder already; use --force to rewrite it"
        )
    for path in subfolders:
        if path.exists() and not path.is_dir():
            raise SettingsError(f"{path} is a file, not a folder")
    if guide.is_dir():
        raise SettingsError(f"{guide} is a folder; it will not be replaced")

    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path in subfolders:
            if not path.is_dir():
                path.mkdir()
                written.append(path)
        if force or not (guide.exists() or guide.is_symlink()):
            # With a BOM, because Notepad on older Windows otherwise guesses GBK for a Chinese text file.
            write_text(guide, "\ufeff" + _guide_text(district))
            written.append(guide)
        write_text(settings_path, _settings_text(district, handbook, date.today().year))
    except OSError as exc:  # a parent that is a file, no permission, a full disk
        raise SettingsError(f"cannot set up the campaign folder {folder}: {exc}") from None
    written.append(settings_path)
    return written
