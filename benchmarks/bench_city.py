"""`civcheck city --evidence` over a city of 10 districts × 100k inspection rows (docs/scale.md).

    .venv/bin/python benchmarks/bench_city.py [--districts 10] [--rows 100000] [--repeat 2] [--jobs 2]

The districts' rounds are made once with `civcheck sample --inspections ROWS --seed N` (N = 1…districts)
under benchmarks/data/city-ROWS/ and reused. Then the same city is checked, each run a fresh `civcheck`
process, alternately one after another (`--jobs 1`: in the civcheck process itself) and in the process
pool (`--jobs J`), `--repeat` times each. For every run: the wall time, and the peak memory of the whole
process tree (civcheck, its pool workers and the sheet-parsing helpers they start), sampled from /proc
every 50 ms — the sum of the resident sets, so pages shared between processes count more than once — and
the largest single process; and the CPU seconds of the tree, which tell a slow run on a busy machine (the
same CPU seconds, a longer wall time) from a slower program. Target (issue 14): the pool ≤ 0.7 × one after another, on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import proctree  # a sibling module of the benchmark scripts

ROOT = Path(__file__).resolve().parent.parent
CIVCHECK = Path(sys.executable).parent / "civcheck"
TARGET = 0.7


def _make_rounds(districts: int, rows: int) -> list[Path]:
    base = ROOT / "benchmarks" / "data" / f"city-{rows}"
    folders = []
    for seed in range(1, districts + 1):
        folder = base / f"district-{seed:02d}"
        if not (folder / "点位台账.xlsx").is_file():
            print(f"making {folder.name} ({rows} rows)…", file=sys.stderr)
            cmd = [str(CIVCHECK), "sample", "--inspections", str(rows), "--seed", str(seed),
                   "-o", str(folder), "--force"]  # fmt: skip
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        folders.append(folder)
    return folders


def _run(folders: list[Path], jobs: int, out: Path) -> dict[str, float]:
    cmd = [str(CIVCHECK), "city", "--jobs", str(jobs), "--test-date", "2026-07-15", "-f", "json",
           "-o", str(out), "--force"]  # fmt: skip
    for folder in folders:
        cmd += ["-e", f"{folder.name}={folder}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = peak_one = 0
    while proc.poll() is None:
        sizes = [proctree.rss_kb(pid) for pid in proctree.tree(proc.pid)]
        peak_tree = max(peak_tree, sum(sizes))
        peak_one = max(peak_one, *sizes, 0)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # civcheck and every descendant it waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"civcheck city --jobs {jobs} failed ({proc.returncode}):\n{err}")
    view = json.loads((out / "city.json").read_text(encoding="utf-8"))
    if view["failed"] or len(view["districts"]) != len(folders):
        raise SystemExit(f"not every district was checked: {view['failed']}")
    return {"wall": wall, "cpu": cpu, "tree_mb": peak_tree / 1024, "one_mb": peak_one / 1024,
            "totals": [d["total"] for d in view["districts"]]}  # type: ignore[dict-item]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    folders = _make_rounds(args.districts, args.rows)
    print(f"{args.districts} districts × {args.rows:,} inspection rows; cores available: "
          f"{len(os.sched_getaffinity(0))}; load average before: {os.getloadavg()[0]:.2f}")  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(1, args.repeat + 1):
            seq = _run(folders, 1, Path(tmp) / "seq")
            par = _run(folders, args.jobs, Path(tmp) / "par")
            if seq["totals"] != par["totals"]:
                raise SystemExit("the pool's totals differ from one after another")
            ratio = par["wall"] / seq["wall"]
            rows.append(ratio)
            print(f"run {i}: one after another {seq['wall']:6.1f} s (CPU {seq['cpu']:5.1f} s), peak {seq['tree_mb']:5.0f} MB "
                  f"(largest process {seq['one_mb']:4.0f} MB) | --jobs {args.jobs} {par['wall']:6.1f} s "
                  f"(CPU {par['cpu']:5.1f} s), "
                  f"peak {par['tree_mb']:5.0f} MB (largest {par['one_mb']:4.0f} MB) | "
                  f"ratio {ratio:.2f} (target ≤ {TARGET}) {'met' if ratio <= TARGET else 'NOT met'} | "
                  f"load average now {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    print(f"ratios: {', '.join(f'{r:.2f}' for r in rows)}")


if __name__ == "__main__":
    main()
