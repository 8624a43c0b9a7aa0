"""``civcheck check``: read → evaluate → render, and the exit code (0 done, 1 below --fail-under, 2 bad input)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import CivcheckError, UsageError
from checker.files import is_within

if TYPE_CHECKING:
    from collections.abc import Sequence

    from checker.intake.evidence import SkippedFile

FORMATS = ("terminal", "json", "xlsx", "html", "text")
DEFAULT_OUTPUT = Path("civcheck-report")


@dataclass(frozen=True)
class CheckArgs:
    evidence: Path
    handbook: str | None
    test_date: str | None
    target: float | None
    fail_under: float | None
    output: Path | None
    formats: str | None
    lang: str | None
    detail: bool
    dispatch: bool
    observed_draw: bool
    force: bool
    issued: str | None = None
    # The campaign (see docs/ledger.md): settings from --campaign or the folder the command runs in.
    campaign: Path | None = None
    record: bool = False
    round_name: str | None = None
    replace: bool = False
    # --quiet: nothing on screen but errors (the exit code tells the result); --verbose: the files read and
    # how long each phase took (read, evaluate, each output), on stderr.
    quiet: bool = False
    verbose: bool = False


def _fail(error: CivcheckError | str, lang: str | None) -> int:
    from checker.commands.options import say_error

    if isinstance(error, CivcheckError) and not isinstance(error, UsageError):
        error = UsageError(str(error), zh=error.zh)
    return say_error("check", error, lang or "zh")


def _with_settings(args: CheckArgs) -> tuple[CheckArgs, object]:
    """Fill what the command line left unset from the campaign's settings (an option given wins)."""
    from dataclasses import replace

    from checker.commands.campaign import campaign_settings
    from checker.commands.options import run_lang

    settings = campaign_settings(args.campaign)
    if settings is None:
        if args.record:
            raise UsageError(
                "--record needs a campaign: run inside a folder made by `civcheck init`, or give --campaign DIR",
                zh="--record 需要创建台账：请在 `civcheck init` 建立的文件夹中运行，或用 --campaign 指定文件夹",
            )
        return replace(
            args,
            handbook=args.handbook or "wenming-city",
            lang=run_lang(args.lang),
            formats=args.formats or "terminal",
        ), None
    return replace(
        args,
        handbook=args.handbook or settings.handbook,
        lang=run_lang(args.lang, settings.lang),
        formats=args.formats or ",".join(settings.formats),
        target=args.target if args.target is not None else settings.target,
    ), settings


SHOW_SKIPPED = 3


def skipped_line(skipped: Sequence[SkippedFile], lang: str) -> str:
    """One line for the files of the folder that were not read: how many, of which kind, the first few."""
    from collections import Counter

    from checker.report.labels import LABELS, label

    counts = Counter(s.code for s in skipped)
    kinds = [
        label(f"skipped.{code}", lang).format(n=n) if f"skipped.{code}" in LABELS else f"{code} {n}"
        for code, n in counts.items()
    ]
    sep = ", " if lang == "en" else "、"
    files = sep.join(s.file for s in skipped[:SHOW_SKIPPED])
    if len(skipped) > SHOW_SKIPPED:
        files += label("skipped_more", lang).format(n=len(skipped) - SHOW_SKIPPED)
    return label("skipped_files", lang).format(n=len(skipped), kinds=sep.join(kinds), files=files)


