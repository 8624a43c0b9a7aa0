"""Text assembled column by column: each distinct value of a column rendered once, the rows joined in Arrow.

The big outputs (the gap records of report.json, the rows of the problem sheets) repeat a few thousand
distinct values hundreds of thousands of times: a department, a standard, a deadline. Rendering value by
value in Python — ``json.dumps`` of a 400k-element list of dicts, or one xlsxwriter call per cell — spends
its time on the repeats. Here every column is factorised, each distinct value is rendered by the same
Python function the slow path would call (so the text is byte for byte the same), and the rows are
assembled from the rendered pieces by Arrow's string kernels, a block of rows at a time so that memory
stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BLOCK_ROWS = 32_768  # rows assembled at once: a few MB of text per column


def factorize(values: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 for None/NaN/NA/NaT) and the distinct values of ``values``, in order of first appearance.

    ``values`` is a list of plain values or a typed pandas column. Values are told apart by type as well
    as by equality, so that ``1``, ``1.0`` and ``True`` (equal in Python) stay three values, each
    rendered in its own way: a column that mixes them is factorised value by value.
    """
    import pandas as pd

    data = values if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    if isinstance(data, np.ndarray) and data.ndim != 1:  # a list of tuples would become a 2-D array
        data = np.empty(len(values), dtype=object)
        data[:] = list(values)
    typed = isinstance(data, pd.Series) and not pd.api.types.is_object_dtype(data.dtype)
    if not typed and pd.api.types.infer_dtype(data, skipna=True).startswith("mixed"):
        return _factorize_by_type(values)  # (a typed column holds one type: nothing to infer, no copy)
    codes, found = pd.factorize(data, use_na_sentinel=True)
    uniques = found.tolist() if isinstance(found, np.ndarray) else list(found.astype(object))
    return np.asarray(codes, dtype=np.int64), uniques


def _factorize_by_type(values: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    import pandas as pd

    codes = np.empty(len(values), dtype=np.int64)
    seen: dict[tuple[type, Any], int] = {}
    uniques: list[Any] = []
    for i, value in enumerate(values):
        if (
            value is None
            or value is pd.NA
            or value is pd.NaT
            or (isinstance(value, float) and value != value)
        ):
            codes[i] = -1
            continue
        key = (type(value), value if value.__hash__ is not None else repr(value))
        found = seen.get(key)
        if found is None:
            found = seen[key] = len(uniques)
            uniques.append(value)
        codes[i] = found
    return codes, uniques


def rendered(
    values: Sequence[Any],
    render: Callable[[Any], str | None],
    missing: str | None,
    render_all: Callable[[list[Any]], pa.Array | None] | None = None,
) -> tuple[np.ndarray, pa.Array]:
    """``(codes, texts)``: ``texts[codes[i]]`` is ``render(values[i])``, computed once per distinct value.

    A missing value (None, NaN, NA, NaT) gets ``missing``; ``render`` may return None too. The last
    element of ``texts`` is the missing text, and missing values point at it. ``render_all``, when given,
    renders all the distinct values at once (in Arrow) and must agree with ``render``; it may decline by
    returning None (a value it cannot handle), and ``render`` is used instead.
    """
    codes, uniques = factorize(values)
    codes[codes < 0] = len(uniques)
    if render_all is not None and len(uniques) > 64:
        texts = render_all(uniques)
        if texts is not None:
            tail = pa.array([missing], type=pa.large_string())
            return codes, pa.concat_arrays([texts.cast(pa.large_string()), tail])
    listed = [render(u) for u in uniques]
    listed.append(missing)
    return codes, pa.array(listed, type=pa.large_string())


class Column:
    """One column's rendered pieces, to be taken row by row: ``piece(rows)`` for a block of rows."""

    def __init__(self, codes: np.ndarray, texts: pa.Array) -> None:
        self.codes = codes
        self.texts = texts

    @classmethod
    def of(
        cls,
        values: Sequence[Any],
        render: Callable[[Any], str | None],
        missing: str | None,
        render_all: Callable[[list[Any]], pa.Array | None] | None = None,
    ) -> Column:
        return cls(*rendered(values, render, missing, render_all))

    def piece(self, start: int, stop: int) -> pa.Array:
        return self.texts.take(pa.array(self.codes[start:stop]))


class Quoted:
    """A text column whose pieces are its values' JSON text (:func:`json_strings`), quoted a block at a
    time: only one block's quoted text exists at once (quoting whole columns up front held ~0.1 GB more
    at the writing phase's peak)."""

    def __init__(self, values: pa.Array | pa.ChunkedArray) -> None:
        self.values = values

    def piece(self, start: int, stop: int) -> pa.Array:
        return json_strings(self.values.slice(start, stop - start))


# What the JSON encoder writes for the control characters it spells with a letter; the others (below
# U+0020) are spelled \u00XX, lowercase hex. Nothing else is escaped but the quote and the backslash.
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def json_strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The JSON text of each string — what ``json.dumps(text, ensure_ascii=False)`` writes, byte for byte
    — and ``null`` for a null, computed by Arrow's string kernels over all of ``values`` at once (a column
    of ~200,000 distinct texts, such as the gaps' ids or descriptions, was factorised and quoted one
    distinct value at a time)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.large_string())
    text = values.cast(pa.large_string())
    text = pc.replace_substring(text, "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    if len(text) and pc.any(pc.match_substring_regex(text, "[\\x00-\\x1f]")).as_py():
        for char, escaped in _SHORT_ESCAPES.items():
            text = pc.replace_substring(text, char, escaped)
        for code in range(0x20):
            char = chr(code)
            if char not in _SHORT_ESCAPES and pc.any(pc.match_substring(text, char)).as_py():
                text = pc.replace_substring(text, char, f"\\u{code:04x}")
    return pc.fill_null(join(['"', text, '"']), pa.scalar("null", pa.large_string()))


def join(parts: Sequence[pa.Array | str], *, skip_nulls: bool = False) -> pa.Array:
    """Row-wise concatenation of arrays and constant strings (a null piece makes the row null, unless
    ``skip_nulls``: then it counts as empty)."""
    args = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    empty = pa.scalar("", pa.large_string())
    if skip_nulls:
        return pc.binary_join_element_wise(*args, empty, null_handling="replace", null_replacement="")
    return pc.binary_join_element_wise(*args, empty)


def blocks(length: int, size: int | None = None) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive blocks covering ``range(length)`` (``BLOCK_ROWS`` rows each)."""
    size = size or BLOCK_ROWS
    for start in range(0, length, size):
        yield start, min(length, start + size)


def numbers_text(start: int, stop: int) -> pa.Array:
    """The decimal text of ``start … stop - 1``."""
    return pc.cast(pa.array(np.arange(start, stop, dtype=np.int64)), pa.large_string())


def _joined(rows: pa.Array, sep: str) -> pa.Scalar:
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    if rows.type != pa.large_string():
        rows = rows.cast(pa.large_string())
    nested = pa.LargeListArray.from_arrays(pa.array([0, len(rows)], type=pa.int64()), rows)
    return pc.binary_join(nested, pa.scalar(sep, pa.large_string()))[0]


def lines_utf8(rows: pa.Array, sep: str) -> pa.Buffer:
    """The rows of a block joined with ``sep``, as UTF-8 bytes in an Arrow buffer (no copy into Python)."""
    buffer: pa.Buffer = _joined(rows, sep).as_buffer()
    return buffer
