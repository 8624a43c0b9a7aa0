"""The handbook's problem codes live in one registry (checker/handbook/codes.py): every raise site names
its code from there, and docs/handbook.md documents exactly the registered codes."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from cjk import cjk_outside_quotes

from checker.errors import PackProblem
from checker.handbook.codes import CODES, describe, fields_of, render, render_problem

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = ROOT / "checker" / "handbook"
DOCS = ROOT / "docs" / "handbook.md"


def _documented() -> set[str]:
    """The codes in the first cell of the rows of docs/handbook.md's tables headed "| code | problem |"."""
    found: set[str] = set()
    in_table = False
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.strip() == "| code | problem |":
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table:
            found.update(re.findall(r"`([a-z0-9-]+)`", line.split("|")[1]))
    return found


def test_the_docs_tables_list_every_registered_code_and_no_other() -> None:
    documented = _documented()
    assert set(CODES) - documented == set(), "registered but not documented"
    assert documented - set(CODES) == set(), "documented but not registered"


def test_no_handbook_module_spells_a_code_itself() -> None:
    spelled = []
    for module in sorted(HANDBOOK.glob("*.py")):
        if module.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in CODES:
                spelled.append(f"{module.name}:{node.lineno} {node.value}")
    assert spelled == []


def test_every_code_means_something_in_both_languages() -> None:
    for code in CODES:
        assert describe(code, "zh") and describe(code, "en") and describe(code, "zh") != describe(code, "en")


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_has_a_chinese_and_an_english_template_with_the_same_fields() -> None:
    for code, entry in CODES.items():
        templates = entry.templates()
        assert templates and all(templates.values()), code
        for variant, (zh, en) in templates.items():
            assert zh and en, (code, variant)
            assert _names(zh) == _names(en), (code, variant)
            assert not cjk_outside_quotes(en), (code, variant, en)
        assert not cjk_outside_quotes(entry.en), code


def test_a_message_is_rendered_from_the_record_in_either_language() -> None:
    problem = PackProblem(
        "pack/pack.yaml", 16, "standards[0].lead", "unknown-department", fields_of(name="区城管局")
    )
    assert render_problem(problem, "en") == (
        "pack/pack.yaml:16 [standards[0].lead]: department '区城管局' is not in the pack (unknown-department)"
    )
    assert render_problem(problem, "zh") == (
        "pack/pack.yaml:16 [standards[0].lead]: 单位“区城管局”不在手册中 (unknown-department)"
    )
    cell = PackProblem(
        "h.xlsx", 3, "", "not-a-flag", fields_of(value="也许"), sheet="点位类型", cell="E3", column="本地设定"
    )
    assert (
        render_problem(cell, "en")
        == "h.xlsx:3 [点位类型!E3 本地设定]: '也许' is not '是' or '否' (not-a-flag)"
    )
    row = PackProblem(
        "h.xlsx", 1, "", "column-missing", fields_of(sheet="测评标准", column="分值"), sheet="测评标准"
    )
    assert render_problem(row, "en").startswith(
        "h.xlsx:1 [测评标准 row 1]: sheet '测评标准' has no column '分值'"
    )
    assert render_problem(row, "zh").startswith("h.xlsx:1 [测评标准 第 1 行]: 工作表“测评标准”没有“分值”列")
    methods = fields_of(column="问卷题号", for_methods=("survey",), this_method="field")
    assert render("column-not-for-method", methods, "en") == (
        "'问卷题号' is only for survey standards; this one is field"
    )
    assert render("column-not-for-method", methods, "zh") == "“问卷题号”只用于问卷调查标准，本条为实地考察"
