"""Outputs written in two lanes (checker.report.lanes): the other lane really is another process, the
lanes are balanced by cost, an error in either lane stops both and reaches the caller, and a whole
generation written that way is complete and matches its manifest."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from report_fixtures import assessment

from checker.processes import second_core
from checker.report import lanes, write_reports

needs_fork = pytest.mark.skipif(not second_core(), reason="outputs are written in one process here")


def _job(tmp: Path, name: str, cost: float, write: object = None) -> lanes.Job:
    def default(path: Path) -> None:
        path.write_text(str(os.getpid()), encoding="utf-8")

    return lanes.Job(tmp / "out" / name, tmp / "stage" / name, write or default, cost)  # type: ignore[arg-type]


def test_lanes_are_balanced_longest_first() -> None:
    jobs = [lanes.Job(Path(str(c)), Path(str(c)), lambda p: None, c) for c in (10, 1, 1, 8, 3)]
    mine, theirs = lanes.split(jobs)
    assert sorted(mine + theirs) == list(range(5))
    costs = [sum(jobs[i].cost for i in lane) for lane in (mine, theirs)]
    assert abs(costs[0] - costs[1]) <= 1
    assert mine[0] == 0  # the longest output starts first


@needs_fork
def test_the_other_lane_is_another_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lanes, "MIN_PARALLEL_COST", 0)
    jobs = [_job(tmp_path, f"{n}.txt", cost) for n, cost in enumerate((5, 4, 3, 2))]
    seen: dict[Path, float] = {}
    digests: dict[Path, str] = {}

    def done(job: lanes.Job, seconds: float, digest: str) -> None:
        seen[job.path] = seconds
        digests[job.staged] = digest

    lanes.run(jobs, done)
    assert set(seen) == {j.path for j in jobs}
    # Each output's SHA-256, taken in whichever process wrote it, is the file's.
    assert digests == {j.staged: hashlib.sha256(j.staged.read_bytes()).hexdigest() for j in jobs}
    writers = {j.staged.read_text(encoding="utf-8") for j in jobs}
    assert str(os.getpid()) in writers and len(writers) == 2


@needs_fork
def test_an_error_in_the_other_lane_reaches_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lanes, "MIN_PARALLEL_COST", 0)

    def full(path: Path) -> None:
        if os.getpid() != parent:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        path.write_text("fine", encoding="utf-8")

    parent = os.getpid()
    jobs = [_job(tmp_path, f"{n}.txt", 1, full) for n in range(2)]
    with pytest.raises(OSError) as caught:
        lanes.run(jobs, lambda job, seconds, digest: None)
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename in {str(j.path) for j in jobs}  # named by the output, not the staging path


@needs_fork
def test_an_error_here_stops_the_other_lane(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lanes, "MIN_PARALLEL_COST", 0)

    def slow_or_broken(path: Path) -> None:
        if os.getpid() == parent:
            raise ValueError("broken writer")
        time.sleep(60)

    parent = os.getpid()
    jobs = [_job(tmp_path, f"{n}.txt", 1, slow_or_broken) for n in range(2)]
    started = time.perf_counter()
    with pytest.raises(ValueError, match="broken writer"):
        lanes.run(jobs, lambda job, seconds, digest: None)
    assert time.perf_counter() - started < 30  # the sleeping child was stopped, not waited for


@needs_fork
def test_a_generation_written_in_two_lanes_matches_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lanes, "MIN_PARALLEL_COST", 0)
    timings: dict[Path, float] = {}
    written = write_reports(
        assessment(), tmp_path, {"xlsx", "json", "html", "text"}, dispatch=True, timings=timings
    )
    assert set(timings) == set(written) and all(s >= 0 for s in timings.values())
    manifest = json.loads((tmp_path / "civcheck-generation.json").read_text(encoding="utf-8"))
    digests = {tmp_path / rel: digest for rel, digest in manifest["outputs"].items()}
    assert set(digests) == set(written)
    for path, digest in digests.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert document["generation"]["run_id"] == manifest["run_id"]
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".civcheck-tmp")]
