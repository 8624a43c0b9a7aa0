"""campaign settings: civcheck.toml written by init, read back, each problem located by line and key."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.campaign.settings import (
    GUIDE_FILE,
    REPLIES_DIR,
    ROUNDS_DIR,
    SETTINGS_FILE,
    Settings,
    SettingsError,
    find_campaign,
    load_settings,
    toml_string,
    unknown_streets,
    write_campaign,
)
from checker.errors import UsageError

NAME_CHARS = st.characters(blacklist_categories=["Cc", "Cf", "Cs", "Zl", "Zp"])


def write_settings(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SETTINGS_FILE
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(folder: Path) -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        load_settings(folder)
    return caught.value


# -- write_campaign → load_settings ---------------------------------------------------------------------


def test_write_campaign_then_load_settings(tmp_path: Path) -> None:
    folder = tmp_path / "某某区创城办" / "2025-2027"
    written = write_campaign(folder, "某某区")
    assert written == [folder / ROUNDS_DIR, folder / REPLIES_DIR, folder / GUIDE_FILE, folder / SETTINGS_FILE]
    assert (folder / ROUNDS_DIR).is_dir() and not any((folder / ROUNDS_DIR).iterdir())
    assert (folder / REPLIES_DIR).is_dir() and not any((folder / REPLIES_DIR).iterdir())
    assert not (folder / "ledger.sqlite").exists()  # the ledger is the ledger code's to create

    loaded = load_settings(folder)
    assert loaded == Settings(folder=folder, district="某某区")
    assert loaded.folder == folder.resolve() and loaded.folder.is_absolute()
    assert loaded.handbook == "wenming-city"
    assert (loaded.streets, loaded.lang, loaded.formats) == ((), "zh", ("terminal",))
    assert (loaded.target, loaded.deadlines, loaded.cycle_start) == (None, (), None)
    assert loaded.ledger == folder.resolve() / "ledger.sqlite"
    assert loaded.rounds_dir == folder.resolve() / "轮次"
    assert loaded.replies_dir == folder.resolve() / "反馈"
    assert loaded.deadline_days() == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.district = "别的区"  # type: ignore[misc]


def test_written_settings_explain_every_setting_in_chinese_and_english(tmp_path: Path) -> None:
    write_campaign(tmp_path, "某某区")
    text = (tmp_path / SETTINGS_FILE).read_text(encoding="utf-8")
    for key in ("district", "handbook", "lang", "ledger"):
        assert re.search(rf"^{key} = ", text, re.M), key
    for key in ("streets", "formats", "target", "cycle_start", "field", "document", "survey", "data"):
        assert re.search(rf"^# {key} = ", text, re.M), key
    assert "# [deadlines]" in text
    blocks = [b for b in text.split("\n\n")[1:] if b.strip()]
    for block in blocks:  # each setting: a Chinese line and an English line above it
        comments = [line for line in block.splitlines() if line.startswith("# ") and " = " not in line]
        assert any(re.search("[\u4e00-\u9fff]", c) for c in comments), block
        assert any(re.search("[A-Za-z]{4,}", c) for c in comments), block


def test_every_commented_example_loads_when_uncommented(tmp_path: Path) -> None:
    write_campaign(tmp_path, "某某区")
    path = tmp_path / SETTINGS_FILE
    example = re.compile(r"^# (\[deadlines\]|[a-z_]+ = .*)$")
    lines = [
        line[2:] if example.match(line) else line for line in path.read_text(encoding="utf-8").splitlines()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_settings(tmp_path)
    assert loaded.streets == ("城东街道", "城西街道")
    assert loaded.formats == ("terminal", "xlsx", "html")
    assert loaded.target == 90.0
    assert loaded.cycle_start == date.today().year
    assert loaded.deadline_days() == {"field": 7, "document": 15, "survey": 30, "data": 30}


def test_guide_describes_the_folder_and_the_workflow(tmp_path: Path) -> None:
    write_campaign(tmp_path, "某某区")
    raw = (tmp_path / GUIDE_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # for Notepad on older Windows
    guide = raw.decode("utf-8-sig")
    for command in (
        "civcheck template",
        "civcheck check 轮次/第1轮 --record --round 第1轮 --dispatch",
        "civcheck reply 反馈/",
        "civcheck check 轮次/第2轮 --record --round 第2轮",
        "civcheck diff",
        "civcheck ledger backup 备份.sqlite",
    ):
        assert command in guide
    for name in (SETTINGS_FILE, "轮次/", "反馈/", "ledger.sqlite", "某某区"):
        assert name in guide


def test_handbook_is_written_escaped_and_read_back_as_given(tmp_path: Path) -> None:
    handbook = 'my "pack"\t2025'  # a pack id: no slash or backslash, names nothing in the folder
    write_campaign(tmp_path, '某某区"东片"\\', handbook)
    loaded = load_settings(tmp_path)
    assert loaded.handbook == handbook
    assert loaded.district == '某某区"东片"\\'


def test_all_settings_are_read(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    write_settings(
        tmp_path,
        """district = "某某区"
