"""The handbook's problem codes live in one registry (checker/handbook/codes.py): every raise site names
its code from there, and docs/handbook.md documents exactly the registered codes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from checker.handbook.codes import CODES, describe

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
