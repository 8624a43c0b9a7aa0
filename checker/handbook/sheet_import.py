"""Import an edited handbook spreadsheet (操作手册 workbook) back into a YAML pack (``civcheck handbook import``).

The sheets and their columns are those of :mod:`checker.handbook.sheet_columns`. Every import problem
names the sheet, the row as the spreadsheet shows it and the column; nothing is written unless the whole
workbook is valid.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from checker.errors import Fields, HandbookError, PackProblem, UsageError
from checker.files import refuse_existing, replace_folder
from checker.handbook import codes
from checker.handbook.codes import fields_of
from checker.handbook.loader import RawPack, format_path, load_handbook, structure_problems
from checker.handbook.model import MATERIAL_KIND_LABELS_ZH, METHOD_LABELS_ZH, Handbook
from checker.handbook.packfiles import pack_documents, write_pack_folder
from checker.handbook.sheet_columns import (
    COLUMNS,
    DEPARTMENTS,
    IDENTITY_KEYS,
    NEGATIVE,
    SEPARATORS,
    SETTINGS,
    SHEETS,
    SITE_TYPES,
    STANDARD_COLUMNS,
    STANDARDS,
)
from checker.handbook.validate import semantic_problems
from checker.handbook.yamlsafe import PathKey

__all__ = ["import_workbook", "read_workbook"]

MAX_WORKBOOK_BYTES = 50_000_000
HEADER_SEARCH_ROWS = 10

# Method-specific columns of 测评标准, and the methods that may fill them.
_METHOD_COLUMNS: dict[str, tuple[str, ...]] = {
    "点位类型": ("field",),
    "抽查数量": ("field",),
    "问题认定": ("field",),
    "要求材料": ("document",),
    "问卷题号": ("survey",),
    "问卷题目": ("survey",),
    "目标值": ("survey", "data"),
    "差距档B": ("survey", "data"),
    "差距档C": ("survey", "data"),
    "数据指标": ("data",),
    "分子": ("data",),
    "分母": ("data",),
    "倍数": ("data",),
    "单位": ("data",),
    "方向": ("data",),
    "本地设定": ("data",),
}

_METHOD_FROM_LABEL: dict[str, str] = {
    **{label: method for method, label in METHOD_LABELS_ZH.items()},
    **{method: method for method in METHOD_LABELS_ZH},
    "实地": "field",
    "实地测评": "field",
    "网上申报": "document",
    "材料审核/网上申报": "document",
    "材料": "document",
    "问卷": "survey",
    "数据": "data",
}
_KIND_FROM_LABEL: dict[str, str] = {
    **{label: kind for kind, label in MATERIAL_KIND_LABELS_ZH.items()},
    **{kind: kind for kind in MATERIAL_KIND_LABELS_ZH},
}
_MATERIAL = re.compile(
    r"^(?P<name>.*?)\s*[（(]\s*(?P<kind>" + "|".join(map(re.escape, _KIND_FROM_LABEL)) + r")\s*[）)]$"
)
_DIRECTION = {">=": ">=", "≥": ">=", "不低于": ">=", "<=": "<=", "≤": "<=", "不高于": "<="}
_TRUE = {"是", "√", "✓", "y", "yes", "true", "1", "二值"}
_FALSE = {"否", "×", "✗", "n", "no", "false", "0"}


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)) if value is not None else ""
    return re.sub(r"\s+", "", text)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _SheetPack(RawPack):
    """Raw pack data read from a workbook: problems point to the sheet, row and column they came from."""

    book: str = ""
    cells: dict[PathKey, tuple[str, int, str, str]] = field(default_factory=dict)
    muted: set[PathKey] = field(default_factory=set)
    complete: bool = False  # every sheet was found with its required columns

    def place(self, path: PathKey, sheet: str, row: int, header: str = "", letter: str = "") -> None:
        self.cells[path] = (sheet, row, header, letter)
        self.where.setdefault(path, (sheet, row))

    def problem(self, path: PathKey, code: str, fields: Fields = ()) -> PackProblem:
        probe = path
        while probe and probe not in self.cells:
            probe = probe[:-1]
        if any(path[: len(bad)] == bad for bad in self.muted):
            code = _MUTED
        if not probe:
            return PackProblem(self.book, 0, format_path(path, self.data), code, fields)
        sheet, row, header, letter = self.cells[probe]
        cell = f"{letter}{row}" if header else ""
        place = {"sheet": sheet, "cell": cell, "column": header}
        return PackProblem(self.book, row, format_path(path, self.data), code, fields, **place)


_MUTED = "already-reported"


class _Sheet:
    """One sheet of the workbook: header row found, columns mapped, rows read as header → value."""

    def __init__(
        self, book: str, name: str, rows: list[tuple[Any, ...]], problems: list[PackProblem]
    ) -> None:
        self.book = book
        self.name = name
        self.columns: dict[str, int] = {}
        self.header_row = 0
        self.rows = rows
        wanted = [c.header for c in COLUMNS[name]]
        required = [c.header for c in COLUMNS[name] if c.required]
        best = (0, 0)
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            hits = sum(1 for v in row if _header_key(v) in required)
            if hits > best[0]:
                best = (hits, index + 1)
        if best[0] == 0:
            problems.append(
                PackProblem(
                    book,
                    0,
                    "",
                    codes.HEADER_MISSING,
                    fields_of(sheet=name, headers=tuple(required)),
                    sheet=name,
                )
            )
            return
        self.header_row = best[1]
        for col, value in enumerate(rows[self.header_row - 1], start=1):
            key = _header_key(value)
            if key in wanted and key not in self.columns:
                self.columns[key] = col
        for header in required:
            if header not in self.columns:
                problems.append(
                    PackProblem(
                        book,
                        self.header_row,
                        "",
                        codes.COLUMN_MISSING,
                        fields_of(sheet=name, column=header),
                        sheet=name,
                    )
                )

    @property
    def usable(self) -> bool:
        return bool(self.header_row) and all(
            c.header in self.columns for c in COLUMNS[self.name] if c.required
        )

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for index in range(self.header_row, len(self.rows)):
            row = self.rows[index]
            values = {h: row[c - 1] if c - 1 < len(row) else None for h, c in self.columns.items()}
            if all(_is_blank(v) for v in values.values()):
                continue
            yield index + 1, values

    def letter(self, header: str) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.columns[header]) if header in self.columns else ""


class _Row:
    """Typed reading of one row; a value that cannot be read is a problem naming sheet, row and column."""

    def __init__(
        self, sheet: _Sheet, number: int, values: dict[str, Any], problems: list[PackProblem]
    ) -> None:
        self.sheet = sheet
        self.line = number
        self.values = values
        self.problems = problems
        self.bad: set[str] = set()

    def problem(self, header: str, code: str, fields: Fields = ()) -> None:
        self.bad.add(header)
        cell = f"{self.sheet.letter(header)}{self.line}"
        place = {"sheet": self.sheet.name, "cell": cell, "column": header}
        self.problems.append(PackProblem(self.sheet.book, self.line, "", code, fields, **place))

    def filled(self, header: str) -> bool:
        return not _is_blank(self.values.get(header))

    def text(self, header: str) -> str:
        value = self.values.get(header)
        if _is_blank(value):
            return ""
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return str(value).strip()

    def items(self, header: str, known: frozenset[str] = frozenset()) -> list[str]:
        """A list cell: split on line breaks, else on 、，；; a cell that is one known name stays whole."""
        text = self.text(header)
        if text in known:
            return [text]
        parts = text.splitlines() if "\n" in text else SEPARATORS.split(text)
        return [p.strip() for p in parts if p.strip()]

    def number(self, header: str) -> int | float | None:
        value = self.values.get(header)
        if _is_blank(value):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        try:
            parsed = float(text)
        except ValueError:
            self.problem(header, codes.NOT_A_NUMBER, fields_of(value=str(value)))
            return None
        return int(parsed) if parsed.is_integer() and re.fullmatch(r"[-+]?\d+", text) else parsed

    def integer(self, header: str) -> int | None:
        number = self.number(header)
        if number is None:
            return None
        if not float(number).is_integer():
            self.problem(header, codes.NOT_AN_INTEGER, fields_of(value=number))
            return None
        return int(number)

    def flag(self, header: str) -> bool | None:
        value = self.values.get(header)
        if _is_blank(value):
            return None
        if isinstance(value, bool):
            return value
        key = _header_key(value).lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        self.problem(header, codes.NOT_A_FLAG, fields_of(value=str(value)))
        return None


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """Drop empty cells so the model's defaults apply (an empty cell means "not set")."""
    return {k: v for k, v in values.items() if not (v is None or v is False or v == "" or v == [])}