handbook = "packs/wenming.yaml"
streets = ["城东街道", "城西街道"]
lang = "en"
formats = ["XLSX", "terminal", "xlsx", " html "]
target = 85
ledger = "台账/ledger.sqlite"
cycle_start = 2024

[deadlines]
survey = 20
field = 3
""",
    )
    loaded = load_settings(tmp_path)
    root = tmp_path.resolve()
    assert loaded.handbook == str(root / "packs" / "wenming.yaml")
    assert loaded.streets == ("城东街道", "城西街道")
    assert loaded.lang == "en"
    assert loaded.formats == ("xlsx", "terminal", "html")
    assert loaded.target == 85.0 and isinstance(loaded.target, float)
    assert loaded.ledger == root / "台账" / "ledger.sqlite"
    assert loaded.cycle_start == 2024
    assert loaded.deadlines == (("field", 3), ("survey", 20))  # in method order, not file order
    assert loaded.deadline_days() == {"field": 3, "survey": 20}


def test_handbook_id_stays_and_paths_resolve_against_the_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "campaign"
    (folder / "本区体系").mkdir(parents=True)
    assert Settings(folder=folder, district="x", handbook="wenming-city").handbook == "wenming-city"
    assert Settings(folder=folder, district="x", handbook="本区体系").handbook == str(
        folder.resolve() / "本区体系"
    )
    assert Settings(folder=folder, district="x", handbook="../pack.yml").handbook == str(
        tmp_path.resolve() / "pack.yml"
    )
    assert Settings(folder=folder, district="x", handbook=str(elsewhere)).handbook == str(elsewhere)
    absolute = Settings(folder=folder, district="x", ledger=elsewhere / "l.sqlite")
    assert absolute.ledger == elsewhere.resolve() / "l.sqlite"


def test_a_utf8_bom_and_windows_line_ends_are_accepted(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).write_bytes('\ufeffdistrict = "某某区"\r\ntarget = 90.5\r\n'.encode())
    loaded = load_settings(tmp_path)
    assert (loaded.district, loaded.target) == ("某某区", 90.5)


# -- every problem, with its line and key ---------------------------------------------------------------

HEAD = 'district = "某某区"\n'


@pytest.mark.parametrize(
    ("text", "line", "key", "expected"),
    [
        (HEAD + "targte = 90\n", 2, "targte", "key 'targte' is not a setting (did you mean 'target'?)"),
        (HEAD + 'colour = "red"\n', 2, "colour", "is not a setting; the settings are district, handbook,"),
        (HEAD + '"targte" = 90\n', 2, "targte", "key 'targte' is not a setting (did you mean 'target'?)"),
        (HEAD + "\n   targte   =   90\n", 3, "targte", "is not a setting (did you mean 'target'?)"),
        (HEAD + 'target = "85"\n', 2, "target", 'expected a number (e.g. target = 90), got text "85"'),
        (HEAD + "target = true\n", 2, "target", "expected a number (e.g. target = 90), got the boolean true"),
        (HEAD + "target = 0\n", 2, "target", "is 0: expected more than 0 and at most 100"),
        (HEAD + "target = 100.5\n", 2, "target", "is 100.5: expected more than 0 and at most 100"),
        (HEAD + "target = nan\n", 2, "target", "is nan: expected more than 0 and at most 100"),
        (
            HEAD + 'streets = "城东街道"\n',
            2,
            "streets",
            'expected a list of strings (e.g. streets = ["城东街道"',
        ),
        (HEAD + 'streets = ["城东街道", 3]\n', 2, "streets", "but item 2 is the whole number 3"),
        (HEAD + 'streets = ["城东街道", "城西街道", "城东 街道"]\n', 2, "streets", 'lists "城东 街道" twice'),
        (
            HEAD + 'streets = [\n  "城东街道",\n  "",\n]\n',
            2,
            "streets",
            'has a street name that is empty: ""',
        ),
        (HEAD + 'lang = "fr"\n', 2, "lang", 'key \'lang\' is "fr": expected "zh" or "en"'),
        (HEAD + 'formats = ["xlxs"]\n', 2, "formats", "has \"xlxs\", not a format (did you mean 'xlsx'?)"),
        (HEAD + 'formats = ["pdf"]\n', 2, "formats", "expected some of terminal, json, xlsx, html, text"),
        (HEAD + "formats = []\n", 2, "formats", "is an empty list"),
        (HEAD + "cycle_start = 1999\n", 2, "cycle_start", "is 1999: expected 2000 to 2100 year"),
        (HEAD + 'cycle_start = "2025"\n', 2, "cycle_start", 'got text "2025" (remove the quotes)'),
        (HEAD + 'ledger = ""\n', 2, "ledger", "key 'ledger' is empty"),
        (HEAD + "ledger = 3\n", 2, "ledger", "expected text in double quotes, got the whole number 3"),
        (HEAD + 'handbook = ["a"]\n', 2, "handbook", "expected text in double quotes, got a list"),
        ('district = ""\n', 1, "district", "key 'district' is empty"),
        ('district = "   "\n', 1, "district", "key 'district' is empty"),
        ('district = "某某\\u0007区"\n', 1, "district", "contains the control or invisible character U+0007"),
        ('district = "某某\\u200B区"\n', 1, "district", "contains the control or invisible character U+200B"),
        (HEAD + "[deadlines]\nfeild = 7\n", 3, "deadlines.feild", "is not a method (did you mean 'field'?)"),
        (HEAD + "[deadlines]\nfield = 0\n", 3, "deadlines.field", "is 0: expected 1 to 365 days"),
        (HEAD + "[deadlines]\nsurvey = 366\n", 3, "deadlines.survey", "is 366: expected 1 to 365 days"),
        (HEAD + "[deadlines]\ndata = 7.5\n", 3, "deadlines.data", "expected a whole number (days)"),
        (HEAD + "[deadlines]\ndata = true\n", 3, "deadlines.data", "got the boolean true"),
        (HEAD + "[ deadlines ]\n'document' = 0\n", 3, "deadlines.document", "expected 1 to 365 days"),
        (HEAD + "deadlines.feild = 7\n", 2, "deadlines.feild", "is not a method (did you mean 'field'?)"),
        (HEAD + "deadlines = { field = 7, feild = 7 }\n", 2, "deadlines.feild", "is not a method"),
        (HEAD + "deadlines = 7\n", 2, "deadlines", "expected a table [deadlines] of days per method"),
        (HEAD + "[deadlines]\nfield = 7\ntarget = 90\n", 4, "deadlines.target", "move 'target' above the"),
        (HEAD + "[extra]\nx = 1\n", 2, "extra", "key 'extra' is not a setting"),
        (HEAD + 'note = """\ntarget = 5\n"""\ntarget = 500\n', 5, "target", "is 500: expected more than 0"),
    ],
)
def test_each_problem_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, expected: str
) -> None:
    path = write_settings(tmp_path, text)
    error = problems_of(tmp_path)
    assert isinstance(error, UsageError)
    wanted = [p for p in error.problems if p.key == key]
    assert len(wanted) == 1, error
    assert wanted[0].line == line, error
    assert f"{path}:{line}: key '{key}'" in str(error)
    assert expected in str(error)


def test_a_missing_district_is_a_problem_of_the_file(tmp_path: Path) -> None:
    path = write_settings(tmp_path, 'handbook = "wenming-city"\n')
    error = problems_of(tmp_path)
    assert [(p.line, p.key) for p in error.problems] == [(0, "district")]
    assert f"{path}: key 'district' is missing" in str(error)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_settings(
        tmp_path,
        """district = ""
