"""Value normalisers and the code catalogue: accepted spellings, dates, codes, and stable messages."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.handbook.loader import load_handbook
from checker.intake import codes, values
from checker.intake.crosscheck import HandbookIndex
from checker.intake.headers import header_key

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"


def s(*items: object) -> pd.Series:
    return pd.Series(list(items), dtype="str")


@pytest.mark.parametrize(
    ("spelling", "result"),
    [
        ("符合", "pass"), ("达标", "pass"), ("合格", "pass"), ("√", "pass"), ("✓", "pass"), ("是", "pass"),
        ("Y", "pass"), ("pass", "pass"), ("TRUE", "pass"), ("不符合", "fail"), ("不达标", "fail"),
        ("不合格", "fail"), ("×", "fail"), ("✗", "fail"), ("否", "fail"), ("N", "fail"), ("Fail", "fail"),
        ("不适用", "na"), ("N/A", "na"), ("ｎａ", "na"), ("\u3000符合 ", "pass"),
    ],
)  # fmt: skip
def test_result_spellings(spelling: str, result: str) -> None:
    mapped, bad = values.results(values.clean(s(spelling)))
    assert (mapped.iloc[0], bool(bad[0])) == (result, False)


@pytest.mark.parametrize("spelling", ["也许", "null", "None", "-", "1"])
def test_unknown_results_are_bad_not_blank(spelling: str) -> None:
    mapped, bad = values.results(values.clean(s(spelling)))
    assert bool(bad[0]) and pd.isna(mapped.iloc[0])


def test_counts() -> None:
    parsed, bad = values.counts(s("2", "2.0", "２", "3处", "-1", "1.5", "两处", None))
    assert list(parsed.fillna(-9)) == [2, 2, 2, 3, -9, -9, -9, -9]
    assert list(bad) == [False, False, False, False, True, True, True, False]


@pytest.mark.parametrize(
    ("text", "date1904", "expected", "early"),
    [
        ("2023-05-03", False, "2023-05-03", False),
        ("2023-05-03 00:00:00", False, "2023-05-03", False),
        ("2023/5/3", False, "2023-05-03", False),
        ("2023.5.3", False, "2023-05-03", False),
        ("2023年5月3日", False, "2023-05-03", False),
        ("２０２３年５月３日", False, "2023-05-03", False),
        ("20230503", False, "2023-05-03", False),
        ("45049", False, "2023-05-03", False),
        ("43587", True, "2023-05-03", False),
        ("59", False, "1900-02-28", True),
        ("61", False, "1900-03-01", False),
        ("60", False, None, True),
        ("2023-02-30", False, None, False),
        ("五月三日", False, None, False),
    ],
)
def test_dates(text: str, date1904: bool, expected: str | None, early: bool) -> None:
    stamp, flagged = values.parse_date(text, date1904)
    assert (None if stamp is None else stamp.strftime("%Y-%m-%d"), flagged) == (expected, early)


def test_standard_codes_resolve_through_the_handbook_index() -> None:
    index = HandbookIndex.of(load_handbook(TINY))
    mapped, unknown = values.lookup(
        s("Ⅲ-1-1", "III-1-1", "Ⅲ－１－１", "iii—1—1", " Ⅲ - 1 - 1 ", "OLD-1", "old-1", "Ⅲ-1-9"),
        index.codes,
        values.code_key,
    )
    assert list(mapped.fillna("?")) == ["Ⅲ-1-1"] * 7 + ["?"]
    assert list(unknown) == [False] * 7 + [True]
    types, _ = values.lookup(s("菜市场", "农贸 市场", "背街小巷"), index.site_types, values.name_key)
    assert list(types) == ["农贸市场", "农贸市场", "背街小巷"]
    departments, _ = values.lookup(s("市场监管", "城管局", "区文明办"), index.departments, values.name_key)
    assert list(departments) == ["区市场监管局", "区城管局", "区文明办"]


def test_a_code_followed_by_its_text_is_the_code() -> None:
    """What the templates' drop-downs offer ("Ⅲ-1-1 农贸市场…") reads back as the code."""
    index = HandbookIndex.of(load_handbook(TINY))
    mapped, unknown = values.code_lookup(
        s(
            "Ⅲ-1-1 农贸市场管理规范有序",
            "Ⅲ-1-1\u3000农贸市场",
            "III-1-1：农贸市场",
            " Ⅲ－１－１  text ",
            "Ⅲ-1-1",
            "Ⅲ-1-9 没有这条标准",
            "Ⅲ-1-1农贸市场",  # no space nor colon after the code: not a code followed by text
            "农贸市场 Ⅲ-1-1",
        ),
        index.codes,
    )
    assert list(mapped.fillna("?")) == ["Ⅲ-1-1"] * 5 + ["?"] * 3
    assert list(unknown) == [False] * 5 + [True] * 3
    items, _ = values.code_lookup(s("N1 某负面清单事项", "N2"), index.negatives)
    assert list(items) == ["N1", "N2"]


