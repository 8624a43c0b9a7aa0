"""Helpers the method evaluators share: where a standard sits, name normalisation, rejected rows."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from checker.handbook.model import Handbook, Standard
from checker.intake.evidence import Rejection
from checker.scoring.assessment import StandardResult, Status
from checker.scoring.grades import status_for_grade


@dataclass(frozen=True)
class Place:
    """Where a standard sits in the hierarchy: Ⅰ, Ⅱ, Ⅲ codes."""

    project: str
    indicator: str
    content: str


def places(handbook: Handbook) -> dict[str, Place]:
    return {s.code: Place(p.code, i.code, c.code) for p, i, c, s in handbook.iter_standards()}


def result(
    standard: Standard,
    place: Place,
    *,
    reason_code: str,
    grade: str | None = None,
    score: float = 0.0,
    status: str | None = None,
    **counts: Any,
) -> StandardResult:
    """A StandardResult with the standard's own fields filled in.

    A graded result takes its status from the grade unless one is given (field standards judge theirs
    from the expected score); a result without a grade scores 0 and must say why (its status). The reason is
    its code and values (``reason_args`` among ``counts``): the report layer writes the sentence.
    """
    if status is None:
        if grade is None:
            raise ValueError(f"{standard.code}: a result without a grade needs a status")
        status = status_for_grade(grade)
    return StandardResult(
        code=standard.code,
        text=standard.text,
        method=standard.method,
        project=place.project,
        indicator=place.indicator,
        content=place.content,
        points=standard.points,
        status=cast(Status, status),
        grade=grade,
        score=score,
        expected_share=score / standard.points,
        p_full=counts.pop("p_full", None if grade is None else (1.0 if grade == "A" else 0.0)),
        lead=standard.lead,
        departments=standard.departments,
        reason_code=reason_code,
        **counts,
    )


def group_bounds(codes: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(order, bounds) of rows coded ``0..groups-1`` (-1: no value): the positions ordered by code, stably
    (each group keeps its rows' order; the rows without a value first, in no group), and group ``g``'s
    positions are ``order[bounds[g]:bounds[g + 1]]``. The codes are sorted as int16 when they fit (NumPy's
    radix sort)."""
    narrow = codes.astype(np.int16) if groups < 32_000 else codes
    order = np.argsort(narrow, kind="stable").astype(np.int64)
    bounds = np.searchsorted(codes[order], np.arange(groups + 1))
    return order, bounds


def normalise_name(text: str) -> str:
    """NFKC, no whitespace, case-folded: how material and indicator names are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def normalise_series(values: pd.Series) -> pd.Series:
    """:func:`normalise_name` over a string column, vectorised (blanks become "")."""
    text = values.astype("string").fillna("")
    return text.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.casefold()


def rejected_by_standard(rejections: Iterable[Rejection], handbook: Handbook) -> Counter[str]:
    """Rejected evidence rows per standard code.

    A rejection names its standard when it has a ``standard`` attribute (if intake provides one);
    otherwise a code or alias of a standard appearing as a whole token among its message values attributes
    it. The value match is a fallback and can miss rows whose values do not quote the code.
    """
    index = handbook.code_index()
    names = sorted(index, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w.-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w.-])" if names else r"(?!)"
    )
    found: Counter[str] = Counter()
    for rejection in rejections:
        named = getattr(rejection, "standard", None)
        if isinstance(named, str) and named in index:
            found[index[named].code] += 1
            continue
        match = pattern.search(" ".join(str(value) for _name, value in rejection.fields))
        if match:
            found[index[match.group(1)].code] += 1
    return found
