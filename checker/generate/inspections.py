"""The sample round's inspection rows (实地考察), generated column-wise with numpy.

One row is one field standard checked at one site of a type it applies to. Problem rates come from the
site's profile and the standard's topics (see :mod:`checker.generate.phrases`), scaled per site and per
street so that some places are visibly worse. Rows are grouped into the files a round really arrives
in: one per sub-district team (社区, 小区, 背街小巷 …) and one per responsible department for the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from checker.generate.district import INSPECTORS, STREETS
from checker.generate.phrases import Template, topics_for
from checker.generate.register import Register
from checker.handbook.model import Handbook, Standard

__all__ = ["Inspections", "applicable_pairs", "build_inspections", "weekdays"]

CASES = np.array([1, 2, 3, 4, 5])
CASE_SHARES = np.array([0.70, 0.15, 0.08, 0.04, 0.03])
UNINSPECTED_SITES = 0.02  # sites no team reached (coverage gaps)
SKIPPED_CHECKS = 0.01  # standards a team forgot at a site it did visit
NOT_APPLICABLE = 0.006
MAX_RATE = 0.85
RATE_SCALE = 0.8  # calibrates the whole round to a self-check's usual 12–16 % of rows with problems
NA_NOTE = "点位无此项设施"


@dataclass(frozen=True)
class Inspections:
    """Inspection rows as parallel arrays, sorted by team, then site, then standard."""

    site: np.ndarray  # int, into the register
    standard: np.ndarray  # int, into ``codes``
    codes: tuple[str, ...]
    result: np.ndarray  # int: 0 pass, 1 fail, 2 not applicable
    cases: np.ndarray  # int, 0 unless failed
    description: np.ndarray  # str ("" when none)
    date: np.ndarray  # datetime64[D]
    inspector: np.ndarray  # str
    photo: np.ndarray  # str ("" when none)
    team: np.ndarray  # int, into ``teams``
    teams: tuple[str, ...]  # sub-district names, then department names

    def __len__(self) -> int:
        return len(self.site)


def weekdays(start: dt.date, end: dt.date) -> np.ndarray:
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    return days[np.is_busday(days)]


def applicable_pairs(register: Register, field: list[Standard]) -> tuple[np.ndarray, np.ndarray]:
    """Every (site, standard) pair where the standard applies to the site's type, in site order."""
    per_type = [
        np.array([f for f, s in enumerate(field) if s.field and name in s.field.site_types], dtype=np.int64)
        for name in register.type_names
    ]
    n_std = np.array([len(a) for a in per_type], dtype=np.int64)
    flat = np.concatenate([*per_type, np.zeros(0, dtype=np.int64)])
    type_offset = np.concatenate(([0], np.cumsum(n_std)[:-1]))
    counts = n_std[register.type_index]
    site = np.repeat(np.arange(len(register), dtype=np.int64), counts)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    within = np.arange(len(site), dtype=np.int64) - np.repeat(starts, counts)
    standard = flat[type_offset[register.type_index[site]] + within]
    return site, standard


def _rate_table(register: Register, field: list[Standard]) -> np.ndarray:
    """Chance of a problem per (site type, standard)."""
    table = np.zeros((len(register.type_names), max(len(field), 1)))
    for f, standard in enumerate(field):
        topics = topics_for(standard.text)
        for t, profile in enumerate(register.profiles):
            worse = max(topic.worse_at.get(profile.key, 1.0) for topic in topics)
            table[t, f] = min(MAX_RATE, RATE_SCALE * profile.base_rate * worse)
    return table


