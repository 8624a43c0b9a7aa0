"""One projection of the assessment that every renderer formats: sections, their columns, plain values.

Frames from the engine become column lists of plain Python values (None for NA/NaN, ``date`` for
timestamps) once, vectorised, so the writers do no per-cell type sniffing. Columns the engine adds later
are carried after the documented ones, under their own names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from checker.scoring import plan, rankings
from checker.scoring.assessment import GAP_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from checker.intake.evidence import Rejection
    from checker.scoring.assessment import Assessment, Rollup

# What a standard's evidence amounts to, and a survey's result: shared by every report (table and JSON).
STANDARD_COUNTS = (
    "rows",
    "sites_inspected",
    "sites_failing",
    "cases",
    "sites_registered",
    "sites_uncovered",
    "sample",
    "sample_short",
    "missing_materials",
)
SURVEY_RESULT = (
    "rate",
    "rate_low",
    "rate_high",
    "target",
    "respondents",
    "small_sample",
    "interval_below_target",
)
STANDARD_COLUMNS = (
    "project",
    "indicator",
    "content",
    "code",
    "text",
    "method",
    "points",
    "score",
    "expected_share",
    "p_full",
    "grade",
    "status",
    "reason",
    "lead",
    "departments",
    *STANDARD_COUNTS,
)
SURVEY_DATA_COLUMNS = (
    "code",
    "method",
    "text",
    "status",
    *SURVEY_RESULT,
    "points",
    "score",
)
SITE_PROBLEM_COLUMNS = (
    "id",
    "standard",
    "site",
    "site_name",
    "site_type",
    "street",
    "department",
    "description",
    "required",
    "cases",
    "photo",
    "points_recoverable",
    "total_recoverable",
    "deadline",
    "evidence",
)
COVERAGE_COLUMNS = (  # "required" of a coverage gap: the codes of the standards the site missed
    "id",
    "required",
    "site",
    "site_name",
    "site_type",
    "street",
    "department",
    "description",
    "points_recoverable",
    "total_recoverable",
    "deadline",
)
MATERIAL_COLUMNS = (
    "id",
    "standard",
    "department",
    "description",
    "required",
    "points_lost",
    "points_recoverable",
    "total_recoverable",
    "deadline",
)
# The engine's ranking and plan columns, the rank shown first.
RANKING_COLUMNS = ("rank", *(c for c in rankings.RANKING_COLUMNS if c != "rank"))
PLAN_COLUMNS = plan.PLAN_COLUMNS
REJECTED_COLUMNS = ("file", "sheet", "row", "column", "code", "message")

# Gap kinds in the dispatch workbooks (交办单): every kind, so that each gap with a responsible unit reaches
# it — survey and data shortfalls, standards below full marks and negative-list events included.
DISPATCHED_KINDS = ("site_problem", "coverage", "material", "survey", "data", "standard", "negative")


def plain(value: Any) -> Any:
    """A plain Python value: None for NA/NaN/NaT, ``date`` for a timestamp at midnight."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, datetime):
        if value != value:  # NaT
            return None
        return value.date() if value.time() == datetime.min.time() and value.tzinfo is None else value
    if isinstance(value, date):
        return value
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    if isinstance(value, tuple):
        return list(value)
    return value


def number_text(value: Any, digits: int = 2, missing: str = "") -> str:
    """A cell value as text: floats with ``digits`` decimals, ``missing`` for NA, anything else as is."""
    value = plain(value)
    if value is None:
        return missing
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def percent_text(value: Any, digits: int = 0, missing: str = "") -> str:
    """A share as a percentage with ``digits`` decimals, ``missing`` for NA."""
    value = plain(value)
    return missing if value is None else f"{float(value):.{digits}%}"


def ordered_columns(
    frame: pd.DataFrame, preferred: Sequence[str], known: Sequence[str] = GAP_COLUMNS
) -> list[str]:
    """The preferred columns the frame has, then any column the engine added after this was written.

    ``known`` columns left out of ``preferred`` are left out on purpose (e.g. ``kind`` on a sheet of one
    kind); provenance columns (``_file`` …) are never shown.
    """
    present = [c for c in preferred if c in frame.columns]
    extra = [
        str(c) for c in frame.columns if c not in preferred and c not in known and not str(c).startswith("_")
    ]
    return present + extra