targte = 90
target = "85"
streets = "城东街道"
lang = "fr"
formats = ["terminal", "pdf"]
cycle_start = 1999

[deadlines]
feild = 7
survey = 400
""",
    )
    error = problems_of(tmp_path)
    located = [(p.line, p.key) for p in error.problems]
    assert located == [
        (1, "district"),
        (2, "targte"),
        (3, "target"),
        (4, "streets"),
        (5, "lang"),
        (6, "formats"),
        (7, "cycle_start"),
        (10, "deadlines.feild"),
        (11, "deadlines.survey"),
    ]
    message = str(error)
    assert message.startswith(f"{path} has 9 problems:\n")
    assert f"{path}:2: key 'targte' is not a setting (did you mean 'target'?)" in message
    assert f"{path}:11: key 'deadlines.survey' is 400" in message


# -- files that are not settings at all -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (HEAD + "target = \n", 2, "TOML syntax error: Invalid value"),
        ("district = 某某区\n", 1, 'text goes in double quotes, e.g. district = "某某区"'),
        (HEAD + "target ＝ 90\n", 2, "full-width punctuation"),
        (HEAD + "lang = “zh”\n", 2, "full-width punctuation"),
        (HEAD + 'lang = "zh"\nlang = "en"\nformats = []\n', 3, "a key or [table] is given twice"),
        (HEAD + "[deadlines\n", 2, "Expected ']' at the end of a table declaration (column"),
        (
            HEAD + 'handbook = """never closed\n',
            2,
            "TOML syntax error: Unterminated string",
        ),  # end: last line
    ],
)
def test_a_toml_syntax_error_names_file_and_line(tmp_path: Path, text: str, line: int, expected: str) -> None:
    path = write_settings(tmp_path, text)
    error = problems_of(tmp_path)
    assert [p.line for p in error.problems] == [line]
    assert f"{path}:{line}: TOML syntax error" in str(error)
    assert expected in str(error)


