"""The command side in English: `civcheck read`, `ledger check`, the round recorder and the ledger's errors
say nothing in Chinese under `--lang en` apart from the evidence they name (a file, a sheet, a column, a
quoted value); the ledger's errors are Chinese by default."""

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


# -- the ledger's errors -----------------------------------------------------------------------------------


def _ledger_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """What ``civcheck ARGS`` prints on stderr by default and with --lang en (each run exits 2)."""
    said = {}
    for lang, extra in (("zh", []), ("en", ["--lang", "en"])):
        capsys.readouterr()
        assert main([*args, *extra]) == 2, lang
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
        said[lang] = captured.err
    return said


def _said_in_english(text: str, place: Path) -> None:
    assert not cjk_outside_quotes(text.replace(str(place), "")), text


def test_recording_a_round_twice_is_refused_in_the_run_language(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sample", "-o", "ev", "--sites", "20", "--csv", "--clean"]) == 0
    assert main(["init", "camp", "--district", "临江区"]) == 0
    record = ["check", "ev", "--campaign", "camp", "--record", "--test-date", "2026-07-15", "-f", "json"]
    assert main([*record, "--round", "第一轮", "-o", "out1"]) == 0
    assert main([*record, "--round", "第二轮", "-o", "out2"]) == 0
    twice = _ledger_error([*record, "--round", "第一轮", "-o", "out3"], capsys)
    assert "civcheck check: 轮次“第一轮”已记录；如需重新记录，请加 --replace" in twice["zh"]
    assert "round '第一轮' is already recorded; use --replace to record it again" in twice["en"]
    _said_in_english(twice["en"], place)
    earlier = _ledger_error([*record, "--round", "第一轮", "--replace", "-o", "out4"], capsys)
    assert "轮次“第一轮”之后已记录了其他轮次；只能重新记录最近一轮" in earlier["zh"]
    assert "only the latest round can be replaced" in earlier["en"]
    _said_in_english(earlier["en"], place)


def test_ledger_errors_follow_the_language(place: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "camp", "--district", "临江区"]) == 0
    camp = ["--campaign", "camp"]
    (place / "copy.sqlite").write_bytes(b"")
    (place / "a.json").write_text("[]", encoding="utf-8")
    (place / "b.json").write_text("{}", encoding="utf-8")
    cases = {
        ("ledger", "decide", "P-0000-0001", "accept", *camp): (
            "中没有编号为“P-0000-0001”的问题",
            "no problem",
        ),
        ("ledger", "backup", "copy.sqlite", *camp): ("已存在；请为备份另选一个文件", "choose a new file"),
        ("diff", "a.json", "b.json"): ("不是 civcheck 的 report.json", "is not a civcheck report.json"),
    }
    for args, (zh, en) in cases.items():
        said = _ledger_error(list(args), capsys)
        assert zh in said["zh"], said
        assert en in said["en"], said
        _said_in_english(said["en"], place)
    (place / "camp" / LEDGER_FILE).write_text("这不是台账\n", encoding="utf-8")
    foreign = _ledger_error(["ledger", "check", *camp], capsys)
    assert "不是 civcheck 台账（不是 SQLite 数据库）；文件未作任何改动" in foreign["zh"]
    assert "is not a civcheck ledger (not an SQLite database); nothing was changed" in foreign["en"]
    _said_in_english(foreign["en"], place)


def test_every_ledger_error_has_a_chinese_text() -> None:
    """Each ``LedgerError(...)`` civcheck raises gives ``zh=``: the default language is never left English."""
    import ast

    calls = []
    for path in sorted((ROOT / "checker").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "LedgerError"
            ):
                calls.append(
                    (f"{path.relative_to(ROOT)}:{node.lineno}", any(k.arg == "zh" for k in node.keywords))
                )
    assert len(calls) >= 20
    assert [where for where, zh in calls if not zh] == []
