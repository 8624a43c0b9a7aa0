"""Normalise whole columns of cell text (取值规范化): results, counts, dates, codes, names, ids.

Every function takes a pandas Series of text (missing = NA) and works on its distinct values, mapping them
back in one vectorised step, so a million rows with a few hundred distinct dates cost a few hundred parses.
Accepted spellings are listed here, in one place, and documented in docs/evidence.md.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from checker.intake.kinds import RESULT_FAIL, RESULT_NA, RESULT_PASS

# Spaces that people type or paste: ASCII, NBSP, ideographic space, zero-width characters and the BOM.
SPACE_CHARS = " \t\r\n\f\v\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u3000\ufeff"
_TRIM_CHARS = " \t\r\n\f\v\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200E)
)
_ALL_SPACES = re.compile(f"[{SPACE_CHARS}]+")
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u30fc_]")

# 检查结果 spellings (after NFKC, spaces removed, case folded).
RESULT_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(
        (
            "符合",
            "达标",
            "合格",
            "通过",
            "是",
            "√",
            "✓",
            "✔",
            "☑",
            "y",
            "yes",
            "pass",
            "passed",
            "ok",
            "true",
        ),
        RESULT_PASS,
    ),
    **dict.fromkeys(
        (
            "不符合",
            "不达标",
            "不合格",
            "不通过",
            "否",
            "×",
            "✗",
            "✘",
            "☒",
            "x",
            "n",
            "no",
            "fail",
            "failed",
            "false",
        ),
        RESULT_FAIL,
    ),
    **dict.fromkeys(("不适用", "不涉及", "无此项", "n/a", "na", "notapplicable"), RESULT_NA),
}

# Survey answers that count as favourable (肯定回答) when raw responses are tallied.
FAVOURABLE_ANSWERS = frozenset(
    (
        "是", "满意", "非常满意", "比较满意", "基本满意", "支持", "非常支持", "比较支持", "知道", "了解",
        "非常了解", "比较了解", "参与过", "参加过", "愿意", "赞成", "好", "很好", "较好", "√", "✓", "✔",
        "y", "yes", "true",
    )
)  # fmt: skip

_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_COUNT = re.compile(r"^\+?(\d+)(?:\.0+)?\s*[处个项例起]?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$")
_LONG_ID = re.compile(r"^\d{16,}$")
_SCI_ID = re.compile(r"^\d(?:\.\d+)?e\+\d+$", re.IGNORECASE)
_EXCEL_1900 = dt.date(1899, 12, 30)
_EXCEL_1904 = dt.date(1904, 1, 1)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def name_key(text: str) -> str:
    """The matching key of a header, site type, department or question: NFKC, no spaces, case folded."""
    return _ALL_SPACES.sub("", nfkc(text)).casefold()


def code_key(text: str) -> str:
    """The matching key of a standard code: NFKC (Ⅲ → III, full-width → half-width), one kind of dash, no spaces."""
    return _DASHES.sub("-", _ALL_SPACES.sub("", nfkc(text))).upper()


def map_distinct(series: pd.Series, func: Callable[[str], Any], missing: Any = None) -> pd.Series:
    """``func`` applied once per distinct non-missing value, mapped back onto the whole column (object dtype).

    Missing cells become ``missing``. Factorising first keeps this one hash pass plus one take.
    """
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    table = np.empty(len(distinct) + 1, dtype=object)
    for i, value in enumerate(distinct):
        table[i] = func(value)
    table[-1] = missing  # code -1 (missing) takes the last slot
    return pd.Series(table[codes], index=series.index, dtype=object)


def map_distinct_text(series: pd.Series, func: Callable[[str], str | None]) -> pd.Series:
    """Like :func:`map_distinct` for text results, built as an Arrow string column (``string`` dtype)."""
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    table = pa.array([func(value) for value in distinct] + [None], pa.string())
    taken = table.take(pa.array(np.where(codes < 0, len(distinct), codes)))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=series.index)


def clean(series: pd.Series | pa.Array | pa.ChunkedArray) -> pd.Series:
    """Text with edge spaces (incl. U+3000, NBSP, zero-width) removed; blank → NA (``string`` dtype).

    Takes a pandas text column or an Arrow column straight from the reader (no pandas round trip).
    """
    if isinstance(series, pa.Array | pa.ChunkedArray):
        array: pa.Array | pa.ChunkedArray = series.cast(pa.string())
        index: pd.Index | None = None
    else:
        array = pa.array(series.array, type=pa.string())  # zero-copy for Arrow-backed text
        index = series.index
    trimmed = pc.utf8_trim(array, characters=_TRIM_CHARS)
    blanked = pc.if_else(pc.equal(pc.utf8_length(trimmed), 0), pa.scalar(None, pa.string()), trimmed)
    return pd.Series(pd.arrays.ArrowStringArray(blanked), index=index)


def results(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(result, bad): pass/fail/na per RESULT_SPELLINGS, NA when blank; ``bad`` marks unknown spellings."""
    mapped = map_distinct_text(series, lambda v: RESULT_SPELLINGS.get(name_key(v)))
    bad = (series.notna() & mapped.isna()).to_numpy()
    return mapped, bad


