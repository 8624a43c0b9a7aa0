"""Every written workbook opens in LibreOffice: a headless conversion to PDF succeeds.

Run with ``.venv/bin/pytest -m libreoffice tests/test_report_libreoffice.py``; skipped without soffice.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import assessment

from checker.report import write_reports

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def test_every_workbook_converts_to_pdf(tmp_path: Path) -> None:
    assert SOFFICE is not None
    out = tmp_path / "out"
    books = [p for p in write_reports(assessment(), out, {"xlsx"}, dispatch=True) if p.suffix == ".xlsx"]
    assert len(books) == 7
    pdf_dir = tmp_path / "pdf"
    profile = tmp_path / "profile"  # a private profile: no clash with a running LibreOffice
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdf_dir),
            *map(str, books),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for book in books:
        pdf = pdf_dir / (book.stem + ".pdf")
        assert pdf.exists(), f"{book.name}: {done.stdout} {done.stderr}"
        assert pdf.read_bytes().startswith(b"%PDF")
