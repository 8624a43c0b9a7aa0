"""End to end: generate the sample round, run ``civcheck check`` to report.json, and recompute some of its
numbers independently — the field draw by an exact integer DP over sites (a different algorithm from the
engine's hypergeometric DP over case values), documents and the weighted total by plain loops. The round
has the generator's flaws (five rejected rows, a field and a document standard without evidence), so the
total has a real range."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from checker.cli import main
from checker.generate.flaws import EXPECTED_CODES
from checker.handbook.loader import load_handbook
from checker.intake.reader import read_evidence

TEST_DATE = "2026-07-15"


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("e2e")
    sample = root / "sample"
    assert main(["sample", "-o", str(sample), "--sites", "200", "--force"]) == 0
    out = root / "out"
    code = main(["check", str(sample), "--test-date", TEST_DATE, "-f", "json", "-o", str(out), "--force"])
    assert code == 0
    return sample, json.loads((out / "report.json").read_text(encoding="utf-8"))


def _draw_probabilities(
    cases_by_type: dict[str, list[int]], k_by_type: dict[str, int], cap: int
) -> list[float]:
    """P(min(cap, total)) by counting subsets exactly: ways[j][s] over the sites, one site at a time."""
    dist = [1.0] + [0.0] * cap
    for t, cases in cases_by_type.items():
        k = min(k_by_type[t], len(cases))
        ways = [[0] * (cap + 1) for _ in range(k + 1)]
        ways[0][0] = 1
        for c in cases:
            for j in range(k, 0, -1):
                for s in range(cap + 1):
                    if ways[j - 1][s]:
                        ways[j][min(cap, s + c)] += ways[j - 1][s]
        total = math.comb(len(cases), k)
        stratum = [w / total for w in ways[k]]
        new = [0.0] * (cap + 1)
        for a, pa in enumerate(dist):
            for b, pb in enumerate(stratum):
                new[min(cap, a + b)] += pa * pb
        dist = new
    return dist


def test_field_scores_match_an_independent_count(round_: tuple[Path, dict[str, Any]]) -> None:
    sample, report = round_
    handbook = load_handbook("wenming-city")
    ev = read_evidence(sample, handbook)
    insp = ev.frame("inspections")
    register = ev.frame("sites").drop_duplicates("site_id", keep="last").set_index("site_id")["site_type"]
    shares = handbook.settings.grade_shares
    by_code = {s["code"]: s for s in report["standards"]}
    checked = 0
    for standard in handbook.standards:
        if standard.method != "field" or by_code[standard.code]["status"] not in ("pass", "partial", "fail"):
            continue
        assert standard.field is not None
        th = standard.grades or handbook.settings.thresholds
        cap = th.c + 1
        rows = insp[
            (insp["standard"] == standard.code) & insp["counts"] & insp["result"].isin(["pass", "fail"])
        ]
        cases_by_type: dict[str, list[int]] = {t: [] for t in standard.field.site_types}
        for rec in rows.to_dict("records"):
            t = register.get(rec["site_id"], rec["site_type"])
            if t in cases_by_type:
                cases_by_type[t].append(max(1, int(rec["cases"])) if rec["result"] == "fail" else 0)
        k = {t: handbook.sample_size(standard, t) for t in cases_by_type}
        dist = _draw_probabilities({t: c for t, c in cases_by_type.items() if c}, k, cap)
        grades = [
            "A" if n <= th.a else "B" if n <= th.b else "C" if n <= th.c else "C#" for n in range(cap + 1)
        ]
        expected = standard.points * sum(p * shares.share(g) for p, g in zip(dist, grades, strict=True))
        assert by_code[standard.code]["score"] == pytest.approx(expected, abs=1e-9), standard.code
        checked += 1
        if checked >= 12:
            break
    assert checked >= 5


def test_documents_and_total_match_plain_loops(round_: tuple[Path, dict[str, Any]]) -> None:
    sample, report = round_
    handbook = load_handbook("wenming-city")
    ev = read_evidence(sample, handbook)
    docs = ev.frame("documents")
    start, end = pd.Timestamp(report["window"]["start"]), pd.Timestamp(report["window"]["end"])
    by_code = {s["code"]: s for s in report["standards"]}
    for standard in handbook.standards:
        if standard.method != "document" or by_code[standard.code]["status"] == "no_evidence":
            continue
        assert standard.document is not None
        rows = docs[docs["standard"] == standard.code]
        missing = 0
        for m in standard.document.materials:
            ok = False
            for rec in rows.to_dict("records"):
                name = "".join(str(rec["material"]).split())
                named = m.name in name or (len(name) >= 2 and name in m.name)
                if named and start <= rec["date"] <= end and rec["file_ok"]:
                    ok = True
            missing += not ok
        assert len(by_code[standard.code]["missing_materials"]) == missing, standard.code
    # The weighted total: Σ over method groups of weight × score / applicable points, minus deductions.
    groups = {"document": ("document", "data"), "field": ("field",), "survey": ("survey",)}
    weights = handbook.settings.method_weights
    total = 0.0
    for group, methods in groups.items():
        scored = [
            s for s in report["standards"] if s["method"] in methods and s["status"] != "not_applicable"
        ]
        points = sum(s["points"] for s in scored)
        if points:
            total += getattr(weights, group) * sum(s["score"] for s in scored) / points
    total = max(0.0, total - sum(e["deduction"] for e in report["negative_events"]))
    assert report["total"]["score"] == pytest.approx(total, abs=1e-9)
    # Gaps are sorted by points recoverable on the total's scale, then standard points (desc), then id;
    # ids are unique; the total's scale is the standard points × weight / applicable points of the group.
    gaps = pd.DataFrame(report["gaps"])
    assert gaps["id"].is_unique
    order = gaps.sort_values(
        ["total_recoverable", "points_recoverable", "id"], ascending=[False, False, True]
    )
    assert list(order["id"]) == list(gaps["id"])
    factor = {}
    for group, methods in (
        ("document", ("document", "data")),
        ("field", ("field",)),
        ("survey", ("survey",)),
    ):
        scored = [
            s for s in report["standards"] if s["method"] in methods and s["status"] != "not_applicable"
        ]
        points = sum(s["points"] for s in scored)
        for method in methods:
            factor[method] = getattr(weights, group) / points if points else 0.0
    expected = gaps["points_recoverable"] * gaps["method"].map(factor).fillna(0.0)
    assert list(gaps["total_recoverable"]) == pytest.approx(list(expected), abs=1e-9)


def test_check_exit_codes(round_: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    sample, report = round_
    base = ["check", str(sample), "--test-date", TEST_DATE]
    assert main([*base[:2], "--test-date", "2026-13-01"]) == 2
    assert "不是日期" in capsys.readouterr().err
    assert main([*base, "-f", "pdf"]) == 2
    assert main(["check", str(sample / "no-such-folder")]) == 2
    monkeypatch.chdir(sample)  # the default ./civcheck-report would land inside the evidence folder
    assert main(["check", ".", "--test-date", TEST_DATE, "-f", "json"]) == 2
    assert "位于证据文件夹内" in capsys.readouterr().err
    below = report["total"]["score"] + 1
    assert main(["check", ".", "--test-date", TEST_DATE, "-f", "terminal", "--fail-under", str(below)]) == 1
    assert main(["check", ".", "--test-date", TEST_DATE, "-f", "terminal", "--fail-under", "0"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_flaws_are_rejected_and_unknown_standards_widen_the_range(
    round_: tuple[Path, dict[str, Any]],
) -> None:
    _, report = round_
    handbook = load_handbook("wenming-city")
    rejected = report["rejected_rows"]
    assert sorted(r["code"] for r in rejected) == sorted(EXPECTED_CODES.values())
    assert all(r["file"].startswith("实地考察/") for r in rejected)
    # Standards without evidence count at 0 in the score and low, at full marks in high: the range's width
    # is their points on the total's scale (weight × points / applicable points of their method group).
    unknown = [s for s in report["standards"] if s["status"] in ("no_evidence", "invalid")]
    assert {s["method"] for s in unknown} >= {"field", "document"}
    assert all(s["score"] == 0 for s in unknown)
    weights = handbook.settings.method_weights
    groups = {"document": ("document", "data"), "field": ("field",), "survey": ("survey",)}
    width = 0.0
    for group, methods in groups.items():
        scored = [
            s for s in report["standards"] if s["method"] in methods and s["status"] != "not_applicable"
        ]
        points = sum(s["points"] for s in scored)
        width += (
            getattr(weights, group) * sum(s["points"] for s in unknown if s["method"] in methods) / points
        )
    total = report["total"]
    assert total["low"] == pytest.approx(total["score"], abs=1e-9)
    assert total["high"] - total["low"] == pytest.approx(width, abs=1e-9)
    assert total["high"] > total["low"]


def test_coverage_is_one_gap_per_site_listing_the_standards_it_missed() -> None:
    """A registered site is one coverage problem however many field standards of its type it missed: the
    standards in handbook order in ``required``, the first as ``standard``; counted independently here."""
    from datetime import date

    from scoring_support import evidence

    from checker.report.reasons import gap_texts
    from checker.scoring.assessment import Options
    from checker.scoring.evaluate import evaluate

    handbook = load_handbook("wenming-city")
    field = [s for s in handbook.standards if s.method == "field" and s.field is not None]
    site_type = max(
        {t for s in field for t in s.field.site_types},  # type: ignore[union-attr]
        key=lambda t: sum(t in s.field.site_types for s in field),  # type: ignore[union-attr]
    )
    mine = [s.code for s in field if site_type in s.field.site_types]  # type: ignore[union-attr]
    assert len(mine) >= 3
    sites = [{"site_id": f"X{i}", "site_name": f"点位{i}", "site_type": site_type} for i in range(3)]
    # X0: inspected for every standard of its type; X1: for the first only; X2: never.
    rows = [{"site_id": "X0", "site_type": site_type, "standard": c, "result": "pass"} for c in mine]
    rows.append({"site_id": "X1", "site_type": site_type, "standard": mine[0], "result": "pass"})
    a = evaluate(handbook, evidence(sites=sites, inspections=rows), Options(test_date=date(2026, 6, 15)))
    coverage = a.gaps[a.gaps["kind"] == "coverage"].set_index("site")
    assert sorted(coverage.index) == ["X1", "X2"]
    assert coverage.loc["X2", "required"] == "、".join(mine)
    assert coverage.loc["X1", "required"] == "、".join(mine[1:])
    assert coverage.loc["X2", "standard"] == mine[0] and coverage.loc["X1", "standard"] == mine[1]
    assert coverage.loc["X2", "key"] == "coverage|X2"
    by_code = {s.code: s for s in a.standards}
    assert [by_code[c].sites_uncovered for c in mine] == [1] + [2] * (len(mine) - 1)
    assert not a.gaps[(a.gaps["kind"] == "standard") & a.gaps["standard"].isin(mine)].size
    description, _ = gap_texts(a, a.gaps, "zh")
    said = dict(zip(a.gaps["site"], description, strict=True))
    assert said["X2"] == f"该点位尚有{len(mine)}项标准未检查"
    en, _ = gap_texts(a, a.gaps, "en")
    assert (
        dict(zip(a.gaps["site"], en, strict=True))["X2"]
        == f"this site was not inspected for {len(mine)} standards"
    )
