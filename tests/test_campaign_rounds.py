"""A scripted three-round campaign: the sample round, replies (true, false, late, invalid), a re-inspection,
a recurrence — and the exact lifecycle, diff, accountability and 交办单 history that must come out of it."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from report_fixtures import written_keys

from checker.cli import main
from checker.report import report_json_schema
from checker.report.jsonmodel import ReportDocument

# The sample inspects from May to 10 June; each round is issued after its last inspection.
ISSUED = {"R1": "2026-06-12", "R2": "2026-06-28", "R3": "2026-07-10"}


def _civcheck(*args: str) -> int:
    return main(list(args))


def _inspections(folder: Path) -> list[Path]:
    return sorted((folder / "实地考察").glob("*.csv"))


def _edit(folder: Path, changes: dict[tuple[str, str], tuple[str, str]]) -> None:
    """Set (result, date) of the inspection rows of the given (site, standard) pairs."""
    done = set()
    for path in _inspections(folder):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        head = rows[0]
        site, std, result, day = (head.index(h) for h in ("点位编号", "测评标准", "检查结果", "检查日期"))
        count, desc = head.index("问题数"), head.index("问题描述")
        for row in rows[1:]:
            pair = (row[site], row[std])
            if pair in changes:
                row[result], row[day] = changes[pair]
                if row[result] == "合格":
                    row[count], row[desc] = "", ""
                elif not row[desc]:
                    row[count], row[desc] = "1", "复查仍不合格"
                done.add(pair)
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
    assert done == set(changes), set(changes) - done


def _write_replies(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["问题编号", "整改状态", "整改措施", "完成日期"])
        writer.writerows(rows)


def _check(camp: Path, evidence: Path, name: str, out: Path) -> dict:  # type: ignore[type-arg]
    code = _civcheck(
        "check", str(evidence), "--campaign", str(camp), "--record", "--round", name,
        "--test-date", "2026-07-15", "--issued", ISSUED[name], "-f", "json,xlsx,html,text", "--dispatch",
        "-o", str(out),
    )  # fmt: skip
    assert code == 0
    return json.loads((out / "report.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    root = tmp_path_factory.mktemp("campaign")
    camp = root / "camp"
    assert _civcheck("init", str(camp), "--district", "临江区") == 0
    with open(camp / "civcheck.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[deadlines]\nfield = 10  # 整改时限: 10 days from 交办日期 instead of the pack's 7\n")
    r1 = root / "r1"
    assert _civcheck("sample", "-o", str(r1), "--sites", "40", "--csv", "--clean") == 0
    report1 = _check(camp, r1, "R1", root / "out1")
    site = [g for g in report1["gaps"] if g["kind"] == "site_problem"]
    by_unit: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for g in site:
        by_unit.setdefault(g["department"], []).append(g)
    units = sorted(by_unit, key=lambda u: (-len(by_unit[u]), u))
    main_unit, other_unit = units[0], units[1]
    a, b, c, d, e = by_unit[main_unit][:5]
    foreign = by_unit[other_unit][0]
    picked = {"A": a, "B": b, "C": c, "D": d, "E": e, "F": foreign}

    # Replies of the main unit, received 2026-06-14 (deadline 2026-06-22): A and E truly fixed, B claimed but not fixed; and
    # five rows that must be rejected.
    replies = camp / "反馈"
    _write_replies(
        replies / f"{main_unit}.csv",
        [
            (a["id"].lower().replace("-", ""), "已整改", "已更换破损设施", "2026-06-13"),  # typed loosely
            (b["id"], "已整改", "已清理", "2026-06-13"),
            (e["id"], "已整改", "已整改到位", "2026/6/13"),
            (d["id"], "整改中", "正在协调", ""),
            ("P-ZZZZ-ZZZZ", "已整改", "无此问题", "2026-06-13"),  # unknown-problem
            (foreign["id"], "已整改", "不是本单位的", "2026-06-13"),  # other-department
            (c["id"], "已整改", "", "2026-06-13"),  # measure-missing
            (c["id"], "已整改", "提前完成", "2026-06-01"),  # date-before-dispatch
            (c["id"], "已整改", "未来日期", "2099-01-01"),  # date-future
        ],
    )
    assert _civcheck("reply", str(replies), "--campaign", str(camp), "--received", "2026-06-14") == 0

    # Round 2 re-inspects: A and E pass, B still fails; C and D not fixed yet.
    r2 = root / "r2"
    shutil.copytree(r1, r2)
    pair = {k: (g["site"], g["standard"]) for k, g in picked.items()}
    _edit(
        r2,
        {
            pair["A"]: ("合格", "2026/6/25"),
            pair["E"]: ("合格", "2026/6/25"),
            pair["B"]: ("不合格", "2026/6/25"),
        },
    )
    report2 = _check(camp, r2, "R2", root / "out2")

    # C's fix arrives late (received after round 2 was issued), true; then round 3: C passes, E fails again.
    late = camp / "反馈" / "第二批" / f"{main_unit}.csv"
    _write_replies(late, [(c["id"], "已整改", "已修复", "2026-06-30")])
    assert _civcheck("reply", str(late), "--campaign", str(camp), "--received", "2026-07-02") == 0
    r3 = root / "r3"
    shutil.copytree(r2, r3)
    _edit(r3, {pair["C"]: ("合格", "2026/7/8"), pair["E"]: ("不合格", "2026/7/8")})
    report3 = _check(camp, r3, "R3", root / "out3")
    return {
        "camp": camp, "root": root, "picked": picked, "unit": main_unit,
        "reports": [report1, report2, report3],
    }  # fmt: skip


def _states(report: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {g["id"]: g["lifecycle"] for g in report["gaps"]}


def test_round_one_is_all_new(campaign: dict) -> None:  # type: ignore[type-arg]
    report = campaign["reports"][0]
    assert {g["lifecycle"] for g in report["gaps"]} == {"new"}
    assert all(g["first_seen"] == "R1" and g["rounds_open"] == 1 for g in report["gaps"])
    assert report["district"] == "临江区"
    assert report["tracking"]["previous"] is None


def test_recorded_rounds_validate_against_the_report_schema(campaign: dict) -> None:  # type: ignore[type-arg]
    """What a recorded round adds (gaps' history, departments' counts, tracking, accountability) is in the
    schema, and every key written is a field of its record's model."""
    validator = jsonschema.Draft202012Validator(
        report_json_schema(), format_checker=jsonschema.FormatChecker()
    )
    for report in campaign["reports"]:
        validator.validate(report)
        assert "tracking" in written_keys(report)[ReportDocument]


