"""Benchmark intake on messy rounds: many rejected rows, and a file sent twice.

Usage::

    .venv/bin/python benchmarks/bench_messy.py            # 100,000 rows
    .venv/bin/python benchmarks/bench_messy.py 1000000    # 1M rows

Real rounds are not clean: a department types 基本达标 in a fifth of its rows, or sends the same workbook
twice. Those paths (one message per rejected row, one duplicate pair per row) must stay vectorised; this
prints each against a clean read of the same number of rows (CSV, each in a fresh process).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_read import handbook_data, make_rows, write_csv

CHILD = r"""
import json, sys, time
from pathlib import Path
from checker.handbook.model import Handbook
from checker.intake.reader import read_evidence
handbook = Handbook.model_validate(json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
t0 = time.perf_counter()
evidence = read_evidence(Path(sys.argv[1]), handbook)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "accepted": len(evidence.frame("inspections")),
                  "rejected": len(evidence.rejected)}))
"""


def measure(folder: Path, pack: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(pack)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="civcheck-messy-"))
    try:
        pack = root / "pack.json"
        pack.write_text(json.dumps(handbook_data(), ensure_ascii=False), encoding="utf-8")
        rows = make_rows(args.rows)
        clean, messy, twice = root / "clean", root / "messy", root / "twice"
        for folder in (clean, messy, twice):
            folder.mkdir()
        write_csv(clean / "insp.csv", rows)
        # Every fifth row's result is a spelling no handbook accepts.
        bad = [(*r[:4], "基本达标", *r[5:]) if i % 5 == 4 else r for i, r in enumerate(rows)]
        write_csv(messy / "insp.csv", bad)
        half = rows[: args.rows // 2]
        write_csv(twice / "a.csv", half)
        shutil.copy(twice / "a.csv", twice / "b.csv")
        base = measure(clean, pack)
        print(f"clean                 {args.rows:>10,} rows  {base['seconds']:6.2f} s")
        for label, folder in (("20% unreadable", messy), ("half the rows, twice", twice)):
            r = measure(folder, pack)
            print(
                f"{label:21s} {args.rows:>10,} rows  {r['seconds']:6.2f} s  "
                f"({r['seconds'] / base['seconds']:.1f}× clean; {r['rejected']:,.0f} rejected)"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
