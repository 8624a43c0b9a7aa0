"""Benchmark: evaluate() on 1,000,000 inspection rows over 3,000 sites (frames built directly, typed as
checker.intake.frames documents), against a plain pandas group-by over the same rows.

Run: .venv/bin/python benchmarks/bench_evaluate.py [rows] [sites]
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np
import pandas as pd

from checker.handbook.loader import load_handbook
from checker.intake.evidence import Evidence
from checker.scoring.assessment import Options
from checker.scoring.evaluate import evaluate


def build(handbook_id: str, rows: int, sites: int, seed: int = 7) -> tuple[object, Evidence]:
    handbook = load_handbook(handbook_id)
    rng = np.random.default_rng(seed)
    field = [s for s in handbook.standards if s.method == "field"]
    types = [t.name for t in handbook.site_types]
    site_ids = np.array([f"S{i:05d}" for i in range(sites)], dtype=object)
    site_types = rng.choice(types, size=sites)
    depts = [d.name for d in handbook.departments]
    register = pd.DataFrame(
        {
            "site_id": pd.array(site_ids, dtype="string"),
            "site_name": pd.array([f"点位{i}" for i in range(sites)], dtype="string"),
            "site_type": pd.array(site_types, dtype="string"),
            "street": pd.array(rng.choice([f"街道{i}" for i in range(12)], size=sites), dtype="string"),
            "department": pd.array(rng.choice(depts, size=sites), dtype="string"),
            "address": pd.array([None] * sites, dtype="string"),
            "_file": pd.array(["sites.xlsx"] * sites, dtype="string"),
            "_sheet": pd.array(["点位台账"] * sites, dtype="string"),
            "_row": np.arange(2, sites + 2, dtype=np.int64),
        }
    )
    # Each row: a random site and one of the field standards that apply to its type (re-inspections
    # of the same site and standard become duplicates; only the last counts).
    by_type = {t: [s.code for s in field if s.field and t in s.field.site_types] for t in types}
    site_idx = rng.integers(0, sites, size=rows)
    pick = rng.random(rows)
    lists = [by_type[t] or [field[0].code] for t in site_types]
    lengths = np.array([len(x) for x in lists])
    flat = np.array([c for x in lists for c in x], dtype=object)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    std = flat[offsets[site_idx] + (pick * lengths[site_idx]).astype(np.int64)]
    result = rng.choice(
        np.array(["pass", "fail", "na", "none"], dtype=object), size=rows, p=[0.8, 0.15, 0.04, 0.01]
    )
    cases = np.where(result == "fail", rng.integers(1, 4, size=rows), 0)
    dates = pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 90, size=rows), unit="D")
    frame = pd.DataFrame(
        {
            "site_id": pd.array(site_ids[site_idx], dtype="string"),
            "site_name": pd.array([None] * rows, dtype="string"),
            "site_type": pd.array(site_types[site_idx], dtype="string"),
            "standard": pd.array(std, dtype="string"),
            "result": pd.array(result, dtype="string"),
            "cases": cases.astype(np.int64),
            "description": pd.array(np.where(result == "fail", "发现问题", None), dtype="string"),
            "date": dates.astype("datetime64[ns]"),
            "inspector": pd.array(["测评员"] * rows, dtype="string"),
            "department": pd.array([None] * rows, dtype="string"),
            "photo": pd.array([None] * rows, dtype="string"),
            "_file": pd.array(["inspections.csv"] * rows, dtype="string"),
            "_sheet": pd.array(["实地考察"] * rows, dtype="string"),
            "_row": np.arange(2, rows + 2, dtype=np.int64),
        }
    )
    key = frame["site_id"] + "|" + frame["standard"]
    frame["duplicate"] = key.duplicated(keep=False).to_numpy()
    frame["counts"] = ~key.duplicated(keep="last").to_numpy()
    return handbook, Evidence(root=".", frames={"sites": register, "inspections": frame})


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sites = int(sys.argv[2]) if len(sys.argv) > 2 else 3_000
    handbook, ev = build("wenming-city", rows, sites)
    frame = ev.frames["inspections"]
    options = Options(test_date=date(2026, 6, 15))
    evaluate(handbook, ev, options)  # warm-up (imports, caches)
    t0 = time.perf_counter()
    a = evaluate(handbook, ev, options)  # type: ignore[arg-type]
    t_eval = time.perf_counter() - t0
    t0 = time.perf_counter()
    frame.groupby(["standard", "site_id"], observed=True)["cases"].sum()
    t_groupby = time.perf_counter() - t0
    print(f"rows {rows:,}  sites {sites:,}  standards {len(a.standards)}  gaps {len(a.gaps):,}")
    print(f"evaluate           {t_eval:7.3f} s")
    print(f"pandas group-by    {t_groupby:7.3f} s   (evaluate / group-by = {t_eval / t_groupby:.1f}×)")
    # The reads it is compared with are bench_read's figures for 1M rows on the development machine
    # (benchmarks/README.md): xlsx ~5 s, UTF-8 CSV ~0.5 s.
    for label, read in (("xlsx", 5.0), ("CSV", 0.5)):
        print(f"vs a {read:.1f} s {label} read {t_eval / read:7.1%} of read time (target ≤ 15%)")


if __name__ == "__main__":
    main()
