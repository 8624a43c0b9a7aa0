"""The city's view (``civcheck city``): three districts — two report.json files and a campaign folder —
ranked by total, the Ⅰ items summed by loss, departments summed by canonical name; a district that cannot be
read is reported without stopping the others; districts on different handbook editions are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from browser import CHROMIUM, assert_fits

from checker.cli import main


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("city")
    reports: dict[str, dict[str, Any]] = {}
    sources: list[str] = []
    for name, seed, clean in (("甲区", 21, True), ("乙区", 22, False), ("丙区", 23, False)):
        evidence = root / f"ev-{seed}"
        assert main(["sample", "-o", str(evidence), "--sites", "40", "--csv", "--seed", str(seed)]
                    + (["--clean"] if clean else [])) == 0  # fmt: skip
        out = root / f"out-{seed}"
        args = ["check", str(evidence), "--test-date", "2026-07-15", "-f", "json", "-o", str(out)]
        if name == "丙区":  # a campaign folder: its last recorded round
            camp = root / "丙区创城"
            assert main(["init", str(camp), "--district", name]) == 0
            args += ["--campaign", str(camp), "--record", "--round", "R1"]
            sources.append(str(camp))
        else:
            sources.append(str(out / "report.json"))
        assert main(args) == 0
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        if name != "丙区":
            report["district"] = name
            (out / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        reports[name] = report
    return {"root": root, "reports": reports, "sources": sources}


def test_ranking_items_and_departments(city: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "city"
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["city", *city["sources"], str(bad), "-o", str(out), "-f", "json,xlsx,html"]) == 0
    view = json.loads((out / "city.json").read_text(encoding="utf-8"))
    reports = city["reports"]
    expected = sorted(reports, key=lambda n: -reports[n]["total"]["score"])
    assert [d["district"] for d in view["districts"]] == expected
    assert [d["rank"] for d in view["districts"]] == [1, 2, 3]
    for d in view["districts"]:
        report = reports[d["district"]]
        assert d["total"] == pytest.approx(report["total"]["score"], abs=1e-4)
        assert (d["low"], d["high"]) == pytest.approx(
            (report["total"]["low"], report["total"]["high"]), abs=1e-4
        )
        assert d["open"] == len({g["id"] for g in report["gaps"]})
        assert d["overdue"] == 0 and d["false_claims"] == 0  # one round: nothing overdue or claimed yet
    # Ⅰ items: points lost summed over the districts, the largest loss first
    for p in view["projects"]:
        lost = sum(r["points"] - r["score"] for rep in reports.values() for r in rep["rollups"]
                   if r["level"] == "project" and r["code"] == p["code"])  # fmt: skip
        assert p["loss"] == pytest.approx(lost, abs=1e-3)
    assert [p["loss"] for p in view["projects"]] == sorted(
        (p["loss"] for p in view["projects"]), reverse=True
    )
    # departments: open problems summed by name across districts
    for row in view["departments"]:
        count = sum(
            1 for rep in reports.values() for g in rep["gaps"] if g.get("department") == row["department"]
        )
        assert row["open"] == count, row["department"]
    assert [f["district"] for f in view["failed"]] == [str(bad)]
    book = openpyxl.load_workbook(out / "全市汇总.xlsx")
    assert book.sheetnames[:3] == ["各区排名", "全市失分最多的测评项目（Ⅰ级）"[:31], "责任单位（全市合计）"]
    page = (out / "全市汇总.html").read_text(encoding="utf-8")
    assert expected[0] in page and "<script" not in page.lower()


def test_different_editions_are_refused(
    city: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    report = dict(city["reports"]["甲区"])
    report["handbook"] = dict(report["handbook"], edition="2020")
    other.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    assert main(["city", city["sources"][1], str(other), "-o", str(tmp_path / "o")]) == 2
    assert "版本不一致" in capsys.readouterr().err
    assert main(["city", str(tmp_path / "none.json"), "-o", str(tmp_path / "o")]) == 2  # nothing readable


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_city_page_fits_desktop_and_phone(city: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "city"
    assert main(["city", *city["sources"], "-o", str(out), "-f", "html"]) == 0
    page = (out / "全市汇总.html").read_text(encoding="utf-8")
    page = page.replace(
        "</body>", '<svg viewBox="0 0 10 10" width="10"></svg></body>'
    )  # _assert_fits wants a chart
    assert_fits(page, tmp_path)


def test_evidence_in_a_process_pool_is_the_same_as_one_after_another(
    city: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--evidence`` checks each district's round in worker processes: the same city as checking them one
    after another, the same totals as `civcheck check`, and a district with bad evidence reported alone."""
    root: Path = city["root"]
    bad = tmp_path / "丁区证据"
    bad.mkdir()
    (bad / "巡查记录.csv").write_bytes(b"\x00\x01 not a table \xff\xfe")
    evidence = ["-e", f"甲区={root / 'ev-21'}", "-e", f"乙区={root / 'ev-22'}", "-e", f"丁区={bad}",
                "-e", f"丙区={root / 'ev-23'}"]  # fmt: skip
    views = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        args = ["city", *evidence, "--jobs", jobs, "--test-date", "2026-07-15", "-o", str(out), "-f", "json"]
        assert main(args) == 0
        err = capsys.readouterr().err
        assert "✗ 丁区" in err and "✓ 甲区" in err, err
        views[jobs] = json.loads((out / "city.json").read_text(encoding="utf-8"))
    assert views["1"] == views["2"]
    view = views["2"]
    reports = city["reports"]
    assert sorted(d["district"] for d in view["districts"]) == sorted(reports)
    for d in view["districts"]:
        assert d["total"] == pytest.approx(reports[d["district"]]["total"]["score"], abs=1e-4)
        assert d["open"] == len({g["id"] for g in reports[d["district"]]["gaps"]})
    assert [f["district"] for f in view["failed"]] == ["丁区"]
    assert "没有可读取的证据" in view["failed"][0]["message_zh"]
    # a district's folder, a report.json and evidence mix in one city; English with --lang en
    out = tmp_path / "mixed"
    assert main(["city", city["sources"][0], "-e", f"乙区={root / 'ev-22'}", "--test-date", "2026-07-15",
                 "-o", str(out), "-f", "json", "--lang", "en"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "checking 1 districts' evidence" in err and "✓ 乙区:" in err
    assert len(json.loads((out / "city.json").read_text(encoding="utf-8"))["districts"]) == 2
