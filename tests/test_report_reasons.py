"""Reasons as data: the engine sets a reason_code and its values, never a sentence; checker.report.reasons
writes every code in zh and en (with the same figures), and English outputs carry no engine-made Chinese."""

from __future__ import annotations

import io
import re
import tokenize
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import SAMPLE_ROUND, sample_assessment
from rich.console import Console
from scoring_support import evidence, sites, tiny

from checker.intake.evidence import Rejection
from checker.report.labels import LABELS, label
from checker.report.narrative import render_text
from checker.report.reasons import PLAN_NOTES, REASONS, gap_texts, plan_note_text, reason_text, veto_texts
from checker.report.terminal import render_terminal
from checker.scoring.assessment import Assessment, Options, StandardResult
from checker.scoring.evaluate import UNREGISTERED, evaluate

SCORING = Path(__file__).resolve().parent.parent / "checker" / "scoring"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
TEST_DATE = date(2026, 6, 15)


def _run(
    *, rejected: tuple[str, ...] = (), observed: bool = False, target: float | None = None, **kinds: Any
) -> Assessment:
    ev = evidence(**kinds)
    ev.rejected = [
        Rejection("x.xlsx", "s", 2 + i, "测评标准", "unknown-standard", (("value", m),))
        for i, m in enumerate(rejected)
    ]
    return evaluate(tiny(), ev, Options(test_date=TEST_DATE, observed_draw=observed, target=target))


def _inspections(fails: dict[int, int], n: int = 10) -> list[dict[str, Any]]:
    return [
        {
            "site_id": f"M{i}",
            "standard": "Ⅲ-1-1",
            "result": "fail" if i in fails else "pass",
            "cases": fails.get(i, 0),
        }
        for i in range(n)
    ]


def _docs(*names_dates: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"standard": "Ⅲ-1-2", "material": n, "date": d} for n, d in names_dates]


def _ratio(volunteers: float, population: float, day: str = "2026-03-01") -> list[dict[str, Any]]:
    return [
        {"indicator": "注册志愿者人数", "value": volunteers, "date": day},
        {"indicator": "常住人口", "value": population, "date": day},
    ]


# (reason_code, standard, evaluate kwargs, figures both texts must show, data names the en text may quote)
CASES: list[tuple[str, str, dict[str, Any], list[str], list[str]]] = [
    ("field.invalid", "Ⅲ-1-1", {"rejected": ("Ⅲ-1-1 结果无法识别", "Ⅲ-1-1 日期")}, ["2"], []),
    (
        "field.all_na",
        "Ⅲ-1-1",
        {"inspections": [{"site_id": "M0", "standard": "Ⅲ-1-1", "result": "na"}]},
        [],
        [],
    ),
    (
        "field.no_sites",
        "Ⅲ-1-1",
        {"sites": [{"site_id": "P1", "site_name": "公园1", "site_type": "公园"}]},
        ["农贸市场", "背街小巷"],
        ["农贸市场", "背街小巷"],
    ),
    ("field.no_inspection", "Ⅲ-1-1", {}, ["农贸市场", "5"], ["农贸市场", "背街小巷"]),
    ("field.pass", "Ⅲ-1-1", {"sites": sites(12), "inspections": _inspections({})}, ["10", "100%", "2"], []),
    (
        "field.partial",
        "Ⅲ-1-1",
        {"sites": sites(10), "inspections": _inspections({0: 1, 1: 3})},
        ["5", "10", "4"],
        [],
    ),
    ("field.fail", "Ⅲ-1-1", {"inspections": _inspections({i: 4 for i in range(10)})}, ["40", "10"], []),
    (
        "field.fail",  # the observed draw: the inspected sites are the assessors' draw
        "Ⅲ-1-1",
        {"observed": True, "inspections": _inspections({0: 2, 1: 2}, n=3)},
        ["3", "4"],
        [],
    ),
    ("document.invalid", "Ⅲ-1-2", {"rejected": ("Ⅲ-1-2 日期无法识别",)}, ["1"], []),
    ("document.none", "Ⅲ-1-2", {}, ["2"], []),
    (
        "document.missing",
        "Ⅲ-1-2",
        {"documents": _docs(("市场管理制度", "2020-01-01"))},
        ["市场管理制度", "检查台账"],
        ["市场管理制度", "检查台账"],
    ),
    (
        "document.complete",
        "Ⅲ-1-2",
        {"documents": _docs(("市场管理制度", "2026-01-10"), ("检查台账", "2026-02-01"))},
        ["2"],
        [],
    ),
    ("survey.invalid", "Ⅲ-2-1", {"rejected": ("Ⅲ-2-1 人数无法识别",) * 3}, ["Q01", "3"], []),
    (
        "survey.none",
        "Ⅲ-2-1",
        {"survey": [{"question": "Q09", "respondents": 50, "favourable": 48}]},
        ["Q01"],
        [],
    ),
    (
        "survey.met",
        "Ⅲ-2-1",
        {"survey": [{"question": "Q01", "respondents": 300, "favourable": 287}]},
        ["95.67%", "300", "90%"],
        [],
    ),
    (
        "survey.short",
        "Ⅲ-2-1",
        {"survey": [{"question": "Q01", "respondents": 60, "favourable": 45}]},
        ["75%", "60", "90%", "100"],
        [],
    ),
    ("data.invalid", "Ⅲ-2-2", {"rejected": ("Ⅲ-2-2 数值无法识别",) * 4}, ["4"], []),
    (
        "data.out_of_window",
        "Ⅲ-2-2",
        {"indicators": _ratio(13000, 100000, "2020-01-01")},
        ["注册志愿者人数"],
        ["注册志愿者人数", "常住人口"],
    ),
    ("data.none", "Ⅲ-2-2", {}, ["注册志愿者人数", "常住人口"], ["注册志愿者人数", "常住人口"]),
    ("data.zero_denominator", "Ⅲ-2-2", {"indicators": _ratio(13000, 0)}, ["常住人口", "0"], ["常住人口"]),
    (
        "data.met",
        "Ⅲ-2-2",
        {"indicators": _ratio(13500, 100000)},
        ["13.5%", "13%"],
        ["注册志愿者人数/常住人口"],
    ),
    (
        "data.short",
        "Ⅲ-2-2",
        {"indicators": _ratio(11483.9, 100000)},
        ["11.48%", ">= 13%"],
        ["注册志愿者人数/常住人口"],
    ),
]