def _names(pack: _SheetPack, section: str) -> frozenset[str]:
    """Names and aliases already read from a list sheet (so that a name holding 、 is not split)."""
    names: set[str] = set()
    for item in pack.data.get(section, []):
        names.update(v for k in ("name", "short") if isinstance(v := item.get(k), str))
        names.update(item.get("aliases", []))
    return frozenset(names)


def _read_standard(r: _Row, pack: _SheetPack) -> dict[str, Any]:
    label = r.text("测评方法")
    method = _METHOD_FROM_LABEL.get(_header_key(label)) if label else None
    if label and method is None:
        r.problem(
            "测评方法",
            codes.UNKNOWN_METHOD,
            fields_of(value=label, allowed=tuple(METHOD_LABELS_ZH.values())),
        )
    for header, owners in _METHOD_COLUMNS.items():
        if method is not None and method not in owners and r.filled(header):
            r.problem(
                header,
                codes.COLUMN_NOT_FOR_METHOD,
                fields_of(column=header, for_methods=tuple(owners), this_method=method),
            )
    standard = _compact(
        {
            "code": r.text("标准编号"),
            "aliases": r.items("别名"),
            "text": r.text("测评标准"),
            "points": r.number("分值"),
            "method": method,
            "lead": r.text("牵头单位"),
            "responsible": r.items("责任单位", _names(pack, "departments")),
            "advice": r.text("整改建议"),
            "binary": r.flag("二值评分"),
        }
    )
    grades = _compact({k: r.integer(f"阈值{k.upper()}") for k in ("a", "b", "c")})
    if grades:
        standard["grades"] = grades
    bands = _compact({"b": r.number("差距档B"), "c": r.number("差距档C")})
    if method == "field":
        standard["field"] = _compact(
            {
                "site_types": r.items("点位类型", _names(pack, "site_types")),
                "sample": r.integer("抽查数量"),
                "case_definition": r.text("问题认定"),
            }
        )
    elif method == "document":
        materials = []
        for line in r.text("要求材料").splitlines():
            line = line.strip()
            if not line:
                continue
            match = _MATERIAL.match(line)
            if match:
                materials.append({"name": match["name"].strip(), "kind": _KIND_FROM_LABEL[match["kind"]]})
            else:
                materials.append({"name": line})
        standard["document"] = _compact({"materials": materials})
    elif method == "survey":
        survey = _compact(
            {"question": r.text("问卷题号"), "text": r.text("问卷题目"), "target": r.number("目标值")}
        )
        if bands:
            survey["bands"] = bands
        standard["survey"] = survey
    elif method == "data":
        direction_text = r.text("方向")
        direction = _DIRECTION.get(direction_text.replace(" ", "")) if direction_text else None
        if direction_text and direction is None:
            r.problem("方向", codes.UNKNOWN_DIRECTION, fields_of(value=direction_text))
        data = _compact(
            {
                "indicator": r.text("数据指标"),
                "numerator": r.text("分子"),
                "denominator": r.text("分母"),
                "scale": r.number("倍数"),
                "unit": r.text("单位"),
                "direction": direction,
                "target": r.number("目标值"),
                "local_setting": r.flag("本地设定"),
            }
        )
        if bands:
            data["bands"] = bands
        standard["data"] = data
    return standard


