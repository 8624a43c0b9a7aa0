"""Time every report writer on a synthetic 1M-inspection round against a bare xlsxwriter dump.

    .venv/bin/python benchmarks/bench_write.py [--problems 200000] [--departments 40]

The assessment is built directly (frames, not the engine): ~200k site problems plus coverage and material
gaps, 300 standards, 40 departments, 12 sub-districts. It prints the time of each output, the total against
a bare constant-memory xlsxwriter dump of the problem rows (target ≤ 3×) and the peak RSS (target < 1.5 GB).
Each part runs in a fresh process so the peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(problems: int, departments: int):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    from checker.intake.evidence import InputFile, Rejection
    from checker.scoring.assessment import GAP_COLUMNS, Assessment, Options, Rollup, StandardResult, Total

    rng = np.random.default_rng(7)
    units = [f"区{name}局" for name in ("城管", "市场监管", "交通", "教育", "卫健", "民政", "商务", "文旅")]
    units = [f"{units[i % len(units)]}{i // len(units) or ''}" for i in range(departments)]
    streets = [f"第{i + 1}街道" for i in range(12)]
    codes = [f"Ⅲ-{i // 5 + 1}-{i % 5 + 1}" for i in range(300)]
    projects = [f"Ⅰ-{i + 1}" for i in range(8)]
    site_types = ["农贸市场", "公园", "社区", "学校", "主次干道", "公交站", "医院", "商业大街"]
    texts = [
        "地面有积水，垃圾未及时清运",
        "占道经营、乱堆乱放",
        "公益广告破损，未及时更换",
        "公共厕所异味明显，无保洁记录",
        "非机动车乱停放，堵塞盲道",
        "未设置文明行为提示牌",
    ]

    coverage = problems // 10
    materials = 600
    n = problems + coverage + materials
    kind = np.array(
        ["site_problem"] * problems + ["coverage"] * coverage + ["material"] * materials, dtype=object
    )
    site = rng.integers(0, 3000, n)
    std = rng.integers(0, 300, n)
    frame = pd.DataFrame(
        {
            "id": [f"P-{i:010x}" for i in range(n)],
            "kind": kind,
            "standard": np.array(codes, dtype=object)[std],
            "project": np.array(projects, dtype=object)[std % 8],
            "method": np.where(kind == "material", "document", "field"),
            "site": np.where(kind == "material", "", np.char.add("S", site.astype(str))),
            "site_name": np.where(kind == "material", "", np.char.add("幸福路点位", site.astype(str))),
            "site_type": np.array(site_types, dtype=object)[site % 8],
            "street": np.array(streets, dtype=object)[site % 12],
            "department": np.array(units, dtype=object)[rng.integers(0, departments, n)],
            # Evidence text on site problems; coverage and material gaps say theirs by reason_code.
            "description": np.where(
                kind == "site_problem", np.array(texts, dtype=object)[rng.integers(0, len(texts), n)], ""
            ),
            "required": "环境整洁有序，设施完好",
            "cases": np.where(kind == "site_problem", rng.integers(1, 4, n), 0),
            "photo": np.where(
                kind == "site_problem", np.char.add("photos/", np.char.add(site.astype(str), ".jpg")), ""
            ),
            "points_lost": np.where(kind == "material", 0.5, 0.0),
            "points_recoverable": np.round(rng.random(n) * 0.3, 6),
            "deadline": pd.Timestamp("2024-06-30"),
            "evidence": np.char.add("实地考察.xlsx › 实地考察 › ", (np.arange(n) + 2).astype(str)),
            "reason_code": np.select(
                [kind == "material", kind == "coverage"], ["material.missing", "coverage.not_inspected"], ""
            ),
        }
    )
    frame["total_recoverable"] = (frame["points_recoverable"] * 0.27).round(6)
    frame["key"] = frame["kind"] + "|" + frame["standard"] + "|" + frame["site"] + "|" + frame["id"]
    for column in ("id", "kind", "standard", "project", "method", "site", "site_name", "site_type", "street",
                   "department", "description", "required", "photo", "evidence", "reason_code"):  # fmt: skip
        frame[column] = frame[column].astype("string")
    frame = frame.sort_values(
        ["total_recoverable", "points_recoverable", "id"], ascending=[False, False, True], ignore_index=True
    )
    frame = frame[list(GAP_COLUMNS)]

    standards = [
        StandardResult(
            code=c,
            text=f"{c} 标准内容",
            method="field",
            project=projects[i % 8],
            indicator=f"Ⅱ-{i % 24}",
            content=f"Ⅲ-{i // 5 + 1}",
            points=1.0,
            status="partial",
            grade="B",
            score=0.66,
            expected_share=0.66,
            p_full=0.2,
            lead=units[i % departments],
            departments=(units[i % departments],),
            reason_code="field.partial",
            reason_args=(
                ("draw", "random"),
                ("sample", 10),
                ("expected", 0.66),
                ("p_full", 0.2),
                ("inspected", 300),
                ("failing", 40),
                ("cases", 60),
                ("short", False),
                ("uncovered", 0),
            ),
            sites_inspected=300,
            sites_failing=40,
            cases=60,
            sample=10,
        )
        for i, c in enumerate(codes)
    ]
    rollups = [
        Rollup("project", p, f"测评项目{i + 1}", 37.5, 24.75, 24.75, 26.0, 37, 5, 1)
        for i, p in enumerate(projects)
    ]
    ranking = pd.DataFrame(
        {
            "department": units,
            "sites": 75,
            "inspections": 25_000,
            "problems": problems // departments,
            "conformity": 0.8,
            "points_recoverable": 12.5,
            "total_recoverable": 3.4,
            "rank": range(1, departments + 1),
        }
    )
    street_rank = ranking.head(12).rename(columns={"department": "street"}).assign(street=streets)
    plan = frame.head(500)[["id", "standard", "site", "department", "points_recoverable"]].assign(
        step=range(1, 501), total_gain=0.05, cumulative_score=70.0
    )
    return Assessment(
        handbook_id="wenming-city",
        handbook_name="全国文明城市测评体系（示例）",
        handbook_edition="2024",
        options=Options(test_date=date(2024, 6, 1), target=85.0),
        window=(date(2023, 5, 1), date(2024, 4, 30)),
        total=Total(72.3, 100.0, 72.3, 75.1, 99.0, 1.0, False),
        standards=standards,
        rollups=rollups,
        negative_events=[],
        gaps=frame,
        departments=ranking,
        streets=street_rank,
        plan=plan,
        plan_note_code="plan.greedy_reached",
        plan_note_args=(("steps", 500), ("score", 85.0), ("target", 85.0)),
        inputs=[InputFile(f"dept{i}.xlsx", "0" * 64, "xlsx", 25_000, 24_990, 10) for i in range(departments)],
        rejected=[
            Rejection(f"dept{i % 40}.xlsx", "实地考察", i + 2, "检查日期", "E-DATE", "无法识别的日期")
            for i in range(400)
        ],
        district="示例区",
    )


def bare(problems: int, departments: int, out: Path) -> dict[str, float]:
    """The floor: problem rows written with write_row, constant memory, no formats, no sanitising."""
    import xlsxwriter

    from checker.report import tables

    a = build(problems, departments)
    site_problems = a.gaps[a.gaps["kind"] == "site_problem"]
    table = tables.frame_table(site_problems, tables.SITE_PROBLEM_COLUMNS)
    start, cpu = time.perf_counter(), time.process_time()
    book = xlsxwriter.Workbook(str(out / "bare.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, table.columns)
    for row, values in enumerate(table.rows(), start=1):
        sheet.write_row(row, 0, values)
    book.close()
    return {
        "bare": time.perf_counter() - start,
        "bare_cpu": time.process_time() - cpu,
        "rows": float(len(site_problems)),
    }


def full(problems: int, departments: int, out: Path) -> dict[str, float]:
    from checker.report import write_reports

    a = build(problems, departments)
    timings: dict[str, float] = {}
    for fmt in ("xlsx", "json", "html", "text"):
        start, cpu = time.perf_counter(), time.process_time()
        write_reports(a, out, {fmt}, force=True)
        timings[fmt] = time.perf_counter() - start
        timings[fmt + "_cpu"] = time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    written = write_reports(a, out, set(), dispatch=True, force=True)
    timings["dispatch"] = time.perf_counter() - start
    timings["dispatch_cpu"] = time.process_time() - cpu
    timings["dispatch_files"] = float(len(written))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=200_000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--part", choices=("bare", "full"))
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.part:
        part = bare if args.part == "bare" else full
        result = part(args.problems, args.departments, Path(args.out))
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for part in ("bare", "full"):
            command = [sys.executable, __file__, "--part", part, "--out", tmp]
            command += ["--problems", str(args.problems), "--departments", str(args.departments)]
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                check=True,
            )
            results[part] = json.loads(done.stdout.strip().splitlines()[-1])
    base, parts = results["bare"], results["full"]
    keys = ("xlsx", "json", "html", "text", "dispatch")
    total = sum(parts[k] for k in keys)
    total_cpu = sum(parts[k + "_cpu"] for k in keys)
    print(f"site problems: {int(base['rows']):,}  departments: {args.departments}")
    print(
        f"bare xlsxwriter dump of the problem rows: {base['bare']:.1f} s wall, {base['bare_cpu']:.1f} s CPU "
        f"(peak RSS {base['peak_rss_mb']:.0f} MB)"
    )
    for key in keys:
        print(f"  {key:9s} {parts[key]:7.1f} s wall {parts[key + '_cpu']:7.1f} s CPU")
    print(
        f"every output: {total:.1f} s wall = {total / base['bare']:.2f}× the bare dump; "
        f"{total_cpu:.1f} s CPU = {total_cpu / base['bare_cpu']:.2f}× (target ≤ 3×)"
    )
    print(f"peak RSS, every output: {parts['peak_rss_mb']:.0f} MB (target < 1500 MB)")


if __name__ == "__main__":
    main()
