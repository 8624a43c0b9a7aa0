"""checker.files: atomic writes, overwrite refusal, folder replacement, safe unique file names."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.errors import UsageError
from checker.files import (
    FILENAME_MAX_BYTES,
    TEMP_PREFIX,
    atomic_path,
    clean_stale_temps,
    inside,
    refuse_existing,
    replace_folder,
    safe_stem,
    unique_file_names,
    unique_name,
    write_text,
)

UNSAFE = re.compile('[\x00-\x1f\x7f-\x9f<>:"/\\\\|?*\ud800-\udfff]')
RESERVED = {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(10)
}


# -- atomic writes --------------------------------------------------------------------------------------


def test_write_text_replaces_the_file_with_an_ordinary_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    write_text(target, "一\n二\n")
    write_text(target, "三\n")
    assert target.read_bytes() == "三\n".encode()
    assert list(target.parent.iterdir()) == [target]
    if os.name == "posix":
        mask = os.umask(0o022)
        os.umask(mask)
        assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's private 0o600


def test_a_failure_mid_write_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"), atomic_path(target) as temp:
        assert temp.parent == tmp_path and temp.name.startswith(f"{TEMP_PREFIX}{os.getpid()}-")
        temp.write_bytes(b"half of the new")
        raise OSError("disk full")
    assert target.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.iterdir()) == [target]  # the temporary file is gone


def test_an_interrupt_mid_write_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temp:
        temp.write_bytes(b"new")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_existing_files_are_refused_without_force(tmp_path: Path) -> None:
    one, two, free = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    one.write_bytes(b"a")
    with pytest.raises(UsageError, match=r"a\.xlsx already exists; use --force to replace it"):
        refuse_existing([free, one], force=False)
    two.write_bytes(b"b")
    with pytest.raises(UsageError, match=r"a\.xlsx already exists \(so do .*b\.xlsx\).*--force"):
        refuse_existing([one, two, free], force=False)
    refuse_existing([one, two, free], force=True)
    refuse_existing([free], force=False)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(UsageError, match="already exists"):
        refuse_existing([tmp_path / "dangling"], force=False)


def test_a_target_of_the_other_kind_is_refused_even_with_force(tmp_path: Path) -> None:
    folder, file = tmp_path / "folder", tmp_path / "file"
    folder.mkdir()
    file.write_bytes(b"")
    with pytest.raises(UsageError, match="is a folder, not a file"):
        refuse_existing([folder], force=True)
    with pytest.raises(UsageError, match="is a file, not a folder"):
        refuse_existing([file], force=True, kind="folder")
    refuse_existing([folder], force=True, kind="folder")


def test_stale_temporaries_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    pid = int(dead.stdout)
    stale_file = tmp_path / f"{TEMP_PREFIX}{pid}-abc.xlsx"
    stale_file.write_bytes(b"partial")
    stale_folder = tmp_path / f"{TEMP_PREFIX}{pid}-staging"
    (stale_folder / "inner").mkdir(parents=True)
    mine = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def.xlsx"
    mine.write_bytes(b"in progress")
    other = tmp_path / "report.json"
    other.write_bytes(b"{}")
    assert sorted(clean_stale_temps(tmp_path)) == sorted([stale_file, stale_folder])
    assert sorted(tmp_path.iterdir()) == sorted([mine, other])  # a live run's file is never touched


def test_replace_folder_swaps_in_the_new_content(tmp_path: Path) -> None:
    target = tmp_path / "pack"
    target.mkdir()
    (target / "stale.yaml").write_text("old", encoding="utf-8")
    with replace_folder(target) as folder:
        assert folder.parent == tmp_path and folder != target
        assert (target / "stale.yaml").exists()  # the old folder stays until the new one is complete
        (folder / "pack.yaml").write_text("new", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["pack.yaml"]
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]
    if os.name == "posix":
        mask = os.umask(0o022)
        os.umask(mask)
        assert target.stat().st_mode & 0o777 == 0o777 & ~mask


def test_replace_folder_keeps_the_old_folder_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "round"
    target.mkdir()
    (target / "keep.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replace_folder(target) as folder:
        (folder / "half.txt").write_text("new", encoding="utf-8")
        raise RuntimeError("generation failed")
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["round"]


def test_replace_folder_puts_the_old_folder_back_when_the_move_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "round"
    target.mkdir()
    (target / "keep.txt").write_text("old", encoding="utf-8")
    real_replace = os.replace

    def failing(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == target and Path(src).name.startswith(TEMP_PREFIX):
            raise OSError("cross-device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="cross-device"), replace_folder(target) as folder:
        (folder / "new.txt").write_text("new", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["round"]


# -- safe file names ------------------------------------------------------------------------------------


def assert_safe(name: str) -> None:
    assert name and name not in (".", "..")
    assert not UNSAFE.search(name)
    assert name == name.strip(" ."), name
    assert len(name.encode("utf-8")) <= 255
    assert name.split(".", 1)[0].upper() not in RESERVED


@settings(max_examples=300)
@given(st.lists(st.text(), min_size=1, max_size=8), st.sampled_from(["_", "-"]))
def test_names_are_safe_short_unique_and_inside(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], sep: str
) -> None:
    folder = tmp_path_factory.mktemp("out")
    files = unique_file_names(names, ".xlsx", sep=sep)
    assert len(files) == len(names)
    assert len({f.casefold() for f in files}) == len(files)
    for name in files:
        assert_safe(name)
        assert name.endswith(".xlsx") and not name.startswith(".")
        path = inside(folder, name)
        path.write_bytes(b"x")  # the file system accepts it
        assert os.path.dirname(os.path.realpath(path)) == os.path.realpath(folder)
    assert len(list(folder.iterdir())) == len(files)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("区市场监管局", "区市场监管局"),
        ("../../etc/x", "_._etc_x"),
        ("a/b\\c", "a_b_c"),
        ("财政局/预算:科", "财政局_预算_科"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("COM¹", "_COM1"),  # NFKC folds the superscript; Windows reserves both spellings
        ("lpt0", "_lpt0"),
        ("CONOUT$", "_CONOUT$"),
        ("名称\x00", "名称_"),
        ("局\x85\ud800", "局__"),  # a C1 control and a lone surrogate
        ("  ..区城管局.. ", "区城管局"),
        ("..区市场监管局..", "区市场监管局"),
        ("\u3000区城管局\u3000", "区城管局"),
        ("ＡＢＣ／市场", "ABC_市场"),  # full-width letters and slash folded by NFKC, then replaced
        ("ＡＢＣ局", "ABC局"),
        ("", "未命名"),
        ("...", "未命名"),
    ],
)
def test_known_hostile_names(raw: str, expected: str) -> None:
    assert safe_stem(raw) == expected


def test_the_fallback_is_the_callers() -> None:
    assert safe_stem("   ", fallback="_") == "_"
    assert safe_stem("", fallback="_") == "_"


def test_long_chinese_names_are_cut_on_a_character_boundary() -> None:
    stem = safe_stem("区" * 120)
    assert len(stem.encode("utf-8")) <= FILENAME_MAX_BYTES == 150
    assert stem == "区" * 50
    taken: set[str] = set()
    first = unique_name("区" * 120, ".xlsx", taken)
    second = unique_name("区" * 120, ".xlsx", taken)
    assert first == "区" * 50 + ".xlsx"
    assert second.endswith("_2.xlsx") and len(second[: -len("_2.xlsx")].encode()) <= 148


def test_collisions_get_a_suffix() -> None:
    assert unique_file_names(["区城管局", "区城管局", "区城管局/", "a", "A"], ".xlsx") == [
        "区城管局.xlsx",
        "区城管局_2.xlsx",
        "区城管局_.xlsx",
        "a.xlsx",
        "A_2.xlsx",
    ]
    taken = {"财政局_预算.xlsx"}
    assert unique_name("财政局:预算", ".xlsx", taken, sep="-") == "财政局_预算-2.xlsx"
    assert unique_file_names(["X"], ".xlsx", taken=["x.XLSX"]) == ["X_2.xlsx"]


@pytest.mark.parametrize("name", ["../escape.xlsx", "..", ".", "", "a/b.xlsx"])
def test_a_name_outside_the_folder_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="outside"):
        inside(tmp_path, name)


def test_a_symlinked_escape_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "区城管局.xlsx").symlink_to(outside / "x.xlsx")
    with pytest.raises(UsageError, match="outside"):
        inside(out, unique_name("区城管局", ".xlsx", set()))
