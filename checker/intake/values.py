"""Normalise whole columns of cell text (取值规范化): results, counts, dates, codes, names, ids.

Every function takes a pandas Series of text (missing = NA) and works on its distinct values, mapping them
back in one vectorised step, so a million rows with a few hundred distinct dates cost a few hundred parses.
:func:`clean_column` gives the reader's columns as categoricals (distinct values + integer codes), which
the normalisers use as they are; free text is trimmed in Arrow instead (:func:`clean_text`), since notes
are often different in every row. Accepted spellings are listed here, in one place, and documented in
docs/evidence.md.

Series built here from arrays made here pass ``copy=False``: pandas 3 copies a NumPy array (or a
categorical) handed to the Series constructor unless told not to, a million-row copy each time.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

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
# The union of the two above for Arrow (RE2): \p{Nd} is any decimal digit, as Python's \d is.
_ID_CANDIDATE = r"^\p{Nd}(?:\.\p{Nd}+)?[eE]\+\p{Nd}+$|^\p{Nd}{16,}$"
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


# Above this many rows, columns are processed on two threads: Arrow's kernels (encoding, trimming,
# take) release the GIL. Measured on 1M CSV rows × 10 columns when it was introduced: trimming
# 0.29 s → 0.09 s. The threshold is a round number well above the sizes where a thread pool's start-up
# (~1 ms) could matter; it was not tuned.
PARALLEL_ROWS = 50_000

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def map_columns(func: Callable[[_In], _Out], columns: dict[str, _In], rows: int) -> dict[str, _Out]:
    """``func`` over each column of ``rows`` rows, on two threads for big columns."""
    if rows < PARALLEL_ROWS or len(columns) < 2:
        return {col: func(array) for col, array in columns.items()}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(func, columns.values()))
    return dict(zip(columns, done, strict=True))


def distinct_columns(frame: pd.DataFrame, *columns: str) -> list[tuple[np.ndarray, pd.Index]]:
    """:func:`distinct` of several columns of ``frame`` (on two threads when they are long)."""
    done = map_columns(distinct, {c: frame[c] for c in columns}, len(frame))
    return [done[c] for c in columns]


def distinct(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """(codes, distinct values) of a text column; code -1 is a missing cell.

    A categorical column (what :func:`clean` returns) already is this pair, so nothing is hashed again.
    Arrow-backed text is encoded in Arrow (int32 codes, no int64 copy: cheaper than ``pd.factorize`` on a
    million strings); any other column is factorised by pandas.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), series.cat.categories
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        dictionary, parts = _dictionary_encode(pa.array(series.array))
        codes = parts[0] if len(parts) == 1 else np.concatenate([np.zeros(0, dtype=np.int32), *parts])
        return codes, pd.Index(dictionary.to_numpy(zero_copy_only=False), dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, pd.Index(uniques)


def map_distinct_flag(series: pd.Series, func: Callable[[str], bool]) -> np.ndarray:
    """``func`` applied once per distinct non-missing value, as a boolean mask (missing cells are False)."""
    codes, uniques = distinct(series)
    table = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        table[i] = bool(func(value))
    flags: np.ndarray = table[codes]
    return flags


def map_distinct_number(series: pd.Series, func: Callable[[str], float]) -> pd.Series:
    """``func`` applied once per distinct non-missing value, as a float column (missing cells are NaN)."""
    codes, uniques = distinct(series)
    table = np.full(len(uniques) + 1, np.nan, dtype=np.float64)
    for i, value in enumerate(uniques):
        table[i] = func(value)
    return pd.Series(table[codes], index=series.index, copy=False)


def map_distinct_text(series: pd.Series, func: Callable[[str], str | None]) -> pd.Series:
    """``func`` applied once per distinct non-missing value (None = missing), keeping the column's encoding.

    A categorical column gives a categorical column (the million-row path never builds a million strings);
    any other gives a ``string`` column.
    """
    codes, uniques = distinct(series)
    mapped = [func(value) for value in uniques]
    new_codes, categories = pd.factorize(pd.Series(mapped, dtype=object), use_na_sentinel=True)
    table = np.append(new_codes, -1).astype(_code_dtype(len(categories)))  # code -1 (missing) stays missing
    recoded = table[codes]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.Series(
            pd.Categorical.from_codes(recoded, categories=pd.Index(categories, dtype=object), validate=False),
            index=series.index,
            copy=False,
        )
    return as_text(
        pd.Series(pd.Categorical.from_codes(recoded, categories=pd.Index(categories, dtype=object)))
    ).set_axis(series.index)


def fill_missing(series: pd.Series, value: str) -> pd.Series:
    """Missing cells of a text or categorical column set to ``value``."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        if value not in series.cat.categories:
            series = series.cat.add_categories([value])
        return series.fillna(value)
    return series.fillna(value)


def as_text(series: pd.Series | pa.Array | pa.ChunkedArray) -> pd.Series:
    """A categorical (or any text) column as a ``string`` column, decoded in Arrow with one take."""
    if isinstance(series, pa.Array | pa.ChunkedArray):
        return pd.Series(pd.arrays.ArrowStringArray(series.cast(pa.large_string())))
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype("string")
    codes = np.asarray(series.cat.codes.to_numpy())
    # pandas keeps ``string`` columns as large_string: building that type here saves a cast.
    categories = _arrow_text(series.cat.categories)
    taken = categories.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=series.index)


def _arrow_text(index: pd.Index) -> pa.Array:
    """The values of a text index as an Arrow large_string array (zero-copy when it is Arrow-backed)."""
    if isinstance(index.array, pd.arrays.ArrowStringArray):
        array = pa.array(index.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array.cast(pa.large_string())
    return pa.array(np.asarray(index, dtype=object), type=pa.large_string())


def _text_array(series: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as Arrow text, without a copy when it already is text."""
    if isinstance(series, pa.Array | pa.ChunkedArray):
        is_text = pa.types.is_string(series.type) or pa.types.is_large_string(series.type)
        return series if is_text else series.cast(pa.large_string())
    return pa.array(series.astype("string").array, type=pa.large_string())


def arrow_text(series: pd.Series) -> pa.Array:
    """A text column as one Arrow large_string array (no copy of the strings when it is Arrow-backed)."""
    array = _text_array(series)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def text_positions(needles: Any, haystack: Any) -> np.ndarray:
    """The position of each of ``needles`` among ``haystack``'s distinct texts, -1 where absent or null: one
    Arrow hash join. Each side a text column, an index or an array of texts (a pandas index of Arrow
    strings made a Python object of every id for its ``get_indexer``)."""
    found = pc.index_in(_any_text(needles), value_set=_any_text(haystack), skip_nulls=True)
    positions: np.ndarray = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return positions


def _any_text(values: Any) -> pa.Array:
    if isinstance(values, pd.Series):
        return arrow_text(values)
    if isinstance(values, pd.Index):
        return _arrow_text(values)
    found = pa.array(values, type=pa.large_string(), from_pandas=True)
    return found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found


def lookup_columns(keys: pd.Series, table: pd.DataFrame, columns: Iterable[str]) -> dict[str, pd.Series]:
    """``table.loc[key, column]`` for every key (NA where the key is not in ``table``'s index).

    The keys are matched once, in Arrow: a million inspections against a 150k-site register is one hash
    pass, where ``Series.map`` per column looked each id up again.
    """
    position = pc.index_in(arrow_text(keys), value_set=arrow_text(table.index.to_series()))
    return {
        c: pd.Series(pd.arrays.ArrowStringArray(arrow_text(table[c]).take(position)), index=keys.index)
        for c in columns
    }


def clean_text(
    series: pd.Series | pa.Array | pa.ChunkedArray,
) -> tuple[pd.Series, pa.Array | pa.ChunkedArray | None]:
    """Like :func:`clean_column` for free text (names, notes, file names), kept as a ``string`` column.

    Free text is often different in every row, so it is trimmed in Arrow rather than dictionary-encoded
    (encoding a million distinct notes would build a million Python strings).
    """
    index = series.index if isinstance(series, pd.Series) else None
    array = _text_array(series)
    trimmed = pc.utf8_trim(array, characters=_TRIM_CHARS)
    blank = pc.equal(trimmed, "")
    has_blank = bool(pc.any(blank).as_py())
    if has_blank:
        trimmed = pc.if_else(blank, pa.scalar(None, trimmed.type), trimmed)
    unchanged = not has_blank and array.null_count == 0 and trimmed.equals(array)
    return pd.Series(pd.arrays.ArrowStringArray(trimmed.cast(pa.large_string())), index=index), (
        array if unchanged else None
    )


def clean(series: pd.Series | pa.Array | pa.ChunkedArray) -> pd.Series:
    """Text with edge spaces (incl. U+3000, NBSP, zero-width) removed; blank → NA, as a categorical column.

    Takes a pandas text column or an Arrow column straight from the reader (no pandas round trip). The
    column is dictionary-encoded first, so trimming and every later normaliser work once per distinct
    value; the codes carry them back to the rows.
    """
    return clean_column(series)[0]


def clean_column(
    series: pd.Series | pa.Array | pa.ChunkedArray,
) -> tuple[pd.Series, pa.Array | pa.ChunkedArray | None]:
    """(:func:`clean` of the column, the column itself when cleaning changed no cell, else None).

    A column that was already clean can be handed on as it was read, without decoding the categories.
    """
    index = series.index if isinstance(series, pd.Series) else None
    array = _text_array(series)
    dictionary, parts = _dictionary_encode(array)
    trimmed = pc.utf8_trim(dictionary, characters=_TRIM_CHARS)
    unchanged = array.null_count == 0 and trimmed.equals(dictionary)
    if unchanged:
        recode, uniques = np.arange(len(dictionary)), trimmed
    else:
        # Trimming can make two distinct cells equal (" a" and "a"), so the trimmed values are encoded again.
        again = pc.dictionary_encode(trimmed)
        recode, uniques = again.indices.to_numpy(zero_copy_only=False), again.dictionary
    b = pc.index(uniques, "").as_py()
    if b >= 0:  # the blank cell: missing, and not a category
        recode = np.where(recode == b, -1, recode - (recode > b))
        uniques = pa.concat_arrays([uniques.slice(0, b), uniques.slice(b + 1)])
        unchanged = False
    code_dtype = _code_dtype(len(uniques))
    table = np.append(recode, -1).astype(code_dtype)  # index -1 (a null cell) stays missing
    # Chunk by chunk into one array: no concatenated copy of the indices.
    codes = np.empty(sum(len(part) for part in parts), dtype=code_dtype)
    start = 0
    for part in parts:
        np.take(table, part, out=codes[start : start + len(part)])
        start += len(part)
    categories = pd.Index(pd.arrays.ArrowStringArray(uniques.cast(pa.large_string())))
    categorical = pd.Categorical.from_codes(codes, categories=categories, validate=False)
    return pd.Series(categorical, index=index, copy=False), (array if unchanged else None)


def same_values(before: pd.Series, after: pd.Series) -> bool:
    """Whether a normaliser left every cell of a categorical column as it was (so the source can be reused)."""
    if after is before:
        return True
    if not (isinstance(before.dtype, pd.CategoricalDtype) and isinstance(after.dtype, pd.CategoricalDtype)):
        return False
    return bool(
        before.cat.categories.equals(after.cat.categories)
        and np.array_equal(before.cat.codes.to_numpy(), after.cat.codes.to_numpy())
    )


def _code_dtype(categories: int) -> type[np.signedinteger[Any]]:
    """The narrowest integer type pandas keeps categorical codes in (so from_codes does not copy them)."""
    for dtype in (np.int8, np.int16, np.int32):
        if categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _dictionary_encode(array: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, list[np.ndarray]]:
    """(dictionary, indices of each chunk) of a text column; a null cell has index -1.

    Arrow encodes a chunked column with one hash table for all chunks, so every chunk comes back with the
    same dictionary and nothing needs unifying or concatenating: a million-row CSV column (87 chunks) encodes
    in 0.03 s this way, against 0.06 s after ``combine_chunks`` (which also copied the strings).
    """
    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        if encoded.num_chunks == 0:
            return pa.array([], pa.string()), []
        first = encoded.chunk(0).dictionary
        if not all(_same_buffers(chunk.dictionary, first) for chunk in encoded.chunks):
            # Not what Arrow does today; kept so that a change there costs time, not correctness.
            encoded = pa.table({"c": encoded}).unify_dictionaries().column("c")
        dictionary = encoded.chunk(0).dictionary
        chunks = [chunk.indices for chunk in encoded.chunks]
    else:
        dictionary = encoded.dictionary
        chunks = [encoded.indices]
    parts = [(pc.fill_null(c, -1) if c.null_count else c).to_numpy(zero_copy_only=False) for c in chunks]
    return dictionary, parts


def _same_buffers(a: pa.Array, b: pa.Array) -> bool:
    """Whether two arrays are views of the same memory (the same dictionary, without comparing strings)."""
    if a is b:
        return True
    if len(a) != len(b) or a.offset != b.offset:
        return False
    return all(
        (x is None and y is None) or (x is not None and y is not None and x.address == y.address)
        for x, y in zip(a.buffers(), b.buffers(), strict=True)
    )


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

    parsed = map_distinct_number(series, parse)
    bad = (series.notna() & parsed.isna()).to_numpy()
    return parsed, bad


def numbers(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(value, bad): decimal numbers; thousands separators and a trailing % are allowed."""

    def parse(value: str) -> float:
        text = nfkc(value).replace(",", "").strip().rstrip("%").strip()
        return float(text) if _NUMBER.match(text.lower()) else np.nan

    parsed = map_distinct_number(series, parse)
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
    codes, uniques = distinct(series)
    stamps = np.empty(len(uniques) + 1, dtype="datetime64[ns]")
    flags = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        stamp, early = parse_date(value, date1904)
        stamps[i] = np.datetime64("NaT") if stamp is None else stamp.to_datetime64()
        flags[i] = early
    stamps[-1] = np.datetime64("NaT")
    values = pd.Series(stamps[codes], index=series.index, dtype="datetime64[ns]", copy=False)
    bad = (series.notna() & values.isna()).to_numpy()
    return values, bad, flags[codes] & series.notna().to_numpy()


def precision_lost(series: pd.Series) -> np.ndarray:
    """Ids that look like numbers Excel stored as floats (≥ 16 digits, or 1.23E+17)."""

    def check(value: str) -> bool:
        if _SCI_ID.match(value):
            return True
        return bool(_LONG_ID.match(value)) and float(int(value)) == int(value)

    codes, uniques = distinct(series)
    # Arrow's regex picks the few candidates among the distinct ids; Python confirms each (same patterns).
    maybe = pc.match_substring_regex(_arrow_text(uniques), _ID_CANDIDATE).to_numpy(zero_copy_only=False)
    table = np.zeros(len(uniques) + 1, dtype=bool)
    for i in np.flatnonzero(maybe).tolist():
        table[i] = check(str(uniques[i]))
    flags: np.ndarray = table[codes]
    return flags


def lookup(
    series: pd.Series, index: dict[str, str], key: Callable[[str], str]
) -> tuple[pd.Series, np.ndarray]:
    """(canonical, unknown): values resolved through a handbook index keyed by ``key``."""
    mapped = map_distinct_text(series, lambda v: index.get(key(v)))
    unknown = (series.notna() & mapped.isna()).to_numpy()
    return mapped, unknown


# A code followed by its text, as a template's drop-down offers it: "Ⅲ-9-4 志愿服务…", "N1：…".
_CODE_THEN_TEXT = re.compile(f"^[{SPACE_CHARS}]*([^{SPACE_CHARS}:：]+)[{SPACE_CHARS}:：]+\\S")


def code_lookup(series: pd.Series, index: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """(canonical, unknown): codes of standards or negative-list items resolved through a handbook index
    keyed by :func:`code_key`. A cell that is not itself a code but starts with a known one, followed by a
    space or a colon and text ("Ⅲ-9-4 志愿服务…", what the templates' drop-downs offer), is that code."""

    def resolve(value: str) -> str | None:
        found = index.get(code_key(value))
        if found is None:
            lead = _CODE_THEN_TEXT.match(value)
            if lead:
                found = index.get(code_key(lead.group(1)))
        return found

    mapped = map_distinct_text(series, resolve)
    unknown = (series.notna() & mapped.isna()).to_numpy()
    return mapped, unknown


def favourable(series: pd.Series) -> pd.Series:
    """True where an answer is favourable (see FAVOURABLE_ANSWERS)."""
    flags = map_distinct_flag(series, lambda v: name_key(v) in FAVOURABLE_ANSWERS)
    return pd.Series(flags, index=series.index, copy=False)


__all__ = [
    "FAVOURABLE_ANSWERS",
    "PARALLEL_ROWS",
    "RESULT_SPELLINGS",
    "SPACE_CHARS",
    "arrow_text",
    "as_text",
    "clean",
    "clean_column",
    "clean_text",
    "code_key",
    "code_lookup",
    "counts",
    "dates",
    "distinct",
    "distinct_columns",
    "favourable",
    "fill_missing",
    "lookup",
    "lookup_columns",
    "map_columns",
    "map_distinct_flag",
    "map_distinct_number",
    "map_distinct_text",
    "name_key",
    "nfkc",
    "numbers",
    "parse_date",
    "precision_lost",
    "results",
    "same_values",
    "text_positions",
]
