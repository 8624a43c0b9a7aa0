"""Files that 材料 rows point at (PDFs, photos) are evidence checked as materials: listed under
skipped-material with the row that refers to them, and not announced as files passed over."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main
from checker.handbook.loader import load_handbook
from checker.intake.reader import read_evidence

SAMPLE = Path(__file__).resolve().parent.parent / "evidence" / "sample"


def test_referenced_materials_are_not_passed_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    root = tmp_path / "round"
    shutil.copytree(SAMPLE, root)
    (root / "材料" / "无人引用的照片.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    evidence = read_evidence(root, load_handbook("wenming-city"))
    codes = {s.file: s.code for s in evidence.skipped}
    assert codes.pop("材料/无人引用的照片.png") == "skipped-not-spreadsheet"
    assert codes and set(codes.values()) == {"skipped-material"}
    first = next(s for s in evidence.skipped if s.code == "skipped-material")
    assert "网上申报材料.xlsx" in first.message and "行引用" in first.message
    capsys.readouterr()
    assert (
        main(["check", str(root), "--test-date", "2026-07-15", "-f", "json", "-o", str(tmp_path / "o")]) == 0
    )
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith("跳过"))
    assert line.startswith("跳过 1 个非证据文件") and "无人引用的照片.png" in line
