"""checker.processes.Forked: a piece computed in a forked child, the same result as computing it here —
also when the child fails or is not wanted — and scoring's coverage gaps built that way."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from checker.cli import main
from checker.handbook.loader import load_handbook
from checker.intake.reader import read_evidence
from checker.processes import Forked, can_fork
from checker.scoring import evaluate as evaluate_module
from checker.scoring.assessment import Options

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork here")


@needs_fork
def test_the_result_comes_from_the_child() -> None:
    here = os.getpid()
    with Forked(lambda: (os.getpid(), pd.DataFrame({"a": range(100_000)}))) as pending:
        assert pending.pid is not None
        pid, frame = pending.result()
    assert pid != here
    assert frame["a"].sum() == sum(range(100_000))


@needs_fork
def test_a_child_that_fails_is_computed_here() -> None:
    here = os.getpid()

    def compute() -> int:
        if os.getpid() != here:
            raise RuntimeError("the child's bug")
        return 7

    with Forked(compute) as pending:
        assert pending.result() == 7


def test_without_a_child_it_is_computed_here() -> None:
    here = os.getpid()
    with Forked(os.getpid, fork=False) as pending:
        assert pending.pid is None
        assert pending.result() == here


@needs_fork
def test_a_child_not_waited_for_is_stopped() -> None:
    with Forked(lambda: time.sleep(60)) as pending:
        pid = pending.pid
        assert pid is not None
    assert pending.pid is None and pending.pipe is None
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


@needs_fork
def test_what_children_build_is_the_same_as_built_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    sample = tmp_path / "sample"
    assert main(["sample", "-o", str(sample), "--sites", "120", "--force"]) == 0
    handbook = load_handbook("wenming-city")
    evidence = read_evidence(sample, handbook)
    options = Options(test_date=date(2026, 7, 15))
    started = forks
    started.clear()  # the read's own child (checker.intake.reader): only scoring's are counted here
    monkeypatch.setattr(evaluate_module, "FORK_SITES", 10**9)
    monkeypatch.setattr(evaluate_module, "FORK_ROWS", 10**9)
    here = evaluate_module.evaluate(handbook, evidence, options)
    assert started == []
    monkeypatch.setattr(evaluate_module, "FORK_SITES", 0)
    monkeypatch.setattr(evaluate_module, "FORK_ROWS", 0)
    forked = evaluate_module.evaluate(handbook, evidence, options)
    assert len(started) == 2 and all(pid > 0 for pid in started)  # coverage and addresses; rankings
    assert (forked.gaps["kind"] == "coverage").sum() > 0
    pd.testing.assert_frame_equal(forked.gaps, here.gaps)
    pd.testing.assert_frame_equal(forked.departments, here.departments)
    pd.testing.assert_frame_equal(forked.streets, here.streets)
    assert len(here.departments) > 1 and len(here.streets) > 1
    assert here.addresses is not None and forked.addresses is not None and len(here.addresses) > 0
    pd.testing.assert_series_equal(forked.addresses, here.addresses)
