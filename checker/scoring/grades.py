"""Grades (A/B/C/C#) from a count of problems or from a shortfall against a target, and their shares."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from checker.handbook.model import GRADES, Bands, Handbook, Standard, Thresholds

__all__ = [
    "GRADES",
    "GRADE_INDEX",
    "bands_for",
    "count_cap",
    "grade_for_count",
    "grade_for_shortfall",
    "grade_index_by_count",
    "share_vector",
    "status_for_grade",
    "thresholds_for",
]

_FUZZ = 1e-9
GRADE_INDEX: dict[str, int] = {g: i for i, g in enumerate(GRADES)}  # A 0, B 1, C 2, C# 3


def thresholds_for(handbook: Handbook, standard: Standard) -> Thresholds:
    """The standard's own thresholds, else the pack's; a binary standard is A at 0 problems, else C#."""
    if standard.binary:
        return Thresholds(a=0, b=0, c=0)
    return standard.grades or handbook.settings.thresholds


def count_cap(thresholds: Thresholds) -> int:
    """Counts above ``c`` all grade C#, so distributions only need the values 0..c+1 (c+1 meaning 'more')."""
    return max(thresholds.a, thresholds.b, thresholds.c) + 1


def grade_for_count(count: int, thresholds: Thresholds) -> str:
    """A if count ≤ a, B if ≤ b, C if ≤ c, else C#."""
    if count <= thresholds.a:
        return "A"
    if count <= thresholds.b:
        return "B"
    if count <= thresholds.c:
        return "C"
    return "C#"


def grade_index_by_count(thresholds: Thresholds) -> npt.NDArray[np.int64]:
    """Grade index (0=A … 3=C#) for every capped count 0..cap."""
    cap = count_cap(thresholds)
    return np.array([GRADE_INDEX[grade_for_count(n, thresholds)] for n in range(cap + 1)], dtype=np.int64)


def share_vector(handbook: Handbook) -> npt.NDArray[np.float64]:
    """Shares of A, B, C, C# as an array indexed by grade index."""
    shares = handbook.settings.grade_shares
    return np.array([shares.share(g) for g in GRADES], dtype=np.float64)


def bands_for(handbook: Handbook, own: Bands | None) -> Bands:
    return own or handbook.settings.bands


def grade_for_shortfall(shortfall: float, bands: Bands, binary: bool) -> str:
    """A when the target is met (shortfall ≤ 0), else B/C/C# by relative shortfall bands (binary: C#).

    Comparisons allow 1e-9 so that a value exactly on a band edge (e.g. 2.1 against ≤ 2 with b = 5 %)
    is not pushed over it by binary floating point.
    """
    if shortfall <= _FUZZ:
        return "A"
    if binary:
        return "C#"
    if shortfall <= bands.b + _FUZZ:
        return "B"
    if shortfall <= bands.c + _FUZZ:
        return "C"
    return "C#"


def status_for_grade(grade: str) -> str:
    """达标 for A, 不达标 for C#, 部分达标 for B and C."""
    return {"A": "pass", "C#": "fail"}.get(grade, "partial")
