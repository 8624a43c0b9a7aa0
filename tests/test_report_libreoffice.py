"""Every written workbook opens in LibreOffice: a headless conversion to PDF succeeds.

Run with ``.venv/bin/pytest -m libreoffice tests/test_report_libreoffice.py``; skipped without soffice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import SAMPLE_ROUND, assessment, sample_assessment

from checker.report import write_reports

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFINFO = shutil.which("pdfinfo")
PDFTOTEXT = shutil.which("pdftotext")
A4_LANDSCAPE = (841.89, 595.3)  # points

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def test_every_workbook_converts_to_pdf(tmp_path: Path) -> None:
    assert SOFFICE is not None
    out = tmp_path / "out"
    books = [p for p in write_reports(assessment(), out, {"xlsx"}, dispatch=True) if p.suffix == ".xlsx"]
    assert len(books) == 8
    pdf_dir = tmp_path / "pdf"
    done = _convert(books, pdf_dir, tmp_path / "profile")
    for book in books:
        pdf = pdf_dir / (book.stem + ".pdf")
        assert pdf.exists(), f"{book.name}: {done.stdout} {done.stderr}"
        assert pdf.read_bytes().startswith(b"%PDF")


def _convert(books: list[Path], pdf_dir: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    """Convert with a private profile (no clash with a running LibreOffice)."""
    assert SOFFICE is not None
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(pdf_dir), *map(str, books)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def _pages(pdf: Path) -> list[str]:
    """The text of each page in drawing order (a wrapped cell's lines stay together; pages end with \\f)."""
    assert PDFTOTEXT is not None
    text = subprocess.run(
        [PDFTOTEXT, "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    assert PDFINFO is not None
    info = subprocess.run(
        [PDFINFO, "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True, check=True
    )
    return [
        (float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    ]


@pytest.mark.skipif(
    PDFINFO is None or PDFTOTEXT is None, reason="poppler (pdfinfo, pdftotext) is not installed"
)
@pytest.mark.skipif(not SAMPLE_ROUND.is_dir(), reason="evidence/sample is not present")
def test_a_printed_dispatch_sheet_fits_a4_and_can_be_signed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = write_reports(sample_assessment(), out, set(), dispatch=True)
    [book] = [p for p in paths if p.stem == "区委宣传部(区文明办)"]
    _convert([book], tmp_path / "pdf", tmp_path / "profile")
    pdf = tmp_path / "pdf" / (book.stem + ".pdf")
    sizes = _page_sizes(pdf)
    pages = _pages(pdf)
    assert len(sizes) == len(pages) >= 3
    assert all(w == pytest.approx(A4_LANDSCAPE[0], abs=1) and h == pytest.approx(A4_LANDSCAPE[1], abs=1)
               for w, h in sizes)  # fmt: skip
    for number, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", page)
        assert f"第{number}页，共{len(pages)}页" in flat
        assert "承办单位：区委宣传部（区文明办）" in flat and "创城问题整改交办单" in flat
        assert "交办日期：2026-06-12" in flat and "负责人签字" in flat
    # One page wide: every page of the list repeats the whole header row, from the id to the last reply.
    for page in pages[:-1]:
        flat = re.sub(r"\s+", "", page)
        assert "问题编号" in flat and "整改照片" in flat and "整改目标" in flat
    # The long texts are wrapped, not clipped: a standard's whole text is on the page.
    whole = re.sub(r"\s+", "", "".join(pages))
    assert "沿500米步行路线观察，无随地吐痰、乱扔垃圾、车窗抛物等不文明行为" in whole
    assert "承办单位联系人" in re.sub(r"\s+", "", pages[-1])  # the instructions sheet, whole


@pytest.mark.skipif(
    PDFINFO is None or PDFTOTEXT is None, reason="poppler (pdfinfo, pdftotext) is not installed"
)
@pytest.mark.skipif(not SAMPLE_ROUND.is_dir(), reason="evidence/sample is not present")
def test_the_printed_workbook_is_one_page_wide_with_page_numbers(tmp_path: Path) -> None:
    [book] = write_reports(sample_assessment(), tmp_path / "out", {"xlsx"})
    _convert([book], tmp_path / "pdf", tmp_path / "profile")
    pdf = tmp_path / "pdf" / (book.stem + ".pdf")
    sizes = _page_sizes(pdf)
    pages = [re.sub(r"\s+", "", p) for p in _pages(pdf)]
    assert len(sizes) == len(pages) <= 70  # 149 pages when the widest sheets printed in bands of columns
    assert all(w == pytest.approx(A4_LANDSCAPE[0], abs=1) for w, _ in sizes)
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页，共{len(pages)}页" in page
    # No band of columns on a page of its own: every page of a main table shows its first and last
    # printed header (the header row repeats on each page).
    problems = [p for p in pages if p.startswith("文明城市创建自查测评报告问题清单")]
    standards = [p for p in pages if p.startswith("文明城市创建自查测评报告测评结果")]
    assert problems and standards
    assert all("问题编号" in p and "整改期限" in p for p in problems)
    assert all("测评项目" in p and "牵头单位" in p for p in standards)