def test_precision_lost() -> None:
    flags = values.precision_lost(
        s(
            "110101199003071234",
            "123456789012346000",
            "1.23457E+17",
            "00123",
            "S001",
            "１２３４５６７８９０１２３４５６",
        )
    )
    assert list(flags) == [False, True, True, False, False, True]
    assert list(values.precision_lost(values.clean(s("1.23457E+17", "S001", None)))) == [True, False, False]


def test_favourable_answers() -> None:
    assert list(values.favourable(s("满意", "比较满意", "不满意", "一般", "√", None))) == [
        True,
        True,
        False,
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("点位\u3000编号", "点位编号"),
        ("\ufeff点位编号", "点位编号"),
        ("点位编号（必填）", "点位编号"),
        ("点位编号*", "点位编号"),
        ("Site ID", "siteid"),
    ],
)
def test_header_keys(raw: str, key: str) -> None:
    assert header_key(raw) == key


def test_code_catalogue_is_complete_and_stable() -> None:
    # Every entry of the catalogue keeps its own code (a dict would silently keep only the last of two).
    entries = [*codes._CATALOGUE, *codes._SKIPPED]
    assert len(entries) == len({c.code for c in entries}) == len(codes.CODES)
    for code in codes.CODES.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code.code)
        fields_zh = set(re.findall(r"{(\w+)", code.zh))
        fields_en = set(re.findall(r"{(\w+)", code.en))
        assert fields_zh == fields_en, code.code
    # Every code the intake modules raise is in the catalogue.
    source = "".join(p.read_text(encoding="utf-8") for p in Path(codes.__file__).parent.glob("*.py"))
    raised = set(
        re.findall(
            r'(?:message|PreflightError|ReadError|WorkerFailure|_reject|_text)\(\s*"([a-z0-9-]+)"', source
        )
    )
    assert len(raised) > 25
    assert raised <= set(codes.CODES), raised - set(codes.CODES)


def test_big_sheets_are_cleaned_on_threads_with_the_same_result() -> None:
    import pyarrow as pa

    from checker.intake import rows as rows_module
    from checker.intake.values import clean

    n = values.PARALLEL_ROWS + 10
    cells = [f" {i}\u3000" if i % 3 else "" for i in range(n)]
    table = pa.table({"a": pa.array(cells), "b": pa.array(list(reversed(cells)))})
    cleaned, sources = rows_module._clean_columns(table, {"x": 0, "y": 1}, 1)
    assert sources == {}  # both columns had cells to trim
    for col, index in (("x", 0), ("y", 1)):
        expected = clean(table.column(index).slice(1))
        assert cleaned[col].equals(expected)
    assert cleaned["x"].iloc[0] == "1"
    assert int(cleaned["x"].isna().sum()) == sum(1 for c in cells[1:] if not c)


def test_clean_merges_cells_that_differ_only_in_edge_spaces() -> None:
    import pyarrow as pa

    cleaned = values.clean(pa.chunked_array([["a", " a", None], ["\u3000", "b\u00a0", "a"]]))
    assert isinstance(cleaned.dtype, pd.CategoricalDtype)
    assert sorted(cleaned.cat.categories) == ["a", "b"]
    assert [None if pd.isna(v) else v for v in cleaned] == ["a", "a", None, None, "b", "a"]


