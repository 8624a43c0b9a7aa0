"""The exact draw: brute force on small inputs, Monte-Carlo on large ones, and scoring properties."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_support import evidence, tiny

from checker.handbook.model import Thresholds
from checker.scoring.assessment import Options
from checker.scoring.draw import combine, stratum_distribution
from checker.scoring.evaluate import evaluate
from checker.scoring.field import DrawModel, Stratum

SHARES = np.array([1.0, 0.66, 0.33, 0.0])
T = Thresholds(a=0, b=1, c=2)


def grade_share(total: int) -> float:
    return float(SHARES[0 if total <= 0 else 1 if total <= 1 else 2 if total <= 2 else 3])


def brute_expected(strata: list[tuple[list[int], int]]) -> float:
    """E[share] by enumerating every combination of k-subsets of every stratum."""
    choices = [list(itertools.combinations(cases, min(k, len(cases)))) for cases, k in strata]
    total, count = 0.0, 0
    for pick in itertools.product(*choices):
        total += grade_share(sum(sum(s) for s in pick))
        count += 1
    return total / count


def model(strata: list[tuple[list[int], int]]) -> DrawModel:
    return DrawModel(
        tuple(
            Stratum(f"t{i}", k, np.bincount(np.minimum(cases, 3), minlength=4).astype(np.int64))
            for i, (cases, k) in enumerate(strata)
        ),
        T,
        SHARES,
        1.0,
    )


stratum_st = st.tuples(st.lists(st.integers(0, 4), min_size=1, max_size=7), st.integers(1, 8))


@given(st.lists(stratum_st, min_size=1, max_size=3))
@settings(max_examples=150, deadline=None)
def test_exact_draw_equals_brute_force(strata: list[tuple[list[int], int]]) -> None:
    assert model(strata).expected_score() == pytest.approx(brute_expected(strata), abs=1e-12)


def test_exact_draw_agrees_with_monte_carlo_on_large_input() -> None:
    rng = np.random.default_rng(20260615)
    big = [(list(rng.choice([0, 0, 0, 0, 1, 2, 5], size=400)), 12), (list(rng.choice([0, 0, 1], 900)), 20)]
    exact = model(big).expected_score()
    draws = 40_000
    shares = np.empty(draws)
    arrays = [np.asarray(c) for c, _ in big]
    for i in range(draws):
        total = sum(
            int(rng.choice(a, size=k, replace=False).sum()) for a, (_, k) in zip(arrays, big, strict=True)
        )
        shares[i] = grade_share(total)
    # The Monte-Carlo standard error is σ/√n ≤ 0.5/200 = 0.0025; allow 4 standard errors.
    assert abs(shares.mean() - exact) < 0.01
    assert 0.0 < exact < 1.0


def test_distribution_is_a_probability_vector() -> None:
    d = combine(
        [
            stratum_distribution(np.array([50, 20, 5, 3]), 10, 3),
            stratum_distribution(np.array([9, 1, 0, 0]), 2, 3),
        ],
        3,
    )
    assert d.sum() == pytest.approx(1.0) and (d >= 0).all()


# -- properties of the whole evaluation -------------------------------------------------------------------

site_st = st.tuples(st.sampled_from(["农贸市场", "背街小巷"]), st.integers(0, 4))


def _evaluate(sites: list[tuple[str, int]], **opts: object) -> object:
    rows = [
        {
            "site_id": f"S{i}",
            "site_type": t,
            "standard": "Ⅲ-1-1",
            "result": "fail" if c else "pass",
            "cases": c,
        }
        for i, (t, c) in enumerate(sites)
    ]
    return evaluate(tiny(), evidence(inspections=rows), Options(test_date=date(2026, 6, 15), **opts))  # type: ignore[arg-type]


def _field(a: object) -> object:
    return next(s for s in a.standards if s.code == "Ⅲ-1-1")  # type: ignore[attr-defined]


@given(st.lists(site_st, min_size=1, max_size=10))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_score_bounds_totals_and_recoverable(sites: list[tuple[str, int]]) -> None:
    a = _evaluate(sites)
    for s in a.standards:  # type: ignore[attr-defined]
        assert -1e-12 <= s.score <= s.points + 1e-12
    # Totals equal the sum of their parts: every rollup of raw points, and the method rollups.
    applicable = [s for s in a.standards if s.status != "not_applicable"]  # type: ignore[attr-defined]
    for r in a.rollups:  # type: ignore[attr-defined]
        if r.level == "project":
            assert r.score == pytest.approx(sum(s.score for s in applicable))
    methods = [r for r in a.rollups if r.level == "method"]  # type: ignore[attr-defined]
    assert sum(r.score for r in methods) == pytest.approx(sum(s.score for s in applicable))
    field = _field(a)
    problems = a.gaps[(a.gaps["kind"] == "site_problem")]  # type: ignore[attr-defined]
    assert (problems["points_recoverable"] >= 0).all()
    # Each gain alone never exceeds the points the standard loses.
    assert (problems["points_recoverable"] <= field.points - field.score + 1e-9).all()  # type: ignore[attr-defined]


@given(st.lists(site_st, min_size=1, max_size=9), st.data())
@settings(max_examples=80, deadline=None)
def test_fixing_a_problem_never_lowers_the_score(sites: list[tuple[str, int]], data: st.DataObject) -> None:
    failing = [i for i, (_, c) in enumerate(sites) if c]
    if not failing:
        return
    i = data.draw(st.sampled_from(failing))
    before = _field(_evaluate(sites))
    fixed = list(sites)
    fixed[i] = (sites[i][0], 0)
    after = _field(_evaluate(fixed))
    assert after.score >= before.score - 1e-12  # type: ignore[attr-defined]
    gaps = _evaluate(sites).gaps  # type: ignore[attr-defined]
    gain = gaps.loc[(gaps["kind"] == "site_problem") & (gaps["site"] == f"S{i}"), "points_recoverable"]
    assert float(gain.iloc[0]) == pytest.approx(after.score - before.score, abs=1e-9)  # type: ignore[attr-defined]


@given(st.lists(site_st, min_size=1, max_size=9), st.sampled_from(["农贸市场", "背街小巷"]))
@settings(max_examples=80, deadline=None)
def test_adding_a_conforming_site_never_lowers_the_score(sites: list[tuple[str, int]], t: str) -> None:
    before = _field(_evaluate(sites)).score  # type: ignore[attr-defined]
    after = _field(_evaluate([*sites, (t, 0)])).score  # type: ignore[attr-defined]
    assert after >= before - 1e-12


@given(st.lists(site_st, min_size=1, max_size=9))
@settings(max_examples=60, deadline=None)
def test_sequential_gains_of_the_plan_sum_to_the_points_lost(sites: list[tuple[str, int]]) -> None:
    """Single-fix gains are not additive (fixes of one standard interact), so their plain sum can be
    above or below the points lost. What does sum exactly: the gains of fixing the problems one after
    another (each recomputed after the previous fixes), as the plan does — they telescope to the points lost."""
    a = _evaluate(sites, target=1000.0)
    field = _field(a)
    lost = field.points - field.score  # type: ignore[attr-defined]
    # A target above the maximum cannot be reached: the note gives the best total (every fix of every
    # kind made); asking for exactly that makes the plan list every fix.
    assert a.plan_note_code == "plan.unreachable"  # type: ignore[attr-defined]
    best = float(dict(a.plan_note_args)["best"])  # type: ignore[attr-defined]
    full = _evaluate(sites, target=best - 1e-9)
    plan = full.plan  # type: ignore[attr-defined]
    site_steps = plan[plan["kind"] == "site_problem"]
    if lost <= 1e-12:
        assert site_steps.empty
        return
    assert site_steps["points_recoverable"].sum() == pytest.approx(lost, abs=1e-6)
    assert plan["cumulative_score"].is_monotonic_increasing