def counts(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(count, bad): whole numbers ≥ 0 (``2``, ``2.0``, ``２``, ``2处``); NA when blank."""

    def parse(value: str) -> float:
        found = _COUNT.match(nfkc(value).strip())
        return float(found.group(1)) if found else np.nan

    parsed = map_distinct(series, parse, np.nan).astype("float64")
    bad = (series.notna() & parsed.isna()).to_numpy()
    return parsed, bad


def numbers(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(value, bad): decimal numbers; thousands separators and a trailing % are allowed."""

    def parse(value: str) -> float:
        text = nfkc(value).replace(",", "").strip().rstrip("%").strip()
        return float(text) if _NUMBER.match(text.lower()) else np.nan

    parsed = map_distinct(series, parse, np.nan).astype("float64")
    bad = (series.notna() & parsed.isna()).to_numpy()
    return parsed, bad


def parse_date(value: str, date1904: bool = False) -> tuple[pd.Timestamp | None, bool]:
    """(date, early serial) of one cell text; None when it is not a recognised date."""
    text = nfkc(value).strip()
    found = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if found:
        try:
            return pd.Timestamp(dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))), False
        except ValueError:
            return None, False
    if _SERIAL.match(text):
        serial = int(float(text))
        if serial < 1 or serial > 2958465:
            return None, False
        if date1904:
            return pd.Timestamp(_EXCEL_1904 + dt.timedelta(days=serial)), False
        if serial == 60:  # 1900-02-29, a day that never was (Lotus/Excel leap-year bug)
            return None, True
        base = _EXCEL_1900 if serial > 60 else _EXCEL_1900 + dt.timedelta(days=1)
        return pd.Timestamp(base + dt.timedelta(days=serial)), serial < 61
    return None, False


def dates(series: pd.Series, date1904: bool = False) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(date, bad, early serial): see :func:`parse_date`; NaT when blank."""
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    stamps = np.empty(len(distinct) + 1, dtype="datetime64[ns]")
    flags = np.zeros(len(distinct) + 1, dtype=bool)
    for i, value in enumerate(distinct):
        stamp, early = parse_date(value, date1904)
        stamps[i] = np.datetime64("NaT") if stamp is None else stamp.to_datetime64()
        flags[i] = early
    stamps[-1] = np.datetime64("NaT")
    values = pd.Series(stamps[codes], index=series.index, dtype="datetime64[ns]")
    bad = (series.notna() & values.isna()).to_numpy()
    return values, bad, flags[codes] & series.notna().to_numpy()


def precision_lost(series: pd.Series) -> np.ndarray:
    """Ids that look like numbers Excel stored as floats (≥ 16 digits, or 1.23E+17)."""

    def check(value: str) -> bool:
        if _SCI_ID.match(value):
            return True
        return bool(_LONG_ID.match(value)) and float(int(value)) == int(value)

    return map_distinct(series, check, False).astype(bool).to_numpy()


def lookup(
    series: pd.Series, index: dict[str, str], key: Callable[[str], str]
) -> tuple[pd.Series, np.ndarray]:
    """(canonical, unknown): values resolved through a handbook index keyed by ``key``."""
    mapped = map_distinct_text(series, lambda v: index.get(key(v)))
    unknown = (series.notna() & mapped.isna()).to_numpy()
    return mapped, unknown


def favourable(series: pd.Series) -> pd.Series:
    """True where an answer is favourable (see FAVOURABLE_ANSWERS)."""
    return map_distinct(series, lambda v: name_key(v) in FAVOURABLE_ANSWERS, False).astype(bool)


__all__ = [
    "FAVOURABLE_ANSWERS",
    "RESULT_SPELLINGS",
    "SPACE_CHARS",
    "clean",
    "code_key",
    "counts",
    "dates",
    "favourable",
    "lookup",
    "map_distinct",
    "map_distinct_text",
    "name_key",
    "nfkc",
    "numbers",
    "parse_date",
    "precision_lost",
    "results",
]