def column_values(frame: pd.DataFrame, column: str) -> list[Any]:
    """One column as plain Python values, converted once for the whole column."""
    import numpy as np
    import pandas as pd

    series = frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        missing = series.isna().tolist()
        known = series.dropna()
        if (known == known.dt.normalize()).all():
            values = series.dt.date.tolist()
        else:
            values = [v.to_pydatetime() if not pd.isna(v) else None for v in series]
        return [None if gone else v for v, gone in zip(values, missing, strict=True)]
    if pd.api.types.is_bool_dtype(series) and not series.hasnans:
        return [bool(v) for v in series.tolist()]
    if pd.api.types.is_integer_dtype(series) and not series.hasnans:
        return [int(v) for v in series.tolist()]
    if pd.api.types.is_float_dtype(series):
        return [None if v != v else float(v) for v in series.tolist()]
    if isinstance(series.dtype, pd.StringDtype):  # str or missing: no value needs plain()
        # One Python str per distinct value, shared by its rows (a 366k-gap table's text columns as fresh
        # strings per cell were ~0.4 GB at the writing phase's peak, and slower to make).
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        distinct = np.asarray([*uniques.astype(object).tolist(), None], dtype=object)
        texts: list[Any] = distinct[codes].tolist()
        return texts
    return [plain(v) for v in series.astype(object).tolist()]


@dataclass(frozen=True)
class Table:
    """A section ready to write: column names (engine names) and rows of plain values."""

    columns: list[str]
    data: dict[str, list[Any]]
    length: int

    def rows(self) -> Any:
        return zip(*(self.data[c] for c in self.columns), strict=True)


def renamed(table: Table, old: str, new: str) -> Table:
    """``table`` with column ``old`` shown under the name (and heading) ``new``."""
    data = {new if c == old else c: v for c, v in table.data.items()}
    return Table([new if c == old else c for c in table.columns], data, table.length)


def frame_table(frame: pd.DataFrame, preferred: Sequence[str], known: Sequence[str] = GAP_COLUMNS) -> Table:
    columns = ordered_columns(frame, preferred, known)
    return Table(columns, {c: column_values(frame, c) for c in columns}, len(frame))


def record_table(
    records: Sequence[object], columns: Sequence[str], computed: Mapping[str, list[Any]] | None = None
) -> Table:
    """The records' attributes as columns; a column in ``computed`` takes its values from there instead
    (a text the report writes, such as a standard's reason in the report's language)."""
    given = computed or {}
    data = {c: given[c] if c in given else [plain(getattr(r, c)) for r in records] for c in columns}
    return Table(list(columns), data, len(records))


class Coded(Protocol):
    """A coded problem of intake (a rejection, a file warning, a skipped file): renders in a language."""

    @property
    def code(self) -> str: ...

    @property
    def fields(self) -> tuple[tuple[str, object], ...]: ...

    def text(self, lang: str = "zh") -> str: ...


def problem_texts(records: Sequence[Coded], lang: str) -> list[str]:
    """The messages of coded problems in ``lang``, each distinct message rendered once."""
    cache: dict[object, str] = {}
    out = []
    for record in records:
        key = (record.code, record.fields, getattr(record, "problems", ()))
        try:
            text = cache.get(key)
        except TypeError:  # a value that cannot be hashed: rendered every time
            out.append(record.text(lang))
            continue
        if text is None:
            text = cache[key] = record.text(lang)
        out.append(text)
    return out


def rejected_table(rejections: Sequence[Rejection], lang: str) -> Table:
    """The rejected rows, their messages in the report's language."""
    table = record_table(rejections, REJECTED_COLUMNS[:-1])
    table.columns.append("message")
    table.data["message"] = problem_texts(rejections, lang)
    return table


def gaps_of(assessment: Assessment, *kinds: str) -> pd.DataFrame:
    gaps = assessment.gaps
    if gaps.empty or "kind" not in gaps.columns:
        return gaps.iloc[0:0]
    return gaps[gaps["kind"].isin(kinds)]


def projects(assessment: Assessment) -> list[Rollup]:
    return [r for r in assessment.rollups if r.level == "project"]


def methods(assessment: Assessment) -> list[Rollup]:
    return [r for r in assessment.rollups if r.level == "method"]


def rows_read(assessment: Assessment) -> tuple[int, int, int]:
    """(read, accepted, rejected) over every input, as intake counted them."""
    return (
        sum(i.rows_read for i in assessment.inputs),
        sum(i.rows_accepted for i in assessment.inputs),
        sum(i.rows_rejected for i in assessment.inputs),
    )


GAP_ORDER = GAP_COLUMNS
