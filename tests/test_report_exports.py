"""The report package exports exactly its three functions."""

from __future__ import annotations

import inspect

import checker.report


def test_all_is_exactly_the_three_renderers() -> None:
    assert checker.report.__all__ == ["render_terminal", "report_json_schema", "write_reports"]
    assert sorted(checker.report.__all__) == checker.report.__all__
    for name in checker.report.__all__:
        assert inspect.isfunction(getattr(checker.report, name))


def test_signatures_match_the_brief() -> None:
    terminal = inspect.signature(checker.report.render_terminal)
    assert [p.name for p in terminal.parameters.values()] == ["assessment", "lang", "detail", "console"]
    assert terminal.parameters["lang"].default == "zh"
    assert terminal.parameters["lang"].kind is inspect.Parameter.KEYWORD_ONLY
    write = inspect.signature(checker.report.write_reports)
    assert [p.name for p in write.parameters.values()] == [
        "assessment",
        "out_dir",
        "formats",
        "lang",
        "dispatch",
        "force",
        "progress",  # one call per output written; silent by default
        "timings",  # each output's seconds, when asked for
    ]
    assert write.parameters["force"].default is False
    assert write.parameters["progress"].default is None
    assert write.parameters["timings"].default is None
