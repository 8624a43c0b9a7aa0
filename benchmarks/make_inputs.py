"""Write the benchmark rounds (10k, 100k and 1M inspection rows) into benchmarks/data/ (git-ignored).

Usage::

    .venv/bin/python benchmarks/make_inputs.py                 # 10k, 100k (xlsx) and 1m (CSV)
    .venv/bin/python benchmarks/make_inputs.py 100k --xlsx     # only 100k, inspections as xlsx
    .venv/bin/python benchmarks/make_inputs.py 1m --xlsx       # 1M rows as xlsx (slow: ~65 s, 350 MB peak)
    .venv/bin/python benchmarks/make_inputs.py 1m --xlsx --sites 250000   # the same rows over a 250k-site register

Each round is a full ``civcheck sample`` of the bundled pack (site register, inspections, documents,
surveys, indicators) with the register grown until the inspections reach the size; the seed is fixed,
so the inputs are the same on every machine. 10k and 100k are written as xlsx by default, 1m as CSV.
The sample's flaws (rejected rows, standards left out) are off: the inputs read without rejections and
hold exactly the rows asked for.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from checker.generate.sample import SampleOptions, write_sample  # noqa: E402
from checker.handbook.loader import load_handbook  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 2026


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", metavar="SIZE", help=f"any of {', '.join(SIZES)} (default: all)")
    parser.add_argument("--xlsx", action="store_true", help="inspections as xlsx even for 1m")
    parser.add_argument("--csv", action="store_true", help="inspections as CSV even for 10k and 100k")
    parser.add_argument(
        "--sites", type=int, default=0,
        help="register at least this many sites (the rows are then drawn from all their pairs, so many sites"
        " stay uninspected); the folder is named SIZE-SITES-FORMAT",
    )  # fmt: skip
    parser.add_argument("--handbook", default="wenming-city")
    parser.add_argument("--out", type=Path, default=HERE / "data")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sizes) - set(SIZES))
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    pack = load_handbook(args.handbook)
    for size in args.sizes or list(SIZES):
        rows = SIZES[size]
        as_csv = args.csv or (rows >= 1_000_000 and not args.xlsx)
        register = f"-{args.sites // 1000}k-sites" if args.sites else ""
        target = args.out / f"{size}{register}-{'csv' if as_csv else 'xlsx'}"
        started = time.perf_counter()
        summary = write_sample(
            pack,
            target,
            SampleOptions(
                seed=SEED,
                inspections=rows,
                csv=as_csv,
                flaws=False,
                sites=max(args.sites, SampleOptions.sites),
            ),
            force=True,
        )
        took = time.perf_counter() - started
        print(f"{target}: {summary.inspections:,} rows, {summary.sites:,} sites, {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
