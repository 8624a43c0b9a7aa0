"""实地考察 field standards: expected score under the assessors' stratified draw, site problems, coverage.

The inspections frame is prepared once (site type, street and department resolved from the site
register, factorised codes, one sort by standard); then each field standard looks at its own slice.
There is no Python loop per evidence row: loops run per standard and per site type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from checker.handbook.model import Handbook, Standard, Thresholds
from checker.intake.kinds import RESULT_FAIL, RESULT_NA, RESULT_NONE, RESULT_PASS
from checker.intake.values import text_positions
from checker.scoring.assessment import ReasonArgs, StandardResult
from checker.scoring.common import Place, group_bounds, result
from checker.scoring.draw import FloatArray, combine, stratum_distribution
from checker.scoring.grades import (
    GRADES,
    count_cap,
    grade_for_count,
    grade_index_by_count,
    share_vector,
    thresholds_for,
)

UNKNOWN_TYPE = "(未知类型)"
RESULT_CODES = {RESULT_PASS: 0, RESULT_FAIL: 1, RESULT_NA: 2, RESULT_NONE: 3}
_EPS = 1e-12

IntArray = npt.NDArray[np.int64]


# -- the draw model of one standard -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stratum:
    """One site type of a standard: k sites drawn from the histogram of capped cases."""

    site_type: str
    k: int
    counts: IntArray  # counts[v] = inspected sites with min(cases, cap) == v

    @property
    def sites(self) -> int:
        return int(self.counts.sum())


@dataclass(frozen=True)
class DrawModel:
    """The exact distribution of a field standard's capped total cases under the stratified draw."""

    strata: tuple[Stratum, ...]
    thresholds: Thresholds
    shares: FloatArray  # share by grade index
    points: float

    @property
    def cap(self) -> int:
        return count_cap(self.thresholds)

    def distribution(self) -> FloatArray:
        return combine([stratum_distribution(s.counts, s.k, self.cap) for s in self.strata], self.cap)

    def grade_probabilities(self) -> FloatArray:
        dist = self.distribution()
        probs = np.bincount(grade_index_by_count(self.thresholds), weights=dist, minlength=4)
        return np.asarray(probs, dtype=np.float64)

    def expected_score(self) -> float:
        return float(self.points * (self.grade_probabilities() @ self.shares))

    def fixed(self, stratum: int, value: int) -> DrawModel:
        """The model after one site of ``stratum`` with capped cases ``value`` goes to 0 cases."""
        counts = self.strata[stratum].counts.copy()
        counts[value] -= 1
        counts[0] += 1
        strata = list(self.strata)
        strata[stratum] = replace(strata[stratum], counts=counts)
        return replace(self, strata=tuple(strata))

    def gains(self) -> dict[tuple[int, int], float]:
        """Exact gain in expected score from fixing one site, per (stratum, capped value) present.

        Sites of a stratum with the same capped value are interchangeable, so one recomputation per
        distinct value suffices. Clipped at 0 against rounding (the true gain is never negative).
        """
        base = self.expected_score()
        out: dict[tuple[int, int], float] = {}
        for i, s in enumerate(self.strata):
            for value in np.flatnonzero(s.counts[1:]) + 1:
                out[(i, int(value))] = max(0.0, self.fixed(i, int(value)).expected_score() - base)
        return out


@dataclass(frozen=True)
class ObservedModel:
    """Option observed_draw: the inspected sites are the assessors' own draw; grade their total directly."""

    cases: IntArray  # uncapped cases per inspected applicable site
    thresholds: Thresholds
    shares: FloatArray
    points: float

    def score_for(self, total: int) -> float:
        grade = grade_for_count(total, self.thresholds)
        return float(self.points * self.shares[GRADES.index(grade)])

    def expected_score(self) -> float:
        return self.score_for(int(self.cases.sum()))

    def gain_for(self, value: int) -> float:
        total = int(self.cases.sum())
        return max(0.0, self.score_for(total - value) - self.score_for(total))

    def gains(self) -> dict[tuple[int, int], float]:
        return {(-1, int(v)): self.gain_for(int(v)) for v in np.unique(self.cases[self.cases > 0])}

    def fixed(self, stratum: int, value: int) -> ObservedModel:
        """The model after one site with ``value`` cases goes to 0 (``stratum`` is ignored: -1)."""
        cases = self.cases.copy()
        cases[int(np.flatnonzero(cases == value)[0])] = 0
        return replace(self, cases=cases)