def test_chunks_encoded_with_dictionaries_of_their_own_are_unified(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow gives every chunk one shared dictionary today; if a chunk came back with its own, the codes
    must still point at the right values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    shared = pc.dictionary_encode

    def per_chunk(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
        if isinstance(array, pa.ChunkedArray):
            return pa.chunked_array([shared(chunk) for chunk in array.chunks])
        return shared(array)

    monkeypatch.setattr(pc, "dictionary_encode", per_chunk)  # the module values.py calls
    column = pa.chunked_array([["b", "a", None], ["c", "a"], ["b"]], pa.large_string())
    cleaned = values.clean(column)
    assert [None if pd.isna(v) else v for v in cleaned] == ["b", "a", None, "c", "a", "b"]


def test_normalisers_keep_the_encoding_they_are_given() -> None:
    index = {"x": "X"}
    as_categories = values.map_distinct_text(values.clean(s("x", "y", None)), index.get)
    as_strings = values.map_distinct_text(s("x", "y", None), index.get)
    assert isinstance(as_categories.dtype, pd.CategoricalDtype)
    assert str(as_strings.dtype) == "string"
    for mapped in (as_categories, as_strings):
        assert [None if pd.isna(v) else v for v in mapped] == ["X", None, None]
    text = values.as_text(values.fill_missing(as_categories, "-"))
    assert str(text.dtype) == "string" and list(text) == ["X", "-", "-"]


def test_a_column_already_clean_is_handed_on_as_read() -> None:
    import pyarrow as pa

    clean_column = pa.chunked_array([["S1", "S2"], ["S1"]], pa.large_string())
    cleaned, source = values.clean_column(clean_column)
    assert source is clean_column and list(cleaned) == ["S1", "S2", "S1"]
    for dirty in (["S1", " S2"], ["S1", ""], ["S1", None]):
        assert values.clean_column(pa.array(dirty, pa.large_string()))[1] is None
    mapped = values.map_distinct_text(cleaned, str.lower)
    assert values.same_values(cleaned, values.map_distinct_text(cleaned, lambda v: v))
    assert not values.same_values(cleaned, mapped)


@pytest.mark.parametrize("dtype", ["string", "str", "object", "category"])
def test_distinct_agrees_with_pandas_whatever_the_text_dtype(dtype: str) -> None:
    column = pd.Series(["b", "a", None, "b", "c", None], dtype=dtype)
    codes, uniques = values.distinct(column)
    decoded = [None if c < 0 else uniques[c] for c in codes]
    assert decoded == ["b", "a", None, "b", "c", None]
    assert values.distinct(column.iloc[0:0])[0].tolist() == []


def test_free_text_is_trimmed_in_arrow_and_stays_text() -> None:
    import pyarrow as pa

    notes = pa.chunked_array([[" 地面有垃圾\u3000", "", None], ["占道经营"]], pa.large_string())
    cleaned, source = values.clean_text(notes)
    assert str(cleaned.dtype) == "string" and source is None
    assert [None if pd.isna(v) else v for v in cleaned] == ["地面有垃圾", None, None, "占道经营"]
    tidy = pa.chunked_array([["a", "b"]], pa.large_string())
    assert values.clean_text(tidy)[1] is tidy


def test_high_cardinality_columns_keep_every_distinct_value() -> None:
    import pyarrow as pa

    ids = pa.array([f" R{i:05d}" if i % 2 else f"R{i:05d}" for i in range(20_000)] + [""], pa.large_string())
    cleaned = values.clean(ids)
    assert len(cleaned.cat.categories) == 20_000
    assert cleaned.iloc[1] == "R00001" and pd.isna(cleaned.iloc[-1])


def test_register_fills_only_blank_site_fields_and_flags_unregistered_sites() -> None:
    from checker.intake.crosscheck import fill_from_register, register_checks
    from checker.intake.frames import frame_from_records

    sites = frame_from_records(
        "sites",
        [
            {
                "site_id": "S1",
                "site_name": "城东菜市场",
                "site_type": "农贸市场",
                "department": "区市场监管局",
            },
            {"site_id": "S2", "site_name": "幸福巷", "site_type": "背街小巷", "department": "区城管局"},
        ],
    )
    inspections = frame_from_records(
        "inspections",
        [
            {"site_id": "S1", "standard": "Ⅲ-1-1", "result": "pass"},
            {
                "site_id": "S2",
                "standard": "Ⅲ-1-1",
                "result": "pass",
                "site_type": "农贸市场",
                "site_name": "另写",
            },
            {"site_id": "S9", "standard": "Ⅲ-1-1", "result": "pass"},
        ],
    )
    filled = fill_from_register(inspections, sites)
    assert list(filled["site_type"].fillna("-")) == ["农贸市场", "农贸市场", "-"]
    assert list(filled["site_name"].fillna("-")) == ["城东菜市场", "另写", "-"]
    assert list(filled["department"].fillna("-")) == ["区市场监管局", "区城管局", "-"]
    assert str(filled["site_type"].dtype) == "string"
    index = HandbookIndex.of(load_handbook(TINY))
    findings = {f.code: list(f.positions) for f in register_checks(filled, sites, index)}
    assert findings == {"site-not-registered": [2]}


@pytest.mark.parametrize("value", ["", "a", "实地考察/区城管局 自查表.xlsx", "𠀀 emoji 😀"])
@pytest.mark.parametrize("n", [0, 1, 3, 1000])
def test_a_constant_text_column_is_the_value_n_times(value: str, n: int) -> None:
    from checker.intake.rows import _constant_text

    column = _constant_text(value, n)
    assert column.dtype == "string" and len(column) == n
    assert column.tolist() == [value] * n
    assert column.isna().sum() == 0


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.sampled_from(["S1", "S2", "S3", "点位4", "S5"])), max_size=8),
        min_size=2,
        max_size=5,
    )
)
def test_codes_of_parts_combine_as_the_whole_would_encode(parts: list[list[str | None]]) -> None:
    """combine_codes: each part encoded on its own, combined by its distinct values only, decodes to the
    values of the parts end to end, the distinct values in order of first appearance."""
    from checker.intake.crosscheck import ROUND_KEYS, combine_codes
    from checker.intake.values import distinct

    encoded = []
    for part in parts:
        codes, uniques = distinct(pd.Series(part, dtype="string"))
        encoded.append(dict.fromkeys(ROUND_KEYS, (codes, uniques)))
    combined = combine_codes(encoded)
    whole = [v for part in parts for v in part]
    for col in ROUND_KEYS:
        codes, uniques = combined[col]
        assert [None if c < 0 else uniques[c] for c in codes] == whole
        assert list(uniques) == list(dict.fromkeys(v for v in whole if v is not None))


