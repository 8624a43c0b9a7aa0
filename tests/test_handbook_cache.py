"""The parsed-pack cache: a second load reads the stored model, any change to the pack or a damaged entry
means parsing again, a pack with problems is never stored, and a cache that cannot be written is not used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.errors import HandbookError, PackProblem
from checker.handbook import cache, loader
from checker.handbook.loader import load_handbook, resolve_pack


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CIVCHECK_NO_CACHE", raising=False)
    target = tmp_path / "pack"
    shutil.copytree(resolve_pack("wenming-city"), target)
    return target


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = loader.read_raw

    def counted(path: Path) -> tuple[loader.RawPack, list[PackProblem]]:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(loader, "read_raw", counted)
    return calls


def test_a_second_load_reads_the_stored_model(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_parses(monkeypatch)
    first = load_handbook(pack)
    second = load_handbook(pack)
    assert len(calls) == 1 and second == first
    assert len(list((pack.parent / "cache").glob("*.json"))) == 1


def test_a_changed_pack_is_parsed_again(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_parses(monkeypatch)
    before = load_handbook(pack)
    main = pack / "pack.yaml"
    main.write_text(
        main.read_text(encoding="utf-8").replace(before.name, "改过名的标准包", 1), encoding="utf-8"
    )
    after = load_handbook(pack)
    assert len(calls) == 2 and after.name == "改过名的标准包" != before.name


def test_a_pack_with_problems_is_never_stored(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_parses(monkeypatch)
    (pack / "pack.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(HandbookError):
            load_handbook(pack)
    assert len(calls) == 2 and not list((pack.parent / "cache").glob("*.json"))


def test_a_damaged_entry_is_parsed_again_and_replaced(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = load_handbook(pack)
    (entry,) = (pack.parent / "cache").glob("*.json")
    entry.write_text('{"id": "x"', encoding="utf-8")
    calls = _count_parses(monkeypatch)
    assert load_handbook(pack) == good and len(calls) == 1
    assert cache.cached(entry.stem) == good


def test_a_cache_that_cannot_be_written_is_not_used(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = pack.parent / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("CIVCHECK_CACHE_DIR", str(blocker / "cache"))
    calls = _count_parses(monkeypatch)
    assert load_handbook(pack) == load_handbook(pack) and len(calls) == 2


def test_the_switch_turns_it_off(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVCHECK_NO_CACHE", "1")
    calls = _count_parses(monkeypatch)
    load_handbook(pack)
    load_handbook(pack)
    assert len(calls) == 2 and not (pack.parent / "cache").exists()


def test_the_key_depends_on_names_and_bytes_not_on_where_the_pack_is(pack: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "copy"
    shutil.copytree(pack, elsewhere)
    files = loader.pack_files(pack)
    key = cache.pack_key(pack, files, loader.MAX_PACK_BYTES)
    assert key == cache.pack_key(elsewhere, loader.pack_files(elsewhere), loader.MAX_PACK_BYTES)
    assert cache.pack_key(pack, files, 10) is None  # over the size limit: the normal load reports it
    (elsewhere / "pack.yaml").rename(elsewhere / "main.yaml")
    assert key != cache.pack_key(elsewhere, loader.pack_files(elsewhere), loader.MAX_PACK_BYTES)
