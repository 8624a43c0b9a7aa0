"""The whole check on a round, against merely reading its files (issue 15).

Usage::

    .venv/bin/python benchmarks/make_inputs.py 1m --xlsx                   # 1M rows, 154k-site register
    .venv/bin/python benchmarks/make_inputs.py 1m --xlsx --sites 250000    # 1M rows, 250k-site register
    .venv/bin/python benchmarks/make_inputs.py 10k
    .venv/bin/python benchmarks/bench_check.py benchmarks/data/1m-xlsx [--repeat 2]
    .venv/bin/python benchmarks/bench_check.py benchmarks/data/10k-xlsx --small

Each measurement is a fresh process, run alternately ``--repeat`` times; the figure is the median. They
measure a user's usual run: civcheck's bytecode compiled (as an install leaves it; PYTHONDONTWRITEBYTECODE is
dropped from the environment) and the bundled pack's parse cached (done once before the first run).

- **bare read**: every spreadsheet of the round read with fastexcel (all sheets, to pandas; CSV with pyarrow),
  nothing else — the floor any checker has to stand on. Imports are not timed.
- **json**: ``civcheck check ROUND -f json`` — read, check, score, write report.json.
- **everything**: ``civcheck check ROUND -f json,xlsx,html,text --dispatch`` — every report and every 交办单.

Wall time of the whole ``civcheck`` process (start-up included), peak RSS of its process tree (sampled every
50 ms, the reading workers included) and of its largest process, the ratios to the bare read, and the phase
breakdown ``--verbose`` prints (read, evaluate, each output). With ``--small`` it also times start-up
(``civcheck --version``) and checks the 10k-row targets: everything ≤ 2 s, start-up ≤ 0.5 s.
Targets: everything ≤ 4× the bare read and ≤ 1.2 GB; JSON only ≤ 2×.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import proctree  # a sibling module of the benchmark scripts

HERE = Path(__file__).resolve().parent
CIVCHECK = Path(sys.executable).with_name("civcheck")
TEST_DATE = "2026-07-15"

BARE = r"""
import sys, time
from pathlib import Path
import fastexcel, pyarrow.csv, pandas  # imports are not part of the measurement
root = Path(sys.argv[1])
started = time.perf_counter()
rows = 0
for path in sorted(root.rglob("*")):
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        book = fastexcel.read_excel(str(path))
        for name in book.sheet_names:
            rows += len(book.load_sheet(name).to_pandas())
    elif suffix == ".csv":
        rows += pyarrow.csv.read_csv(str(path)).num_rows
print(rows, time.perf_counter() - started)
"""


# As installed: bytecode compiled once and kept (a shell with PYTHONDONTWRITEBYTECODE would have every run
# compile civcheck's sources again, ~0.2 s no user pays).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
WARM = "import compileall, checker; from checker.handbook.loader import load_handbook; " + (
    "compileall.compile_dir(checker.__path__[0], quiet=1); load_handbook('wenming-city')"
)


def warm_up() -> None:
    """What a user's second run finds: civcheck's bytecode compiled and the bundled pack's parse cached."""
    subprocess.run([sys.executable, "-c", WARM], env=ENV, check=True)


def _watch(cmd: list[str]) -> tuple[float, float, float, str, str]:
    """Run ``cmd``; wall seconds, peak RSS of its tree and of its largest process (MB), stderr, stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=ENV)
        tree = one = 0
        while proc.poll() is None:
            sizes = [proctree.rss_kb(pid) for pid in proctree.tree(proc.pid)]
            tree, one = max(tree, sum(sizes)), max(one, *sizes, 0)
            time.sleep(0.05)
        wall = time.perf_counter() - started
        err.seek(0)
        out.seek(0)
        text, printed = (f.read().decode("utf-8", "replace") for f in (err, out))
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-2000:]}")
    return wall, tree / 1024, one / 1024, text, printed


def bare_read(round_dir: Path) -> dict[str, float]:
    wall, tree, one, _, printed = _watch([sys.executable, "-c", BARE, str(round_dir)])
    rows, seconds = printed.split()
    return {"seconds": float(seconds), "rows": float(rows), "tree_mb": tree, "one_mb": one, "wall": wall}


def _phases(text: str) -> dict[str, float]:
    """The phase lines of ``--verbose`` (read, evaluate, one line per output written, all outputs): the
    name before the colon (a path shortened to its file name), the first seconds figure after it."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        head, sep, tail = line.strip().partition("：")
        if not sep:
            head, sep, tail = line.strip().partition(": ")
        seconds = re.search(r"([\d.]+) ?(?:秒|s)\b", tail) or re.search(r"([\d.]+) ?秒", tail)
        if not sep or seconds is None:
            continue
        name = head.split()[0] + " " + Path(head.split(maxsplit=1)[1]).name if " /" in head else head
        if "交办单" in head or "dispatch" in head.lower():
            name = "交办单 (all)"
        out[name] = out.get(name, 0.0) + float(seconds.group(1))
    return out


