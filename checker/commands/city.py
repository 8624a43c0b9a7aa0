"""``civcheck city DIR… [--evidence NAME=DIR…] -o OUT``: several districts side by side.

A district is given by its campaign folder or report.json (read here, already checked), or by its round's
evidence (``--evidence``), which is checked here: in a standard-library process pool (``--jobs``), one
district per task, each task reading and scoring one district's evidence on its own. A district that fails
is reported and does not stop the others; the pool's results are the same as checking them one after another.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import CivcheckError, UsageError

if TYPE_CHECKING:
    from checker.campaign.city import District

FORMATS = ("terminal", "json", "xlsx", "html")


@dataclass(frozen=True)
class EvidenceTask:
    """One district's evidence to check: plain, picklable data for a worker process."""

    name: str
    evidence: str
    handbook: str
    test_date: str  # ISO date
    # Whether its files may be read by two processes (checker.intake.reader): not in a pool, whose
    # workers keep the cores busy already.
    split: bool = True


@dataclass(frozen=True)
class TaskResult:
    """What a worker sends back: the district, or why it failed (in both languages), and the seconds taken."""

    name: str
    district: District | None
    message: str
    message_zh: str
    seconds: float


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return max(1, len(affinity(0)) if affinity else (os.cpu_count() or 1))


def parse_evidence(items: list[str]) -> list[tuple[str, Path]]:
    """``NAME=DIR`` or ``DIR`` (named by its folder) for each ``--evidence``; names must differ."""
    parsed: list[tuple[str, Path]] = []
    for item in items:
        name, sep, folder = item.partition("=")
        if not sep or Path(item).exists():
            name, folder = Path(item).name, item
        name, folder = name.strip(), folder.strip()
        if not name or not folder:
            raise UsageError(
                f"--evidence {item!r}: give NAME=DIR (a district's name and its evidence folder)",
                zh=f"--evidence “{item}”：请写成 区名=证据文件夹",
            )
        if name in {n for n, _ in parsed}:
            raise UsageError(
                f"--evidence: the district {name!r} is given twice",
                zh=f"--evidence：“{name}” 出现了两次",
            )
        parsed.append((name, Path(folder)))
    return parsed


def check_district(task: EvidenceTask) -> TaskResult:
    """Read and score one district's evidence (runs in a worker process; never raises)."""
    from datetime import date

    from checker.campaign.city import district_from_document

    started = time.perf_counter()
    try:
        from checker.handbook.loader import load_handbook
        from checker.intake.reader import read_evidence
        from checker.report.jsonout import report_document
        from checker.scoring.assessment import Options
        from checker.scoring.evaluate import evaluate

        folder = Path(task.evidence)
        if not folder.exists():
            raise UsageError(
                f"evidence {task.evidence!r} does not exist",
                zh=f"证据文件或文件夹 “{task.evidence}” 不存在",
            )
        handbook = load_handbook(task.handbook)
        evidence = read_evidence(folder, handbook, split=task.split)
        if not any(len(frame) for frame in evidence.frames.values()):
            reasons = "; ".join(f"{r.file}: {r.text('en')}" for r in evidence.rejected[:3])
            reasons_zh = "; ".join(f"{r.file}: {r.text('zh')}" for r in evidence.rejected[:3])
            raise UsageError(
                "no readable evidence" + (f" ({reasons})" if reasons else ""),
                zh="没有可读取的证据" + (f"（{reasons_zh}）" if reasons_zh else ""),
            )
        assessment = evaluate(handbook, evidence, Options(test_date=date.fromisoformat(task.test_date)))
        document = report_document(assessment)
        document["district"] = task.name
        district = district_from_document(document, task.evidence, task.name)
        return TaskResult(task.name, district, "", "", time.perf_counter() - started)
    except CivcheckError as exc:
        return TaskResult(task.name, None, exc.text("en"), exc.text("zh"), time.perf_counter() - started)
    except OSError as exc:
        from checker.commands.options import file_error

        error = file_error(exc)
        return TaskResult(task.name, None, error.text("en"), error.text("zh"), time.perf_counter() - started)
    except Exception as exc:  # one district's unforeseen failure must not stop the city
        text = f"{type(exc).__name__}: {exc}"
        return TaskResult(task.name, None, text, text, time.perf_counter() - started)


