"""``civcheck handbook …`` through ``checker.cli.main``: exit codes 0/2, messages, never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cjk import CJK, cjk_outside_quotes

from checker.cli import main
from checker.errors import HandbookError
from checker.handbook.loader import load_handbook

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
TINY = FIXTURES / "tiny"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich tables must not wrap the values the tests look for
    monkeypatch.setenv("CIVCHECK_LANG", "en")  # the messages below in English; `--lang zh` where Chinese


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["handbook", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_show_prints_every_part_of_a_standard(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "Ⅲ-1-1", "--handbook", str(TINY), "--lang", "zh")
    assert code == 0
    for part in (
        "Ⅰ-1 公共环境",
        "Ⅱ-1 市容环境",
        "Ⅲ-1 市场秩序",
        "农贸市场划行归市，无占道经营",
        "实地考察 (field)",
        "问题数 ≤ 0 → A",
        "区市场监管局",
        "区城管局",
        "规范摊位，清理场外占道",
        "OLD-1",
    ):
        assert part in out, part
    assert "农贸市场" in out and "背街小巷" in out


@pytest.mark.parametrize(
    ("code", "parts"),
    [
        ("OLD-1", ["Ⅲ-1-1"]),
        ("Ⅲ-1-2", ["材料审核 (document)", "市场管理制度", "工作台账 (record)", "12 个月"]),
        ("Ⅲ-2-1", ["问卷调查 (survey)", "Q01", "90%", "最低有效样本 100"]),
        ("Ⅲ-2-2", ["数据指标 (data)", "注册志愿者人数 ÷ 常住人口 × 100", "≥ 13%"]),
    ],
)
def test_show_each_method(capsys: pytest.CaptureFixture[str], code: str, parts: list[str]) -> None:
    exit_code, out, _ = run(capsys, "show", code, "-H", str(TINY), "--lang", "zh")
    assert exit_code == 0
    for part in parts:
        assert part in out, part


def test_show_unknown_code_suggests_close_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "Ⅲ-1-9", "-H", str(TINY))
    assert code == 2
    assert "no standard 'Ⅲ-1-9'" in err
    assert "did you mean: Ⅲ-1-1" in err or "did you mean: Ⅲ-1-2" in err
    assert out == ""


def test_show_on_a_broken_pack_lists_its_problems(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show", "Ⅲ-1-1", "-H", str(FIXTURES / "broken" / "unknown-key" / "pack"))
    assert code == 2
    assert "unknown key 'colour' (unknown-key)" in err


def test_validate_good_and_broken(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(TINY))
    assert code == 0 and "valid" in out
    code, out, _ = run(capsys, "validate", str(TINY), "--lang", "zh")
    assert code == 0 and "4 条测评标准，有效" in out
    code, _, err = run(capsys, "validate", str(FIXTURES / "broken" / "many-problems" / "pack"))
    assert code == 2
    assert "8 problems" in err
    assert err.count("pack/projects.yaml:") >= 6
    code, _, err = run(capsys, "validate", str(FIXTURES / "no-such-pack"))
    assert code == 2 and "no handbook pack" in err


def test_list_shows_valid_and_invalid_packs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", str(FIXTURES))
    assert code == 0
    line = next(row for row in out.splitlines() if "tiny" in row)
    assert "测试用小型测评体系" in line and "2026-test" in line and " 4 " in line and "valid" in line
    assert "invalid (8 problems)" in out
    assert "invalid (1 problem)" in out
    code, _, err = run(capsys, "list", str(FIXTURES / "nowhere"))
    assert code == 2 and "does not exist" in err


def test_export_then_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = tmp_path / "handbook.xlsx"
    assert run(capsys, "export", str(TINY), "-o", str(workbook))[0] == 0
    code, _, err = run(capsys, "export", str(TINY), "-o", str(workbook))
    assert code == 2 and "--force" in err
    assert run(capsys, "export", str(TINY), "-o", str(workbook), "--force")[0] == 0
    code, _, err = run(capsys, "export", str(TINY), "-o", str(tmp_path / "handbook.csv"))
    assert code == 2 and ".xlsx" in err
    target = tmp_path / "pack"
    code, out, _ = run(capsys, "import", str(workbook), "-o", str(target))
    assert code == 0 and "4 standards" in out
    assert load_handbook(target) == load_handbook(TINY)
    code, _, err = run(capsys, "import", str(workbook), "-o", str(target))
    assert code == 2 and "--force" in err
    assert run(capsys, "import", str(workbook), "-o", str(target), "--force")[0] == 0


def test_import_of_a_bad_workbook_lists_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "handbook.xlsx"
    fake.write_bytes(b"PK\x03\x04 broken")
    code, _, err = run(capsys, "import", str(fake), "-o", str(tmp_path / "pack"))
    assert code == 2 and "workbook-unreadable" in err
    code, _, err = run(capsys, "import", str(tmp_path / "missing.xlsx"), "-o", str(tmp_path / "pack"))
    assert code == 2 and "is not a file" in err
    assert not (tmp_path / "pack").exists()


def _poisoned(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[bytes], bytes]) -> Path:
    """The tiny pack exported, with the XML of its first sheet changed by ``edit``."""
    import zipfile

    good = tmp_path / "good.xlsx"
    assert run(capsys, "export", str(TINY), "-o", str(good))[0] == 0
    bad = tmp_path / "handbook.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            target.writestr(info.filename, data)
    return bad


def test_import_refuses_a_huge_inline_cell_with_the_intake_preflight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = b'<c r="Z1" t="inlineStr"><is><t>' + b"a" * (60 * 1024 * 1024) + b"</t></is></c>"
    bad = _poisoned(tmp_path, capsys, lambda xml: xml.replace(b"</row>", huge + b"</row>", 1))
    assert bad.stat().st_size < 1024 * 1024
    code, _, err = run(capsys, "import", str(bad), "-o", str(tmp_path / "pack"))
    assert code == 2 and "zip-bomb" in err and "max_ratio" in err
    assert not (tmp_path / "pack").exists()


def test_import_of_an_undefined_entity_is_a_problem_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _poisoned(tmp_path, capsys, lambda xml: xml.replace(b"<t>", b"<t>&nosuch;", 1))
    code, _, err = run(capsys, "import", str(bad), "-o", str(tmp_path / "pack"))
    assert code == 2 and "workbook-unreadable" in err and "undefined entity" in err
    assert "Traceback" not in err


BROKEN_CASES = sorted(p.parent.name for p in (FIXTURES / "broken").glob("*/expected.yaml"))


@pytest.mark.parametrize("case", BROKEN_CASES)
def test_validate_a_broken_pack_in_english_has_no_chinese_but_its_evidence(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = FIXTURES / "broken" / case / "pack"
    with pytest.raises(HandbookError) as caught:
        load_handbook(pack)
    where = tuple(s for p in caught.value.problems for s in (p.file, p.path))
    code, out, err = run(capsys, "validate", str(pack), "--lang", "en")
    assert code == 2 and out == ""
    assert f"{len(caught.value.problems)} problem" in err
    text = err.replace("\n", "")
    assert all(f"({p.code})" in text for p in caught.value.problems)
    assert not cjk_outside_quotes(text, (str(pack), *where)), err
    _, _, chinese = run(capsys, "validate", str(pack), "--lang", "zh")
    assert "个问题" in chinese and CJK.search(chinese.replace(str(pack), ""))


def _strings(value: object) -> Iterator[str]:
    """Every text of the pack's data: names, standards, advice … (evidence the user wrote)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("code", ["Ⅲ-1-1", "Ⅲ-1-2", "Ⅲ-2-1", "Ⅲ-2-2"])