def test_round_two_closes_true_fixes_and_catches_the_false_claim(campaign: dict) -> None:  # type: ignore[type-arg]
    p, report = campaign["picked"], campaign["reports"][1]
    states = _states(report)
    ids = {k: g["id"] for k, g in p.items()}
    assert ids["A"] not in states and ids["E"] not in states  # fixed: no longer gaps
    assert states[ids["B"]] == "false_claim"
    assert states[ids["C"]] == "overdue" and states[ids["D"]] == "overdue"
    track = report["tracking"]
    assert set(track["closed"]) >= {ids["A"], ids["E"]}
    assert ids["B"] in track["false_claim"]
    gap_b = next(g for g in report["gaps"] if g["id"] == ids["B"])
    assert gap_b["last_reply"] == {"status": "已整改", "date": "2026-06-13", "measure": "已清理"}
    assert gap_b["rounds_open"] == 2 and gap_b["first_seen"] == "R1"
    gap_d = next(g for g in report["gaps"] if g["id"] == ids["D"])
    assert gap_d["last_reply"]["status"] == "整改中"
    # Every problem of round 1 that round 2 still finds and nobody replied to is overdue.
    others = {g["id"] for g in campaign["reports"][0]["gaps"]} - set(ids.values())
    assert {states[i] for i in others if i in states} <= {"overdue", "dispatched"}


