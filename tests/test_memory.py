"""The allocator settings of a big check (checker.memory): they take effect in a real process, keep what the
user set, and never fail a run where the C library has no such knob."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from checker import memory


def test_the_arrow_setting_keeps_a_value_the_user_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIMALLOC_PURGE_DELAY", "250")
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    memory.lean_arrow()
    assert os.environ["MIMALLOC_PURGE_DELAY"] == "250"
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    monkeypatch.delenv("MIMALLOC_PURGE_DELAY")
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL")
    memory.lean_arrow()
    assert os.environ["MIMALLOC_PURGE_DELAY"] == "0"
    if sys.platform.startswith("linux"):
        assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == memory.ARROW_POOL


POOL = "from checker.memory import lean_arrow; lean_arrow(); import pyarrow; "
POOL += "print(pyarrow.default_memory_pool().backend_name)"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="jemalloc is chosen on Linux")
def test_a_check_process_allocates_arrow_memory_from_jemalloc() -> None:
    """The pyarrow civcheck installs has jemalloc built in: the pool is taken, and nothing is logged (a build
    without it would print a line on every run)."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run([sys.executable, "-c", POOL], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip() == "jemalloc"
    assert done.stderr == ""


PROBE = """
import sys
from checker.memory import lean_heap
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
first = bytearray(16 * 1024 * 1024)
del first  # glibc's threshold grows to 16 MiB: smaller blocks now come from its heap
if sys.argv[1] == "lean":
    assert lean_heap()
blocks, pins = [], []
for _ in range(8):  # each block followed by a small one that stays: the freed blocks are holes in the heap
    blocks.append(bytearray(8 * 1024 * 1024))
    pins.append(bytearray(200 * 1024))
held = rss()
del blocks
print(held - rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_large_block_freed_is_given_back_to_the_system() -> None:
    """After lean_heap, 64 MiB freed no longer count in the process's resident memory; without it glibc,
    whose threshold grew with the first block, keeps them."""
    given_back = {}
    for mode in ("plain", "lean"):
        done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
        given_back[mode] = int(done.stdout)
    assert given_back["lean"] > 48 * 1024 * 1024, given_back
    assert given_back["plain"] < 16 * 1024 * 1024, given_back


def test_release_memory_runs_anywhere() -> None:
    memory.release_memory()