def test_a_file_saved_as_gbk_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).write_bytes('# 设置\ndistrict = "某某区"\n'.encode("gbk"))
    error = problems_of(tmp_path)
    assert [p.line for p in error.problems] == [1]
    assert f"{tmp_path / SETTINGS_FILE}:1: the file is not UTF-8" in str(error)
    assert "GBK" in str(error)
    (tmp_path / SETTINGS_FILE).write_bytes(b'district = "x"\ntarget = 9\n# \xff\xff\xff\n')
    error = problems_of(tmp_path)
    assert [p.line for p in error.problems] == [3]
    assert "not UTF-8" in str(error) and "save it again as UTF-8" in str(error)


def test_a_missing_file_says_to_run_init(tmp_path: Path) -> None:
    error = problems_of(tmp_path)
    assert "civcheck init" in str(error) and SETTINGS_FILE in str(error)
    assert error.problems == ()
    assert "civcheck init" in str(problems_of(tmp_path / "no" / "such" / "folder"))


# -- find_campaign --------------------------------------------------------------------------------------


def test_find_campaign_from_the_folder_a_subfolder_or_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "创城办"
    write_campaign(folder, "某某区")
    deep = folder / ROUNDS_DIR / "第1轮" / "城管局"
    deep.mkdir(parents=True)
    evidence = deep / "点位.xlsx"
    evidence.write_bytes(b"")
    root = folder.resolve()
    assert find_campaign(folder) == root
    assert find_campaign(deep) == root
    assert find_campaign(evidence) == root
    assert find_campaign(deep / ".." / "..") == root
    assert find_campaign(tmp_path) is None


def test_find_campaign_takes_the_nearest(tmp_path: Path) -> None:
    write_campaign(tmp_path / "outer", "外区")
    write_campaign(tmp_path / "outer" / "inner", "内区")
    assert (
        find_campaign(tmp_path / "outer" / "inner" / ROUNDS_DIR) == (tmp_path / "outer" / "inner").resolve()
    )


# -- write_campaign refusals ----------------------------------------------------------------------------


