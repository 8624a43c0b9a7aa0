"""civcheck: self-check scoring for the 全国文明城市测评体系 (national civilized-city assessment).

Data flows one way: handbook + evidence → :func:`evaluate` (pure) → assessment → renderers.
Heavy modules are imported on first use, so ``import checker`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "CivcheckError",
    "HandbookError",
    "Options",
    "UsageError",
    "__version__",
    "evaluate",
    "load_handbook",
    "read_evidence",
    "write_reports",
]

from checker.errors import CivcheckError, HandbookError, UsageError

if TYPE_CHECKING:
    from checker.handbook.loader import load_handbook
    from checker.intake.reader import read_evidence
    from checker.report.writer import write_reports
    from checker.scoring.assessment import Options
    from checker.scoring.evaluate import evaluate

_LAZY = {
    "load_handbook": "checker.handbook.loader",
    "read_evidence": "checker.intake.reader",
    "evaluate": "checker.scoring.evaluate",
    "Options": "checker.scoring.assessment",
    "write_reports": "checker.report.writer",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'checker' has no attribute {name!r}")