def test_round_three_recurrence_and_late_fix(campaign: dict) -> None:  # type: ignore[type-arg]
    p, report = campaign["picked"], campaign["reports"][2]
    ids = {k: g["id"] for k, g in p.items()}
    states = _states(report)
    assert states[ids["E"]] == "recurred" and ids["E"] in report["tracking"]["recurred"]
    assert ids["C"] not in states and ids["C"] in report["tracking"]["closed"]
    assert states[ids["B"]] == "false_claim"
    assert states[ids["D"]] == "overdue"
    gap_e = next(g for g in report["gaps"] if g["id"] == ids["E"])
    assert gap_e["first_seen"] == "R1" and gap_e["rounds_open"] == 1


def test_accountability_table(campaign: dict) -> None:  # type: ignore[type-arg]
    report = campaign["reports"][2]
    unit = next(u for u in report["accountability"] if u["department"] == campaign["unit"])
    assigned = sum(1 for g in campaign["reports"][0]["gaps"] if g["department"] == campaign["unit"])
    assert unit["assigned"] >= assigned
    assert unit["replied"] == 5  # A, B, E, D (整改中) and C (late)
    assert unit["on_time"] == 4  # C came after its deadline
    assert unit["verified_fixed"] == 3  # A, E (closed in R2, then recurred) and C
    assert unit["false_claims"] == 1 and unit["recurred"] == 1
    ranks = [u["rank"] for u in report["accountability"]]
    assert ranks == list(range(1, len(ranks) + 1))
    rates = [u["fix_rate"] for u in report["accountability"]]
    assert rates == sorted(rates)  # worst first
    dept = next(d for d in report["departments"] if d["department"] == campaign["unit"])
    assert dept["false_claims"] == 1 and dept["verified_fixed"] == 3


def test_invalid_replies_are_rejected_with_codes(campaign: dict, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[type-arg]
    import sqlite3

    conn = sqlite3.connect(campaign["camp"] / "ledger.sqlite")
    try:
        count = conn.execute("SELECT count(*) FROM replies").fetchone()[0]
        received = conn.execute("SELECT DISTINCT received FROM replies ORDER BY 1").fetchall()
    finally:
        conn.close()
    assert count == 5 and received == [("2026-06-14",), ("2026-07-02",)]


def test_dispatch_books_carry_the_history(campaign: dict) -> None:  # type: ignore[type-arg]
    p = campaign["picked"]
    folder = campaign["root"] / "out3" / "交办单"
    book = openpyxl.load_workbook(folder / f"{campaign['unit']}.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=False))
    assert first["问题编号"] == p["B"]["id"]  # the false claim comes first
    assert first["交办次数"] == 3
    assert first["上次反馈"] == "已整改"
    assert first["跟踪状态"] == "整改不实"
    book.close()


def test_diff_of_the_last_two_rounds(campaign: dict, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[type-arg]
    p = campaign["picked"]
    capsys.readouterr()
    assert _civcheck("diff", "--campaign", str(campaign["camp"]), "-f", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["before"]["round"] == "R2" and out["after"]["round"] == "R3"
    assert p["C"]["id"] in out["fixed"] and p["E"]["id"] in out["recurred"]
    assert p["B"]["id"] in out["persisting"] and p["D"]["id"] in out["persisting"]
    assert out["after"]["total"] == pytest.approx(campaign["reports"][2]["total"]["score"])
    assert {x["code"] for x in out["projects"]} == {
        r["code"] for r in campaign["reports"][2]["rollups"] if r["level"] == "project"
    }


def test_html_and_text_carry_the_tracking(campaign: dict) -> None:  # type: ignore[type-arg]
    p, out = campaign["picked"], campaign["root"] / "out3"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "整改跟踪（对比上一轮）" in page and "责任单位整改情况通报" in page
    assert p["E"]["id"] in page and "反弹" in page and "整改不实" in page
    assert "跟踪状态" in page and "首次发现" in page  # the gap table's history columns
    assert campaign["unit"] in page
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    track = campaign["reports"][2]["tracking"]
    assert f"与上一轮（R2）相比，本轮复核销号{len(track['closed'])}个问题" in text
    assert f"销号后反弹{len(track['recurred'])}个" in text
    assert "严格跟踪问责" in text and campaign["unit"] in text
    first = next((campaign["root"] / "out1").glob("*.txt")).read_text(encoding="utf-8")
    assert "台账首轮记录" in first and "严格跟踪问责" not in first
