"""The sample district's site register (点位台账): every site type of the pack, in realistic proportions."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from checker.generate.district import DISTRICT, PLACES, ROADS, STREETS, Profile, profile_for
from checker.handbook.model import Handbook

__all__ = ["Register", "allocate", "build_register", "type_departments"]


@dataclass(frozen=True)
class Register:
    """The sites, one entry per site, ordered by street then type (the order of their ids)."""

    type_names: tuple[str, ...]
    profiles: tuple[Profile, ...]
    type_department: tuple[str, ...]  # responsible unit (责任单位) of each type's sites
    ids: np.ndarray  # str
    names: np.ndarray  # str
    type_index: np.ndarray  # int, into type_names
    street_index: np.ndarray  # int, into STREETS
    addresses: np.ndarray  # str

    def __len__(self) -> int:
        return len(self.ids)


def type_departments(handbook: Handbook) -> tuple[str, ...]:
    """Per site type, the unit that leads most of the field standards checked there (ties: pack order)."""
    order = {d.name: i for i, d in enumerate(handbook.departments)}
    leads: dict[str, Counter[str]] = {t.name: Counter() for t in handbook.site_types}
    for s in handbook.standards:
        if s.field is not None:
            for t in s.field.site_types:
                leads[t][s.lead] += 1
    fallback = handbook.departments[0].name
    return tuple(
        min(leads[t.name], key=lambda d: (-leads[t.name][d], order.get(d, 0))) if leads[t.name] else fallback
        for t in handbook.site_types
    )


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` sites over types by weight, at least one each (largest remainders first)."""
    raw = total * weights / weights.sum()
    counts: np.ndarray = np.maximum(1, np.floor(raw)).astype(np.int64)
    short = total - int(counts.sum())
    if short > 0:
        order = np.argsort(-(raw - np.floor(raw)), kind="stable")
        counts[order[:short]] += 1
    return counts


def _name(pattern: str, k: int, street: str, type_name: str) -> str:
    cycle = len(PLACES) * len(ROADS)
    name = pattern.format(
        p=PLACES[k % len(PLACES)],
        r=ROADS[(k * 7) % len(ROADS)],
        r2=ROADS[(k * 7 + 3) % len(ROADS)],
        s=street,
        n=k % 99 + 1,
        t=type_name,
    )
    return name if k < cycle else f"{name}（{k // cycle + 1}）"


def build_register(handbook: Handbook, sites: int, rng: np.random.Generator) -> Register:
    """About ``sites`` sites (never fewer than one per type) spread over the district's streets."""
    types = handbook.site_types
    profiles = tuple(profile_for(t) for t in types)
    counts = allocate(sites, np.array([p.weight for p in profiles], dtype=float))
    names: list[str] = []
    type_index: list[int] = []
    street_index: list[int] = []
    for t, (site_type, profile, count) in enumerate(zip(types, profiles, counts, strict=True)):
        patterns = profile.names
        per_street = all("{s}" in p for p in patterns)  # one per street, e.g. 街道办事处
        offset = int(rng.integers(0, len(PLACES)))
        streets = np.arange(count) % len(STREETS) if per_street else rng.integers(0, len(STREETS), size=count)
        seen: set[str] = set()
        for k in range(int(count)):
            street = STREETS[int(streets[k])]
            pattern = patterns[k % len(patterns)]
            name = _name(pattern, offset + k // len(patterns), street, site_type.name)
            if name in seen:
                name = f"{name}（{k + 1}）"
            seen.add(name)
            names.append(name)
            type_index.append(t)
            street_index.append(int(streets[k]))
    type_arr = np.array(type_index, dtype=np.int64)
    street_arr = np.array(street_index, dtype=np.int64)
    order = np.lexsort((type_arr, street_arr))
    n = len(order)
    width = max(4, int(math.log10(max(n, 1))) + 1)
    ids = np.array([f"BJ{k + 1:0{width}d}" for k in range(n)])
    street_arr = street_arr[order]
    numbers = rng.integers(1, 300, size=n)
    roads = rng.integers(0, len(ROADS), size=n)
    addresses = np.array(
        [
            f"{DISTRICT}{STREETS[s]}{ROADS[r]}{num}号"
            for s, r, num in zip(street_arr.tolist(), roads.tolist(), numbers.tolist(), strict=True)
        ]
    )
    return Register(
        type_names=tuple(t.name for t in types),
        profiles=profiles,
        type_department=type_departments(handbook),
        ids=ids,
        names=np.array(names)[order],
        type_index=type_arr[order],
        street_index=street_arr,
        addresses=addresses,
    )
