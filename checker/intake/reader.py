"""Read a round of evidence (folder or file) into :class:`Evidence`. Being written: see issue 3."""

from __future__ import annotations

from pathlib import Path

from checker.handbook.model import Handbook
from checker.intake.evidence import Evidence


def read_evidence(path: Path, handbook: Handbook) -> Evidence:
    raise NotImplementedError("evidence intake is not built yet")