# -- prepared inspections --------------------------------------------------------------------------------


@dataclass
class Prepared:
    """Inspection rows as integer codes, plus one stable order that groups them by standard.

    Nothing is copied or re-sorted row-wise: per-row arrays stay in the frame's order, and each
    standard reads its rows through ``order[start:stop]``.
    """

    rows: pd.DataFrame  # every accepted inspection row, index reset (not copied)
    order: IntArray  # row positions grouped by standard (stable)
    starts: dict[str, tuple[int, int]]  # standard → [start, stop) in ``order``
    site_codes: IntArray  # per row: code of the site id (-1 blank)
    site_ids: pd.Index  # code → site id
    type_codes: IntArray  # per row: code of the resolved site type (-1 unknown)
    type_names: list[str]
    result_codes: IntArray
    cases: IntArray  # per row; a fail counts at least 1 case, pass/na/none 0
    scored: npt.NDArray[np.bool_]  # counts & pass/fail
    covering: npt.NDArray[np.bool_]  # pass/fail/na (any counts flag)
    register: pd.DataFrame  # site register, one row per site id, indexed by site_id
    register_codes: IntArray  # per register row: its site code among the inspected (-1 never inspected)
    register_types: IntArray  # per register row: code of its type in ``type_names`` (-1 blank)
    gain: FloatArray  # per row: points recoverable by fixing it, filled per standard


def prepare(inspections: pd.DataFrame, sites: pd.DataFrame) -> Prepared:
    register = sites.dropna(subset=["site_id"]).drop_duplicates("site_id", keep="last").set_index("site_id")
    rows = inspections.reset_index(drop=True)
    n = len(rows)
    std_codes, std_uniques = pd.factorize(rows["standard"], sort=True)
    order, bounds = group_bounds(std_codes, len(std_uniques))
    starts = {str(code): (int(bounds[i]), int(bounds[i + 1])) for i, code in enumerate(std_uniques)}

    site_codes, site_uniques = pd.factorize(rows["site_id"])
    site_index = pd.Index(site_uniques)
    # Site type: the register's type of the site wins, else the type written on the row — resolved on
    # integer codes (one code space over the names of both), never on the strings of every row. The
    # look-ups between the register's ids and the inspected ones are Arrow hash joins: a pandas Index of
    # Arrow strings made Python objects of a quarter of a million ids for each (0.5 s of 0.7 s).
    row_type_codes, row_type_names = pd.factorize(rows["site_type"])
    names = pd.unique(np.concatenate([np.asarray(row_type_names, dtype=object),
                                      register["site_type"].dropna().to_numpy(dtype=object)]))  # fmt: skip
    register_types = text_positions(register["site_type"], names)  # per register row
    register_codes = text_positions(register.index, site_index)  # per register row: its inspected site code
    site_row = text_positions(site_index, register.index)  # per inspected site: its register row
    site_reg_type = np.append(register_types, -1)[site_row]  # row -1 (not registered) → -1
    site_reg_type = np.append(site_reg_type, -1)  # site code -1 → -1
    row_in_names = np.append(text_positions(row_type_names, names), -1)  # index -1 → -1
    from_register = site_reg_type[site_codes]
    type_codes = np.where(from_register >= 0, from_register, row_in_names[row_type_codes])

    res_codes, res_names = pd.factorize(rows["result"])
    res_map = np.append([RESULT_CODES.get(str(r), 3) for r in res_names], 3).astype(np.int64)
    result_codes = res_map[res_codes] if n else np.zeros(0, dtype=np.int64)
    is_fail = result_codes == 1
    cases = rows["cases"].to_numpy(dtype=np.int64, na_value=0)
    cases = np.where(is_fail, np.maximum(cases, 1), 0)
    counted = rows["counts"].to_numpy(dtype=bool)
    return Prepared(
        rows=rows,
        order=order,
        starts=starts,
        site_codes=site_codes.astype(np.int64),
        site_ids=site_index,
        type_codes=type_codes.astype(np.int64),
        type_names=[str(t) for t in names],
        result_codes=result_codes.astype(np.int64),
        cases=cases.astype(np.int64),
        scored=counted & (result_codes <= 1),
        covering=result_codes <= 2,
        register=register,
        register_codes=register_codes,
        register_types=register_types,
        gain=np.zeros(n),
    )


