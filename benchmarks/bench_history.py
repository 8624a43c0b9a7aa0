"""`civcheck history` over a ledger of 50 recorded rounds (docs/history.md, docs/scale.md).

    .venv/bin/python benchmarks/bench_history.py [ROUNDS]      # default 50

The rounds are one scored sample (civcheck sample, 600 sites) recorded 50 times under successive 交办日期
over three years (recording reuses the scored assessment, so building the ledger takes a minute, not 50
checks). Then `civcheck history -f json` and `-f terminal,xlsx,html` are timed in-process, best of 3.
Target (issue 14): under 1 s.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.campaign.ledger import open_ledger  # noqa: E402
from checker.campaign.record import record_round  # noqa: E402
from checker.cli import main  # noqa: E402
from checker.handbook.loader import load_handbook  # noqa: E402
from checker.intake.reader import read_evidence  # noqa: E402
from checker.report.reasons import gap_texts  # noqa: E402
from checker.scoring.evaluate import Options, evaluate  # noqa: E402


def _best(args: list[str]) -> float:
    times = []
    for _ in range(3):
        sink = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(io.StringIO()):
            assert main(args) == 0
        times.append(time.perf_counter() - start)
    return min(times)


def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        camp = root / "camp"
        assert main(["init", str(camp), "--district", "临江区"]) == 0
        toml = camp / "civcheck.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("# cycle_start = 2026", "cycle_start = 2024"),
                        encoding="utf-8")  # fmt: skip
        assert main(["sample", "-o", str(root / "ev"), "--csv"]) == 0
        pack = load_handbook("wenming-city")
        evidence = read_evidence(root / "ev", pack)
        assessment = evaluate(pack, evidence, Options(test_date=date(2026, 7, 15)))
        start = time.perf_counter()
        first = date(2024, 1, 10)
        descriptions = gap_texts(assessment, assessment.gaps, "zh")[0]
        with open_ledger(camp / "ledger.sqlite") as ledger:
            for i in range(rounds):
                issued = first + timedelta(days=i * 1095 // rounds)
                record_round(
                    ledger,
                    replace(assessment, issued=issued),
                    pack,
                    f"R{i + 1:02d}",
                    descriptions=descriptions,
                )
        print(
            f"ledger of {rounds} rounds × {len(assessment.gaps)} gaps built in {time.perf_counter() - start:.1f} s"
        )
        base = ["history", "--campaign", str(camp), "--target", "85"]
        print(f"history -f json:                 {_best([*base, '-f', 'json']):.3f} s")
        out = root / "out"
        print(f"history -f terminal,xlsx,html:   "
              f"{_best([*base, '-f', 'terminal,xlsx,html', '-o', str(out), '--force']):.3f} s")  # fmt: skip


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
