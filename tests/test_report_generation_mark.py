"""Every output of a round names its generation, so a reader holding a workbook, a page, the summary and a
交办单 can tell whether they come from the same run (issue 12, case 3)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from checker.cli import main
from checker.intake.reader import own_output

SAMPLE = Path(__file__).resolve().parent.parent / "evidence" / "sample"


def _cells(path: Path) -> set[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    finally:
        book.close()


def test_every_output_names_the_same_generation(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["check", str(SAMPLE), "--test-date", "2026-07-15", "-f", "json,xlsx,html,text", "--dispatch"]
    assert main([*args, "-o", str(out)]) == 0
    manifest = json.loads((out / "civcheck-generation.json").read_text(encoding="utf-8"))
    run = manifest["run_id"][:12]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["generation"]["run_id"][:12] == run
    assert run in (out / "report.html").read_text(encoding="utf-8")
    assert run in (out / "存在的问题.txt").read_text(encoding="utf-8").splitlines()[-1]
    assert any(run in cell for cell in _cells(out / "自查报告.xlsx"))
    books = sorted((out / "交办单").glob("*.xlsx"))
    assert books and all(any(run in cell for cell in _cells(b)) for b in books)
    # Still known as civcheck's own outputs (never read back as evidence), 交办单 excepted.
    assert own_output(out / "report.html") and own_output(out / "自查报告.xlsx")
    assert not own_output(books[0])
    # A second run is another generation, named in every output again.
    assert main([*args, "-o", str(out), "--force"]) == 0
    again = json.loads((out / "civcheck-generation.json").read_text(encoding="utf-8"))["run_id"][:12]
    assert again != run and again in (out / "report.html").read_text(encoding="utf-8")
