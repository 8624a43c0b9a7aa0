"""Scoring's per-row frame (evaluate._site_rows) builds its standard and site-type columns from codes; it
must be the frame the plain construction from the rows' strings gives (kept here as the reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake.reader import read_evidence
from checker.intake.values import lookup_columns, map_distinct_text
from checker.scoring.common import places
from checker.scoring.evaluate import UNREGISTERED, _grouped, _site_rows
from checker.scoring.field import Prepared, evaluate_field, prepare


def _reference(handbook: Handbook, prep: Prepared, field_codes: list[str]) -> pd.DataFrame:
    rows = prep.rows
    keep = prep.scored & rows["standard"].isin(field_codes).to_numpy(dtype=bool)
    at = np.flatnonzero(keep)
    lead = {s.code: s.lead for s in handbook.standards}
    site = rows["site_id"].take(at)
    standard = rows["standard"].take(at)
    from_register = lookup_columns(site, prep.register, ("department", "street"))
    department = rows["department"].take(at).astype("string").fillna(from_register["department"])
    department = department.fillna(map_distinct_text(standard, lead.get))
    types = np.asarray([*prep.type_names, ""], dtype=object)[prep.type_codes[at]]
    return pd.DataFrame(
        {
            "pos": at,
            "standard": standard.astype("category"),
            "site_id": site.astype("string"),
            "site_type": pd.Categorical(types),
            "street": from_register["street"].fillna(UNREGISTERED).astype("category"),
            "department": department.astype("category"),
            "cases": prep.cases[at],
            "date": rows["date"].take(at),
            "gain": prep.gain[at],
        }
    ).reset_index(drop=True)


@pytest.mark.parametrize("unknown_types", [False, True])
def test_the_frame_from_codes_is_the_frame_from_strings(tmp_path: Path, unknown_types: bool) -> None:
    sample = tmp_path / "sample"
    assert main(["sample", "-o", str(sample), "--sites", "80", "--force"]) == 0
    handbook = load_handbook("wenming-city")
    evidence = read_evidence(sample, handbook)
    inspections, sites = evidence.frame("inspections"), evidence.frame("sites")
    if unknown_types:  # rows whose site is not registered and whose type is blank: type code -1 ("")
        inspections = inspections.copy()
        inspections.loc[inspections.index[::7], "site_id"] = "未登记点位"
        inspections.loc[inspections.index[::7], "site_type"] = pd.NA
    prep = prepare(inspections, sites)
    where = places(handbook)
    field_codes = [s.code for s in handbook.standards if s.method == "field"]
    for s in handbook.standards:
        if s.method == "field":
            evaluate_field(handbook, s, where[s.code], prep, observed=False, rejected=0)
    if unknown_types:
        assert (prep.type_codes == -1).any()
    fail, frame = _site_rows(handbook, prep, field_codes)
    expected = _reference(handbook, prep, field_codes)
    pd.testing.assert_frame_equal(frame, expected)
    assert len(frame) > 100 and fail.any()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["B1", "A2", "C3", "A10"])), max_size=30))
def test_grouped_slices_hold_each_groups_rows_in_their_order(values: list[str | None]) -> None:
    """The document rows of a standard are a slice of the frame ordered by standard: the same rows, in the
    same order, as selecting the standard's rows; rows without one belong to no slice."""
    frame = pd.DataFrame({"standard": pd.array(values, dtype="string"), "n": np.arange(len(values))})
    ordered, slices = _grouped(frame, "standard")
    wanted = {str(k): list(v) for k, v in frame.groupby("standard", sort=False).indices.items()}
    assert {k: ordered["n"].iloc[s].tolist() for k, s in slices.items()} == wanted
    assert len(ordered) == len(frame)