_STANDARD_PATHS: dict[tuple[str, ...], str] = {
    **{c.path: c.header for c in STANDARD_COLUMNS if c.path},
    ("grades",): "阈值A",
    ("field",): "点位类型",
    ("document",): "要求材料",
    ("survey",): "问卷题号",
    ("survey", "target"): "目标值",
    ("survey", "bands"): "差距档B",
    ("survey", "bands", "b"): "差距档B",
    ("survey", "bands", "c"): "差距档C",
    ("data",): "数据指标",
    ("data", "target"): "目标值",
    ("data", "bands"): "差距档B",
    ("data", "bands", "b"): "差距档B",
    ("data", "bands", "c"): "差距档C",
}
_LEVELS: tuple[tuple[str, str, str, str], ...] = (
    ("项目编号", "测评项目", "Ⅰ", "indicators"),
    ("指标编号", "指标", "Ⅱ", "contents"),
    ("内容编号", "测评内容", "Ⅲ", "standards"),
)
_LEVEL_KEYS = ("projects", "indicators", "contents")


def _read_standards(sheet: _Sheet, pack: _SheetPack, problems: list[PackProblem]) -> None:
    projects: list[dict[str, Any]] = []
    pack.data["projects"] = projects
    nodes: list[dict[str, tuple[PathKey, dict[str, Any]]]] = [{}, {}, {}]  # code → (path, node), per level
    by_name: list[dict[tuple[PathKey, str], str]] = [{}, {}, {}]  # (parent path, name) → code
    counters = [0, 0, 0]
    last: list[tuple[str, str] | None] = [None, None, None]
    for number, values in sheet.records():
        r = _Row(sheet, number, values, problems)
        parent_path: PathKey = ()
        children: list[dict[str, Any]] = projects
        placed = True
        for level, (code_col, name_col, roman, child_key) in enumerate(_LEVELS):
            code, name = r.text(code_col), r.text(name_col)
            if not code and not name:
                previous = last[level]
                if previous is None:
                    r.problem(
                        name_col, codes.MISSING_VALUE, fields_of(variant="no-row-above", column=name_col)
                    )
                    placed = False
                    break
                code, name = previous
            if not code:
                code = by_name[level].get((parent_path, name), "")
                while not code or code in nodes[level]:
                    counters[level] += 1
                    code = f"{roman}-{counters[level]}"
            known = nodes[level].get(code)
            if known is None:
                if not name:
                    r.problem(
                        name_col,
                        codes.MISSING_VALUE,
                        fields_of(variant="new-code", column=name_col, code=code),
                    )
                    placed = False
                    break
                node: dict[str, Any] = {"code": code, "name": name, child_key: []}
                path: PathKey = (*parent_path, _LEVEL_KEYS[level], len(children))
                children.append(node)
                nodes[level][code] = (path, node)
                by_name[level][(parent_path, name)] = code
                pack.place(path, sheet.name, number)
                pack.place((*path, "code"), sheet.name, number, code_col, sheet.letter(code_col))
                pack.place((*path, "name"), sheet.name, number, name_col, sheet.letter(name_col))
            else:
                path, node = known
                if path[:-2] != parent_path:
                    r.problem(
                        code_col,
                        codes.LEVEL_CONFLICT,
                        fields_of(variant="parent", column=name_col, code=code, row=pack.where[path][1]),
                    )
                    placed = False
                    break
                if name and name != node["name"]:
                    r.problem(
                        name_col,
                        codes.LEVEL_CONFLICT,
                        fields_of(
                            variant="name", code=code, first=node["name"], row=pack.where[path][1], name=name
                        ),
                    )
            last[level] = (code, node["name"])
            parent_path = path
            children = node[child_key]
        standard = _read_standard(r, pack)
        if not placed:
            continue
        spath: PathKey = (*parent_path, "standards", len(children))
        children.append(standard)
        pack.place(spath, sheet.name, number)
        for sub, header in _STANDARD_PATHS.items():
            pack.place((*spath, *sub), sheet.name, number, header, sheet.letter(header))
            if header in r.bad:
                pack.muted.add((*spath, *sub))