def _without(text: str, names: list[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    return text


@pytest.mark.parametrize(("code", "standard", "kwargs", "figures", "names"), CASES, ids=[c[0] for c in CASES])
def test_each_reason_code_in_zh_and_en(
    code: str, standard: str, kwargs: dict[str, Any], figures: list[str], names: list[str]
) -> None:
    a = _run(**kwargs)
    result = next(s for s in a.standards if s.code == standard)
    assert (result.reason_code, result.reason_args != () or code == "field.all_na") == (code, True)
    zh, en = reason_text(result, "zh"), reason_text(result, "en")
    assert zh != en and "{" not in zh + en, (zh, en)  # every value filled in
    for figure in figures:
        assert figure in zh and figure in en, (figure, zh, en)
    assert not CJK.search(_without(en, names)), en  # no Chinese in English but the data's own names
    assert hash(result.reason_args) is not None  # frozen and hashable


def test_every_reason_code_the_engine_sets_has_a_text_and_a_case() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in SCORING.glob("*.py"))
    set_by_engine = set(re.findall(r'"((?:field|document|survey|data)\.[a-z_]+)"', source))
    assert set_by_engine == set(REASONS)
    assert {c[0] for c in CASES} == set(REASONS)


def test_numbers_have_at_most_two_decimals_without_trailing_zeros() -> None:
    a = _run(
        indicators=_ratio(11483.87, 100000),
        survey=[{"question": "Q01", "respondents": 200, "favourable": 180}],
    )
    by_code = {s.code: s for s in a.standards}
    assert reason_text(by_code["Ⅲ-2-2"], "zh") == "注册志愿者人数/常住人口 = 11.48%，目标 >= 13%"
    assert reason_text(by_code["Ⅲ-2-2"], "en") == "注册志愿者人数/常住人口 = 11.48%, target >= 13%"
    assert "肯定率 90%（95% 区间 85.06%–93.43%，样本 200），目标 90%" in reason_text(by_code["Ⅲ-2-1"], "zh")


def test_a_unit_that_is_a_word_follows_a_space() -> None:
    result = StandardResult(
        "X", "t", "data", "Ⅰ", "Ⅱ", "Ⅲ", 1.0, "partial", "B", 0.66, 0.66, 0.0, "", (),
        reason_code="data.short",
        reason_args=(("indicator", "时长"), ("value", 18.3937), ("unit", "小时/人"), ("direction", ">="), ("target", 20.0)),
    )  # fmt: skip
    assert reason_text(result, "zh") == "时长 = 18.39 小时/人，目标 >= 20 小时/人"
    assert reason_text(result, "en") == "时长 = 18.39 小时/人, target >= 20 小时/人"


def test_an_unknown_code_or_values_that_do_not_fit_are_a_programming_error() -> None:
    """There is no sentence to fall back on: a code without a template, or values that do not fill it,
    fail loudly (in the tests) instead of printing a raw code to a leader."""
    from dataclasses import replace

    base = StandardResult("X", "t", "data", "Ⅰ", "Ⅱ", "Ⅲ", 1.0, "partial", "B", 0.66, 0.66, 0.0, "", ())
    for result in (base, replace(base, reason_code="no.such"), replace(base, reason_code="data.short")):
        with pytest.raises(KeyError):
            reason_text(result, "zh")


def test_the_engine_writes_no_sentence() -> None:
    """No string literal of checker.scoring holds Chinese, apart from the names it gives values (a
    placeholder street, an unknown site type), the ledger's reply statuses (the vocabulary replies are
    written in) and the list separator "、" (a coverage gap's standards); comments and docstrings may use
    the domain's words."""
    allowed = {'"(未登记)"', '"(未知类型)"', '"已整改"', '"整改中"', '"无法整改"', '"有异议"', '"、"'}
    found = [f"{path.name}:{line}: {text}" for path in sorted(SCORING.glob("*.py"))
             for line, text in _chinese_literals(path) if text not in allowed]  # fmt: skip
    assert not found, "\n".join(found)


def _chinese_literals(path: Path) -> list[tuple[int, str]]:
    """(line, literal) of every string literal holding Chinese that is not a docstring (a string standing
    alone as a statement, outside any bracket)."""
    out = []
    depth, statement_start = 0, True
    with path.open(encoding="utf-8") as handle:
        for token in tokenize.generate_tokens(handle.readline):
            if token.type in (tokenize.NL, tokenize.COMMENT):
                continue
            docstring = statement_start and depth == 0
            if token.type == tokenize.STRING and CJK.search(token.string) and not docstring:
                out.append((token.start[0], token.string))
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
            statement_start = token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    return out


def test_the_literal_finder_sees_arguments_and_skips_docstrings(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text(
        '"""模块。"""\n\n\ndef f() -> None:\n    """函数。"""\n    g(\n        "参数",\n    )\n    x = "值"\n',
        encoding="utf-8",
    )
    assert _chinese_literals(source) == [(7, '"参数"'), (9, '"值"')]


# -- gaps, veto and plan notes from the engine ---------------------------------------------------------


def test_engine_gap_texts_in_english() -> None:
    a = _run(
        sites=sites(3),
        inspections=_inspections({0: 1}, n=2),
        documents=_docs(("市场管理制度", "2020-01-01")),
        survey=[{"question": "Q01", "respondents": 200, "favourable": 150}],
        incidents=[{"item": "N1", "date": "2026-05-01", "note": "某工地"}],
    )
    description, required = gap_texts(a, a.gaps, "en")
    en = dict(zip(a.gaps["reason_code"], zip(description, required, strict=True), strict=True))
    assert en["material.out_of_window"][0] == "市场管理制度: dated outside the window"
    assert en["material.missing"][0] == "检查台账: not submitted"
    assert en["coverage.not_inspected"][0] == "this site was not inspected for 1 standard"
    assert en["negative.deduction"] == ("N1 发生重大安全生产事故: 某工地", "deduct 3 points")
    assert en["survey.short"][0].startswith("Q01: favourable rate 75%")
    zh_description, zh_required = gap_texts(a, a.gaps, "zh")
    zh = dict(zip(a.gaps["reason_code"], zip(zh_description, zh_required, strict=True), strict=True))
    assert zh["material.out_of_window"][0] == "市场管理制度：日期不在时间范围内"
    assert zh["material.missing"] == ("检查台账：未提交", "检查台账")
    assert zh["coverage.not_inspected"][0] == "该点位尚有1项标准未检查"
    assert zh["negative.deduction"] == ("N1 发生重大安全生产事故：某工地", "扣 3 分")
    assert zh["survey.short"][0].startswith("Q01 肯定率 75%")
    # The engine's own frame holds no sentence: only the evidence's text, where there is no code.
    coded = a.gaps["reason_code"] != ""
    assert coded.any() and (a.gaps.loc[coded, "description"] == "").all()
    assert (a.gaps.loc[a.gaps["kind"] == "negative", "required"] == "").all()


@pytest.mark.parametrize(
    ("code", "kwargs", "figures"),
    [
        ("plan.no_target", {}, []),
        (
            "plan.reached",
            {"target": 1.0, "survey": [{"question": "Q01", "respondents": 200, "favourable": 190}]},
            ["1"],
        ),
        (
            "plan.unreachable",  # every fix made still leaves the N1 deduction: 100 is out of reach
            {
                "target": 100.0,
                "sites": sites(4),
                "inspections": _inspections({0: 1}, n=4),
                "incidents": [{"item": "N1", "date": "2026-05-01"}],
            },
            ["100"],
        ),
        (
            "plan.greedy_reached",
            {"target": 30.0, "sites": sites(4), "inspections": _inspections({0: 3, 1: 3}, n=4)},
            ["30"],
        ),
        (
            "plan.veto",
            {"target": 90.0, "incidents": [{"item": "N2", "date": "2026-05-01"}]},
            ["N2", "2026-05-01"],
        ),
    ],
)
def test_plan_notes_in_zh_and_en(code: str, kwargs: dict[str, Any], figures: list[str]) -> None:
    a = _run(**kwargs)
    assert a.plan_note_code == code
    zh, en = plan_note_text(a, "zh"), plan_note_text(a, "en")
    assert zh and en and zh != en and "{" not in zh + en, (zh, en)
    for figure in figures:
        assert figure in zh and figure in en
    names = [e.text for e in a.negative_events]
    assert not CJK.search(_without(en, names)), en
    if code == "plan.veto":
        assert veto_texts(a, "en") == ["N2 党政主要领导严重违纪违法 (2026-05-01)"]
        assert veto_texts(a, "zh") == ["N2 党政主要领导严重违纪违法（2026-05-01）"]
        assert zh == "存在一票否决事项，无法通过整改达到目标：N2 党政主要领导严重违纪违法（2026-05-01）"
    assert code in PLAN_NOTES or code == "plan.veto"


def test_the_unregistered_placeholder_is_the_engines() -> None:
    assert label("unregistered", "zh") == UNREGISTERED


# -- the sample round ---------------------------------------------------------------------------------

needs_sample = pytest.mark.skipif(not SAMPLE_ROUND.is_dir(), reason="evidence/sample is not present")


def _fixed_parts() -> set[str]:
    """The Chinese fixed parts of every engine-made sentence's zh template (two CJK characters or more)."""
    parts: set[str] = set()
    for key, (zh, _) in LABELS.items():
        if key.startswith(("reason.", "material.", "gap.", "plan.", "veto_reason")):
            for piece in re.split(r"\{[a-z_]+\}", zh):
                for run in re.findall(
                    r"[\u3400-\u9fff][\u3000-\u303f\u3400-\u9fff\uff00-\uffef]*[\u3400-\u9fff]", piece
                ):
                    parts.add(run)
    return parts


@needs_sample
def test_sample_codes_all_have_templates() -> None:
    """Every code the sample round sets renders in both languages (its zh outputs are pinned by the golden
    files sample.*, which did not change when the engine stopped writing the sentences itself)."""
    a = sample_assessment()
    assert {s.reason_code for s in a.standards} <= set(REASONS)
    assert a.plan_note_code in PLAN_NOTES
    for lang in ("zh", "en"):
        description, _ = gap_texts(a, a.gaps, lang)
        assert all(description), lang  # every gap says something: its evidence, or its code's sentence


@needs_sample
def test_sample_english_outputs_have_no_engine_made_chinese() -> None:
    a = sample_assessment()
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=False, color_system=None)
    render_terminal(a, lang="en", detail=True, console=console)
    outputs = {"terminal": buffer.getvalue(), "text": render_text(a, "en")}
    # Evidence and handbook text (standard text, material and indicator names, problem descriptions) is data
    # and stays as written: remove it before looking for the templates' fixed parts.
    data = [s.text for s in a.standards] + [m for s in a.standards for m in s.missing_materials]
    data += [str(v) for s in a.standards for _, v in s.reason_args if isinstance(v, str)]
    data += [d for d in a.gaps["description"].tolist() if d] + [e.text for e in a.negative_events]
    data += [e.note for e in a.negative_events]
    parts = _fixed_parts()
    assert "肯定率" in parts and "个点位中" in parts and "未提交" in parts
    for name, text in outputs.items():
        shown = _without(text, data + [g for g in a.gaps["site_name"].tolist() if g])
        found = sorted(p for p in parts if p in shown)
        assert not found, (name, found)
        assert "%（" not in text and "小时/人，" not in text
