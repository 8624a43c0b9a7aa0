"""``civcheck template`` and ``civcheck sample``. Being written: see issue 3."""

from __future__ import annotations

from pathlib import Path


def run_template(handbook: str, output: Path, by_department: bool, force: bool) -> int:
    raise NotImplementedError


def run_sample(
    handbook: str, output: Path, sites: int, seed: int, inspections: int | None, csv: bool, force: bool
) -> int:
    raise NotImplementedError
