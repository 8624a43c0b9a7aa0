"""Ledger speed (docs/ledger.md): recording a round of N gaps against writing its report.json, and the
lifecycle + diff of 50 recorded rounds of 10k gaps.

    .venv/bin/python benchmarks/bench_ledger.py [GAPS]      # default 400000

Targets (issue: the campaign ledger): recording ≤ 1.5× the report.json write (a first round, and a
second round on a ledger that holds the first); lifecycle and diff of 50 × 10k in under 2 s (the pure
lifecycle on frames, and diff + tracking read from a real ledger of 50 recorded rounds).
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
from checker.report.reasons import gap_texts  # noqa: E402
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
    # Round 2 re-finds nine gaps in ten and one in ten is new: its keys are looked up in a ledger that
    # already holds round 1's problems, and the problems round 2 no longer finds are checked for 销号.
    keep = assessment.gaps.iloc[: n - n // 10]
    fresh = big_gaps(assessment.gaps, n // 10)
    fresh = fresh.assign(key=fresh["key"] + "|r2", id=gapmod.stable_ids(fresh["key"] + "|r2"))
    second = replace(assessment, gaps=pd.concat([keep, fresh], ignore_index=True), issued=date(2026, 8, 1))
    with tempfile.TemporaryDirectory() as tmp, open_ledger(Path(tmp) / "l.sqlite", create=True) as ledger:
        for name, round_ in (("R1", assessment), ("R2", second)):
            start = time.perf_counter()  # as `check --record` does: the zh texts, then the recording
            record_round(ledger, round_, handbook, name, descriptions=gap_texts(round_, round_.gaps, "zh")[0])
            record_s = time.perf_counter() - start
            print(
                f"{n:,} gaps, {name}: report.json {json_s:.2f} s · record {record_s:.2f} s "
                f"= {record_s / json_s:.2f}× (≤ 1.5×)"
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


def bench_recorded(rounds: int = 50, per_round: int = 10_000) -> None:
    """A real ledger of ``rounds`` recorded rounds (each finds 10k of a pool of 30k site problems and
    re-inspects 2.5k others as compliant); then what a user waits for: ``diff`` of the last two rounds and
    the tracking of the last round, both read from the ledger."""
    from checker.campaign import diff

    handbook = load_handbook("wenming-city")
    evidence = read_evidence(ROOT / "evidence" / "sample", handbook)
    base = evaluate(handbook, evidence, Options(test_date=date(2026, 7, 15)))
    pool = big_gaps(base.gaps, per_round * 3)
    standard = str(pool["standard"].iloc[0])
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory() as tmp, open_ledger(Path(tmp) / "l.sqlite", create=True) as ledger:
        start = time.perf_counter()
        for k in range(rounds):
            day = date(2024, 1, 1) + timedelta(days=14 * k)
            picked = rng.choice(len(pool), size=per_round + per_round // 4, replace=False)
            failing, passing = picked[:per_round], picked[per_round:]
            gaps = pool.iloc[failing].reset_index(drop=True)
            inspected = pd.DataFrame(
                {
                    "standard": standard,
                    "site": pool["site"].iloc[picked].to_numpy(),
                    "date": pd.Timestamp(day),
                    "fail": np.r_[np.ones(len(failing), bool), np.zeros(len(passing), bool)],
                }
            )
            round_ = replace(base, gaps=gaps, inspected=inspected, issued=day + timedelta(days=2))
            record_round(
                ledger, round_, handbook, f"R{k + 1}", descriptions=gap_texts(round_, round_.gaps, "zh")[0]
            )
        built = time.perf_counter() - start
        start = time.perf_counter()
        a, b = f"R{rounds - 1}", f"R{rounds}"
        result = diff.compare(
            diff.from_ledger(ledger, a), diff.from_ledger(ledger, b), diff.history(ledger, a, b)
        )
        diff_s = time.perf_counter() - start
        start = time.perf_counter()
        frames = ledger.tracking_frames()
        read_s = time.perf_counter() - start
        track = tracking(*frames, at_seq=rounds)
        track_s = time.perf_counter() - start
    print(
        f"ledger of {rounds} recorded rounds × {per_round:,} gaps (built in {built:.0f} s, "
        f"{len(track.states):,} problems): diff {diff_s:.2f} s ({len(result['fixed']):,} fixed) · "
        f"tracking {track_s:.2f} s, of which reading the ledger {read_s:.2f} s (each < 2 s)"
    )


if __name__ == "__main__":
    bench_record(int(sys.argv[1]) if len(sys.argv) > 1 else 400_000)
    bench_lifecycle()
    bench_recorded()
