"""``civcheck read``. Being written: see issue 3."""

from __future__ import annotations

from pathlib import Path


def run_read(handbook: str, evidence: Path) -> int:
    raise NotImplementedError
