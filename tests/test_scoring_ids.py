"""Problem ids (问题编号): derived from the gap's key with hashlib, short, without look-alike characters,
typed back in any form, and the ids of the first releases still recognised."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.scoring import gaps

ID = re.compile(r"^P-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$")


def test_ids_are_pinned_to_the_key_alone() -> None:
    # Pinned values: a change of algorithm, library or platform that moves an id fails here.
    keys = pd.Series(["data|Ⅲ-9-1", "survey|Ⅲ-2-3", "site_problem|Ⅲ-12-1|BJ0233"], dtype="string")
    assert gaps.stable_ids(keys).tolist() == ["P-BMFK-74UG", "P-X3FJ-QZRC", "P-SEEE-AHEP"]
    assert gaps.id_of("data|Ⅲ-9-1") == "P-BMFK-74UG"


def test_legacy_ids_match_the_first_releases() -> None:
    # The id report.json carried for this key before the change (tests/golden, first releases).
    keys = pd.Series(["data|Ⅲ-9-1", "site_problem|Ⅲ-12-1|BJ0233"], dtype="string")
    assert gaps.legacy_ids(keys).tolist() == ["P-4204263e3a", "P-a2211073cd"]
    assert gaps.is_legacy_id("P-4204263e3a") and not gaps.is_legacy_id("P-BMFK-74UG")


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=50))
def test_ids_are_well_formed_unique_and_vectorised_like_one_by_one(keys: list[str]) -> None:
    ids = gaps.stable_ids(pd.Series(keys, dtype="string"))
    assert all(ID.match(i) for i in ids)
    assert ids.tolist() == [gaps.id_of(k) for k in keys]
    assert len(set(ids)) == len(set(keys))


def test_a_shared_40_bit_id_is_lengthened_for_both_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    real = gaps._fast_ids

    def clashing(texts: list[str]):  # type: ignore[no-untyped-def]
        letters, values = real(texts)
        letters[1], values[1] = letters[0], values[0]  # as if the second key hashed to the first's 40 bits
        return letters, values

    monkeypatch.setattr(gaps, "_fast_ids", clashing)
    ids = gaps.stable_ids(pd.Series(["a", "b", "c", "a"], dtype="string")).tolist()
    assert ids[0] == gaps.id_of("a", 12) and ids[1] == gaps.id_of("b", 12)
    assert ids[3] == ids[0] and ids[2] == gaps.id_of("c")
    assert re.fullmatch(r"P-\w{4}-\w{4}-\w{4}", ids[0])


@given(st.sampled_from(["data|Ⅲ-9-1", "x", "coverage|Ⅲ-1-1|S1"]), st.data())
def test_an_id_typed_back_in_any_form_is_recognised(key: str, data: st.DataObject) -> None:
    canonical = gaps.id_of(key)
    body = canonical[2:].replace("-", "")
    cased = "".join(c.lower() if data.draw(st.booleans()) else c for c in body)
    step = data.draw(st.integers(1, 8))
    spaced = data.draw(st.sampled_from([" ", "-", ""])).join(cased[i : i + step] for i in range(0, 8, step))
    prefix = data.draw(st.sampled_from(["P-", "p", "P ", "ｐ－"]))
    assert gaps.normalise_id(f" {prefix}{spaced} ") == canonical


def test_normalise_keeps_legacy_ids_and_leaves_other_text_alone() -> None:
    assert gaps.normalise_id("P-4204263E3A") == "P-4204263e3a"
    assert gaps.normalise_id("  hello ") == "hello"
    assert gaps.normalise_id("P-0OIL-1234") == "P-0OIL-1234"  # look-alikes are never part of an id


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, -0.0, 0.5, 1.25, 3.0]),
            st.sampled_from([0.0, -0.0, 0.1, 2.0]),
            st.sampled_from(["P-2222-2222", "P-3333-3333", "P-AAAA-AAAA", "P-2222-22223333"]),
        ),
        max_size=40,
    )
)
def test_gaps_are_ranked_as_a_stable_sort_of_recoverable_points_then_id(
    rows: list[tuple[float, float, str]],
) -> None:
    from checker.scoring.gaps import _ranked

    frame = pd.DataFrame(rows, columns=["total_recoverable", "points_recoverable", "id"])
    frame["id"] = frame["id"].astype("string")
    expected = frame.sort_values(
        ["total_recoverable", "points_recoverable", "id"], ascending=[False, False, True], kind="stable"
    ).index.to_numpy()
    assert _ranked({c: frame[c] for c in frame.columns}).tolist() == expected.tolist()


@given(st.lists(st.sets(st.integers(0, 140), min_size=1, max_size=6), min_size=1, max_size=30))
def test_each_sites_missed_standards_are_joined_in_order(sites: list[set[int]]) -> None:
    """_missed_lists finds equal lists by bit masks (more than 64 standards: several words) and joins each
    site's standards in handbook order, as joining each site's own list would."""
    import numpy as np

    codes = [f"Ⅲ-{k}-1" for k in range(141)]
    which = np.array([k for site in sites for k in sorted(site)], dtype=np.int64)
    starts = np.cumsum([0, *(len(site) for site in sites[:-1])])
    joined = gaps._missed_lists(codes, which, starts)
    assert joined.tolist() == ["、".join(codes[k] for k in sorted(site)) for site in sites]