def check_districts(tasks: list[EvidenceTask], jobs: int) -> list[TaskResult]:
    """Every task's result, in the order of ``tasks``: one after another with ``jobs`` 1, else in a
    process pool of ``jobs`` workers started with *spawn* (no fork of a process holding threads)."""
    if jobs <= 1 or len(tasks) <= 1:
        return [check_district(task) for task in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    results: list[TaskResult] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(check_district, replace(task, split=False)) for task in tasks]
        for task, future in zip(tasks, futures, strict=True):
            try:
                results.append(future.result())
            except Exception as exc:  # a worker killed (out of memory, a signal)
                text = f"the worker checking this district stopped ({type(exc).__name__}: {exc})"
                zh = f"检查该区的工作进程意外终止（{type(exc).__name__}：{exc}）"
                results.append(TaskResult(task.name, None, text, zh, 0.0))
    return results


def run_city(
    paths: list[Path],
    output: Path,
    formats: str,
    lang: str | None,
    force: bool,
    evidence: list[str] | None = None,
    jobs: int | None = None,
    handbook: str = "wenming-city",
    test_date: str | None = None,
) -> int:
    from datetime import date

    from checker import files
    from checker.campaign.city import city_view, read_districts
    from checker.commands.options import parse_day, parse_formats
    from checker.report import city
    from checker.report.labels import check_lang

    lang = check_lang(lang or os.environ.get("CIVCHECK_LANG") or "zh")
    named = parse_evidence(evidence or [])
    if not paths and not named:
        raise UsageError(
            "give at least one district: a campaign folder, a report.json or --evidence NAME=DIR",
            zh="请至少给出一个区：创建台账文件夹、report.json 或 --evidence 区名=证据文件夹",
        )
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: give 1 or more", zh=f"--jobs {jobs}：至少为 1")
    day = parse_day(test_date, "--test-date") if test_date else date.today()
    if named:
        from checker.handbook.loader import load_handbook

        load_handbook(handbook)  # a wrong --handbook is one usage error, not one failure per district
    wanted = parse_formats(formats, FORMATS, default=frozenset(FORMATS))
    stem = "全市汇总" if lang == "zh" else "city"
    targets = {"json": output / "city.json", "xlsx": output / f"{stem}.xlsx", "html": output / f"{stem}.html"}
    files.refuse_existing([p for f, p in targets.items() if f in wanted], force=force)
    districts, failed = read_districts(paths)
    if named:
        tasks = [EvidenceTask(name, str(folder), handbook, day.isoformat()) for name, folder in named]
        workers = min(jobs or default_jobs(), len(tasks))
        print(
            f"checking {len(tasks)} districts' evidence, {workers} at a time"
            if lang == "en"
            else f"正在检查 {len(tasks)} 个区的证据，同时 {workers} 个",
            file=sys.stderr,
        )
        for result in check_districts(tasks, workers):
            if result.district is not None:
                districts.append(result.district)
                score = f"{result.district.total:.2f}"
                print(
                    f"✓ {result.name}: {score} ({result.seconds:.1f} s)"
                    if lang == "en"
                    else f"✓ {result.name}：{score} 分（{result.seconds:.1f} 秒）",
                    file=sys.stderr,
                )
            else:
                failed.append({"district": result.name, "message": result.message,
                               "message_zh": result.message_zh})  # fmt: skip
    for f in failed:
        print(f"✗ {f['district']}: {f['message_zh' if lang == 'zh' else 'message']}", file=sys.stderr)
    if not districts:
        raise UsageError("no district could be read", zh="没有一个地区可以读取")
    view = city_view(districts, failed)
    if "terminal" in wanted:
        city.render_city(view, lang)
    writes: list[tuple[Path, Callable[[Path], object]]] = []
    if "json" in wanted:
        text = json.dumps(view, ensure_ascii=False, indent=1)
        writes.append((targets["json"], lambda p: p.write_text(text, encoding="utf-8")))
    if "xlsx" in wanted:
        writes.append((targets["xlsx"], lambda p: city.write_city_workbook(view, p, lang)))
    if "html" in wanted:
        page = city.render_city_html(view, lang)
        writes.append((targets["html"], lambda p: p.write_text(page, encoding="utf-8")))
    if writes:
        output.mkdir(parents=True, exist_ok=True)
    for path, write in writes:
        with files.atomic_path(path) as temp:
            write(temp)
        print(path, file=sys.stderr)
    return 0
