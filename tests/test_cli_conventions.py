"""The conventions users of command-line tools expect: --quiet, --verbose, --lang on every command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = str(ROOT / "evidence" / "sample")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # outside any campaign folder
    monkeypatch.delenv("CIVCHECK_LANG", raising=False)
    return tmp_path


def test_quiet_prints_nothing_and_the_exit_code_tells(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = ["check", EVIDENCE, "--test-date", "2026-07-15", "-f", "terminal,json", "-o", "out", "--quiet"]
    assert main(run) == 0
    assert capsys.readouterr() == ("", "")
    assert (place / "out" / "report.json").is_file()  # the files are still written
    assert main([*run, "--force", "--fail-under", "99.5"]) == 1
    assert capsys.readouterr() == ("", "")
    assert main(["check", "no-such-folder", "-q"]) == 2  # errors are still said
    assert "no-such-folder" in capsys.readouterr().err


def test_verbose_names_the_files_read_and_times_each_phase(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = ["check", EVIDENCE, "--test-date", "2026-07-15", "-f", "json,html", "-o", "out", "--verbose"]
    assert main(run) == 0
    err = capsys.readouterr().err
    assert re.search(r"^  点位台账\.xlsx（xlsx）：读取 600 行，采纳 600 行$", err, re.M), err
    assert re.search(r"^读取证据：\d+ 个文件，[\d,]+ 行，\d+\.\d\d 秒$", err, re.M)
    assert re.search(r"^评分：\d+\.\d\d 秒$", err, re.M)
    for name in ("report.json", "report.html"):
        assert re.search(rf"^写入 .*{re.escape(name)}：\d+\.\d\d 秒$", err, re.M), name
    assert main(["check", EVIDENCE, "--test-date", "2026-07-15", "-f", "json", "-o", "out2", "-v"]) == 0
    without = capsys.readouterr().err
    assert main(["check", EVIDENCE, "--test-date", "2026-07-15", "-f", "json", "-o", "out3"]) == 0
    assert "秒" not in capsys.readouterr().err and "秒" in without


def _commands() -> list[tuple[str, object]]:
    """Every leaf command of the app, by its full name."""
    import typer.main

    found: list[tuple[str, object]] = []

    def walk(prefix: str, command: object) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, command))

    from checker.cli import app

    walk("", typer.main.get_command(app))
    return found


def test_every_command_that_says_something_takes_lang() -> None:
    silent = {"report-schema"}  # prints the JSON Schema only
    commands = _commands()
    assert len(commands) > 20
    for name, command in commands:
        options = {opt for param in command.params for opt in param.opts}  # type: ignore[attr-defined]
        assert ("--lang" in options) != (name in silent), name


def test_the_commands_own_messages_follow_the_language(
    place: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["init", "camp", "--district", "Riverside", "--lang", "en"]) == 0
    assert "campaign ready" in capsys.readouterr().err
    monkeypatch.chdir(place / "camp")
    monkeypatch.setenv("CIVCHECK_LANG", "en")
    assert main(["ledger", "check"]) == 0
    out = capsys.readouterr().out
    assert "integrity ok" in out and not CJK.search(out.replace(str(place), ""))
    assert main(["ledger", "check", "--lang", "zh"]) == 0  # the option wins over the environment
    assert "完整" in capsys.readouterr().out
    monkeypatch.delenv("CIVCHECK_LANG")
    assert main(["round", "add", "--year", "2025", "--score", "81.2", "--round", "R1"]) == 0
    assert "已录入轮次" in capsys.readouterr().err
    assert main(["round", "mark", "R1", "--lang", "en"]) == 0
    assert capsys.readouterr().err.strip() == "✓ R1: official"
    assert main(["handbook", "summary", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Standards by method" in out and "测评方法" not in out
    assert main(["handbook", "show", "Ⅲ-999-9", "--lang", "en"]) == 2
    assert "no standard" in capsys.readouterr().err
    assert main(["template", "-o", str(place / "blank"), "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("wrote ")
