"""evaluate(handbook, evidence, options) → Assessment. Being written: see issue 4."""

from __future__ import annotations

from checker.handbook.model import Handbook
from checker.intake.evidence import Evidence
from checker.scoring.assessment import Assessment, Options


def evaluate(handbook: Handbook, evidence: Evidence, options: Options) -> Assessment:
    raise NotImplementedError("scoring is not built yet")
