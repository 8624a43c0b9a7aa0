"""Unit rankings count every kind of gap a unit owns (issue: the ranking hid units whose losses are surveys,
indicators or materials, and ranked one with 0.8 points to recover first)."""

from __future__ import annotations

import pandas as pd

from checker.scoring.rankings import RANKING_COLUMNS, rank_by, with_gaps


def _scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "department": ["城管局", "城管局", "司法局", "司法局"],
            "site_id": ["S1", "S2", "S3", "S4"],
            "fail": [1, 0, 0, 0],
            "gain": [0.5, 0.0, 0.0, 0.0],
            "total_gain": [0.2, 0.0, 0.0, 0.0],
        }
    )


def _gaps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": ["site_problem", "survey", "data", "material", "negative"],
            "department": ["城管局", "司法局", "团区委", "团区委", ""],
            "points_recoverable": [0.5, 1.0, 2.0, 0.5, 0.0],
            "total_recoverable": [0.2, 0.8, 1.3, 0.3, 0.0],
        }
    )


def test_every_kind_counts_and_units_without_inspections_join() -> None:
    ranking = with_gaps(rank_by(_scored(), "department"), _gaps(), "department")
    assert list(ranking.columns) == ["department", *RANKING_COLUMNS]
    rows = ranking.set_index("department")
    assert rows.at["司法局", "problems"] == 0 and rows.at["司法局", "gaps"] == 1
    assert rows.at["司法局", "total_recoverable"] == 0.8
    assert rows.at["团区委", "inspections"] == 0 and pd.isna(rows["conformity"]["团区委"])
    assert rows.at["团区委", "gaps"] == 2 and round(rows["total_recoverable"]["团区委"], 9) == 1.6
    assert "" not in rows.index  # a gap without a unit ranks nobody
    # 1 = least to recover: the unit with no failing site but a survey to fix is not first.
    assert list(ranking["department"]) == ["城管局", "司法局", "团区委"]
    assert list(ranking["rank"]) == [1, 2, 3]


def test_no_gaps_keeps_the_inspection_ranking() -> None:
    empty = _gaps().iloc[0:0]
    ranking = with_gaps(rank_by(_scored(), "department"), empty, "department")
    assert list(ranking["gaps"]) == [0, 0] and list(ranking["total_recoverable"]) == [0.0, 0.0]
    assert list(ranking["department"]) == ["司法局", "城管局"]  # ties on 0: the better conformity first
