"""``civcheck check``: read → evaluate → render. Being written: see issue 4."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CheckArgs:
    evidence: Path
    handbook: str
    test_date: str | None
    target: float | None
    fail_under: float | None
    output: Path | None
    formats: str
    lang: str
    detail: bool
    dispatch: bool
    observed_draw: bool
    force: bool


def run_check(args: CheckArgs) -> int:
    raise NotImplementedError


def run_report_schema() -> int:
    raise NotImplementedError
