"""The bundled criteria packs load, and the wenming-city pack is rich enough to stand for a real handbook."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from checker.handbook.loader import load_handbook
from checker.handbook.model import METHODS, Handbook

CRITERIA = Path(__file__).resolve().parent.parent / "criteria"
BUNDLED = sorted(p.name for p in CRITERIA.iterdir() if p.is_dir() and any(p.glob("*.yaml")))


@pytest.fixture(scope="module")
def city() -> Handbook:
    return load_handbook("wenming-city")


def _load(pack: str) -> Handbook:
    return load_handbook(pack)


def test_the_expected_packs_are_bundled() -> None:
    assert {"wenming-city", "minors"} <= set(BUNDLED)


@pytest.mark.parametrize("pack", BUNDLED)
def test_pack_loads_by_id_and_by_path(pack: str) -> None:
    by_id = load_handbook(pack)
    by_path = load_handbook(CRITERIA / pack)
    assert by_id.id == pack
    assert by_id == by_path
    assert by_id.standards


@pytest.mark.parametrize("pack", BUNDLED)
def test_pack_says_honestly_it_is_representative(pack: str) -> None:
    handbook = _load(pack)
    for text in (handbook.description, handbook.source):
        assert "representative" in text.lower() or "代表性" in text
    assert "not the official" in handbook.description.lower()
    assert "local_setting" in handbook.description


@pytest.mark.parametrize("pack", BUNDLED)
def test_every_department_is_used_by_some_standard(pack: str) -> None:
    handbook = _load(pack)
    used = {d for s in handbook.standards for d in s.departments}
    unused = [d.name for d in handbook.departments if d.name not in used]
    assert not unused


@pytest.mark.parametrize("pack", BUNDLED)
def test_every_site_type_has_field_standards(pack: str) -> None:
    handbook = _load(pack)
    covered = Counter(t for s in handbook.standards if s.field for t in s.field.site_types)
    assert [t.name for t in handbook.site_types if covered[t.name] == 0] == []


@pytest.mark.parametrize("pack", BUNDLED)
def test_advice_is_present_and_specific(pack: str) -> None:
    handbook = _load(pack)
    advice = Counter(s.advice for s in handbook.standards)
    assert all(len(a) >= 10 for a in advice)
    assert [a for a, n in advice.items() if n > 3] == []


@pytest.mark.parametrize("pack", BUNDLED)
def test_standard_codes_number_their_content_consecutively(pack: str) -> None:
    handbook = _load(pack)
    for _project, _indicator, content in (
        (p, i, c) for p in handbook.projects for i in p.indicators for c in i.contents
    ):
        codes = [s.code for s in content.standards]
        assert codes == [f"{content.code}-{n}" for n in range(1, len(codes) + 1)], content.code


@pytest.mark.parametrize("pack", BUNDLED)
def test_level_codes_use_roman_numerals_in_order(pack: str) -> None:
    handbook = _load(pack)
    projects = [p.code for p in handbook.projects]
    indicators = [i.code for p in handbook.projects for i in p.indicators]
    contents = [c.code for p in handbook.projects for i in p.indicators for c in i.contents]
    assert projects == [f"Ⅰ-{n}" for n in range(1, len(projects) + 1)]
    assert indicators == [f"Ⅱ-{n}" for n in range(1, len(indicators) + 1)]
    assert contents == [f"Ⅲ-{n}" for n in range(1, len(contents) + 1)]


@pytest.mark.parametrize("pack", BUNDLED)
def test_survey_questions_are_unique_ids(pack: str) -> None:
    handbook = _load(pack)
    questions = [s.survey.question for s in handbook.standards if s.survey]
    assert len(questions) == len(set(questions))
    assert all(re.fullmatch(r"Q\d{2}", q) for q in questions)


@pytest.mark.parametrize("pack", BUNDLED)
def test_points_are_realistic(pack: str) -> None:
    handbook = _load(pack)
    assert all(0.5 <= s.points <= 3 for s in handbook.standards)


@pytest.mark.parametrize("pack", BUNDLED)
def test_negative_list_is_complete(pack: str) -> None:
    handbook = _load(pack)
    assert handbook.negative_list
    assert any(n.veto for n in handbook.negative_list)
    for item in handbook.negative_list:
        assert item.lead
        assert item.veto or item.deduction > 0
        assert item.lookback_months == 12


# -- the wenming-city pack meets the minimum size of a representative handbook ----------------------


def test_city_pack_levels(city: Handbook) -> None:
    indicators = [i for p in city.projects for i in p.indicators]
    contents = [c for i in indicators for c in i.contents]
    assert len(city.projects) >= 7
    assert len(indicators) >= 25
    assert len(contents) >= 55
    assert len(city.standards) >= 150


def test_city_pack_methods_and_weights(city: Handbook) -> None:
    by_method = Counter(s.method for s in city.standards)
    assert set(by_method) == set(METHODS)
    assert by_method["field"] == max(by_method.values())
    assert by_method["survey"] >= 10
    assert by_method["data"] >= 6
    weights = city.settings.method_weights
    assert (weights.document, weights.field, weights.survey) == (40, 40, 20)
    assert city.settings.total_points == 100


def test_city_pack_site_types_departments_negative_list(city: Handbook) -> None:
    assert len(city.site_types) >= 25
    assert all(t.aliases and t.local_setting for t in city.site_types)
    assert len(city.departments) >= 20
    assert len(city.negative_list) >= 10
    assert any(n.veto for n in city.negative_list)


def test_city_pack_known_codes_and_aliases(city: Handbook) -> None:
    barrier_free = city.standard("III-57-2")
    assert barrier_free.code == "Ⅲ-57-2"
    assert city.standard("wmcs-2017:Ⅲ-57-2") is barrier_free
    assert city.site_type_index()["菜市场"] == "农贸市场"
    assert city.site_type_index()["主干道"] == "主次干道"
    assert city.department_index()["市场监管局城东分局"] == "区市场监督管理局"
    assert city.department_index()["城管局"] == "区城市管理综合执法局"


def test_city_pack_method_blocks_are_filled_in(city: Handbook) -> None:
    for s in city.standards:
        if s.field:
            assert s.field.case_definition, s.code
        if s.document:
            assert {m.kind for m in s.document.materials} <= {
                "regulation",
                "explanation",
                "photo",
                "table",
                "record",
            }
        if s.survey:
            assert 0.75 <= s.survey.target <= 0.95, s.code
        if s.data:
            assert s.data.local_setting, s.code


def test_minors_pack_shape() -> None:
    minors = load_handbook("minors")
    assert len(minors.projects) == 5
    assert 25 <= len(minors.standards) <= 32
    assert {s.method for s in minors.standards} == set(METHODS)
    for name in ("学校校内", "学校周边", "网吧", "乡村学校少年宫", "未成年人心理健康辅导站", "校外培训机构"):
        assert minors.site_type(name).sample >= 1
    weights = minors.settings.method_weights
    assert weights.document + weights.field + weights.survey == minors.settings.total_points
