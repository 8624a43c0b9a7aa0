"""Writing a generation's outputs on two cores: the outputs split in two lanes, one written by a forked child.

The office workbook, report.json and the 交办单 are independent files written from the same, already computed
assessment. On Linux the child is forked (``os.fork``), so it starts at once and shares the assessment's memory
copy-on-write: nothing is serialised. The outputs are split by their estimated cost (rows to write) so that the
two lanes end about together, the longest first. Each output is still written to its staged path and
fsync'ed; the caller publishes the generation only when both lanes have finished, so a failure in either
(a full disk) leaves the previous outputs as they were. The child reports each finished output, or the error
that stopped it, over a pipe, and leaves with ``os._exit`` (no atexit handlers, no flushing of the parent's
buffers). Elsewhere (macOS, Windows, one core) the outputs are written one after another in this process.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker import processes

MIN_PARALLEL_COST = 2_000  # below this (about a 1,000-problem round) a second process does not pay


@dataclass(frozen=True)
class Job:
    """One output: where it is published, where it is staged, how to write it, its estimated cost."""

    path: Path
    staged: Path
    write: Callable[[Path], None]
    cost: float


# Told of each finished output: the seconds it took and its SHA-256 (which the generation's manifest names).
Done = Callable[[Job, float, str], None]


def split(jobs: Sequence[Job]) -> tuple[list[int], list[int]]:
    """Job indices of two lanes with about equal cost (longest first, each to the lighter lane); the
    second lane's jobs go to the child."""
    lanes: tuple[list[int], list[int]] = ([], [])
    totals = [0.0, 0.0]
    for index in sorted(range(len(jobs)), key=lambda i: -jobs[i].cost):
        lane = 0 if totals[0] <= totals[1] else 1
        lanes[lane].append(index)
        totals[lane] += jobs[index].cost
    return lanes


def write_one(job: Job) -> tuple[float, str]:
    """Write ``job`` to its staged path and fsync it; (the seconds it took, its SHA-256). The file is
    hashed while the fsync waits for the disk (both release the interpreter lock): hashing a 240 MB
    report.json afterwards took ~0.15 s more. A full disk is named by the output it was writing, not the
    staging path."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    try:
        job.staged.parent.mkdir(parents=True, exist_ok=True)
        job.write(job.staged)
        with open(job.staged, "rb+") as handle, ThreadPoolExecutor(1) as syncing:
            synced = syncing.submit(os.fsync, handle.fileno())
            digest = hashlib.sha256()
            while block := handle.read(1 << 20):
                digest.update(block)
            synced.result()
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(job.path)) from None
    return time.perf_counter() - started, digest.hexdigest()


def run(jobs: Sequence[Job], done: Done) -> None:
    """Write every job, in two lanes when that pays (see the module docstring); ``done`` is called in this
    process for each finished output. The first error of either lane is raised once both have stopped."""
    parallel = processes.second_core() and len(jobs) > 1 and sum(j.cost for j in jobs) >= MIN_PARALLEL_COST
    if not parallel:
        for job in jobs:
            done(job, *write_one(job))
        return
    mine, theirs = split(jobs)
    if not theirs:
        for index in mine:
            done(jobs[index], *write_one(jobs[index]))
        return
    read_end, write_end = os.pipe()
    # The child only writes files with xlsxwriter, zlib and Arrow (see processes.fork).
    pid = processes.fork()
    if pid == 0:  # the child: write its lane, report each output, leave without cleanup
        os.close(read_end)
        _child(jobs, theirs, write_end)
    os.close(write_end)
    error: BaseException | None = None
    try:
        with os.fdopen(read_end, "rb") as child:
            for index in mine:
                done(jobs[index], *write_one(jobs[index]))
            for _ in theirs:
                try:
                    status, index, payload = pickle.load(child)
                except Exception:  # EOF: the child died; or its error did not unpickle
                    raise RuntimeError("the process writing the other outputs stopped unexpectedly") from None
                if status == "error":
                    raise payload
                done(jobs[index], *payload)
    except BaseException as exc:  # stop the other lane too (a full disk, Ctrl-C), then raise
        error = exc
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
    _, code = os.waitpid(pid, 0)
    if error is not None:
        raise error
    if code != 0:
        raise RuntimeError(f"the process writing the other outputs exited with status {code}")


def _child(jobs: Sequence[Job], lane: list[int], fd: int) -> None:
    status = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for index in lane:
                try:
                    written = write_one(jobs[index])
                except BaseException as exc:
                    _send(out, ("error", index, exc))
                    status = 1
                    break
                _send(out, ("ok", index, written))
    finally:
        os._exit(status)


def _send(out: object, message: tuple[str, int, object]) -> None:
    try:
        data = pickle.dumps(message)
    except Exception:  # an exception that does not pickle: its text
        data = pickle.dumps((message[0], message[1], RuntimeError(repr(message[2]))))
    out.write(data)  # type: ignore[attr-defined]
    out.flush()  # type: ignore[attr-defined]
