"""Session-wide settings: the parsed-pack cache lives in a folder of the test session (subprocesses inherit
it), never in the user's own cache. And ``forks``: the children checker.processes.Forked starts."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

from checker.processes import Forked


@pytest.fixture(scope="session", autouse=True)
def _pack_cache() -> Iterator[None]:
    with tempfile.TemporaryDirectory(prefix="civcheck-cache-") as folder:
        before = os.environ.get("CIVCHECK_CACHE_DIR")
        os.environ["CIVCHECK_CACHE_DIR"] = folder
        yield
        if before is None:
            os.environ.pop("CIVCHECK_CACHE_DIR", None)
        else:
            os.environ["CIVCHECK_CACHE_DIR"] = before


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children :class:`~checker.processes.Forked` starts during the test (0: no fork)."""
    started: list[int] = []
    original = Forked._start

    def start(self: Forked[object]) -> None:
        original(self)
        started.append(self.pid or 0)

    monkeypatch.setattr(Forked, "_start", start)
    return started