def _read_list(
    sheet: _Sheet, section: str, pack: _SheetPack, problems: list[PackProblem], kinds: dict[str, str]
) -> None:
    items: list[dict[str, Any]] = []
    pack.data[section] = items
    for number, values in sheet.records():
        r = _Row(sheet, number, values, problems)
        item: dict[str, Any] = {}
        path: PathKey = (section, len(items))
        pack.place(path, sheet.name, number)
        for column in COLUMNS[sheet.name]:
            key = column.path[0]
            kind = kinds.get(key, "text")
            reader: dict[str, Callable[[str], Any]] = {
                "text": r.text,
                "items": r.items,
                "int": r.integer,
                "num": r.number,
                "flag": r.flag,
            }
            item[key] = reader[kind](column.header)
            pack.place((*path, key), sheet.name, number, column.header, sheet.letter(column.header))
            if column.header in r.bad:
                pack.muted.add((*path, key))
        items.append(_compact(item))


def _read_settings(sheet: _Sheet, pack: _SheetPack, problems: list[PackProblem]) -> None:
    for number, values in sheet.records():
        r = _Row(sheet, number, values, problems)
        key = r.text("键")
        if not key:
            r.problem("键", codes.MISSING_VALUE, fields_of(variant="key"))
            continue
        parts = tuple(key.split("."))
        value: Any
        if key in IDENTITY_KEYS:
            value = r.integer("值") if key == "schema_version" else r.text("值")
        elif parts[0] == "settings" and len(parts) > 1 and parts[-1] == "local_setting":
            value = r.flag("值")
        elif parts[0] == "settings" and len(parts) > 1:
            value = r.number("值")
        else:
            r.problem("键", codes.UNKNOWN_KEY, fields_of(variant="setting", key=key))
            continue
        target = pack.data
        for depth, part in enumerate(parts[:-1]):
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                group = ".".join(parts[: depth + 1])
                r.problem("键", codes.INVALID_VALUE, fields_of(variant="not-a-group", key=group))
                break
            target = child
        else:
            if parts[-1] in target:
                r.problem("键", codes.DUPLICATE_KEY, fields_of(key=key, row=pack.where[parts][1]))
                continue
            if value not in (None, ""):
                target[parts[-1]] = value
            pack.place(parts, sheet.name, number, "值", sheet.letter("值"))
            if "值" in r.bad:
                pack.muted.add(parts)


