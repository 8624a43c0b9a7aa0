"""The bundled criteria packs load, and the wenming-city pack is rich enough to stand for a real handbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.handbook.loader import load_handbook

CRITERIA = Path(__file__).resolve().parent.parent / "criteria"
BUNDLED = sorted(p.name for p in CRITERIA.iterdir() if p.is_dir())


def test_the_expected_packs_are_bundled() -> None:
    assert "wenming-city" in BUNDLED


@pytest.mark.parametrize("pack", BUNDLED)
def test_pack_loads_by_id_and_by_path(pack: str) -> None:
    by_id = load_handbook(pack)
    by_path = load_handbook(CRITERIA / pack)
    assert by_id.id == pack
    assert by_id == by_path
    assert by_id.standards