# -- evaluation of one standard ----------------------------------------------------------------------------


@dataclass
class FieldOutcome:
    result: StandardResult
    model: DrawModel | ObservedModel | None
    # for the plan: per scored failing row position, (stratum index or -1, capped/uncapped value)
    fail_rows: IntArray
    fail_keys: list[tuple[int, int]]
    uncovered: IntArray  # positions in the register of sites of the standard's types never inspected


def evaluate_field(
    handbook: Handbook,
    standard: Standard,
    place: Place,
    prep: Prepared,
    *,
    observed: bool,
    rejected: int,
) -> FieldOutcome:
    assert standard.field is not None
    types = standard.field.site_types
    thresholds = thresholds_for(handbook, standard)
    cap = count_cap(thresholds)
    shares = share_vector(handbook)
    start, stop = prep.starts.get(standard.code, (0, 0))
    at = prep.order[start:stop]  # this standard's rows, in frame order
    tcodes = prep.type_codes[at]
    res = prep.result_codes[at]
    scored = prep.scored[at]
    covering = prep.covering[at]
    cases = prep.cases[at]
    site_codes = prep.site_codes[at]

    # Register: the standard's types, and which registered sites no inspection covered.
    reg = prep.register
    type_to_code = {name: i for i, name in enumerate(prep.type_names)}
    wanted = [type_to_code[t] for t in types if t in type_to_code]
    of_types = np.isin(prep.register_types, wanted)
    covered = np.zeros(len(prep.site_ids) + 1, dtype=bool)
    covered[site_codes[covering]] = True  # code -1 lands on the spare last slot
    reg_codes = prep.register_codes
    uncovered = np.flatnonzero(of_types & ~((reg_codes >= 0) & covered[reg_codes]))
    reg_counts = pd.Series(np.bincount(prep.register_types[of_types], minlength=len(prep.type_names)),
                           index=prep.type_names)  # fmt: skip

    # Strata: the standard's types; unknown-type sites join the single type, or an extra stratum.
    stratum_of_code: dict[int, int] = {}
    strata_names: list[str] = []
    strata_k: list[int] = []
    for t in types:
        stratum_of_code[type_to_code.get(t, -100 - len(strata_names))] = len(strata_names)
        strata_names.append(t)
        strata_k.append(handbook.sample_size(standard, t))
    if len(types) == 1:
        stratum_of_code[-1] = 0
    else:
        stratum_of_code[-1] = len(strata_names)
        strata_names.append(UNKNOWN_TYPE)
        strata_k.append(min(strata_k))
    lookup = np.full(len(prep.type_names) + 1, -1, dtype=np.int64)  # index code+1
    for type_code, s in stratum_of_code.items():
        if type_code >= -1:
            lookup[type_code + 1] = s
    stratum = lookup[tcodes + 1]
    in_draw = scored & (stratum >= 0)
    excluded = len(np.unique(site_codes[scored & (stratum < 0)]))

    n_strata = len(strata_names)
    st = stratum[in_draw]
    capped = np.minimum(cases[in_draw], cap)
    hist = np.bincount(st * (cap + 1) + capped, minlength=n_strata * (cap + 1)).reshape(n_strata, cap + 1)
    sites_inspected = int(in_draw.sum())
    failing = in_draw & (cases > 0)
    sites_failing = int(failing.sum())
    total_cases = int(cases[in_draw].sum())
    sample = int(sum(strata_k[: len(types)]))
    short = any(
        hist[i].sum() < (min(k, int(reg_counts.get(t, 0))) if len(reg) else k)
        for i, (t, k) in enumerate(zip(strata_names[: len(types)], strata_k, strict=False))
    )
    counts: dict[str, Any] = {
        "rows": len(at),
        "sites_inspected": sites_inspected,
        "sites_failing": sites_failing,
        "cases": total_cases,
        "sites_registered": int(of_types.sum()),
        "sites_uncovered": len(uncovered),
        "sample": sample,
        "sample_short": bool(short),
        "excluded_sites": excluded,
    }
    empty = FieldOutcome
    none_rows = np.zeros(0, dtype=np.int64)

    if sites_inspected == 0:
        any_rows = stop > start
        only_na = any_rows and bool((res[res != 3] == 2).all()) and bool((res != 3).any())
        args: ReasonArgs
        if not any_rows and rejected:
            status, code, args = "invalid", "field.invalid", (("rejected", rejected),)
        elif only_na:
            status, code, args = "not_applicable", "field.all_na", ()
        elif not any_rows and len(reg) and not of_types.any():
            status, code, args = "not_applicable", "field.no_sites", (("site_types", tuple(types)),)
        else:
            status, code = "no_evidence", "field.no_inspection"
            args = (("site_types", tuple(types)), ("sample", sample))
        counts["sample_short"] = status == "no_evidence"
        res_ = result(standard, place, status=status, reason_code=code, reason_args=args, **counts)
        return empty(res_, None, none_rows, [], uncovered)

    positions = at[in_draw & (cases > 0)]
    model: DrawModel | ObservedModel
    if observed:
        obs = ObservedModel(cases[in_draw].astype(np.int64), thresholds, shares, standard.points)
        model = obs
        score = obs.expected_score()
        grade = grade_for_count(int(obs.cases.sum()), thresholds)
        probs = np.zeros(4)
        probs[GRADES.index(grade)] = 1.0
        failing_cases = cases[in_draw & (cases > 0)]
        uniq, inverse = np.unique(failing_cases, return_inverse=True)
        prep.gain[positions] = np.array([obs.gain_for(int(v)) for v in uniq])[inverse]
        keys = [(-1, int(v)) for v in failing_cases]
    else:
        strata = tuple(
            Stratum(name, k, hist[i].astype(np.int64))
            for i, (name, k) in enumerate(zip(strata_names, strata_k, strict=True))
        )
        dm = DrawModel(strata, thresholds, shares, standard.points)
        model = dm
        probs = dm.grade_probabilities()
        score = float(standard.points * (probs @ shares))
        gains = dm.gains()
        fail_st = stratum[in_draw & (cases > 0)]
        fail_val = np.minimum(cases[in_draw & (cases > 0)], cap)
        table = np.zeros((n_strata, cap + 1))
        for (i, v), g in gains.items():
            table[i, v] = g
        prep.gain[positions] = table[fail_st, fail_val]
        keys = list(zip(fail_st.tolist(), fail_val.tolist(), strict=True))
        grade = GRADES[int(np.argmax(probs[::-1]) * -1 + 3)]  # most likely; ties → the lower grade
    score = min(standard.points, max(0.0, score))
    draw_args: ReasonArgs = (
        ("draw", "observed" if observed else "random"),
        ("sample", sample),
        ("expected", score / standard.points),
        ("p_full", float(probs[0])),
        ("inspected", sites_inspected),
        ("failing", sites_failing),
        ("cases", total_cases),
        ("short", bool(short)),
        ("uncovered", len(uncovered)),
    )
    if probs[0] >= 1 - _EPS:
        status, code = "pass", "field.pass"
    elif probs[3] >= 1 - _EPS:
        status, code = "fail", "field.fail"
    else:
        status, code = "partial", "field.partial"
    res_ = result(
        standard,
        place,
        status=status,
        grade=grade,
        score=score,
        reason_code=code,
        reason_args=draw_args,
        p_full=float(probs[0]),
        grade_probabilities=tuple(float(p) for p in probs),
        **counts,
    )
    return FieldOutcome(res_, model, positions.astype(np.int64), keys, uncovered)