def run_check(args: CheckArgs) -> int:
    from checker.memory import lean_arrow

    lean_arrow()  # before pyarrow loads (see checker.memory)
    from checker.intake import isolate
    from checker.intake.limits import DEFAULT_LIMITS

    # First, before this process imports pandas: the worker server is a fresh interpreter that imports the
    # readers (~0.3 s), on the other core while this one imports, so that a big file's parse can start as
    # soon as the round is read (250k-site round: its first worker started 0.06–0.23 s earlier, three runs).
    # Before the options are checked, as they import pandas: a run stopped by a usage error started it for
    # nothing, and it leaves with this process.
    isolate.start_early(args.evidence, DEFAULT_LIMITS)
    from checker.commands.options import (
        check_output,
        check_quiet_verbose,
        check_score,
        parse_day,
        parse_formats,
        run_lang,
    )
    from checker.report.labels import check_lang

    try:
        args, settings = _with_settings(args)
    except CivcheckError as exc:
        return _fail(exc, run_lang(args.lang))
    try:
        check_lang(args.lang or "zh")
        test_date = parse_day(args.test_date, "--test-date") if args.test_date else date.today()
        issued = parse_day(args.issued, "--issued") if args.issued else None
        check_score(args.target, "--target")
        check_score(args.fail_under, "--fail-under")
        check_quiet_verbose(args.quiet, args.verbose)
    except UsageError as exc:
        return _fail(exc, args.lang if args.lang in ("zh", "en") else "zh")
    lang = args.lang or "zh"
    try:
        formats = parse_formats(args.formats or "terminal", FORMATS)
    except UsageError as exc:
        return _fail(exc, args.lang)
    if not args.evidence.exists():
        return _fail(
            UsageError(
                f"evidence {str(args.evidence)!r} does not exist",
                zh=f"证据文件或文件夹 “{args.evidence}” 不存在",
            ),
            args.lang,
        )
    output = args.output if args.output is not None else DEFAULT_OUTPUT
    evidence_dir = args.evidence if args.evidence.is_dir() else args.evidence.parent
    writes_files = bool(formats - {"terminal"}) or args.dispatch
    # Outputs never go inside the evidence folder unless that folder was asked for explicitly.
    if writes_files and args.output is None and is_within(output, evidence_dir):
        return _fail(
            UsageError(
                f"the default report folder {str(output.resolve())!r} is inside the evidence folder; "
                "give -o/--output explicitly to write there",
                zh=f"默认的报告文件夹 {output.resolve()} 位于证据文件夹内；如确要写在那里，请用 -o/--output 明确指定",
            ),
            args.lang,
        )
    if writes_files:
        try:
            check_output(output)
        except UsageError as exc:
            return _fail(exc, args.lang)

    from checker.commands.campaign import record_check, street_warnings, with_deadlines
    from checker.commands.options import Phases
    from checker.handbook.loader import load_handbook
    from checker.intake.reader import read_evidence
    from checker.memory import lean_heap, release_memory
    from checker.report.terminal import reading_progress, writing_progress
    from checker.scoring.assessment import Options
    from checker.scoring.evaluate import evaluate

    phases = Phases(lang, args.verbose)
    try:
        handbook = with_deadlines(load_handbook(args.handbook), settings)  # type: ignore[arg-type]
        with reading_progress(lang=lang, quiet=args.quiet) as progress:
            evidence = read_evidence(args.evidence, handbook, progress=progress)
    except CivcheckError as exc:
        return _fail(exc, args.lang)
    phases.read(evidence)
    if not any(len(frame) for frame in evidence.frames.values()):
        reasons = "; ".join(f"{r.file}: {r.text('en')}" for r in evidence.rejected[:5])
        reasons_zh = "; ".join(f"{r.file}: {r.text('zh')}" for r in evidence.rejected[:5])
        return _fail(
            UsageError(
                "no readable evidence" + (f" ({reasons})" if reasons else ""),
                zh="没有可读取的证据" + (f"（{reasons_zh}）" if reasons_zh else ""),
            ),
            args.lang,
        )

    for warning in street_warnings(settings, evidence, lang):  # type: ignore[arg-type]
        if not args.quiet:
            print(f"⚠ {warning}", file=sys.stderr)
    # Nothing in the folder is passed over silently (report.json lists each one in skipped[]); the files
    # that 材料 rows point at were used, as materials, and are not news.
    passed_over = [s for s in evidence.skipped if s.code != "skipped-material"]
    if passed_over and not args.quiet:
        print(skipped_line(passed_over, lang), file=sys.stderr)
    options = Options(
        test_date=test_date, observed_draw=args.observed_draw, target=args.target, issued=issued
    )
    lean_heap()  # scoring and writing: where the peak is (see checker.memory)
    assessment = evaluate(handbook, evidence, options)
    phases.done("evaluate")
    if settings is not None:
        from dataclasses import replace

        assessment = replace(assessment, district=settings.district)  # type: ignore[attr-defined]
        if args.record:
            try:
                assessment = record_check(
                    settings,  # type: ignore[arg-type]
                    assessment,
                    handbook,
                    evidence,
                    args.round_name,
                    args.replace,
                    lang,
                )
            except CivcheckError as exc:
                return _fail(exc, args.lang)
    # The evidence frames (a 1M-row round's ~0.4 GB) are not needed to write the reports: let them go
    # before the writers build their tables, so that the two peaks do not stack.
    del evidence
    release_memory()

    from checker.report import render_terminal, write_reports

    if "terminal" in formats and not args.quiet:
        render_terminal(assessment, lang=lang, detail=args.detail)
    if writes_files:
        try:
            timings: dict[Path, float] = {}
            phases.restart()
            with writing_progress(lang=lang, quiet=args.quiet) as bar:
                written = write_reports(
                    assessment,
                    output,
                    formats - {"terminal"},
                    lang=lang,
                    dispatch=args.dispatch,
                    force=args.force,
                    progress=bar,
                    timings=timings,
                )
            phases.wrote(written, timings)
        except CivcheckError as exc:
            return _fail(exc, args.lang)
        except OSError as exc:  # a full disk, a folder taken away mid-run: the previous outputs stay whole
            from checker.commands.options import file_error

            return _fail(file_error(exc), args.lang)
        if not args.quiet:
            for path in written:
                print(path, file=sys.stderr)
    if args.fail_under is not None and (assessment.total.score < args.fail_under or assessment.total.veto):
        return 1
    return 0


def run_report_schema() -> int:
    from checker.report import report_json_schema

    print(json.dumps(report_json_schema(), ensure_ascii=False, indent=2))
    return 0
