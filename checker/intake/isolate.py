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
from collections.abc import Callable
from typing import Any

from checker.intake.limits import Limits

# Each worker re-imports the parent's main script before it runs (multiprocessing's preparation of a child;
# the forkserver's "__main__" preload does not take, the server is never told the path). The console
# script imports checker.cli: loaded here once, that re-import is a look-up (28 → 8 ms a file).
_PRELOAD = ["checker.cli", "checker.intake.sheets", "pyarrow", "fastexcel", "python_calamine"]
_context: Any = None


class WorkerFailure(Exception):
    """The worker did not return: ``code`` is resource-limit or timeout; ``fields`` feed the message."""

    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


def _get_context() -> Any:
    global _context
    if _context is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        _context = ctx
    return _context


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


__all__ = ["WorkerFailure", "available", "run_isolated"]
