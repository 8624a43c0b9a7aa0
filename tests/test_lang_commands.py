"""The command side in English: `civcheck read`, `ledger check` and the round recorder say nothing in
Chinese under `--lang en` apart from the evidence they name (a file, a sheet, a column, a quoted value)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cjk import CJK, cjk_outside_quotes

from checker.campaign.ledger import IntegrityProblem
from checker.campaign.record import RoundWarning
from checker.campaign.settings import LEDGER_FILE
from checker.cli import DEFAULT_PACK, main
from checker.handbook.loader import load_handbook
from checker.intake.evidence import Evidence
from checker.intake.reader import read_evidence

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "evidence" / "sample"


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # outside any campaign folder
    monkeypatch.delenv("CIVCHECK_LANG", raising=False)
    monkeypatch.setenv("COLUMNS", "250")  # rich must not wrap the names the test removes
    return tmp_path


def _evidence_names(result: Evidence) -> tuple[str, ...]:
    """What the evidence itself calls things: files, sheets, columns (written by the offices, in Chinese)."""
    names: set[str] = {str(SAMPLE)}
    for info in result.inputs:
        names.add(info.file)
        names.update(s.split(" → ")[0] for s in info.sheets)
        names.update(s.rpartition(" (")[0] for s in info.skipped_sheets)
    for r in result.rejected:
        names.update((r.file, r.sheet, r.column, *(column for column, _, _ in r.problems)))
    names.update(s.file for s in result.skipped)
    return tuple(n for n in names if n)


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="evidence/sample is not present")
def test_read_the_sample_round_in_english(place: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = read_evidence(SAMPLE, load_handbook(DEFAULT_PACK))
    capsys.readouterr()
    assert main(["read", str(SAMPLE), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "accepted" in out and "rejected" in out
    left = cjk_outside_quotes(out, _evidence_names(result))
    assert not left, [line for line in out.splitlines() if cjk_outside_quotes(line, _evidence_names(result))]
    assert main(["read", str(SAMPLE), "--lang", "zh"]) == 0
    assert "已接受" in capsys.readouterr().out


def test_skipped_sheets_are_said_in_one_language(tmp_path: Path) -> None:
    from checker.intake.evidence import InputFile

    info = InputFile(
        "a.xlsx", "", "xlsx", skipped_sheets=["旧表 (hidden)", "说明 (instructions)", "x (empty)"]
    )
    assert info.skipped_sheet_texts("zh") == ["旧表（隐藏）", "说明（说明页）", "x (empty)"]
    assert info.skipped_sheet_texts("en") == ["旧表 (hidden)", "说明 (instructions)", "x (empty)"]


def test_ledger_check_in_english_names_a_broken_row_without_chinese(
    place: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["init", "camp", "--district", "Riverside", "--lang", "en"]) == 0
    monkeypatch.chdir(place / "camp")
    with sqlite3.connect(place / "camp" / LEDGER_FILE) as conn:  # a finding of a round that is not there
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO findings(round_id, problem_id, outcome) VALUES (99, 'P-0000-0001', 'fail')")
    conn.close()
    capsys.readouterr()
    assert main(["ledger", "check", "--lang", "en"]) == 2
    out = capsys.readouterr().out
    assert "✗ foreign key: table findings row" in out and "→ rounds" in out and "problem(s)" in out
    assert not CJK.search(out.replace(str(place), "")), out
    assert main(["ledger", "check", "--lang", "zh"]) == 2
    assert "外键：表 findings" in capsys.readouterr().out


def test_integrity_problems_and_round_warnings_render_in_either_language() -> None:
    sqlite_own = IntegrityProblem("row 3 missing from index x")
    assert sqlite_own.text("en") == "row 3 missing from index x"
    assert sqlite_own.text("zh").startswith("SQLite 完整性检查")
    warning = RoundWarning("第二轮", "第一轮")
    assert warning.text("en") == "round '第二轮' has the same input files as round '第一轮'"
    assert not cjk_outside_quotes(warning.text("en"))
    assert warning.text("zh") == "轮次“第二轮”的输入文件与轮次“第一轮”相同"
