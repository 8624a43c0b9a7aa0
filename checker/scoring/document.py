"""材料审核 document standards: each required material is met by an in-window row with a resolving file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from checker.handbook.model import Handbook, Standard
from checker.scoring.assessment import ReasonArgs
from checker.scoring.common import Place, normalise_name, normalise_series, result
from checker.scoring.grades import grade_for_count, thresholds_for

# Why a material is not met, in the order they are checked.
MISSING = "missing"  # no row names it
OUT_OF_WINDOW = "out_of_window"  # rows exist, none dated inside the window
FILE_UNRESOLVED = "file_unresolved"  # rows inside the window, none whose file resolves


@dataclass(frozen=True)
class MaterialGap:
    material: str
    reason: str  # MISSING / OUT_OF_WINDOW / FILE_UNRESOLVED
    evidence: str  # the best row's provenance, "" when missing
    department: str


@dataclass
class DocumentOutcome:
    result: object  # StandardResult
    gaps: list[MaterialGap]
    missing: int
    score_if_one_more: float  # score with one fewer missing material (for the gap's points recoverable)


def prepare_documents(documents: pd.DataFrame, window: tuple[date, date]) -> pd.DataFrame:
    """Add the normalised material name and the in-window / usable flags, once for all standards."""
    frame = documents.reset_index(drop=True).copy()
    frame["norm"] = normalise_series(frame["material"])
    dates = frame["date"]
    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    frame["in_window"] = ((dates >= start) & (dates <= end)).fillna(False).astype(bool)
    frame["usable"] = frame["in_window"] & frame["file_ok"].astype(bool)
    return frame


def _matches(values: np.ndarray, distinct: set[str], wanted: str) -> np.ndarray:
    """Rows naming the material: equal after normalisation, or one name containing the other."""
    out = np.zeros(len(values), dtype=bool)
    for v in distinct:  # distinct names of one standard: a handful, not one per row
        if v and (v == wanted or wanted in v or (len(v) >= 2 and v in wanted)):
            out |= values == v
    return out


def evaluate_document(
    handbook: Handbook, standard: Standard, place: Place, rows: pd.DataFrame, rejected: int
) -> DocumentOutcome:
    assert standard.document is not None
    thresholds = thresholds_for(handbook, standard)
    shares = handbook.settings.grade_shares
    materials = standard.document.materials
    if rows.empty:
        args: ReasonArgs
        if rejected:
            status, code, args = "invalid", "document.invalid", (("rejected", rejected),)
        else:
            status, code, args = "no_evidence", "document.none", (("required", len(materials)),)
        none = [MaterialGap(m.name, MISSING, "", standard.lead) for m in materials]
        res = result(
            standard,
            place,
            status=status,
            reason_code=code,
            reason_args=args,
            missing_materials=tuple(m.name for m in materials),
        )
        return DocumentOutcome(res, none, len(materials), 0.0)
    gaps: list[MaterialGap] = []
    # The standard's rows as arrays, once: a frame selected per material took every column each time.
    names = rows["norm"].to_numpy(dtype=object)
    distinct = set(names.tolist())
    usable = rows["usable"].to_numpy(dtype=bool)
    in_window = rows["in_window"].to_numpy(dtype=bool)
    for material in materials:
        hit = _matches(names, distinct, normalise_name(material.name))
        if not hit.any():
            gaps.append(MaterialGap(material.name, MISSING, "", standard.lead))
            continue
        if (hit & usable).any():
            continue
        reason = FILE_UNRESOLVED if (hit & in_window).any() else OUT_OF_WINDOW
        best = hit & in_window if reason == FILE_UNRESOLVED else hit
        last = rows.iloc[int(np.flatnonzero(best)[-1])]  # the latest row of the best kind
        dept = last["department"]
        gaps.append(
            MaterialGap(
                material.name,
                reason,
                f"{last['_file']} › {last['_sheet']} › {last['_row']}",
                standard.lead if pd.isna(dept) else str(dept),
            )
        )
    missing = len(gaps)
    grade = grade_for_count(missing, thresholds)
    score = standard.points * shares.share(grade)
    better = standard.points * shares.share(grade_for_count(max(0, missing - 1), thresholds))
    if missing:
        args = (("materials", tuple(g.material for g in gaps)), ("why", tuple(g.reason for g in gaps)))
    else:
        args = (("required", len(materials)),)
    res = result(
        standard,
        place,
        grade=grade,
        score=score,
        reason_code="document.complete" if not missing else "document.missing",
        reason_args=args,
        rows=len(rows),
        missing_materials=tuple(g.material for g in gaps),
    )
    return DocumentOutcome(res, gaps, missing, better)