def read_workbook(path: Path) -> tuple[_SheetPack, list[PackProblem]]:
    """Read a handbook spreadsheet into raw pack data; problems name sheet, row and column."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    book = path.name
    pack = _SheetPack(book=book, files=[book])
    problems: list[PackProblem] = []
    try:
        size = path.stat().st_size
        if size > MAX_WORKBOOK_BYTES:
            problems.append(
                PackProblem(
                    book, 0, "", codes.WORKBOOK_TOO_BIG, fields_of(size=size, limit=MAX_WORKBOOK_BYTES)
                )
            )
            return pack, problems
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        problems.append(
            PackProblem(book, 0, "", codes.WORKBOOK_UNREADABLE, fields_of(variant="book", detail=str(exc)))
        )
        return pack, problems
    try:
        names = {_header_key(n): n for n in workbook.sheetnames}
        sheets: dict[str, _Sheet] = {}
        for name in SHEETS:
            if name not in names:
                problems.append(
                    PackProblem(
                        book,
                        0,
                        "",
                        codes.SHEET_MISSING,
                        fields_of(sheet=name, sheets=tuple(workbook.sheetnames)),
                        sheet=name,
                    )
                )
                continue
            try:
                rows = list(workbook[names[name]].iter_rows(values_only=True))
            except (SyntaxError, ValueError, KeyError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
                # Damaged sheet XML (an undefined entity …); ParseError is a SyntaxError.
                problems.append(
                    PackProblem(
                        book,
                        0,
                        "",
                        codes.WORKBOOK_UNREADABLE,
                        fields_of(variant="sheet", sheet=name, detail=str(exc)),
                        sheet=name,
                    )
                )
                continue
            sheets[name] = _Sheet(book, name, rows, problems)
    finally:
        workbook.close()
    usable = {name: sheet for name, sheet in sheets.items() if sheet.usable}
    pack.complete = len(usable) == len(SHEETS)
    if SETTINGS in usable:
        _read_settings(usable[SETTINGS], pack, problems)
    if SITE_TYPES in usable:
        kinds = {"aliases": "items", "sample": "int", "local_setting": "flag"}
        _read_list(usable[SITE_TYPES], "site_types", pack, problems, kinds)
    if DEPARTMENTS in usable:
        _read_list(usable[DEPARTMENTS], "departments", pack, problems, {"aliases": "items"})
    if NEGATIVE in usable:
        kinds = {"deduction": "num", "veto": "flag", "lookback_months": "int"}
        _read_list(usable[NEGATIVE], "negative_list", pack, problems, kinds)
    if STANDARDS in usable:
        _read_standards(usable[STANDARDS], pack, problems)
    return pack, problems


def import_workbook(
    workbook: Path,
    target: Path,
    force: bool = False,
    *,
    check: Callable[[Path], list[PackProblem]] | None = None,
) -> Handbook:
    """Import a handbook spreadsheet into a YAML pack folder at ``target``; the pack is validated first.

    ``check`` vets the file before any XML of it is parsed (``civcheck handbook import`` passes the
    evidence preflight: zip bombs, DTDs and entities, far-away cells, oversized text); its problems stop
    the import. Raises :class:`HandbookError` with every problem (sheet, row, column) and writes nothing
    on problems.
    """
    refuse_existing([target], force=force, kind="folder")
    if workbook.resolve().is_relative_to(target.resolve()):
        raise UsageError(f"{workbook} lies inside {target}; write the pack to another folder")
    if check is not None and (unsafe := check(workbook)):
        raise HandbookError(unsafe)
    pack, problems = read_workbook(workbook)
    if pack.complete:  # a missing sheet or column would only echo as a cascade of model errors
        _, structural = structure_problems(pack)
        problems += structural + semantic_problems(pack)
    problems = [p for p in problems if p.code != _MUTED]
    if problems:
        raise HandbookError(problems)
    with replace_folder(target) as folder:
        write_pack_folder(pack_documents(pack.data, f"Imported from {workbook.name}."), folder)
        handbook = load_handbook(folder)  # the files just written must read back as the same pack
    return handbook
