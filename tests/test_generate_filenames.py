"""File names built from department names are safe on Windows and Linux, short, unique and stay in the folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.errors import UsageError
from checker.generate.filenames import inside, safe_stem, unique_file_names

UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


def assert_safe(name: str) -> None:
    assert name and name not in (".", "..")
    assert not UNSAFE.search(name)
    assert name == name.strip(" ."), name
    assert len(name.encode("utf-8")) <= 255
    assert name.split(".", 1)[0].upper() not in RESERVED


@settings(max_examples=300)
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_names_are_safe_short_unique_and_inside(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("out")
    files = unique_file_names(names, ".xlsx")
    assert len(files) == len(names)
    assert len({f.casefold() for f in files}) == len(files)
    for name in files:
        assert_safe(name)
        path = inside(folder, name)
        path.write_bytes(b"x")  # the file system accepts it
        assert path.resolve().parent == folder.resolve()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("区市场监管局", "区市场监管局"),
        ("../../etc/x", "_._etc_x"),
        ("a/b\\c", "a_b_c"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("名称\x00", "名称_"),
        ("  ..区城管局.. ", "区城管局"),
        ("ＡＢＣ／市场", "ABC_市场"),  # full-width letters and slash folded by NFKC, then replaced
        ("", "未命名"),
        ("...", "未命名"),
    ],
)
def test_known_hostile_names(raw: str, expected: str) -> None:
    assert safe_stem(raw) == expected


def test_long_chinese_names_are_cut_on_a_character_boundary() -> None:
    stem = safe_stem("区" * 120)
    assert len(stem.encode("utf-8")) <= 150
    assert stem == "区" * 50


def test_collisions_get_a_suffix() -> None:
    assert unique_file_names(["区城管局", "区城管局", "区城管局/", "a", "A"], ".xlsx") == [
        "区城管局.xlsx",
        "区城管局_2.xlsx",
        "区城管局_.xlsx",
        "a.xlsx",
        "A_2.xlsx",
    ]


def test_a_name_outside_the_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        inside(tmp_path, "../escape.xlsx")
