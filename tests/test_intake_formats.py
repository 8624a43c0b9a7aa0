"""Fixtures saved by LibreOffice (xlsx, xls, ods, UTF-8 and GB18030 CSV) read to the same rows and rejections."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from inspection_round import EXPECTED_ACCEPTED, EXPECTED_REJECTED, accepted_rows

from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake.reader import read_evidence

FIXTURES = Path(__file__).parent / "fixtures" / "evidence" / "lo"
TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Handbook:
    return load_handbook(TINY)


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _round(tmp_path: Path, name: str) -> Path:
    round_dir = tmp_path / "round"
    (round_dir / "inspections").mkdir(parents=True)
    shutil.copy2(FIXTURES / "register" / "点位台账.xlsx", round_dir / "点位台账.xlsx")
    shutil.copy2(FIXTURES / "inspections" / name, round_dir / "inspections" / name)
    return round_dir


@pytest.mark.parametrize(
    ("name", "fmt", "encoding"),
    [
        ("实地考察.xlsx", "xlsx", None),
        ("实地考察.xls", "xls", None),
        ("实地考察.ods", "ods", None),
        ("实地考察-utf8.csv", "csv", "utf-8"),
        ("实地考察-gb18030.csv", "csv", "gb18030"),
    ],
)
def test_every_format_reads_the_same_rows(
    tiny: Handbook, tmp_path: Path, name: str, fmt: str, encoding: str | None
) -> None:
    round_dir = _round(tmp_path, name)
    before = _digest(round_dir)
    evidence = read_evidence(round_dir, tiny)
    assert _digest(round_dir) == before  # inputs are never modified

    info = {i.file: i for i in evidence.inputs}[f"inspections/{name}"]
    assert (info.format, info.encoding) == (fmt, encoding)
    assert (info.rows_read, info.rows_accepted, info.rows_rejected, info.rows_blank) == (10, 4, 6, 1)
    assert info.sha256 == hashlib.sha256((round_dir / "inspections" / name).read_bytes()).hexdigest()
    assert [(r.row, r.column, r.code) for r in evidence.rejected] == EXPECTED_REJECTED
    assert all(r.file == f"inspections/{name}" for r in evidence.rejected)
    assert accepted_rows(evidence) == EXPECTED_ACCEPTED
    assert any("重复" in w and "7行" in w for w in info.warning_texts())
    sites = evidence.frame("sites")
    assert list(sites["site_type"]) == ["农贸市场", "背街小巷", "农贸市场"]
    assert list(sites["department"]) == ["区市场监管局", "区城管局", "区市场监管局"]


def test_frames_have_the_contract_dtypes(tiny: Handbook, tmp_path: Path) -> None:
    from checker.intake.frames import column_dtypes

    evidence = read_evidence(_round(tmp_path, "实地考察.xlsx"), tiny)
    for kind in ("inspections", "sites"):
        frame = evidence.frame(kind)
        assert list(frame.columns) == list(column_dtypes(kind))
        for column, dtype in column_dtypes(kind).items():
            assert frame[column].dtype == pd.Series(dtype=dtype).dtype, (kind, column)


def test_excel_error_cells_reject_the_row_naming_the_cell(tiny: Handbook, tmp_path: Path) -> None:
    shutil.copy2(FIXTURES / "register" / "点位台账.xlsx", tmp_path / "点位台账.xlsx")
    shutil.copy2(FIXTURES / "errors" / "公式错误.xlsx", tmp_path / "公式错误.xlsx")
    evidence = read_evidence(tmp_path, tiny)
    assert [(r.row, r.column, r.code) for r in evidence.rejected] == [
        (2, "E 问题数", "cell-error"),
        (3, "D 检查结果", "cell-error"),
    ]
    assert "E2" in evidence.rejected[0].message and "#DIV/0!" in evidence.rejected[0].message
    assert "#N/A" in evidence.rejected[1].message
    # The formula with a cached value (=IF(…) → 符合) is read as its value.
    assert list(evidence.frame("inspections")["result"]) == ["pass"]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_merged_cells_saved_by_libreoffice_fill_down_not_across(tiny: Handbook, suffix: str) -> None:
    path = FIXTURES / "merged" / f"合并单元格{suffix}"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    evidence = read_evidence(path, tiny)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert evidence.rejected == []
    frame = evidence.frame("inspections")
    dates = frame["date"].dt.strftime("%Y-%m-%d").fillna("")
    rows = list(
        zip(
            frame["_row"],
            frame["site_id"],
            frame["description"].fillna(""),
            dates,
            frame["inspector"],
            strict=True,
        )
    )
    # A2:A3 and A4:A5 (site ids) and G2:G5 (inspector) are merged down; E3:F3 (a note) is merged across,
    # so row 3's date cell stays empty rather than taking the note.
    assert rows == [
        (2, "S001", "", "2023-05-03", "张三"),
        (3, "S001", "摊位越线，占用消防通道", "", "张三"),
        (4, "S002", "", "2023-05-04", "张三"),
        (5, "S002", "占道经营", "2023-05-05", "张三"),
    ]
    warnings = evidence.inputs[0].warning_texts()
    assert any(all(r in w for r in ("A2:A3", "A4:A5", "G2:G5", "E3:F3")) for w in warnings)


def test_round_checks_agree_whether_the_sheets_codes_are_reused_or_encoded_again(
    tiny: Handbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sheets that met their sites and site types in different orders, so their codes must be
    renumbered when the round is combined; an unregistered site is dropped first."""
    from checker.intake import reader

    shutil.copytree(FIXTURES / "register", tmp_path / "register")
    header = "点位编号,测评标准,检查结果,问题描述,检查日期,检查人,点位类型\n"
    (tmp_path / "a.csv").write_text(
        header + "S003,Ⅲ-1-1,符合,,2023-05-01,张三,农贸市场\nS009,Ⅲ-1-1,符合,,2023-05-02,张三,农贸市场\n"
        "S002,OLD-1,不符合,占道,2023-05-02,张三,背街小巷\n",
        encoding="utf-8",
    )
    (tmp_path / "b.csv").write_text(
        header + "S002,Ⅲ-1-1,符合,,2023-06-01,李四,背街小巷\nS001,Ⅲ-1-1,符合,,2023-06-02,李四,菜市场\n"
        "S003,Ⅲ-1-2,符合,,2023-06-03,李四,农贸市场\n",
        encoding="utf-8",
    )
    reused = read_evidence(tmp_path, tiny)
    assert [(r.file, r.row, r.code) for r in reused.rejected] == [
        ("a.csv", 3, "site-not-registered"),
        ("b.csv", 4, "wrong-method"),
    ]
    frame = reused.frame("inspections")
    flagged = frame[frame["duplicate"]]
    assert list(zip(flagged["_file"], flagged["site_id"], flagged["counts"], strict=True)) == [
        ("a.csv", "S002", False),
        ("b.csv", "S002", True),
    ]
    monkeypatch.setattr(reader, "combine_codes", lambda parts: None)
    encoded = read_evidence(tmp_path, tiny)
    pd.testing.assert_frame_equal(frame, encoded.frame("inspections"))
    assert reused.rejected == encoded.rejected
