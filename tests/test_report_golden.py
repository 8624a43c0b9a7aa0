"""Rendered outputs against golden files (regenerate on purpose with tests/golden/regen.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixtures import OUTPUTS

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_matches_golden_file(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert OUTPUTS[name]() == expected, f"{name} changed: review, then run tests/golden/regen.py"


def test_terminal_fits_80_columns_and_has_no_escape_codes() -> None:
    from rich.cells import cell_len

    for name in ("terminal.zh.txt", "terminal.en.detail.txt"):
        text = OUTPUTS[name]()
        assert "\x1b" not in text
        assert max(cell_len(line) for line in text.splitlines()) <= 80
