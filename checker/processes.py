"""Work for the second core (第二个核): a computation run in a forked child while this process goes on.

A check is one Python process, and most of scoring holds the interpreter lock, so threads do not help
it. A forked child does: it starts with this process's memory as it is (shared until either side writes),
computes one independent piece, and sends the result back pickled through a pipe, loaded here as it
streams in — a frame of 200,000 gaps is ~75 MB and ~0.1 s to pickle and load, against ~0.6 s to compute.
The child leaves with ``os._exit`` (no atexit handlers, no flushing of this process's buffers).

Where fork is missing (not Linux) or fails, or the child fails, the piece is computed here instead, so
the result is always the same; a bug raises here, with its traceback.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Whether a child can be forked here (Linux: macOS forbids fork after some system libraries load)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def second_core() -> bool:
    """Whether a forked child can work beside this process: fork (see :func:`can_fork`) and two cores."""
    return can_fork() and cores() >= 2


def fork() -> int:
    """``os.fork()``, with this process's objects frozen for the garbage collector while it forks, and
    without Python 3.12's warning that forking a process with threads may deadlock the child (civcheck's
    children never touch a lock another thread could hold: no logging, no printing; Arrow re-creates its
    thread pool after a fork).

    Frozen, the objects the child inherits are never traversed by its collections: a traversal writes to
    every object's header, and each page written is a page the kernel copies (the 10k round's read in two
    processes, 0.47 → 0.42 s). This process takes its objects back at once (into the oldest generation);
    the child, short-lived, keeps them frozen."""
    import gc
    import warnings

    gc.freeze()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except BaseException:
        gc.unfreeze()
        raise
    if pid != 0:
        gc.unfreeze()
    return pid


def stop(pid: int) -> None:
    """Kill a forked child whose work is no longer wanted and reap it (no zombie is left)."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


class Forked(Generic[T]):
    """``compute()`` running in a forked child; :meth:`result` waits for it. Use as a context manager, so
    that a child whose result is not wanted (an error here) is stopped."""

    def __init__(self, compute: Callable[[], T], *, fork: bool = True) -> None:
        self.compute = compute
        self.pid: int | None = None
        self.pipe: int | None = None
        if fork and can_fork():
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        try:
            pid = fork()
        except OSError:
            os.close(read)
            os.close(write)
            return  # no second process: computed here when asked
        if pid == 0:  # the child
            code = 1
            try:
                os.close(read)
                result = self.compute()
                with os.fdopen(write, "wb") as out:
                    pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.pipe = pid, read

    def result(self) -> T:
        """The child's result; computed here when there was no child or it failed."""
        if self.pid is None or self.pipe is None:
            return self.compute()
        loaded: T | None = None
        with os.fdopen(self.pipe, "rb") as pipe:
            self.pipe = None
            try:
                # Loaded as it streams in: the whole pickle (~75 MB for 200k gaps) is never held at once
                # beside what it becomes — at scoring's peak.
                loaded = pickle.load(pipe)
                received = True
            except Exception:  # the child died before or while sending (EOF, a cut stream)
                received = False
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if not received or os.waitstatus_to_exitcode(status) != 0:
            return self.compute()
        return loaded  # type: ignore[return-value]

    def close(self) -> None:
        """Stop a child still running and close the pipe."""
        if self.pid is not None:
            stop(self.pid)
            self.pid = None
        if self.pipe is not None:
            with contextlib.suppress(OSError):
                os.close(self.pipe)
            self.pipe = None

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


__all__ = ["Forked", "can_fork", "cores", "fork", "second_core", "stop"]
