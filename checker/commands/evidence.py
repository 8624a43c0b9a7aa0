"""``civcheck read``: read a round of evidence and account for every file, sheet and row (no scoring).

Prints per file its format, encoding, sheets and their kinds, row counts and warnings, then the first
rejected rows with the total. Exit 0 when something was readable, 2 when nothing was. Never a traceback.
``--format json,xlsx -o OUT`` also writes every rejected row to send back (see checker/commands/rejected.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from checker.commands.options import pick
from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.intake.evidence import Evidence

SHOW_REJECTED = 30


def run_read(
    handbook: str,
    evidence: Path,
    lang: str = "zh",
    *,
    formats: str = "terminal",
    output: Path | None = None,
    force: bool = False,
    quiet: bool = False,
    verbose: bool = False,
) -> int:
    """Print what was read; the messages of warnings, skipped files and rejected rows in ``lang``."""
    from checker.commands.options import Phases, check_output, check_quiet_verbose, parse_formats
    from checker.commands.rejected import FORMATS, write_rejected
    from checker.handbook.loader import load_handbook
    from checker.intake.reader import read_evidence

    check_quiet_verbose(quiet, verbose)
    wanted = parse_formats(formats, FORMATS)
    if wanted - {"terminal"}:
        if output is None:
            raise UsageError(
                "--format json/xlsx needs -o/--output: the folder to write the rejected rows into",
                zh="--format json/xlsx 需要用 -o/--output 指定写入退回行的文件夹",
            )
        check_output(output)
    if not evidence.exists():
        raise UsageError(f"no such file or folder: {evidence}", zh=f"没有这个文件或文件夹：{evidence}")
    phases = Phases(lang, verbose)
    pack = load_handbook(handbook)
    out = Console(highlight=False, soft_wrap=True, quiet=quiet or "terminal" not in wanted)
    err = Console(stderr=True, highlight=False, soft_wrap=True)

    from checker.report.terminal import reading_progress, writing_progress

    # A progress bar on a terminal; nothing in logs and pipes.
    with reading_progress(err, lang=lang, quiet=quiet) as progress:
        result = read_evidence(evidence, pack, progress=progress)
    phases.read(result)
    from checker.commands.campaign import campaign_settings, street_warnings

    # inside a campaign folder: streets not on its list
    street_warnings(campaign_settings(None), result, lang)
    if not result.inputs:
        none = pick(lang, "没有找到证据文件", "no evidence files")
        err.print(f"✗ {evidence}: {none} (.xlsx .xls .ods .csv)", markup=False)
        return 2
    readable = any(i.rows_accepted or i.rows_blank or i.sheets for i in result.inputs)
    _print_read(out, result, lang)
    if output is not None and wanted - {"terminal"}:
        with writing_progress(err, lang=lang, quiet=quiet) as bar:
            written = write_rejected(
                result, output, wanted - {"terminal"}, lang, force=force, progress=phases.writing(bar)
            )
        if not quiet:
            for path in written:
                print(path, file=sys.stderr)
    return 0 if readable else 2


def _print_read(out: Console, result: Evidence, lang: str) -> None:
    """The account of every file, sheet and row read (what ``civcheck read`` shows)."""
    out.print(pick(lang, f"证据：{result.root}", f"evidence: {result.root}"), markup=False, style="bold")
    for info in result.inputs:
        encoding = f", {info.encoding}" if info.encoding else ""
        n = (info.rows_read, info.rows_accepted, info.rows_rejected, info.rows_blank)
        counts = pick(
            lang,
            f"读取 {n[0]} · 接受 {n[1]} · 拒绝 {n[2]} · 空行 {n[3]}",
            f"read {n[0]} · accepted {n[1]} · rejected {n[2]} · blank {n[3]}",
        )
        out.print(f"\n{info.file}  [{info.format}{encoding}]  {counts}", markup=False)
        for sheet in info.sheets:
            out.print(pick(lang, "  工作表：", "  sheet: ") + sheet, markup=False)
        for sheet in info.skipped_sheet_texts(lang):
            out.print(pick(lang, "  跳过：", "  skipped: ") + sheet, markup=False)
        for warning in info.warnings:
            out.print(f"  ⚠ {warning.text(lang)}", markup=False, style="yellow")
    for skipped in result.skipped:  # nothing in the folder is passed over silently
        tag = pick(lang, "跳过", "skipped")
        out.print(f"\n{skipped.file}  [{tag}: {skipped.code}]  {skipped.text(lang)}", markup=False)
    if result.rejected:
        shown, total = len(result.rejected[:SHOW_REJECTED]), len(result.rejected)
        out.print(
            pick(lang, f"\n被拒绝：{total}（前 {shown} 条）", f"\nrejected: {total} (first {shown})"),
            style="bold",
        )
        for r in result.rejected[:SHOW_REJECTED]:
            row = (f" row {r.row}" if lang == "en" else f" 第{r.row}行") if r.row else ""
            where = f"{r.file}" + (f" {r.sheet}" if r.sheet else "") + row
            column = f" [{r.column}]" if r.column else ""
            out.print(f"  {where}{column} {r.code}: {r.text(lang)}", markup=False)
    kinds = {kind: len(frame) for kind, frame in result.frames.items() if len(frame)}
    summary = ", ".join(f"{kind} {n}" for kind, n in kinds.items()) or pick(lang, "无", "none")
    out.print(pick(lang, f"\n已接受：{summary}", f"\naccepted: {summary}"), markup=False)
