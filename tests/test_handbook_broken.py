"""Broken handbooks, one folder per rule under fixtures/packs/broken: every problem named by file, line and path.

Each case is ``<case>/pack/`` (the pack) and ``<case>/expected.yaml`` (what loading it must report). The
projection compared is ``(code, file, line)`` for every problem — no missing and no extra problems —
and each expected path fragment must appear in the reported path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cjk import CJK, cjk_outside_quotes

from checker.errors import HandbookError, PackProblem
from checker.handbook.codes import CODES as HANDBOOK_CODES
from checker.handbook.codes import render, render_problem
from checker.handbook.loader import MAX_PACK_BYTES, MAX_PACK_FILES, load_handbook
from checker.handbook.yamlsafe import MAX_DEPTH, MAX_FILE_BYTES, MAX_PACK_NODES, LoadedYaml, load_yaml

BROKEN = Path(__file__).parent / "fixtures" / "packs" / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expected.yaml").is_file())


# Limits too large for a fixture folder: those packs are written by the test (test_a_pack_past_a_limit).
GENERATED = {"yaml-too-big", "pack-too-big", "pack-too-many-files", "yaml-too-many-nodes"}
# Codes no pack can cause: the YAML composer hands over nothing but scalars, sequences and mappings; a file
# that exists but cannot be read needs a file system that refuses its owner (tested in test_handbook_*).
UNREACHABLE = {"yaml-node", "yaml-unreadable"}


def _problems(pack: Path) -> list[PackProblem]:
    with pytest.raises(HandbookError) as caught:
        load_handbook(pack)
    return caught.value.problems


def _file(problem: PackProblem, case: Path) -> str:
    """The problem's file as expected.yaml names it: a problem of the whole pack names its folder."""
    where = Path(problem.file)
    return where.relative_to(case).as_posix() if where.is_absolute() else problem.file


def test_there_is_a_case_for_every_rule() -> None:
    found = {
        item["code"]
        for case in CASES
        for item in yaml.safe_load((BROKEN / case / "expected.yaml").read_text(encoding="utf-8"))["problems"]
    }
    pack_codes = {c.code for c in HANDBOOK_CODES.values() if c.family != "workbook"}
    assert pack_codes - UNREACHABLE - GENERATED <= found, "a handbook code without a broken-pack case"
    assert found <= set(HANDBOOK_CODES)