def test_an_existing_campaign_is_refused_unless_force(tmp_path: Path) -> None:
    write_campaign(tmp_path, "某某区")
    settings_path, guide = tmp_path / SETTINGS_FILE, tmp_path / GUIDE_FILE
    settings_path.write_text(settings_path.read_text(encoding="utf-8") + "# 我们的备注\n", encoding="utf-8")
    before = settings_path.read_bytes(), guide.read_bytes()
    with pytest.raises(SettingsError, match="already exists"):
        write_campaign(tmp_path, "别的区")
    assert (settings_path.read_bytes(), guide.read_bytes()) == before

    written = write_campaign(tmp_path, "别的区", force=True)
    assert written == [guide, settings_path]  # the folders were there already
    assert load_settings(tmp_path).district == "别的区"
    assert "别的区" in guide.read_text(encoding="utf-8-sig")


def test_a_refusal_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).write_text('district = "某某区"\n', encoding="utf-8")
    with pytest.raises(SettingsError):
        write_campaign(tmp_path, "某某区")
    assert sorted(p.name for p in tmp_path.iterdir()) == [SETTINGS_FILE]


@pytest.mark.parametrize("district", ["", "   ", "某某\n区", "某某\x07区", "某\u202e区", "\u3000"])
def test_a_bad_district_name_is_refused_before_writing(tmp_path: Path, district: str) -> None:
    folder = tmp_path / "c"
    with pytest.raises(SettingsError, match="district name"):
        write_campaign(folder, district)
    assert not folder.exists()


def test_an_empty_handbook_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="handbook"):
        write_campaign(tmp_path / "c", "某某区", " ")
    assert not (tmp_path / "c").exists()


def test_a_file_where_a_folder_belongs_is_refused(tmp_path: Path) -> None:
    (tmp_path / ROUNDS_DIR).write_text("x", encoding="utf-8")
    with pytest.raises(SettingsError, match="is a file, not a folder"):
        write_campaign(tmp_path, "某某区")
    assert not (tmp_path / SETTINGS_FILE).exists()
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(SettingsError, match="is a file, not a folder"):
        write_campaign(tmp_path / "f", "某某区")


def test_an_existing_guide_is_kept_without_force(tmp_path: Path) -> None:
    (tmp_path / GUIDE_FILE).write_text("我们自己的说明", encoding="utf-8")
    written = write_campaign(tmp_path, "某某区")
    assert tmp_path / GUIDE_FILE not in written
    assert (tmp_path / GUIDE_FILE).read_text(encoding="utf-8") == "我们自己的说明"


# -- unknown_streets ------------------------------------------------------------------------------------


def test_unknown_streets_suggest_the_closest_known_name() -> None:
    known = ["城东街道", "城西街道", "CBD街道"]
    names = ["城东街道", "城东街到", "城 东 街 到", "火星街道", "", "  ", "ＣＢＤ街道", "城东街到", "城东"]
    assert unknown_streets(names, known) == [
        ("城东街到", "城东街道"),
        ("火星街道", None),
        ("城东", "城东街道"),
    ]


def test_unknown_streets_compare_after_nfkc_and_without_spaces() -> None:
    assert (
        unknown_streets(["城东街道\u3000", " 城西 街道", "ＣＢＤ 街道"], ["城东街道", "城西街道", "CBD街道"])
        == []
    )
    assert unknown_streets(["城东街道"], []) == [("城东街道", None)]
    assert unknown_streets(iter(["a", "b", "a"]), ("c",)) == [("a", None), ("b", None)]


# -- properties -----------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.text(NAME_CHARS, min_size=1, max_size=40).filter(lambda s: s.strip() != ""))
def test_any_printable_district_name_loads_back_identical(
    tmp_path_factory: pytest.TempPathFactory, district: str
) -> None:
    folder = tmp_path_factory.mktemp("campaign")
    write_campaign(folder, district)
    assert load_settings(folder).district == district


@given(st.text(st.characters(blacklist_categories=["Cs"])))
def test_toml_string_round_trips_any_text(text: str) -> None:
    assert tomllib.loads(f"k = {toml_string(text)}")["k"] == text


def test_toml_string_escapes_what_would_break_or_hide() -> None:
    assert toml_string('a"b\\c\n\u200b') == '"a\\"b\\\\c\\n\\u200B"'
    with pytest.raises(ValueError, match="surrogate"):
        toml_string("\ud800")


# -- start-up -------------------------------------------------------------------------------------------


def test_the_module_does_not_import_pandas() -> None:
    probe = "import sys, checker.campaign.settings; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False False"
