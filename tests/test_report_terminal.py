"""Terminal rendering beyond the golden files: plain output off a TTY, colour on one, the progress helper."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from report_fixtures import assessment, sample_assessment
from rich.console import Console

from checker.errors import UsageError
from checker.report import render_terminal
from checker.report.terminal import reading_progress, writing_progress


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


def test_reading_progress_is_silent_off_a_terminal_and_counts_on_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")  # editors and CI runners: no bar even on a "terminal"
    dumb = io.StringIO()
    with reading_progress(Console(file=dumb, force_terminal=True, width=80)) as update:
        update(1, 1, "a.xlsx")
    assert dumb.getvalue() == ""
    monkeypatch.setenv("TERM", "xterm-256color")  # whatever the terminal the tests run in
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


def test_writing_progress_names_each_output_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    dumb = io.StringIO()
    with writing_progress(Console(file=dumb, force_terminal=True, width=100)) as update:
        update(0, 1, Path("out/report.json"))
    assert dumb.getvalue() == ""
    monkeypatch.setenv("TERM", "xterm-256color")
    piped = io.StringIO()
    with writing_progress(Console(file=piped), lang="en") as update:
        update(0, 1, Path("out/report.json"))
    assert piped.getvalue() == ""
    loud = io.StringIO()
    with writing_progress(Console(file=loud, force_terminal=True, width=100), lang="en") as update:
        update(0, 2, Path("out/report.json"))
        update(1, 2, Path("out/自查报告.xlsx"))
        update(2, 2, Path("out/自查报告.xlsx"))
    assert "Writing reports" in loud.getvalue() and "2/2" in loud.getvalue()
    assert "自查报告.xlsx" in loud.getvalue()  # the output being written, by its name


# -- the first screen (the sample round) -------------------------------------------------------------------


def _sample_screen(width: int, *, target: float | None = None, detail: bool = False) -> str:
    from dataclasses import replace

    from report_fixtures import sample_assessment

    from checker.scoring.evaluate import evaluate

    a = sample_assessment()
    if target is not None:
        from checker.handbook.loader import load_handbook
        from checker.intake.reader import read_evidence

        handbook = load_handbook("wenming-city")
        evidence = read_evidence(Path(__file__).resolve().parent.parent / "evidence" / "sample", handbook)
        a = evaluate(handbook, evidence, replace(a.options, target=target))
    out = io.StringIO()
    render_terminal(a, detail=detail, console=Console(file=out, width=width))
    return out.getvalue()


def test_target_shows_the_distance_and_the_plan_on_the_first_screen() -> None:
    screen = _sample_screen(120, target=85)
    assert "目标分        85.00，还差 8.70 分 · 整改计划" in screen
    assert "整改计划（前几步）" in screen and "另有" in screen.split("整改计划（前几步）")[1]


def test_units_worst_first_every_kind_of_gap_counted_and_the_rest_announced() -> None:
    screen = _sample_screen(120)
    block = screen.split("待挽回分值最多的责任单位")[1].split("可挽回分值最高的问题")[0]
    rows = [line.split() for line in block.splitlines() if line.strip() and line.split()[-1][0].isdigit()]
    first = rows[0]
    assert first[0] == "团区委"  # its losses are surveys and indicators only: no site inspection at all
    assert "区司法局" in block  # no failing site, but a survey to fix
    rest = len(sample_assessment().departments) - 10
    assert rest > 0 and f"另有 {rest} 个单位未列出" in block


def test_names_are_whole_at_120_columns() -> None:
    screen = _sample_screen(120)
    assert "区委宣传部（区文明办）" in screen.split("可挽回分值最高的问题")[1]
    assert "…" not in screen.split("可挽回分值最高的问题")[1].split("另有")[0]


def test_detail_is_one_line_per_standard_at_80_columns() -> None:
    plain, detailed = _sample_screen(80), _sample_screen(80, detail=True)
    from report_fixtures import sample_assessment

    extra = len(detailed.splitlines()) - len(plain.splitlines())
    assert extra <= len(sample_assessment().standards) + 10
