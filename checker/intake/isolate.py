"""Parse a file in a worker process (隔离读取): the backstop against parsers that abort, balloon or hang.

calamine aborts the whole interpreter when an allocation fails (no ``try`` can catch it), and any parser may
have bugs that hostile files find. :func:`run_isolated` runs one call in a fresh process forked from a
forkserver that has the readers preloaded (cheap: no interpreter start, no imports per file), under
``RLIMIT_AS`` and a wall-clock timeout. A worker that dies, runs out of memory or time becomes a
:class:`WorkerFailure` for that one file; the round goes on.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.intake.limits import Limits
from checker.intake.names import EXTENSIONS

# Each worker re-imports the parent's main script before it runs (multiprocessing's preparation of a child;
# the forkserver's "__main__" preload does not take, the server is never told the path). The console
# script imports checker.cli: loaded here once, that re-import is a look-up (28 → 8 ms a file).
_PRELOAD = ["checker.cli", "checker.intake.sheets", "pyarrow", "fastexcel", "python_calamine"]
# Asked of glibc when the worker server starts (its workers inherit it): back the C heap's big blocks with
# transparent huge pages. A worker parsing a 250,000-row sheet allocates and first touches hundreds of MB;
# in 2 MB pages that is a few hundred page faults instead of ~100,000. The 27 sheets of the 1M-row,
# 250k-site round read in 5.6–5.9 s → 5.3 s. Read by glibc at process start only, so this process (already
# started) is not affected; a value the user set for the tunable is kept.
WORKER_TUNABLE = "glibc.malloc.hugetlb=1"
_context: Any = None
_lock = threading.Lock()


# Spreadsheets whose parser may run in a worker: every format but CSV.
_WORKBOOK_SUFFIXES = frozenset(s for f, suffixes in EXTENSIONS.items() if f != "csv" for s in suffixes)


class WorkerFailure(Exception):
    """The worker did not return: ``code`` is resource-limit or timeout; ``fields`` feed the message."""

    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


def _get_context() -> Any:
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _start_server()
            _context = ctx
    return _context


def _start_server() -> None:
    """Start the worker server (a fresh interpreter that imports the readers), with WORKER_TUNABLE in its
    environment only."""
    from multiprocessing import forkserver

    before = os.environ.get("GLIBC_TUNABLES")
    if before is None or "glibc.malloc.hugetlb" not in before:
        os.environ["GLIBC_TUNABLES"] = f"{before}:{WORKER_TUNABLE}" if before else WORKER_TUNABLE
    try:
        forkserver.ensure_running()  # returns once the server is spawned; it imports _PRELOAD on its own
    finally:
        if before is None:
            os.environ.pop("GLIBC_TUNABLES", None)
        else:
            os.environ["GLIBC_TUNABLES"] = before


def start_early(evidence: Path, limits: Limits) -> bool:
    """Start the worker server now when ``evidence`` holds a file big enough to be parsed in a worker, so
    that its imports (~0.2 s) overlap the caller's instead of delaying the first parse. True if started."""
    if limits.isolate == "never" or not available():
        return False
    try:
        if evidence.is_file():
            big = evidence.stat().st_size > limits.apart_bytes
        else:
            big = any(
                entry.stat().st_size > limits.apart_bytes
                for folder, _dirs, names in os.walk(evidence)
                for entry in (Path(folder, n) for n in names)
                if entry.suffix.lower() in _WORKBOOK_SUFFIXES and entry.is_file()
            )
    except OSError:
        return False  # reported when the round is read
    if big:
        _get_context()
    return big


def _child(
    conn: multiprocessing.connection.Connection,
    target: Callable[..., Any],
    args: tuple[Any, ...],
    memory: int,
    cpu_seconds: int,
) -> None:
    try:
        import resource  # POSIX only; imported in the worker so that the package imports anywhere

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        result = target(*args)
        conn.send(("ok", result))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # everything else is handed to the parent, which maps it to a code
        try:
            conn.send(("error", exc))
        except Exception:
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def run_isolated(target: Callable[..., Any], args: tuple[Any, ...], limits: Limits) -> Any:
    """``target(*args)`` in a worker process; its exception is re-raised here, its death is a WorkerFailure."""
    ctx = _get_context()
    parent, child = ctx.Pipe(duplex=False)
    memory_limit = limits.describe("worker_memory_bytes")
    process = ctx.Process(
        target=_child,
        args=(child, target, args, limits.worker_memory_bytes, int(limits.worker_timeout_s) + 1),
        daemon=True,
    )
    process.start()
    child.close()
    try:
        if not parent.poll(limits.worker_timeout_s):
            raise WorkerFailure("timeout", limit=limits.describe("worker_timeout_s"))
        try:
            status, payload = parent.recv()
        except (EOFError, OSError):
            process.join(5)
            raise WorkerFailure(
                "resource-limit", detail=_death(process.exitcode), limit=memory_limit
            ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if status == "memory":
        raise WorkerFailure("resource-limit", detail="MemoryError", limit=memory_limit)
    if status == "error":
        raise payload
    return payload


def _death(exitcode: int | None) -> str:
    if exitcode is None:
        return "worker did not exit"
    if exitcode < 0:
        try:
            return f"worker killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"worker killed by signal {-exitcode}"
    return f"worker exited with status {exitcode}"


def available() -> bool:
    """Whether worker processes can be used here (POSIX with a forkserver)."""
    return os.name == "posix" and "forkserver" in multiprocessing.get_all_start_methods()


__all__ = ["WORKER_TUNABLE", "WorkerFailure", "available", "run_isolated", "start_early"]