def check(round_dir: Path, formats: str, dispatch: bool, out: Path) -> dict[str, object]:
    cmd = [str(CIVCHECK), "check", str(round_dir), "--test-date", TEST_DATE, "-f", formats, "-o", str(out),
           "--force", "--verbose"]  # fmt: skip
    if dispatch:
        cmd.append("--dispatch")
    wall, tree, one, err, _ = _watch(cmd)
    return {"seconds": wall, "tree_mb": tree, "one_mb": one, "phases": _phases(err)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("round", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--small", action="store_true", help="also time start-up; the 10k-round targets")
    args = parser.parse_args()
    if not args.round.is_dir():
        raise SystemExit(f"{args.round} is not a folder: make it with benchmarks/make_inputs.py")
    runs: dict[str, list[dict[str, object]]] = {"bare": [], "json": [], "everything": []}
    warm_up()
    with tempfile.TemporaryDirectory(prefix="civcheck-bench-") as tmp:
        for n in range(args.repeat):
            runs["bare"].append(bare_read(args.round))  # type: ignore[arg-type]
            runs["json"].append(check(args.round, "json", False, Path(tmp) / f"json-{n}"))
            runs["everything"].append(check(args.round, "json,xlsx,html,text", True, Path(tmp) / f"all-{n}"))
    med = {k: statistics.median(float(r["seconds"]) for r in v) for k, v in runs.items()}  # type: ignore[arg-type]
    bare = med["bare"]
    rows = int(float(runs["bare"][0]["rows"]))  # type: ignore[arg-type]
    print(f"round {args.round} ({rows:,} rows in its spreadsheets), {args.repeat} run(s), medians")
    print(
        f"  bare read (fastexcel)      {bare:7.2f} s   peak {max(float(r['one_mb']) for r in runs['bare']):6.0f} MB"
    )  # type: ignore[arg-type]
    for key, target in (("json", 2.0), ("everything", 4.0)):
        peak_tree = max(float(r["tree_mb"]) for r in runs[key])  # type: ignore[arg-type]
        peak_one = max(float(r["one_mb"]) for r in runs[key])  # type: ignore[arg-type]
        ratio = med[key] / bare
        # The ratio targets are for big rounds; a small one has its own (below), its read being start-up.
        verdict = "" if args.small else f" (target ≤ {target:g}×: {'met' if ratio <= target else 'NOT met'})"
        memory = (
            ""
            if args.small or key == "json"
            else f" (target ≤ 1.2 GB: {'met' if peak_one <= 1200 else 'NOT met'})"
        )
        print(f"  {key:26s} {med[key]:7.2f} s = {ratio:4.2f}× the bare read{verdict}; "
              f"peak RSS {peak_tree:6.0f} MB tree, {peak_one:6.0f} MB largest process{memory}")  # fmt: skip
        phases: dict[str, list[float]] = {}
        for r in runs[key]:
            for name, seconds in r["phases"].items():  # type: ignore[attr-defined]
                phases.setdefault(name, []).append(seconds)
        for name, values in phases.items():
            print(f"      {name:40s} {statistics.median(values):6.2f} s")
    if args.small:
        startup = statistics.median(
            _watch([str(CIVCHECK), "--version"])[0] for _ in range(max(3, args.repeat))
        )
        print(
            f"  start-up (civcheck --version) {startup:5.2f} s (target ≤ 0.5 s: {'met' if startup <= 0.5 else 'NOT met'})"
        )
        print(f"  everything on this round      {med['everything']:5.2f} s (target ≤ 2 s: "
              f"{'met' if med['everything'] <= 2 else 'NOT met'})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
