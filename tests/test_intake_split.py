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
from checker.processes import second_core

FIXTURES = Path(__file__).parent / "fixtures" / "evidence" / "lo"
needs_two = pytest.mark.skipif(not second_core(), reason="no fork or one core here")


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
    _worker_sized(next((root / "实地考察").glob("*.xlsx")), root / "大表.xlsx")
    (root / "损坏的台账.xlsx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    shutil.copyfile(FIXTURES / "inspections" / "实地考察.xlsx", root / "扩展名不符.xls")
    return root


def _worker_sized(source: Path, target: Path) -> None:
    """An inspection workbook whose sheet XML is past ``apart_bytes`` while the file is far smaller (its
    rows repeated): its parse needs a worker process."""
    import openpyxl

    read = openpyxl.load_workbook(source, read_only=True)  # holds the file open until closed
    try:
        first = read.active
        assert first is not None
        rows = list(first.iter_rows(values_only=True))
    finally:
        read.close()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("实地考察")
    for _ in range(12_000 // len(rows) + 1):  # its title and header rows too: rejected, as they would be
        for row in rows:
            sheet.append(row)
    book.save(target)


def _read(path: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch, *, split: bool) -> Evidence:
    """The round read by one process, or split — past the zip-directory guess that keeps a round with a
    worker-sized file (大表.xlsx) in one process, so that the child meets that file and leaves it here."""
    with monkeypatch.context() as patch:
        if split:
            patch.setattr(reader, "_needs_worker", lambda path, limits: False)
        else:
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


@needs_two
def test_two_processes_read_what_one_reads(
    messy_round: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    started = forks
    one = _read(messy_round, handbook, monkeypatch, split=False)
    assert started == []
    two = _read(messy_round, handbook, monkeypatch, split=True)
    assert len(started) == 1 and started[0] > 0
    _same(one, two)
    # The round exercises what must be carried back from the child: rows of every outcome, and files of
    # both halves among those refused or warned about.
    root, files, _ = reader.discover_all(messy_round)
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_needs_worker", lambda path, limits: False)
        halves = reader.halves(files, Limits())
    names = [{f.relative_to(root).as_posix() for f in (files[i] for i in half)} for half in halves]
    assert len(one.frames["inspections"]) > 100
    for half in names:  # rejected rows, and warned-about files, in each half
        assert {r.file for r in one.rejected if r.row > 0} & half
        assert {i.file for i in one.inputs if i.warnings} & half
    assert {r.file for r in one.rejected if r.row == 0} == {"损坏的台账.xlsx"}


@needs_two
def test_a_child_that_fails_leaves_its_files_to_this_process(
    messy_round: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    one = _read(messy_round, handbook, monkeypatch, split=False)
    here = os.getpid()
    original = reader._read_files

    def dying(*args: object, **kwargs: object) -> object:
        if os.getpid() != here:
            os._exit(9)  # the child dies without a word, as on a kill
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "_read_files", dying)
    started = forks
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
    messy_round: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    started = forks
    alone = reader.read_evidence(messy_round, handbook, split=False)  # as a city's pool worker does
    assert started == []
    _same(alone, _read(messy_round, handbook, monkeypatch, split=True))
    assert len(started) == 1


@needs_two
def test_a_file_that_needs_a_worker_is_left_to_this_process(
    messy_round: Path, handbook: Handbook, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    # The zip directory shows it (its sheet XML is past apart_bytes): the round is read by one process.
    root, files, _ = reader.discover_all(messy_round)
    big = files.index(root / "大表.xlsx")
    assert files[big].stat().st_size < Limits().apart_bytes and reader._needs_worker(files[big], Limits())
    assert reader.halves(files, Limits()) == (list(range(len(files))), [])
    one = _read(messy_round, handbook, monkeypatch, split=False)
    assert any(i.file == "大表.xlsx" and i.rows_accepted > 5_000 for i in one.inputs)
    # Missed by that guess, the child meets it and leaves it here: the same evidence, and the file is read
    # once, by this process's worker (the child must not use a server it did not start).
    with monkeypatch.context() as patch:
        patch.setattr(reader, "_needs_worker", lambda path, limits: False)
        mine, theirs = reader.halves(files, Limits())
    assert theirs
    if big not in theirs:  # make sure it is the child's: swap it with one of the child's files
        monkeypatch.setattr(reader, "halves", lambda f, limits, split: (sorted(set(mine) - {big} | {theirs[0]}),
                                                                 sorted(set(theirs) - {theirs[0]} | {big})))  # fmt: skip
    deferred: list[int] = []
    absorb = reader._Round.absorb

    def noting(self: reader._Round, found: reader._Found) -> None:
        deferred.extend(found.deferred)
        absorb(self, found)

    monkeypatch.setattr(reader._Round, "absorb", noting)
    started = forks
    _same(one, _read(messy_round, handbook, monkeypatch, split=True))
    assert len(started) == 1 and deferred == [big]
