"""The scoring tests' helpers themselves (tests/scoring_support.py), and the result builder they lean on."""

from __future__ import annotations

from scoring_support import evidence, tiny


def test_helper_frames_are_fully_typed() -> None:
    ev = evidence(inspections=[{"site_id": "M0", "standard": "Ⅲ-1-1", "result": "fail", "cases": 2}])
    frame = ev.frame("inspections")
    assert frame["counts"].dtype == bool and frame["cases"].dtype == "int64"
    assert tiny({"Ⅲ-1-1": {"binary": True}}).standard("Ⅲ-1-1").binary


def test_a_result_takes_its_status_from_its_grade_and_an_ungraded_one_must_name_it() -> None:
    import pytest

    from checker.scoring.common import places, result

    handbook = tiny()
    standard = handbook.standards[0]
    place = places(handbook)[standard.code]
    graded = {
        g: result(standard, place, grade=g, score=0.0, reason_code="x").status for g in ("A", "B", "C#")
    }
    assert graded == {"A": "pass", "B": "partial", "C#": "fail"}
    unscored = result(standard, place, status="no_evidence", reason_code="x")
    assert (unscored.grade, unscored.score, unscored.status) == (None, 0.0, "no_evidence")
    with pytest.raises(ValueError, match="needs a status"):
        result(standard, place, reason_code="x")