def _write_tiny(folder: Path, name: str = "pack.yaml") -> None:
    tiny = (Path(__file__).parent / "fixtures" / "packs" / "tiny" / "pack.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(tiny, encoding="utf-8")


def _pack_past(limit: str, folder: Path) -> None:
    _write_tiny(folder)
    if limit == "yaml-too-big":  # one file over MAX_FILE_BYTES
        (folder / "notes.yaml").write_text("# x\n" * (MAX_FILE_BYTES // 4 + 1), encoding="utf-8")
    elif limit == "pack-too-big":  # files under their own limit, together over MAX_PACK_BYTES
        for n in range(MAX_PACK_BYTES // MAX_FILE_BYTES + 1):
            (folder / f"notes-{n}.yaml").write_text("# x\n" * (MAX_FILE_BYTES // 4 - 1), encoding="utf-8")
    elif limit == "pack-too-many-files":
        for n in range(MAX_PACK_FILES):
            (folder / f"extra-{n:03}.yaml").write_text(f"extra_{n}: []\n", encoding="utf-8")
    else:  # yaml-too-many-nodes: small text, more values than MAX_PACK_NODES
        (folder / "values.yaml").write_text("values: [" + "0," * MAX_PACK_NODES + "0]\n", encoding="utf-8")


@pytest.mark.parametrize("limit", sorted(GENERATED))
def test_a_pack_past_a_limit_is_refused_with_its_code(limit: str, tmp_path: Path) -> None:
    _pack_past(limit, tmp_path / "pack")
    problems = _problems(tmp_path / "pack")
    assert [p.code for p in problems] == [limit]


@pytest.mark.parametrize("case", CASES)
def test_broken_pack_reports_every_problem_where_it_is(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a YAML tag that ran a shell command would leave a file here
    expected = yaml.safe_load((BROKEN / case / "expected.yaml").read_text(encoding="utf-8"))["problems"]
    problems = _problems(BROKEN / case / "pack")
    assert sorted((p.code, _file(p, BROKEN / case), p.line) for p in problems) == sorted(
        (e["code"], e["file"], e["line"]) for e in expected
    )
    for item in expected:
        match = next(
            p
            for p in problems
            if (p.code, _file(p, BROKEN / case), p.line) == (item["code"], item["file"], item["line"])
        )
        assert item["path"] in match.path
    assert list(tmp_path.iterdir()) == []


def _english_is_english(problem: PackProblem) -> None:
    """The problem renders in both languages from its record; the English has no Chinese of its own."""
    zh, en = render(problem.code, problem.fields, "zh"), render(problem.code, problem.fields, "en")
    assert zh and en and zh != en, problem
    assert CJK.search(zh), zh
    assert not cjk_outside_quotes(en), en
    line = render_problem(problem, "en")
    assert line.endswith(f": {en} ({problem.code})")
    assert not cjk_outside_quotes(line, (problem.file, problem.path)), line


@pytest.mark.parametrize("case", CASES)
def test_every_broken_pack_renders_in_english_without_chinese_of_its_own(case: str) -> None:
    for problem in _problems(BROKEN / case / "pack"):
        _english_is_english(problem)


@pytest.mark.parametrize("limit", sorted(GENERATED))
def test_a_pack_past_a_limit_renders_in_both_languages(limit: str, tmp_path: Path) -> None:
    _pack_past(limit, tmp_path / "pack")
    for problem in _problems(tmp_path / "pack"):
        _english_is_english(problem)


def test_several_problems_come_back_in_one_run() -> None:
    problems = _problems(BROKEN / "many-problems" / "pack")
    assert len(problems) == 8
    assert {p.file for p in problems} == {"pack/pack.yaml", "pack/projects.yaml"}


def _load_text(tmp_path: Path, text: str) -> LoadedYaml | PackProblem:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    return load_yaml(path, "doc.yaml")


def test_plain_scalars_keep_codes_and_yes_no_words_as_text(tmp_path: Path) -> None:
    loaded = _load_text(
        tmp_path,
        "code: 010\ntext: no\nshort: NO\nwhen: 2023-05-03\nclock: 12:30\nver: 1.10\nflag: true\nn: 7\n",
    )
    assert isinstance(loaded, LoadedYaml)
    assert loaded.data == {
        "code": "010",
        "text": "no",
        "short": "NO",
        "when": "2023-05-03",
        "clock": "12:30",
        "ver": 1.1,
        "flag": True,
        "n": 7,
    }


def test_a_pack_with_010_and_no_loads_them_as_strings(tmp_path: Path) -> None:
    tiny = (Path(__file__).parent / "fixtures" / "packs" / "tiny" / "pack.yaml").read_text(encoding="utf-8")
    text = tiny.replace("code: Ⅲ-1-1", "code: 010").replace("text: 市场管理制度健全", "text: no")
    (tmp_path / "pack.yaml").write_text(text, encoding="utf-8")
    handbook = load_handbook(tmp_path)
    assert handbook.standard("010").code == "010"
    assert [s.text for s in handbook.standards][1] == "no"


def test_explicit_tags_decide_the_type(tmp_path: Path) -> None:
    loaded = _load_text(tmp_path, "a: !!str 10\nb: !!float 3\nc: !!int 4\n")
    assert isinstance(loaded, LoadedYaml)
    assert loaded.data == {"a": "10", "b": 3.0, "c": 4}
    bad = _load_text(tmp_path, "a: x\nb: !!int ten\n")
    assert isinstance(bad, PackProblem)
    assert (bad.code, bad.line, bad.path) == ("yaml-tag", 2, "b")


def test_a_hundred_thousand_brackets_stop_at_the_depth_cap(tmp_path: Path) -> None:
    problem = _load_text(tmp_path, "x: 1\ndeep: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert isinstance(problem, PackProblem)
    assert (problem.code, problem.line) == ("yaml-depth", 2)
    assert problem.path.startswith("deep[0]")
    assert problem.value("limit") == MAX_DEPTH
    assert str(MAX_DEPTH) in render(problem.code, problem.fields, "en")


def test_an_alias_without_anchor_and_a_merge_key_are_refused(tmp_path: Path) -> None:
    merged = _load_text(tmp_path, "base:\n  a: 1\nother:\n  <<: {a: 2}\n")
    assert isinstance(merged, PackProblem)
    assert (merged.code, merged.line, merged.path) == ("yaml-alias", 4, "other")


def test_a_list_section_that_is_not_a_list_is_located(tmp_path: Path) -> None:
    tiny = (Path(__file__).parent / "fixtures" / "packs" / "tiny" / "pack.yaml").read_text(encoding="utf-8")
    (tmp_path / "pack.yaml").write_text(tiny, encoding="utf-8")
    (tmp_path / "more.yaml").write_text("x: 1\nsite_types: 农贸市场\n", encoding="utf-8")
    problems = _problems(tmp_path)
    located = {(p.code, p.file, p.line) for p in problems}
    assert ("invalid-value", f"{tmp_path.name}/more.yaml", 2) in located
    assert ("unknown-key", f"{tmp_path.name}/more.yaml", 1) in located


def test_a_duplicate_key_is_listed_before_the_errors_it_causes(tmp_path: Path) -> None:
    """A file that cannot be read (a duplicate key) leaves the merged pack incomplete: the root cause comes
    first, before whatever the rest of the pack then lacks."""
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "a.yaml").write_text("id: x\nname: x\n", encoding="utf-8")
    (pack / "z.yaml").write_text("edition: '1'\nedition: '2'\n", encoding="utf-8")
    problems = _problems(pack)
    assert len(problems) > 1
    assert problems[0].code == "yaml-duplicate-key" and problems[0].file.endswith("z.yaml")


_BOUNDED = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, resource.RLIM_INFINITY))
from pathlib import Path
from checker.errors import HandbookError
from checker.handbook.loader import load_handbook
started = time.perf_counter()
try:
    load_handbook(Path(sys.argv[1]))
except HandbookError as exc:
    codes = [p.code for p in exc.problems]
print(json.dumps({"codes": codes, "seconds": time.perf_counter() - started}))
"""


def _load_bounded(pack: Path) -> dict[str, object]:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _BOUNDED, str(pack)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[1],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_the_work_of_a_pack_is_bounded_per_pack_not_only_per_file(tmp_path: Path) -> None:
    """A 1.9 MB flow list (under the 2 MB file cap) took 19 s and 750 MB; 200 such files were allowed."""
    flood = "site_types: [" + "1," * 950_000 + "1]\n"
    assert len(flood) < 2_000_000
    one = tmp_path / "one"
    one.mkdir()
    (one / "pack.yaml").write_text(flood, encoding="utf-8")
    result = _load_bounded(one)
    assert result["codes"] == ["yaml-too-many-nodes"]
    assert isinstance(result["seconds"], float) and result["seconds"] < 10

    many = tmp_path / "many"
    many.mkdir()
    for i in range(4):  # each file alone is allowed; together they are more than a pack may hold
        (many / f"part-{i}.yaml").write_text(f"# {i}\n" + "#" * 1_500_000 + "\n", encoding="utf-8")
    assert _load_bounded(many)["codes"] == ["pack-too-big"]
