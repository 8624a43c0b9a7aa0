"""The assessors' draw (抽查): the exact distribution of problem cases over a stratified random draw.

For one site type (stratum) the assessors draw a uniformly random k-subset of the N inspected sites
(all of them when k ≥ N). Only counts up to ``cap`` (= c + 1, "more than c") matter for grading, so each
site's cases are capped at ``cap`` — exact, since min(cap, Σ min(cap, cᵢ)) = min(cap, Σ cᵢ) — and the
sites of a stratum reduce to a histogram ``counts[v]`` = number of sites with capped cases v.

A random k-subset picks m_v sites of each value v with the multivariate hypergeometric law; taking the
values one after the other, m_v given what is left is hypergeometric. The dynamic programme runs over
(draws remaining, capped total so far) — at most (k+1)·(cap+1) states per value — so its cost depends on
k and cap, never on N. Strata are independent and are combined by a capped convolution.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@lru_cache(maxsize=8)
def _log_factorials(limit: int) -> FloatArray:
    """log(n!) for n = 0..limit (grown in powers of two so the cache stays small)."""
    n = np.arange(1, limit + 1, dtype=np.float64)
    return np.concatenate(([0.0], np.cumsum(np.log(n))))


def _log_table(n: int) -> FloatArray:
    size = 1024
    while size < n:
        size *= 2
    return _log_factorials(size)


def _log_comb(lf: FloatArray, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> FloatArray:
    """log C(a, b), −inf where b < 0 or b > a."""
    ok = (b >= 0) & (b <= a)
    a_ = np.where(ok, a, 0)
    b_ = np.where(ok, b, 0)
    out = lf[a_] - lf[b_] - lf[a_ - b_]
    return np.where(ok, out, -np.inf)


def capped_total_all(counts: npt.NDArray[np.int64], cap: int) -> FloatArray:
    """Point mass at the capped total when every site is drawn."""
    total = int(np.dot(np.arange(len(counts)), counts))
    out = np.zeros(cap + 1)
    out[min(cap, total)] = 1.0
    return out


def stratum_distribution(counts: npt.NDArray[np.int64], k: int, cap: int) -> FloatArray:
    """P(capped total = s), s = 0..cap, for a uniformly random k-subset of sites with histogram ``counts``.

    ``counts[v]`` is the number of sites whose capped cases equal v (len(counts) == cap + 1).
    """
    return _stratum_distribution(tuple(int(c) for c in counts), int(k), int(cap))


@lru_cache(maxsize=65536)
def _stratum_distribution(counts: tuple[int, ...], k: int, cap: int) -> FloatArray:
    arr = np.asarray(counts, dtype=np.int64)
    population = int(arr.sum())
    if population == 0:
        nothing = np.zeros(cap + 1)
        nothing[0] = 1.0
        return nothing
    if k >= population:
        return capped_total_all(arr, cap)
    lf = _log_table(population)
    # state[r, s]: probability that r draws remain and the capped total so far is s.
    state = np.zeros((k + 1, cap + 1))
    state[k, 0] = 1.0
    left = population
    r = np.arange(k + 1, dtype=np.int64)
    for value, n in enumerate(counts):
        if n == 0:
            continue
        new = np.zeros_like(state)
        # probs[m, r] = P(m of the r remaining draws fall on this value's n sites | `left` sites remain),
        # for every m at once (one table of log-binomials, not three per m).
        ms = np.arange(min(n, k) + 1, dtype=np.int64)[:, None]
        denom = _log_comb(lf, np.full_like(r, left), r)[None, :]
        logp = _log_comb(lf, np.full_like(ms, n), ms) + _log_comb(lf, np.full((1, k + 1), left - n), r - ms)
        denom = np.broadcast_to(denom, logp.shape)
        ok = np.isfinite(logp) & np.isfinite(denom)
        probs = np.zeros(logp.shape)
        probs[ok] = np.exp(logp[ok] - denom[ok])
        for m in range(len(ms)):
            p = probs[m]
            if not p.any():
                continue
            moved = state[m:, :] * p[m:, None]  # rows r = m..k → r - m
            shift = value * m
            if shift == 0:
                new[: k + 1 - m, :] += moved
            elif shift >= cap:
                new[: k + 1 - m, cap] += moved.sum(axis=1)
            else:
                new[: k + 1 - m, shift:cap] += moved[:, : cap - shift]
                new[: k + 1 - m, cap] += moved[:, cap - shift :].sum(axis=1)
        state = new
        left -= n
    out: FloatArray = state[0].copy()
    out /= out.sum()  # absorb rounding; the mass is 1 up to ~1e-12
    out.setflags(write=False)
    return out


def convolve_capped(a: FloatArray, b: FloatArray, cap: int) -> FloatArray:
    """Distribution of min(cap, X + Y) for independent capped X, Y."""
    full: FloatArray = np.convolve(a, b)
    out = full[: cap + 1].copy()
    out[cap] += full[cap + 1 :].sum()
    return out


def combine(distributions: list[FloatArray], cap: int) -> FloatArray:
    out = np.zeros(cap + 1)
    out[0] = 1.0
    for d in distributions:
        out = convolve_capped(out, d, cap)
    return out
