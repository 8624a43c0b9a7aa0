"""Bad usage of every command: a clear message in the run's language, exit 2, never a traceback.

Each invocation below is broken on purpose (a missing or wrong argument, a path that cannot be written, a
command that needs a campaign run outside one). The test runs them in-process: an exception escaping
``main`` is exactly the traceback a user would see, and fails the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = str(ROOT / "evidence" / "sample")
CJK = re.compile(r"[\u4e00-\u9fff]")

# "{file}" is an existing ordinary file: a path below it can never be created.
BROKEN = [
    ["check"],
    ["check", "no-such-folder"],
    ["check", EVIDENCE, "--test-date", "2026-13-45"],
    ["check", EVIDENCE, "--issued", "someday"],
    ["check", EVIDENCE, "--target", "150"],
    ["check", EVIDENCE, "--fail-under", "-5"],
    ["check", EVIDENCE, "--format", "pdf"],
    ["check", EVIDENCE, "--lang", "fr"],
    ["check", EVIDENCE, "-f", "json", "-o", "{file}/sub"],
    ["check", EVIDENCE, "--record"],
    ["check", EVIDENCE, "--campaign", "no-such-campaign"],
    ["check", EVIDENCE, "--handbook", "no-such-pack"],
    ["check", EVIDENCE, "--quiet", "--verbose"],
    ["check", EVIDENCE, "-q", "-v"],
    ["check", EVIDENCE, "--quiet=yes"],
    ["read", "no-such-folder"],
    ["read", EVIDENCE, "--handbook", "no-such-pack"],
    ["read", EVIDENCE, "--format", "pdf"],
    ["read", EVIDENCE, "--format", "xlsx"],
    ["read", EVIDENCE, "-f", "json", "-o", "{file}/sub"],
    ["read", EVIDENCE, "--lang", "fr"],
    ["read", EVIDENCE, "-q", "-v"],
    ["read", EVIDENCE, "-o"],
    ["read", EVIDENCE, "--force=yes"],
    ["read", EVIDENCE, "--verbose=1"],
    ["check", EVIDENCE, "--verbose", "--quiet", "-f", "json", "-o", "out"],
    ["ledger", "backup", "copy.sqlite", "--lang", "fr"],
    ["ledger", "decide", "P-2222-2222", "accept", "--lang", "fr"],
    ["round", "add", "--year", "2025", "--score", "81.2", "--lang", "fr"],
    ["handbook", "validate", "wenming-city", "--lang", "fr"],
    ["handbook", "schema", "--lang", "fr"],
    ["handbook", "export", "wenming-city", "-o", "x.xlsx", "--lang", "fr"],
    ["handbook", "import", "no-such.xlsx", "-o", "pack", "--lang", "fr"],
    ["history", "--lang"],
    ["template", "-o", "{file}/sub"],
    ["sample", "-o", "{file}/sub"],
    ["sample", "-o", "x", "--sites", "3"],
    ["init", "{file}/sub", "--district", "某某区"],
    ["init", "camp"],
    ["reply", "no-such.xlsx"],
    ["diff"],
    ["diff", "R1", "R2", "--format", "pdf"],
    ["history"],
    ["history", "--format", "pdf"],
    ["history", "-f", "xlsx"],
    ["history", "--lang", "fr"],
    ["round", "add", "--year", "2025", "--score", "81.2"],
    ["round", "add", "--year", "2025"],
    ["round", "mark", "R9"],
    ["city"],
    ["city", "x.json"],
    ["city", "no-such-folder", "-o", "out"],
    ["city", "no-such-folder", "-o", "out", "-f", "pdf"],
    ["city", "-o", "out"],
    ["city", "-e", "=x", "-o", "out"],
    ["city", "-e", "甲区=", "-o", "out"],
    ["city", "-e", "甲区=x", "-e", "甲区=y", "-o", "out"],
    ["city", "-e", "甲区=x", "--jobs", "0", "-o", "out"],
    ["city", "-e", "甲区=x", "--jobs", "two", "-o", "out"],
    ["city", "-e", "甲区=x", "--test-date", "2026-13-45", "-o", "out"],
    ["city", "-e", "甲区=x", "--handbook", "no-such-pack", "-o", "out"],
    ["city", "-e", "甲区=no-such-folder", "-e", "乙区={file}", "-o", "out", "-f", "json"],
    ["ledger", "check"],
    ["ledger", "backup", "copy.sqlite"],
    ["ledger", "decide", "P-2222-2222", "accept"],
    ["handbook", "show", "Ⅲ-999-9"],
    ["handbook", "validate", "no-such-pack"],
    ["handbook", "import", "no-such.xlsx", "-o", "pack"],
    ["handbook", "export", "wenming-city", "-o", "{file}/sub.xlsx"],
    ["handbook", "schema", "-o", "{file}/sub.json"],
    ["report-schema", "--bogus"],
    ["template", "-o", "blank", "--lang", "fr"],
    ["sample", "-o", "x", "--lang", "fr"],
    ["init", "camp", "--district", "某某区", "--lang", "fr"],
    ["reply", "no-such.xlsx", "--lang", "fr"],
    ["diff", "--lang", "fr"],
    ["round", "mark", "R9", "--lang", "fr"],
    ["ledger", "check", "--lang", "fr"],
    ["handbook", "list", "--lang", "fr"],
    ["handbook", "show", "Ⅲ-1-1", "--lang", "fr"],
    ["handbook", "summary", "--lang"],
    ["city", "-e", "甲区=x", "-o", "out", "--lang", "fr"],
    ["no-such-command"],
]


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # outside any campaign folder
    monkeypatch.delenv("CIVCHECK_LANG", raising=False)
    (tmp_path / "a-file.txt").write_text("not a folder\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("argv", BROKEN, ids=lambda a: " ".join(a)[:60].replace(EVIDENCE, "EVIDENCE"))
def test_broken_usage_is_a_message_and_exit_2(
    argv: list[str], place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.replace("{file}", str(place / "a-file.txt")) for a in argv]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2, (code, captured.err)
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.strip(), "a broken run says why"
    assert (place / "a-file.txt").read_text(encoding="utf-8") == "not a folder\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "no-such-folder"],
        ["check", EVIDENCE, "--target", "150"],
        ["check", EVIDENCE, "-f", "json", "-o", "{file}/sub"],
        ["check", EVIDENCE, "--test-date", "2026-13-45"],
        ["check", EVIDENCE, "-q", "-v"],
        ["diff"],
        ["history"],
        ["history", "--format", "pdf"],
        ["round", "mark", "R9"],
        ["city", "no-such-folder", "-o", "out"],
        ["city", "-o", "out"],
        ["city", "-e", "A=x", "-e", "A=y", "-o", "out"],
        ["city", "-e", "A=x", "--jobs", "0", "-o", "out"],
        ["city", "-e", "A=no-such-folder", "-o", "out", "-f", "json"],
        ["ledger", "check"],
        ["ledger", "decide", "P-2222-2222", "accept", "--on", "someday"],
        ["reply", "no-such.xlsx", "--received", "someday"],
        ["read", EVIDENCE, "--format", "xlsx"],
        ["read", EVIDENCE, "-f", "json", "-o", "{file}/sub"],
    ],
)
def test_messages_follow_the_language(
    argv: list[str], place: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [a.replace("{file}", str(place / "a-file.txt")) for a in argv]
    assert main(args) == 2
    assert CJK.search(capsys.readouterr().err), "Chinese is the default"
    monkeypatch.setenv("CIVCHECK_LANG", "en")
    assert main(args) == 2
    assert not CJK.search(capsys.readouterr().err.replace(str(place), ""))


def test_an_unwritable_output_is_refused_before_any_work(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = place / "a-file.txt" / "reports"
    assert main(["check", EVIDENCE, "-f", "json,xlsx", "-o", str(target), "--test-date", "2026-07-15"]) == 2
    err = capsys.readouterr().err
    assert str(target) in err and "是文件，不是文件夹" in err


def test_dates_are_taken_in_every_form_the_evidence_accepts(place: Path) -> None:
    for i, text in enumerate(("2026/07/15", "2026年7月15日", "2026.7.15")):
        out = place / f"out{i}"
        assert main(["check", EVIDENCE, "--test-date", text, "-f", "json", "-o", str(out)]) == 0
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["options"]["test_date"] == "2026-07-15"


def test_a_bug_is_one_line_and_exit_3_with_the_details_in_a_file(
    place: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import checker.commands.check as check_module

    def broken(args: object) -> int:
        raise KeyError("a bug")

    monkeypatch.setattr(check_module, "run_check", broken)
    monkeypatch.delenv("CIVCHECK_DEBUG", raising=False)
    assert main(["check", EVIDENCE]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and "内部错误" in err
    detail = Path(err.split("详细信息已写入 ")[1].split("，")[0])
    assert "Traceback" in detail.read_text(encoding="utf-8") and "a bug" in detail.read_text(encoding="utf-8")
    detail.unlink()
    monkeypatch.setenv("CIVCHECK_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["check", EVIDENCE])
