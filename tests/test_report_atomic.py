"""Atomic writes: a failure mid-write leaves the previous report intact; no silent replacement."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from report_fixtures import assessment

from checker.errors import UsageError
from checker.files import TEMP_PREFIX
from checker.report import workbook as workbook_module
from checker.report import write_reports
from checker.report.writer import GENERATION_FILE


def test_existing_report_is_kept_without_force(tmp_path: Path) -> None:
    write_reports(assessment(), tmp_path, {"json", "text"})
    before = (tmp_path / "report.json").read_bytes()
    with pytest.raises(UsageError, match=r"report\.json"):
        write_reports(assessment(), tmp_path, {"json", "html"})
    assert (tmp_path / "report.json").read_bytes() == before
    assert not (tmp_path / "report.html").exists()  # nothing is written when one target is refused


def test_force_replaces(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text("old", encoding="utf-8")
    write_reports(assessment(), tmp_path, {"json"}, force=True)
    assert (tmp_path / "report.json").read_text(encoding="utf-8").startswith("{")


def test_existing_dispatch_book_is_refused(tmp_path: Path) -> None:
    write_reports(assessment(), tmp_path, set(), dispatch=True)
    with pytest.raises(UsageError, match=r"交办单.*\.xlsx already exists"):
        write_reports(assessment(), tmp_path, set(), dispatch=True)


def test_failure_mid_write_leaves_the_previous_workbook_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [path] = write_reports(assessment(), tmp_path, {"xlsx"})
    before = path.read_bytes()

    def broken(a: object, target: Path, lang: str, *, mark: str = "") -> None:
        target.write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(workbook_module, "write_workbook", broken)
    with pytest.raises(OSError, match="disk full"):
        write_reports(assessment(), tmp_path, {"xlsx"}, force=True)
    assert path.read_bytes() == before
    openpyxl.load_workbook(path)  # still a readable workbook
    # The temporary files are gone; the previous generation's manifest stays with it.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, GENERATION_FILE])


def test_stale_temporary_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    stale = tmp_path / f"{TEMP_PREFIX}{pid}-abc.xlsx"
    stale.write_bytes(b"partial")
    mine = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def.xlsx"
    mine.write_bytes(b"in progress")
    write_reports(assessment(), tmp_path, {"json"})
    assert not stale.exists()
    assert mine.exists()  # a live run's temporary file is never touched


def test_unknown_format_and_language_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="pdf"):
        write_reports(assessment(), tmp_path, {"pdf"})
    with pytest.raises(UsageError, match="fr"):
        write_reports(assessment(), tmp_path, {"json"}, lang="fr")
    assert list(tmp_path.iterdir()) == []


def test_progress_is_told_one_step_per_output_and_the_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps: list[tuple[int, int, Path]] = []
    written = write_reports(
        assessment(), tmp_path, {"json", "html", "text"}, dispatch=True, progress=lambda *s: steps.append(s)
    )
    assert len(written) > 3  # the three files and the 交办单
    assert steps[0] == (0, len(written), written[0])  # before the first output
    assert sorted(path for _, _, path in steps[1:]) == sorted(written)  # then each one as it is finished
    assert [done for done, _, _ in steps] == list(range(len(written) + 1))
    assert {total for _, total, _ in steps} == {len(written)}
    write_reports(assessment(), tmp_path / "again", {"json"})  # no callback: nothing on screen
    assert capsys.readouterr() == ("", "")
