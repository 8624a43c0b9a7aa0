"""问卷调查 survey standards: favourable rate with a 95% Wilson interval, graded by shortfall bands."""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

from checker.handbook.model import Handbook, Standard
from checker.scoring.assessment import ReasonArgs, StandardResult
from checker.scoring.common import Place, result
from checker.scoring.grades import bands_for, grade_for_shortfall

Z95 = 1.959963984540054


def wilson(favourable: int, respondents: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (stays inside [0, 1] even at 0 % or 100 %)."""
    if respondents <= 0:
        return 0.0, 1.0
    p = favourable / respondents
    denom = 1 + z * z / respondents
    centre = (p + z * z / (2 * respondents)) / denom
    half = z * math.sqrt(p * (1 - p) / respondents + z * z / (4 * respondents * respondents)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def normalise_question(text: str) -> str:
    """Question ids compare NFKC, without spaces, upper case, and without leading zeros: q 01 ≡ Q1."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper()
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", key)


def tally(survey: pd.DataFrame) -> pd.DataFrame:
    """Respondents and favourable answers per normalised question id, summed over all rows.

    Tallies and intake's tallies of raw responses are both rows of the survey frame and are added up:
    each row is a separate set of respondents (a survey team's tally, or a batch of answer sheets).
    """
    if survey.empty:
        return pd.DataFrame({"respondents": pd.Series(dtype="int64"), "favourable": pd.Series(dtype="int64")})
    keys = survey["question"].astype("string").fillna("").map(normalise_question)
    grouped = survey.assign(key=keys).groupby("key")[["respondents", "favourable", "question"]]
    return grouped.agg({"respondents": "sum", "favourable": "sum", "question": "size"}).rename(
        columns={"question": "rows"}
    )


def evaluate_survey(
    handbook: Handbook, standard: Standard, place: Place, tallies: pd.DataFrame, rejected: int
) -> StandardResult:
    assert standard.survey is not None
    spec = standard.survey
    key = normalise_question(spec.question)
    n = int(tallies.at[key, "respondents"]) if key in tallies.index else 0  # type: ignore[arg-type]
    if n <= 0:
        args: ReasonArgs
        if key not in tallies.index and rejected:
            status, code = "invalid", "survey.invalid"
            args = (("question", spec.question), ("rejected", rejected))
        else:
            status, code, args = "no_evidence", "survey.none", (("question", spec.question),)
        return result(
            standard,
            place,
            status=status,
            reason_code=code,
            reason_args=args,
            target=spec.target,
            respondents=n,
        )
    fav = int(tallies.at[key, "favourable"])  # type: ignore[arg-type]
    fav = min(max(fav, 0), n)
    rate = fav / n
    low, high = wilson(fav, n)
    bands = bands_for(handbook, spec.bands)
    shortfall = (spec.target - rate) / spec.target
    grade = grade_for_shortfall(shortfall, bands, standard.binary)
    score = standard.points * handbook.settings.grade_shares.share(grade)
    small = n < handbook.settings.survey_min_sample
    below = high < spec.target
    minimum = handbook.settings.survey_min_sample
    args = (
        ("question", spec.question),
        ("rate", rate),
        ("low", low),
        ("high", high),
        ("respondents", n),
        ("target", spec.target),
        ("min_sample", minimum if small else None),
    )
    return result(
        standard,
        place,
        grade=grade,
        score=score,
        reason_code="survey.met" if grade == "A" else "survey.short",
        reason_args=args,
        rows=int(tallies.at[key, "rows"]),  # type: ignore[arg-type]
        rate=rate,
        rate_low=low,
        rate_high=high,
        target=spec.target,
        respondents=n,
        small_sample=small,
        interval_below_target=below,
    )