_IDS = st.sampled_from(["S1", "S2", "S3", "S9"])
_TEXT = st.one_of(st.none(), st.sampled_from(["农贸市场", "背街小巷", "区城管局", "x"]))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_IDS, _TEXT, _TEXT, _TEXT), min_size=1, max_size=25),
    st.lists(st.tuples(_IDS, _TEXT, _TEXT, _TEXT), min_size=1, max_size=8),
)
def test_filling_only_the_blank_rows_is_filling_every_row(
    rows: list[tuple[str, str | None, str | None, str | None]],
    register: list[tuple[str, str | None, str | None, str | None]],
) -> None:
    """fill_from_register looks up only the rows with a blank: the same frame as looking up every row."""
    from checker.intake.crosscheck import fill_from_register

    columns = ["site_id", "site_type", "department", "site_name"]
    inspections = pd.DataFrame(rows, columns=columns).astype("string")
    inspections.index = pd.RangeIndex(3, 3 + len(rows))  # not from 0: the fill keeps the frame's labels
    sites = pd.DataFrame(register, columns=columns).astype("string")
    unique = sites.drop_duplicates("site_id", keep="last").set_index("site_id")
    every = values.lookup_columns(inspections["site_id"], unique, columns[1:])
    expected = inspections.assign(**{c: inspections[c].fillna(every[c]) for c in columns[1:]})
    pd.testing.assert_frame_equal(fill_from_register(inspections, sites), expected)
