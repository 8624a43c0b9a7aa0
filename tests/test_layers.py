"""The import-linter contracts of pyproject.toml (run by `make lint`) hold without exceptions: a layer that
needs something from above is handed it by its caller, never allowed one import up."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _contracts() -> list[dict[str, object]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = data["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_layer_contract_is_there() -> None:
    layers = [c for c in _contracts() if c.get("type") == "layers"]
    assert len(layers) == 1
    assert layers[0]["layers"][:4] == [  # type: ignore[index]
        "checker.cli",
        "checker.commands",
        "checker.report | checker.generate",
        "checker.campaign",
    ]


def test_no_contract_ignores_an_import() -> None:
    excepted = {str(c["name"]): c["ignore_imports"] for c in _contracts() if c.get("ignore_imports")}
    assert excepted == {}
