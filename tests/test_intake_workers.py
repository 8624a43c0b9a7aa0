"""The worker server: started early when a round has a file big enough for a worker, with glibc's huge-page
tunable in its environment only (checker.intake.isolate)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.intake import isolate
from checker.intake.limits import Limits

pytestmark = pytest.mark.skipif(not isolate.available(), reason="no forkserver here")


def test_the_server_starts_early_only_for_a_round_with_a_big_workbook(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    (small / "点位台账.xlsx").write_bytes(b"PK" + b"\0" * 1000)
    (small / "big.csv").write_bytes(b"a,b\n" * 1000)  # CSV is never parsed in a worker
    limits = Limits(apart_bytes=2000)
    assert not isolate.start_early(small, limits)
    big = tmp_path / "big"
    (big / "实地考察").mkdir(parents=True)
    (big / "实地考察" / "城东街道.xlsx").write_bytes(b"PK" + b"\0" * 5000)
    assert not isolate.start_early(big, Limits(apart_bytes=2000, isolate="never"))
    assert isolate.start_early(big, limits)
    assert isolate.start_early(big / "实地考察" / "城东街道.xlsx", limits)
    assert not isolate.start_early(tmp_path / "missing", limits)


def test_workers_ask_for_huge_pages_and_this_process_keeps_its_environment() -> None:
    before = os.environ.get("GLIBC_TUNABLES")
    seen = isolate.run_isolated(os.getenv, ("GLIBC_TUNABLES",), Limits())
    assert isinstance(seen, str) and "glibc.malloc.hugetlb" in seen
    if before is None or "glibc.malloc.hugetlb" not in before:
        assert isolate.WORKER_TUNABLE in seen
    assert os.environ.get("GLIBC_TUNABLES") == before
