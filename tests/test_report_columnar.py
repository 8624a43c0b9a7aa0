"""The column-by-column JSON of report.json's gaps is, byte for byte, what dumping each record would write:
on the values that trip such shortcuts (negative zero, NaN and infinities, missing text, control and
quote characters, values equal across types) and on random frames."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.report import columnar, jsonout


def _slow(frame: pd.DataFrame, preferred: tuple[str, ...], reply: bool = False) -> str:
    records: Any = jsonout._iter_records(frame, preferred)
    if reply:
        records = jsonout._with_reply(records)
    return "".join(jsonout._chunks({"gaps": list(records)}))


def _fast(frame: pd.DataFrame, preferred: tuple[str, ...], reply: bool = False) -> str:
    return "".join(
        map(jsonout._text, jsonout._chunks({"gaps": jsonout.RecordLines(frame, preferred, reply=reply)}))
    )


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series(["P-1", "P-2", "P-3", "P-4", "P-5"], dtype="string"),
            "description": pd.Series(
                ['say "hi"\\', None, "tab\there\nline", "\x01ctl", "中文"], dtype="string"
            ),
            "points_lost": [0.0, -0.0, float("nan"), float("inf"), 1e-17],
            "cases": [1, 0, 3, 1, 2],
            "deadline": pd.to_datetime(
                pd.Series(["2026-07-12", None, "2026-07-12", "2026-07-13", "2026-07-12"])
            ),
            "extra": ["x", "y", None, "x", "y"],
        }
    )


def test_tricky_values_render_as_json_dumps_would() -> None:
    frame = _frame()
    preferred = ("id", "description", "points_lost", "cases", "deadline")
    fast = _fast(frame, preferred)
    assert fast == _slow(frame, preferred)
    rows = json.loads(fast)["gaps"]
    assert [r["points_lost"] for r in rows] == [0.0, -0.0, None, None, 1e-17]
    assert str(rows[1]["points_lost"]) == "-0.0"
    assert rows[0]["extra"] == "x"  # a column the engine added is kept, after the documented ones


def test_the_last_reply_becomes_one_object() -> None:
    frame = _frame()
    frame["last_status"] = pd.Series(["已整改", None, "整改中", None, "已整改"], dtype="string")
    frame["last_completed"] = pd.to_datetime(pd.Series(["2026-07-01", None, None, None, "2026-07-02"]))
    frame["last_measure"] = pd.Series(["清理", None, None, None, ""], dtype="string")
    frame["dispatches"] = [1, 0, 2, 0, 1]
    preferred = ("id", "description", "points_lost")
    assert _fast(frame, preferred, reply=True) == _slow(frame, preferred, reply=True)
    rows = json.loads(_fast(frame, preferred, reply=True))["gaps"]
    assert rows[1]["last_reply"] is None
    assert rows[2]["last_reply"] == {"status": "整改中", "date": None, "measure": ""}
    assert "dispatches" not in rows[0]


def test_empty_and_block_edges() -> None:
    empty = _frame().iloc[:0]
    assert _fast(empty, ("id",)) == _slow(empty, ("id",)) == '{\n "gaps": []\n}\n'
    big = pd.concat([_frame()] * 7, ignore_index=True)
    for size in (1, 2, 5, 34, 35, 36):
        old, columnar.BLOCK_ROWS = columnar.BLOCK_ROWS, size
        try:
            assert _fast(big, ("id", "cases")) == _slow(big, ("id", "cases")), size
        finally:
            columnar.BLOCK_ROWS = old


def test_values_equal_across_types_stay_apart() -> None:
    codes, uniques = columnar.factorize([1, 1.0, True, None, 1])
    assert [type(u) for u in uniques] == [int, float, bool]
    assert codes.tolist() == [0, 1, 2, -1, 0]


texts = st.one_of(st.none(), st.text(max_size=6))
floats = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(texts, floats, st.integers(-5, 5), st.dates(dt.date(2020, 1, 1))), max_size=40))
def test_random_frames_match(rows: list[tuple[str | None, float, int, dt.date]]) -> None:
    frame = pd.DataFrame(
        {
            "text": pd.Series([r[0] for r in rows], dtype="string"),
            "value": np.array([r[1] for r in rows], dtype="float64"),
            "count": np.array([r[2] for r in rows], dtype="int64"),
            "day": pd.to_datetime(pd.Series([r[3] for r in rows], dtype="object")),
        }
    )
    preferred = ("text", "value", "count", "day")
    assert _fast(frame, preferred) == _slow(frame, preferred)


control_heavy = st.text(
    alphabet=st.one_of(st.characters(max_codepoint=0x7F), st.sampled_from("中文\u2028\u00e9\U0001f600")),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), control_heavy, st.text(max_size=8)), max_size=30))
def test_json_strings_are_what_json_dumps_writes(values: list[str | None]) -> None:
    import pyarrow as pa

    expected = ["null" if v is None else json.dumps(v, ensure_ascii=False) for v in values]
    assert columnar.json_strings(pa.array(values, type=pa.string())).to_pylist() == expected
    chunked = pa.chunked_array([values[:3], values[3:]], type=pa.string())
    assert columnar.json_strings(chunked).to_pylist() == expected


@pytest.mark.skipif(not hasattr(os, "fork") or not sys.platform.startswith("linux"), reason="forks on Linux")
@pytest.mark.parametrize("tracked", [False, True])
def test_report_json_split_across_two_processes_is_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tracked: bool
) -> None:
    """With ``split`` a forked child writes the second half of the gap lines: the file is byte for byte
    the one a single process writes (a recorded round's last replies included), and no part file stays."""
    from report_fixtures import sample_assessment, tracked_assessment

    assessment = tracked_assessment() if tracked else sample_assessment()
    texts = {}
    for split in (False, True):
        monkeypatch.setattr(jsonout, "SPLIT_RECORDS", 2 if split else 10**9)
        path = tmp_path / f"report-{split}.json"
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            jsonout.write_report_json(assessment, handle, split=split)
        texts[split] = path.read_bytes()
    assert texts[True] == texts[False]
    assert len(json.loads(texts[True])["gaps"]) == len(assessment.gaps) > 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-False.json", "report-True.json"]


@pytest.mark.skipif(not hasattr(os, "fork") or not sys.platform.startswith("linux"), reason="forks on Linux")
def test_a_failing_child_is_an_error_and_leaves_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from report_fixtures import sample_assessment

    monkeypatch.setattr(jsonout, "SPLIT_RECORDS", 2)
    real = jsonout.RecordLines.sliced

    def sliced(self: jsonout.RecordLines, start: int, stop: int) -> jsonout.RecordLines:
        if start > 0:  # the child's half
            raise RuntimeError("boom")
        return real(self, start, stop)

    monkeypatch.setattr(jsonout.RecordLines, "sliced", sliced)
    with (
        pytest.raises(OSError, match="second half"),
        open(tmp_path / "report.json", "w", encoding="utf-8") as handle,
    ):
        jsonout.write_report_json(sample_assessment(), handle, split=True)
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
