"""A round of many small files read by two processes (checker.intake.reader.read_evidence): the evidence is
the same as one process reading every file — accepted rows, rejections, warnings, inputs — also when the
child fails; and the split itself (who reads what, and when one process reads all)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from checker.cli import main
from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake import reader
from checker.intake.evidence import Evidence
from checker.intake.limits import Limits
from checker.processes import Forked, can_fork, cores

FIXTURES = Path(__file__).parent / "fixtures" / "evidence" / "lo"
needs_two = pytest.mark.skipif(not (can_fork() and cores() >= 2), reason="no fork or one core here")


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    return load_handbook("wenming-city")


@pytest.fixture(scope="module")
def messy_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated round, plus files made by LibreOffice (xls, ods, CSV in two encodings, error cells,
    merged cells), a file that is no spreadsheet and one with a wrong extension: rows accepted and
    rejected, warnings and refused files, in both halves."""
    root = tmp_path_factory.mktemp("split") / "round"
    assert main(["sample", "-o", str(root), "--sites", "60", "--force"]) == 0
    for folder in ("inspections", "errors", "merged"):
        for source in sorted((FIXTURES / folder).iterdir()):
            shutil.copyfile(source, root / f"lo-{folder}-{source.name}")
    for copy in range(4):  # a warning (merged cells) in files of equal size: some in each half
        shutil.copyfile(FIXTURES / "merged" / "合并单元格.xlsx", root / f"合并-{copy}.xlsx")
    (root / "损坏的台账.xlsx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    shutil.copyfile(FIXTURES / "inspections" / "实地考察.xlsx", root / "扩展名不符.xls")
    return root


def _read(path: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch, *, split: bool) -> Evidence:
    with monkeypatch.context() as patch:
        if not split:
            patch.setattr(reader, "SPLIT_MIN_FILES", 10**9)
        return reader.read_evidence(path, handbook)


def _same(one: Evidence, two: Evidence) -> None:
    assert sorted(two.frames) == sorted(one.frames)
    for kind, frame in one.frames.items():
        pd.testing.assert_frame_equal(two.frames[kind], frame, obj=kind)
    assert two.rejected == one.rejected
    assert two.inputs == one.inputs
    assert two.skipped == one.skipped
    assert two.root == one.root


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children Forked starts from now on."""
    started: list[int] = []
    original = Forked._start

    def start(self: Forked[object]) -> None:
        original(self)
        started.append(self.pid or 0)

    monkeypatch.setattr(Forked, "_start", start)
    return started


@needs_two
def test_two_processes_read_what_one_reads(
    messy_round: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _forks(monkeypatch)
    one = _read(messy_round, handbook, monkeypatch, split=False)
    assert started == []
    two = _read(messy_round, handbook, monkeypatch, split=True)
    assert len(started) == 1 and started[0] > 0
    _same(one, two)
    # The round exercises what must be carried back from the child: rows of every outcome, and files of
    # both halves among those refused or warned about.
    root, files, _ = reader.discover_all(messy_round)
    halves = reader.halves(files, Limits())
    names = [{f.relative_to(root).as_posix() for f in (files[i] for i in half)} for half in halves]
    assert len(one.frames["inspections"]) > 100
    for half in names:  # rejected rows, and warned-about files, in each half
        assert {r.file for r in one.rejected if r.row > 0} & half
        assert {i.file for i in one.inputs if i.warnings} & half
    assert {r.file for r in one.rejected if r.row == 0} == {"损坏的台账.xlsx"}


@needs_two
def test_a_child_that_fails_leaves_its_files_to_this_process(
    messy_round: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _read(messy_round, handbook, monkeypatch, split=False)
    here = os.getpid()
    original = reader._read_files

    def dying(*args: object, **kwargs: object) -> object:
        if os.getpid() != here:
            os._exit(9)  # the child dies without a word, as on a kill
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "_read_files", dying)
    started = _forks(monkeypatch)
    two = _read(messy_round, handbook, monkeypatch, split=True)
    assert len(started) == 1
    _same(one, two)


def _files(tmp_path: Path, sizes: list[int]) -> list[Path]:
    paths = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.xlsx"
        path.write_bytes(b"x" * size)
        paths.append(path)
    return paths


@needs_two
def test_the_halves_are_even_by_size_and_cover_every_file(tmp_path: Path) -> None:
    files = _files(tmp_path, [900, 100, 500, 400, 300, 300, 200, 100])
    mine, theirs = reader.halves(files, Limits())
    assert sorted(mine + theirs) == list(range(len(files)))
    assert mine and theirs and not set(mine) & set(theirs)
    sizes = [f.stat().st_size for f in files]
    assert abs(sum(sizes[i] for i in mine) - sum(sizes[i] for i in theirs)) <= max(sizes)


def test_one_process_reads_few_big_or_isolated_files(tmp_path: Path) -> None:
    everything = list(range(reader.SPLIT_MIN_FILES))
    few = _files(tmp_path, [100] * (reader.SPLIT_MIN_FILES - 1))
    assert reader.halves(few, Limits()) == (everything[:-1], [])
    limits = Limits(apart_bytes=1000)
    big = _files(tmp_path, [100] * (reader.SPLIT_MIN_FILES - 1) + [1001])
    assert reader.halves(big, limits) == (everything, [])
    small = _files(tmp_path, [100] * reader.SPLIT_MIN_FILES)
    assert reader.halves(small, Limits(isolate="always")) == (everything, [])


@needs_two
def test_a_caller_that_keeps_the_cores_busy_reads_in_one_process(
    messy_round: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _forks(monkeypatch)
    alone = reader.read_evidence(messy_round, handbook, split=False)  # as a city's pool worker does
    assert started == []
    _same(alone, _read(messy_round, handbook, monkeypatch, split=True))
    assert len(started) == 1
