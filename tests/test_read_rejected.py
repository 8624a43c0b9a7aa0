"""``civcheck read --format json|xlsx -o OUT``: the rejected rows to send back, one workbook per unit."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pytest

from checker.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small clean round with two bad rows planted in a unit's sheet and one in a sheet naming no unit."""
    root = tmp_path_factory.mktemp("round") / "round"
    assert main(["sample", "-o", str(root), "--sites", "10", "--csv", "--clean"]) == 0
    sheet = root / "实地考察" / "区委宣传部(区文明办)实地考察自查表.csv"
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        good = next(csv.DictReader(handle))
    bad = {**good, "检查日期": "=HYPERLINK(1)"}  # row 3: not a date, and a formula if written as one
    worse = {**good, "问题数": "若干"}  # row 4
    loose = {**good, "问题数": "很多", "责任单位": ""}
    for path, rows in ((sheet, [good, bad, worse]), (root / "补充.csv", [loose])):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(good))
            writer.writeheader()
            writer.writerows(rows)
    return root


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CIVCHECK_LANG", raising=False)
    return tmp_path


def test_json_lists_every_rejected_row_with_its_unit_and_value(
    round_dir: Path, place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", str(round_dir), "-f", "json", "-o", "out", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    data = json.loads((place / "out" / "退回行.json").read_text(encoding="utf-8"))
    rows = {(r["file"], r["row"]): r for r in data["rows"]}
    assert data["count"] == len(data["rows"]) == 3
    date = rows[("实地考察/区委宣传部(区文明办)实地考察自查表.csv", 3)]
    assert date["unit"] == "区委宣传部（区文明办）"  # the department its accepted rows name
    assert (date["code"], date["value"]) == ("bad-date", "=HYPERLINK(1)")
    assert "检查日期" in date["column"] and "不是" in date["message"]
    assert rows[("实地考察/区委宣传部(区文明办)实地考察自查表.csv", 4)]["value"] == "若干"
    assert rows[("补充.csv", 2)]["unit"] == "补充"  # no department: the file's name
    assert sorted(data["units"]) == ["区委宣传部（区文明办）", "补充"]


def test_one_workbook_per_unit_in_the_chosen_language(
    round_dir: Path, place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", str(round_dir), "-f", "terminal,xlsx,json", "-o", "out", "--lang", "en"]) == 0
    captured = capsys.readouterr()
    assert "rejected: 3" in captured.out and "accepted:" in captured.out
    books = sorted(p.name for p in (place / "out").glob("*.xlsx"))
    assert books == ["rejected-rows-区委宣传部(区文明办).xlsx", "rejected-rows-补充.xlsx"]  # a safe file name
    sheet = openpyxl.load_workbook(place / "out" / books[0]).active
    assert sheet is not None
    header, *lines = list(sheet.iter_rows(values_only=True))
    assert header == ("Submitted by", "File", "Sheet", "Row", "Column", "Code", "Problem", "Value given")
    assert [line[3] for line in lines] == [3, 4]
    assert lines[0][7] == "'=HYPERLINK(1)"  # the bad value as text, never a formula
    assert not CJK.search(str(lines[0][6]).replace("检查日期", ""))  # the message in English
    other = openpyxl.load_workbook(place / "out" / books[1]).active
    assert other is not None and other.max_row == 2
    data = json.loads((place / "out" / "rejected-rows.json").read_text(encoding="utf-8"))
    assert data["lang"] == "en" and data["count"] == 3


def test_existing_files_are_kept_unless_forced(
    round_dir: Path, place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", str(round_dir), "-f", "json", "-o", "out", "-q"]) == 0
    before = (place / "out" / "退回行.json").read_bytes()
    assert main(["read", str(round_dir), "-f", "json", "-o", "out", "-q"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (place / "out" / "退回行.json").read_bytes() == before
    assert main(["read", str(round_dir), "-f", "json", "-o", "out", "-q", "--force"]) == 0
    assert not [p for p in (place / "out").iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_verbose_read_times_the_reading_and_each_file_written(
    round_dir: Path, place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["read", str(round_dir), "-f", "json", "-o", "out", "-v"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^读取证据：\d+ 个文件，[\d,]+ 行，\d+\.\d\d 秒$", err, re.M)
    assert re.search(r"^写入 .*退回行\.json：\d+\.\d\d 秒$", err, re.M)
