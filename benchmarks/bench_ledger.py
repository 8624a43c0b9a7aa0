"""Ledger speed (docs/ledger.md): recording a round of N gaps against writing its report.json, and the
lifecycle + diff of 50 recorded rounds of 10k gaps.

    .venv/bin/python benchmarks/bench_ledger.py [GAPS]      # default 400000

Targets (issue: the campaign ledger): recording ≤ 1.5× the report.json write; lifecycle and diff of
50 × 10k in under 2 s.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.campaign.ledger import open_ledger  # noqa: E402
from checker.campaign.record import record_round  # noqa: E402
from checker.handbook.loader import load_handbook  # noqa: E402
from checker.intake.reader import read_evidence  # noqa: E402
from checker.report.jsonout import write_report_json  # noqa: E402
from checker.scoring import gaps as gapmod  # noqa: E402
from checker.scoring.assessment import Options  # noqa: E402
from checker.scoring.evaluate import evaluate  # noqa: E402
from checker.scoring.tracking import tracking  # noqa: E402


def big_gaps(template: pd.DataFrame, n: int) -> pd.DataFrame:
    """n site problems shaped like the sample's, each on its own site."""
    row = template[template["kind"] == "site_problem"].iloc[0]
    sites = pd.Series([f"S{i:07d}" for i in range(n)], dtype="string")
    block = gapmod.frame(
        {
            "key": "site_problem|" + row["standard"] + "|" + sites,
            "kind": "site_problem",
            "standard": row["standard"],
            "project": row["project"],
            "method": "field",
            "site": sites.to_numpy(),
            "site_name": "某某社区",
            "street": "城东街道",
            "department": row["department"],
            "description": "公益广告破损，未及时更换",
            "required": row["required"],
            "cases": 1,
            "points_recoverable": 0.001,
            "deadline": pd.Timestamp("2026-06-20"),
            "evidence": "实地考察.xlsx › Sheet1 › 12",
        },
        n,
    )
    return gapmod.finish([block], factors={"field": 0.27, "document": 1.0, "survey": 1.0, "data": 1.0})


def bench_record(n: int) -> None:
    handbook = load_handbook("wenming-city")
    evidence = read_evidence(ROOT / "evidence" / "sample", handbook)
    assessment = evaluate(handbook, evidence, Options(test_date=date(2026, 7, 15)))
    assessment = replace(assessment, gaps=big_gaps(assessment.gaps, n))
    start = time.perf_counter()
    write_report_json(assessment, io.StringIO())
    json_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp, open_ledger(Path(tmp) / "l.sqlite", create=True) as ledger:
        start = time.perf_counter()
        record_round(ledger, assessment, handbook, "R1")
        record_s = time.perf_counter() - start
    print(
        f"{n:,} gaps: report.json {json_s:.2f} s · record {record_s:.2f} s = {record_s / json_s:.2f}× (≤ 1.5×)"
    )


def bench_lifecycle(rounds: int = 50, per_round: int = 10_000) -> None:
    rng = np.random.default_rng(7)
    pool = per_round * 3
    frames = []
    for k in range(rounds):
        ids = rng.choice(pool, size=per_round, replace=False)
        day = pd.Timestamp(date(2024, 1, 1) + timedelta(days=14 * k))
        frames.append(pd.DataFrame({"round_id": k + 1, "problem_id": [f"P{i}" for i in ids], "outcome": "fail",
                                    "observed_on": day, "department": [f"D{i % 40}" for i in ids],
                                    "deadline": day + pd.Timedelta(days=7)}))  # fmt: skip
        fixed = rng.choice(pool, size=per_round // 4, replace=False)
        frames.append(pd.DataFrame({"round_id": k + 1, "problem_id": [f"P{i}" for i in fixed], "outcome": "pass",
                                    "observed_on": day, "department": "", "deadline": pd.NaT}))  # fmt: skip
    findings = pd.concat(frames).drop_duplicates(["round_id", "problem_id"])
    rounds_f = pd.DataFrame({"round_id": range(1, rounds + 1), "name": [f"R{k}" for k in range(1, rounds + 1)],
                             "seq": range(1, rounds + 1),
                             "issued": [pd.Timestamp(date(2024, 1, 1) + timedelta(days=14 * k + 3)) for k in range(rounds)]})  # fmt: skip
    pick = rng.choice(pool, size=5_000)
    replies = pd.DataFrame({"reply_id": range(5_000), "problem_id": [f"P{i}" for i in pick],
                            "status": rng.choice(["已整改", "整改中", "无法整改"], 5_000), "measure": "x",
                            "completed": pd.Timestamp("2024-06-01"), "received": pd.Timestamp("2024-06-02"),
                            "department": ""})  # fmt: skip
    decisions = pd.DataFrame({"decision_id": [], "problem_id": [], "decision": [], "decided_on": pd.Series([], dtype="datetime64[ns]")})  # fmt: skip
    start = time.perf_counter()
    track = tracking(rounds_f, findings, replies, decisions, at_seq=rounds)
    took = time.perf_counter() - start
    print(
        f"lifecycle of {rounds} rounds × {per_round:,} gaps ({len(track.states):,} problems): {took:.2f} s (< 2 s)"
    )


if __name__ == "__main__":
    bench_record(int(sys.argv[1]) if len(sys.argv) > 1 else 400_000)
    bench_lifecycle()
