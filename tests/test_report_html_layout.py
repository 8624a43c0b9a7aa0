"""report.html lays out on a desktop (1280 px) and on a phone (390 px) in a real headless Chromium.

The page is laid out in an ``<iframe>`` of the given width and measured by tests/browser.py (how, and
what fails, is written there). The report itself is checked to contain no script at all.

Skipped when no Chromium is installed; works as root (``--no-sandbox``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import CHROMIUM, assert_fits

from checker.cli import main

pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")]

SAMPLE = Path(__file__).resolve().parents[1] / "evidence" / "sample"


def _civcheck(*args: str) -> None:
    assert main(list(args)) == 0


def test_sample_report_fits_desktop_and_phone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _civcheck(
        "check", str(SAMPLE), "--test-date", "2026-07-15", "--target", "85", "-f", "html", "-o", str(out)
    )
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "全区（非点位问题）" in page  # the site column of a district-level gap is not left empty
    assert_fits(page, tmp_path)


def test_english_sample_report_fits(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _civcheck(
        "check", str(SAMPLE), "--test-date", "2026-07-15", "--target", "85", "-f", "html", "--lang", "en",
        "-o", str(out),
    )  # fmt: skip
    assert_fits((out / "report.html").read_text(encoding="utf-8"), tmp_path)


def test_tracked_campaign_report_fits_desktop_and_phone(tmp_path: Path) -> None:
    """A second recorded round: the page has 整改跟踪, 整改通报 and the history columns of the gap table."""
    camp, evidence = tmp_path / "camp", tmp_path / "r1"
    _civcheck("init", str(camp), "--district", "临江区")
    _civcheck("sample", "-o", str(evidence), "--sites", "40", "--csv", "--clean")
    for name, issued in (("R1", "2026-06-12"), ("R2", "2026-06-28")):
        _civcheck(
            "check", str(evidence), "--campaign", str(camp), "--record", "--round", name,
            "--test-date", "2026-07-15", "--issued", issued, "-f", "html", "--dispatch", "-o", str(tmp_path / name),
        )  # fmt: skip
    page = (tmp_path / "R2" / "report.html").read_text(encoding="utf-8")
    assert (
        "整改跟踪（对比上一轮）" in page and "责任单位整改情况通报" in page and 'class="gaps tracked"' in page
    )
    assert_fits(page, tmp_path)
