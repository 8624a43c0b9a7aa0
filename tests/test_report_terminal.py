"""Terminal rendering beyond the golden files: plain output off a TTY, colour on one, the progress helper."""

from __future__ import annotations

import io

import pytest
from report_fixtures import assessment
from rich.console import Console

from checker.errors import UsageError
from checker.report import render_terminal
from checker.report.terminal import reading_progress


def test_colour_only_on_a_terminal() -> None:
    plain, tty = io.StringIO(), io.StringIO()
    render_terminal(assessment(), console=Console(file=plain, width=80))
    render_terminal(
        assessment(), console=Console(file=tty, width=80, force_terminal=True, color_system="standard")
    )
    assert "\x1b[" not in plain.getvalue()
    assert "\x1b[" in tty.getvalue()


def test_veto_and_detail_are_shown() -> None:
    out = io.StringIO()
    render_terminal(assessment(veto=True), detail=True, lang="en", console=Console(file=out, width=80))
    text = out.getvalue()
    assert "Veto" in text and "N-3 较大安全生产事故 (2024-03-02)" in text
    assert text.count("Ⅲ-") >= 9  # every standard listed


def test_an_assessment_without_gaps_renders() -> None:
    out = io.StringIO()
    render_terminal(assessment(no_gaps=True), console=Console(file=out, width=80))
    assert "另有" not in out.getvalue()


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        render_terminal(assessment(), lang="de", console=Console(file=io.StringIO()))


def test_reading_progress_is_silent_off_a_terminal_and_counts_on_one() -> None:
    quiet = io.StringIO()
    with reading_progress(Console(file=quiet)) as update:
        update(1, 2, "a.xlsx")
        update(2, 2, "b.xlsx")
    assert quiet.getvalue() == ""
    loud = io.StringIO()
    console = Console(file=loud, force_terminal=True, width=80)
    with reading_progress(console) as update:
        for done in range(1, 4):
            update(done, 3, f"部门{done}.xlsx")
    assert "读取材料" in loud.getvalue()