def test_show_in_english_has_no_chinese_but_the_packs_own_words(
    code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = load_handbook(TINY)
    exit_code, out, _ = run(capsys, "show", code, "-H", str(TINY), "--lang", "en")
    assert exit_code == 0
    for label in ("project", "standard", "method", "grading", "lead unit", "advice"):
        assert label in out, label
    evidence = tuple(_strings(pack.model_dump(by_alias=True)))
    text = "\n".join(line.strip(" │╭╮╰╯─") for line in out.splitlines())
    assert not cjk_outside_quotes(text, evidence), out


def test_import_of_a_spoilt_workbook_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    workbook = tmp_path / "handbook.xlsx"
    assert run(capsys, "export", str(TINY), "-o", str(workbook))[0] == 0
    book = load_workbook(workbook)
    book["测评标准"]["F3"] = "抽样调查"
    book["测评标准"]["G4"] = "两分"
    book["点位类型"]["C2"] = "很多"
    del book["负面清单"]
    book.save(workbook)
    code, _, err = run(capsys, "import", str(workbook), "-o", str(tmp_path / "pack"), "--lang", "en")
    assert code == 2
    for wanted in ("sheet-missing", "unknown-method", "not-a-number", "'两分' is not a number"):
        assert wanted in err, wanted
    headers = ("测评标准", "点位类型", "测评方法", "分值", "默认抽查数量", "负面清单")
    assert not cjk_outside_quotes(err.replace("\n", ""), headers), err