def _offsets(groups: list[list[Template]] | list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each group in the flattened list."""
    counts = np.array([len(g) for g in groups], dtype=np.int64)
    return np.concatenate(([0], np.cumsum(counts)[:-1])), counts


def _descriptions(
    rng: np.random.Generator,
    register: Register,
    field: list[Standard],
    site: np.ndarray,
    standard: np.ndarray,
    cases: np.ndarray,
) -> np.ndarray:
    """Inspection notes for failed rows: place on the site + a topic's template with its number."""
    per_standard = [[t for topic in topics_for(s.text) for t in topic.templates] for s in field]
    per_profile = [list(p.places) for p in register.profiles]
    t_off, t_cnt = _offsets(per_standard)
    p_off, p_cnt = _offsets(per_profile)
    templates = [t for group in per_standard for t in group]
    heads = np.array([t.head for t in templates], dtype=str)
    tails = np.array([t.tail for t in templates], dtype=str)
    kinds = np.array([t.count for t in templates], dtype=str)
    placed = np.array([t.placed for t in templates], dtype=bool)
    place_arr = np.array([p for group in per_profile for p in group], dtype=str)
    n = len(site)
    pick = t_off[standard] + (rng.random(n) * t_cnt[standard]).astype(np.int64)
    types = register.type_index[site]
    where = p_off[types] + (rng.random(n) * p_cnt[types]).astype(np.int64)
    counts = np.where(kinds[pick] == "c", cases, rng.integers(3, 16, size=n)).astype(str)
    number = np.where(kinds[pick] == "", "", counts)
    prefix = np.where(placed[pick], place_arr[where], "")
    out: np.ndarray = np.char.add(np.char.add(np.char.add(prefix, heads[pick]), number), tails[pick])
    return out


def build_inspections(
    handbook: Handbook,
    register: Register,
    rng: np.random.Generator,
    days: np.ndarray,
    target_rows: int | None = None,
) -> Inspections:
    """The inspection rows of the round; with ``target_rows``, exactly that many pairs drawn from all."""
    field = [s for s in handbook.standards if s.method == "field"]
    site, standard = applicable_pairs(register, field)
    if target_rows is None:
        visited = rng.random(len(register)) >= UNINSPECTED_SITES
        keep = visited[site] & (rng.random(len(site)) >= SKIPPED_CHECKS)
    else:
        keep = np.zeros(len(site), dtype=bool)
        keep[rng.choice(len(site), size=min(target_rows, len(site)), replace=False)] = True
    site, standard = site[keep], standard[keep]
    n = len(site)

    site_factor = rng.lognormal(0.0, 0.45, size=len(register)) / np.exp(0.45**2 / 2)
    street_factor = rng.uniform(0.75, 1.3, size=len(STREETS))
    rate = _rate_table(register, field)[register.type_index[site], standard]
    rate = np.minimum(MAX_RATE, rate * site_factor[site] * street_factor[register.street_index[site]])
    draw = rng.random(n)
    result = np.where(draw < rate, 1, np.where(rng.random(n) < NOT_APPLICABLE, 2, 0))
    binary = np.array([s.binary for s in field] or [False])[standard]
    cases = np.where(result == 1, np.where(binary, 1, rng.choice(CASES, size=n, p=CASE_SHARES)), 0)

    failed = result == 1
    description = np.full(n, "", dtype=object)
    description[failed] = _descriptions(rng, register, field, site[failed], standard[failed], cases[failed])
    description[result == 2] = NA_NOTE

    # Teams: a sub-district's team for its own community-level sites, otherwise the responsible unit.
    departments = sorted(set(register.type_department), key=[d.name for d in handbook.departments].index)
    team_of_type = np.array(
        [
            -1 if profile.street_team else len(STREETS) + departments.index(dept)
            for profile, dept in zip(register.profiles, register.type_department, strict=True)
        ]
    )
    site_team = team_of_type[register.type_index]
    site_team = np.where(site_team < 0, register.street_index, site_team)
    team = site_team[site]

    # One visit per site: a date inside the round and two inspectors of the team.
    site_day = days[rng.integers(0, len(days), size=len(register))]
    pool = rng.permutation(len(INSPECTORS))
    teams_total = len(STREETS) + len(departments)
    first = rng.integers(0, 4, size=len(register))
    second = (first + 1 + rng.integers(0, 3, size=len(register))) % 4
    names = np.array(INSPECTORS, dtype=str)[np.resize(pool, teams_total * 4)].reshape(teams_total, 4)
    pair = np.char.add(np.char.add(names[site_team, first], "、"), names[site_team, second])

    order = np.lexsort((standard, site, team))
    site, standard, result, cases = site[order], standard[order], result[order], cases[order]
    description, team = description[order], team[order]
    photo = _photos(register.ids[site], result == 1)
    return Inspections(
        site=site,
        standard=standard,
        codes=tuple(s.code for s in field),
        result=result,
        cases=cases,
        description=description,
        date=site_day[site],
        inspector=pair[site],
        photo=photo,
        team=team,
        teams=(*STREETS, *departments),
    )


def _photos(site_ids: np.ndarray, failed: np.ndarray) -> np.ndarray:
    """``<site id>_<n>.jpg`` for the n-th problem found at a site (rows are grouped by site)."""
    photo = np.full(len(site_ids), "", dtype=object)
    ids = site_ids[failed]
    if len(ids):
        new_group = np.concatenate(([True], ids[1:] != ids[:-1]))
        index = np.arange(len(ids))
        start = np.maximum.accumulate(np.where(new_group, index, 0))
        number = (index - start + 1).astype(str)
        photo[failed] = np.char.add(np.char.add(np.char.add(ids.astype(str), "_"), number), ".jpg")
    return photo
