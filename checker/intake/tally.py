"""Survey tallying (问卷汇总): the counts scoring reads for each survey question.

A survey reaches scoring as one row per question: 有效样本 ``respondents`` and 肯定回答 ``favourable``. A tally
sheet gives them as written (``source`` = ``tally``), and a tally cannot count more favourable answers than
respondents. A responses sheet (one row per respondent, one column per question) is tallied here into the
same rows (``source`` = ``responses``); what counts as favourable is ``values.FAVOURABLE_ANSWERS``.

Which rows of either sheet are accepted, and the coded reason of each rejected one, is decided by
:mod:`checker.intake.rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from checker.intake import values
from checker.intake.codes import Fields, fields_of
from checker.intake.frames import frame_from_records


def tally_responses(
    questions: Iterable[str],
    answers: Mapping[str, pd.Series],
    accepted: np.ndarray,
    *,
    file: str,
    sheet: str,
    row: int,
) -> pd.DataFrame:
    """One survey row per question of a responses sheet: the answers of the ``accepted`` rows counted.

    ``answers``: question id → its column of answers; ``row``: the header row (as the sheet numbers it),
    which the tallies point to as their origin.
    """
    tallies: list[dict[str, object]] = []
    for question in questions:
        given = answers[question][accepted]
        tallies.append(
            {
                "question": question,
                "respondents": int(given.notna().sum()),
                "favourable": int(values.favourable(given).sum()),
                "source": "responses",
                "_file": file,
                "_sheet": sheet,
                "_row": row,
            }
        )
    return frame_from_records("survey", tallies)


def overcounted(respondents: pd.Series, favourable: pd.Series) -> np.ndarray:
    """The rows of a tally sheet that count more favourable answers than respondents (``bad-tally``)."""
    return (favourable > respondents).to_numpy()


def overcount_fields(respondents: np.ndarray, favourable: np.ndarray) -> Callable[[np.ndarray], list[Fields]]:
    """The ``bad-tally`` message values of the tally rows at some positions: both counts as written."""

    def render(positions: np.ndarray) -> list[Fields]:
        return [fields_of(favourable=int(favourable[i]), respondents=int(respondents[i])) for i in positions]

    return render


__all__ = ["overcount_fields", "overcounted", "tally_responses"]
