"""Trends and the cycle score (``civcheck history``, ``civcheck round add|mark``).

The cycle formula is checked against cases worked out by hand; then a campaign of five recorded rounds over
three years (``civcheck sample`` with different seeds, with and without its flaws) plus an official result
entered by hand must give the trend rows of the rounds' own reports, the cycle score and the score the last
year must reach, computed here from the reports' totals.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from browser import CHROMIUM, assert_fits
from openpyxl.chart import LineChart

from checker.campaign import ledger as ledger_module
from checker.campaign.cycle import CycleRound, cycle_score
from checker.campaign.history import read_rounds
from checker.campaign.ledger import MIGRATIONS, open_ledger
from checker.cli import main
from checker.handbook.model import CycleWeights

W = {1: 15.0, 2: 25.0, 3: 60.0}


def _r(name: str, year: int, total: float, *, official: bool = False, month: int = 6, seq: int = 0,
       low: float | None = None, high: float | None = None) -> CycleRound:  # fmt: skip
    from datetime import date

    return CycleRound(name, year, date(year, month, 1), seq, official, total,
                      total if low is None else low, total if high is None else high)  # fmt: skip


# -- the formula, by hand -----------------------------------------------------------------------------------


def test_official_wins_and_last_round_counts_otherwise() -> None:
    rounds = [
        _r("a", 2024, 70, month=5, seq=1),
        _r("off", 2024, 72, official=True, month=12, seq=5),
        _r("b", 2024, 90, month=9, seq=2),  # later than nothing official: the official result still counts
        _r("c", 2025, 75, month=5, seq=3),
        _r("d", 2025, 78, month=9, seq=4),
        _r("e", 2026, 80, month=5, seq=6, low=79, high=85),
    ]
    cycle = cycle_score(rounds, W, 2024, target=80)
    assert [(y.round, y.score, y.settled) for y in cycle.years] == [
        ("off", 72, True), ("d", 78, True), ("e", 80, False)
    ]  # fmt: skip
    # (15·72 + 25·78 + 60·80) / 100 = 10.8 + 19.5 + 48 = 78.3
    assert cycle.score == pytest.approx(78.3)
    # range: the official 72 has none; 2025 uses d's own range (78–78); 2026 79–85
    assert cycle.low == pytest.approx((15 * 72 + 25 * 78 + 60 * 79) / 100)
    assert cycle.high == pytest.approx((15 * 72 + 25 * 78 + 60 * 85) / 100)
    # 2026 must reach (80·100 − 15·72 − 25·78) / 60 = 4970 / 60 = 82.8333…
    assert cycle.required == pytest.approx(4970 / 60)
    assert cycle.reachable is True and cycle.open_years == [2026]


def test_first_year_only_two_years_to_come() -> None:
    cycle = cycle_score([_r("y1", 2024, 72, official=True)], W, 2024, target=80)
    assert cycle.score == pytest.approx(72)  # the mean of the years so far
    # (8000 − 1080) / (25 + 60) = 81.4117…
    assert cycle.required == pytest.approx(6920 / 85)
    assert cycle.open_years == [2025, 2026]


def test_a_self_check_of_the_current_year_is_not_settled() -> None:
    # 2024 has only a self-check, and no later year has a round: it is still open.
    cycle = cycle_score([_r("y1", 2024, 60)], W, 2024, target=80)
    assert cycle.required == pytest.approx(80.0)  # nothing settled: every year must average 80
    assert cycle.open_years == [2024, 2025, 2026]


def test_unreachable_secured_and_over() -> None:
    low = cycle_score([_r("y1", 2024, 40, official=True)], W, 2024, target=99)
    assert low.required == pytest.approx((9900 - 600) / 85) and low.reachable is False  # 109.41 > 100
    easy = cycle_score(
        [_r("y1", 2024, 90, official=True), _r("y2", 2025, 90, official=True)], W, 2024, target=30
    )
    assert easy.required == 0 and easy.reachable is True  # (3000 − 1350 − 2250) / 60 < 0
    over = [
        _r("y1", 2024, 70, official=True),
        _r("y2", 2025, 80, official=True),
        _r("y3", 2026, 85, official=True),
    ]
    done = cycle_score(over, W, 2024, target=80)
    assert done.score == pytest.approx((15 * 70 + 25 * 80 + 60 * 85) / 100)  # 81.5
    assert done.required is None and done.reachable is True
    assert cycle_score(over, W, 2024, target=82).reachable is False
    assert cycle_score(over, W, 2024).required is None


def test_rounds_outside_the_cycle_and_other_weights() -> None:
    cycle = cycle_score([_r("old", 2023, 10), _r("y1", 2024, 50)], {1: 10, 2: 30, 3: 60}, 2024, target=60)
    assert cycle.years[0].round == "y1" and cycle.score == pytest.approx(50)
    assert cycle.required == pytest.approx(60.0)


def test_cycle_weights_setting() -> None:
    assert CycleWeights().weights() == W and CycleWeights().local_setting is True
    assert CycleWeights.model_validate({1: 20, 2: 30, 3: 50, "local_setting": False}).weights()[3] == 50
    with pytest.raises(ValueError):
        CycleWeights.model_validate({1: 0, 2: 0, 3: 0})
    with pytest.raises(ValueError):
        CycleWeights.model_validate({4: 10})


# -- a recorded campaign ------------------------------------------------------------------------------------

ROUNDS = [  # name, seed, clean, test date, issued
    ("R1", 11, True, "2024-07-15", "2024-06-12"),
    ("R2", 12, False, "2025-06-20", "2025-06-12"),
    ("R3", 13, True, "2025-09-20", "2025-09-12"),
    ("R4", 14, False, "2026-06-01", "2026-05-20"),
    ("R5", 11, False, "2026-07-15", "2026-06-12"),
]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("history")
    camp = root / "camp"
    assert main(["init", str(camp), "--district", "临江区"]) == 0
    toml = camp / "civcheck.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("# cycle_start = 2026", "cycle_start = 2024"),
                    encoding="utf-8")  # fmt: skip
    reports = {}
    for name, seed, clean, test_date, issued in ROUNDS:
        evidence = root / f"ev-{name}"
        args = ["sample", "-o", str(evidence), "--sites", "40", "--csv", "--seed", str(seed)]
        assert main(args + (["--clean"] if clean else [])) == 0
        out = root / f"out-{name}"
        assert main(["check", str(evidence), "--campaign", str(camp), "--record", "--round", name,
                     "--test-date", test_date, "--issued", issued, "-f", "json", "-o", str(out)]) == 0  # fmt: skip
        reports[name] = json.loads((out / "report.json").read_text(encoding="utf-8"))
        if name == "R1":  # the official result of 2024, entered by hand once it was published
            assert main(["round", "add", "--campaign", str(camp), "--official", "--year", "2024",
                         "--score", "81.2"]) == 0  # fmt: skip
    return {"camp": camp, "root": root, "reports": reports}


def _history(camp: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["history", "--campaign", str(camp), "-f", "json", *extra]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_rounds_in_date_order_with_the_entered_official_result(
    campaign: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _history(campaign["camp"], capsys)
    names = [r["name"] for r in data["rounds"]]
    assert names == ["R1", "2024年度正式测评", "R2", "R3", "R4", "R5"]
    entered = data["rounds"][1]
    assert entered == {"name": "2024年度正式测评", "date": "2024-12-31", "official": True, "year": 2024,
                       "total": 81.2, "low": 81.2, "high": 81.2, "entered": True, "open": None}  # fmt: skip
    for r in data["rounds"]:
        if r["entered"]:
            continue
        report = campaign["reports"][r["name"]]
        assert r["total"] == pytest.approx(report["total"]["score"], abs=1e-4)
        assert r["low"] == pytest.approx(report["total"]["low"], abs=1e-4)
        assert r["high"] == pytest.approx(report["total"]["high"], abs=1e-4)
        assert r["year"] == int(r["date"][:4]) and r["official"] is False
        assert r["open"] == len({g["id"] for g in report["gaps"]})
    # a round entered by hand has no findings
    with open_ledger(campaign["camp"] / "ledger.sqlite") as ledger:
        (count,) = ledger.conn.execute(
            "SELECT count(*) FROM findings JOIN rounds USING (round_id) WHERE rounds.inputs_hash = ''"
        ).fetchone()
    assert count == 0


def test_trend_rows_are_the_reports_figures(
    campaign: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    data = _history(campaign["camp"], capsys)
    order = [r["name"] for r in data["rounds"]]
    trends = {(t["kind"], t["code"]): t for t in data["trends"]}
    for i, name in enumerate(order):
        report = campaign["reports"].get(name)
        for (kind, code), trend in trends.items():
            if report is None:  # the entered round: a total only
                assert trend["kind"] == "total" or trend["values"][i] is None
                continue
            if kind in ("project", "method"):
                want = next(r["score"] for r in report["rollups"] if r["level"] == kind and r["code"] == code)
                assert trend["values"][i] == pytest.approx(want, abs=1e-4), (name, code)
            if kind == "department":
                rows = [d for d in report["departments"] if d["department"] == code]
                conformity = rows[0]["conformity"] if rows else None
                if conformity is None:
                    assert trend["values"][i] is None
                else:
                    assert trend["values"][i] == pytest.approx(conformity, abs=1e-4)
                gaps = sum(1 for g in report["gaps"] if g.get("department") == code)
                assert trend["open"][i] == gaps, (name, code)
    kinds = [t["kind"] for t in data["trends"]]
    assert kinds[0] == "total" and kinds.count("project") == 7 and kinds.count("method") == 4
    assert "department" in kinds


def test_cycle_score_and_what_the_last_year_must_reach(
    campaign: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    reports = campaign["reports"]
    data = _history(campaign["camp"], capsys, "--target", "85")
    cycle = data["cycle"]
    assert cycle["weights"] == {"1": 15.0, "2": 25.0, "3": 60.0}
    assert [(y["year"], y["round"], y["basis"], y["settled"]) for y in cycle["years"]] == [
        (2024, "2024年度正式测评", "official", True),  # the official result, not R1
        (2025, "R3", "last", True),  # the last round of 2025; 2026 has rounds, so 2025 is past
        (2026, "R5", "last", False),  # the current year: open
    ]
    s24, s25, s26 = 81.2, reports["R3"]["total"]["score"], reports["R5"]["total"]["score"]
    assert cycle["score"] == pytest.approx((15 * s24 + 25 * s25 + 60 * s26) / 100, abs=1e-4)
    low = (15 * 81.2 + 25 * reports["R3"]["total"]["low"] + 60 * reports["R5"]["total"]["low"]) / 100
    high = (15 * 81.2 + 25 * reports["R3"]["total"]["high"] + 60 * reports["R5"]["total"]["high"]) / 100
    assert cycle["low"] == pytest.approx(low, abs=1e-4) and cycle["high"] == pytest.approx(high, abs=1e-4)
    assert cycle["target"] == 85
    assert cycle["required"] == pytest.approx((85 * 100 - 15 * s24 - 25 * s25) / 60, abs=1e-4)
    assert cycle["reachable"] is (cycle["required"] <= 100)


def test_marking_a_round_official_and_moving_its_year(
    campaign: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    camp = tmp_path / "camp"
    shutil.copytree(campaign["camp"], camp)
    assert main(["round", "mark", "R5", "--campaign", str(camp)]) == 0
    cycle = _history(camp, capsys, "--target", "85")["cycle"]
    assert cycle["years"][2]["basis"] == "official" and cycle["years"][2]["settled"] is True
    assert cycle["required"] is None  # every year is settled: the cycle is over
    assert main(["round", "mark", "R2", "--not-official", "--year", "2026", "--campaign", str(camp)]) == 0
    data = _history(camp, capsys)
    assert next(r for r in data["rounds"] if r["name"] == "R2")["year"] == 2026
    assert data["cycle"]["years"][1]["round"] == "R3"
    # a name that looks like terminal markup stays text
    assert main(["round", "add", "--campaign", str(camp), "--year", "2026", "--score", "90",
                 "--round", "区水务局[/]", "--official"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["history", "--campaign", str(camp)]) == 0
    assert "区水务局[/]" in capsys.readouterr().out


def test_terminal_fits_80_columns(campaign: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["history", "--campaign", str(campaign["camp"]), "--target", "85"]) == 0
    out = capsys.readouterr().out
    assert "创建周期 2024–2026（权重 15/25/60，本地设定）" in out
    assert "2026 年须达到" in out and "Ⅰ-1" in out and ("▁" in out or "█" in out)
    width = max(
        sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in out.splitlines()
    )
    assert width <= 80, width
    assert main(["history", "--campaign", str(campaign["camp"]), "--lang", "en"]) == 0
    assert "Cycle 2024–2026" in capsys.readouterr().out


def test_workbook_charts_and_page(campaign: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["history", "--campaign", str(campaign["camp"]), "-f", "xlsx,html,json", "-o", str(out),
                 "--target", "85"]) == 0  # fmt: skip
    book = openpyxl.load_workbook(out / "趋势.xlsx")
    sheet = book["趋势"]
    # openpyxl keeps the charts it reads back in a private list that its stubs leave out
    charts = sheet._charts  # type: ignore[attr-defined]
    assert len(charts) == 2 and all(isinstance(c, LineChart) for c in charts)
    assert len(charts[0].series) == 3 and len(charts[1].series) == 7  # total, low, high; the Ⅰ items
    assert sheet.cell(2, 2).value == "R1" and sheet.cell(3, 1).value == "总分"
    assert "创建周期得分" in book.sheetnames
    page = (out / "趋势.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and 'viewBox="0 0 ' in page and "<script" not in page.lower()
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert json.loads((out / "history.json").read_text(encoding="utf-8"))["cycle"]["target"] == 85
    assert main(["history", "--campaign", str(campaign["camp"]), "-f", "html", "-o", str(out)]) == 2  # exists


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_page_fits_desktop_and_phone(campaign: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["history", "--campaign", str(campaign["camp"]), "-f", "html", "-o", str(out)]) == 0
    assert_fits((out / "趋势.html").read_text(encoding="utf-8"), tmp_path)


def test_round_add_refuses_bad_values(campaign: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    camp = str(campaign["camp"])
    assert main(["round", "add", "--campaign", camp, "--year", "2025", "--score", "120"]) == 2
    assert main(["round", "add", "--campaign", camp, "--year", "2025", "--score", "80", "--low", "85"]) == 2
    assert (
        main(["round", "add", "--campaign", camp, "--year", "2025", "--score", "80", "--date", "2024-03-01"])
        == 2
    )
    assert (
        main(["round", "add", "--campaign", camp, "--year", "2024", "--score", "80", "--official"]) == 2
    )  # name taken
    assert "已存在" in capsys.readouterr().err


# -- the schema step ----------------------------------------------------------------------------------------


def test_rounds_of_a_version_two_ledger_count_for_the_year_of_their_issue(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:
        for statement in ledger_module._statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO rounds(name, seq, recorded_at, test_date, issued, handbook_id, handbook_edition, "
        "handbook_hash, inputs_hash, total, total_low, total_high, total_max, deductions, veto, gaps) "
        "VALUES ('旧轮次', 1, '2025-06-01', '2025-06-01', '2025-05-20', 'wenming-city', 'x', 'h', 'i', "
        "70, 68, 75, 100, 0, 0, 12)"
    )
    conn.close()
    with open_ledger(path) as ledger:
        (only,) = read_rounds(ledger)
        official, year = ledger.conn.execute("SELECT official, year FROM rounds").fetchone()
    assert (official, year) == (0, None)
    assert (only.year, only.official, only.entered, only.gaps) == (2025, False, False, 12)
