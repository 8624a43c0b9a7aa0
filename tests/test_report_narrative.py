"""存在的问题 reads like the office wrote it: judgements, numbers in prose, the units that own the loss,
every kind of loss — and none of the report tables' notation (codes, intervals, sample sizes)."""

from __future__ import annotations

import re

import pytest
from report_fixtures import sample_assessment

from checker.report.narrative import render_text


@pytest.fixture(scope="module")
def zh() -> str:
    return render_text(sample_assessment(), "zh")


def test_no_codes_or_statistics_in_the_prose(zh: str) -> None:
    assert not re.search(r"[ⅠⅡⅢ]-\d", zh), "standard codes stay in the tables"
    for jargon in ("95%", "区间 ", "样本", ">=", "Q0", "未达目标（"):
        assert jargon not in zh, jargon


def test_items_are_judgements_with_figures_in_words(zh: str) -> None:
    items = [line for line in zh.splitlines() if line.startswith(("一是", "二是", "三是", "四是", "五是"))]
    problems = items[: len(items) // 2 + 1]
    assert all("有待于进一步加强" in line or "负面清单" in line for line in problems[:5])
    assert "实名注册志愿者人数占常住人口的比例为11.5%，低于13%的目标" in zh


def test_the_volunteer_shortfall_names_its_unit(zh: str) -> None:
    item = next(line for line in zh.splitlines() if "志愿者" in line and line.startswith("一是"))
    assert "主要涉及团区委" in item  # the unit with most points to recover in that item


def test_negative_list_events_have_their_own_item_and_step(zh: str) -> None:
    assert (
        "负面清单事件须引起高度重视。2026年3月14日出现“发生在全国有重大影响的安全生产事故”情形，扣3分" in zh
    )
    assert "守牢负面清单底线" in zh


def test_the_plan_is_a_number_not_its_algorithm(zh: str) -> None:
    report = render_text(sample_assessment(), "zh")
    assert "贪心" not in report and "greedy" not in report
