"""``civcheck read``: read a round of evidence and account for every file, sheet and row (no scoring).

Prints per file its format, encoding, sheets and their kinds, row counts and warnings, then the first
rejected rows with the total. Exit 0 when something was readable, 2 when nothing was. Never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from checker.errors import UsageError

SHOW_REJECTED = 30


def run_read(handbook: str, evidence: Path, lang: str = "zh") -> int:
    """Print what was read; the messages of warnings, skipped files and rejected rows in ``lang``."""
    from checker.handbook.loader import load_handbook
    from checker.intake.reader import read_evidence

    if not evidence.exists():
        raise UsageError(f"no such file or folder: {evidence}", zh=f"没有这个文件或文件夹：{evidence}")
    pack = load_handbook(handbook)
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)

    from checker.report.terminal import reading_progress

    # A progress bar on a terminal; nothing in logs and pipes.
    with reading_progress(err) as progress:
        result = read_evidence(evidence, pack, progress=progress)
    from checker.commands.campaign import campaign_settings, street_warnings

    # inside a campaign folder: streets not on its list
    street_warnings(campaign_settings(None), result, lang)
    if not result.inputs:
        err.print(f"✗ {evidence}: 没有找到证据文件 / no evidence files (.xlsx .xls .ods .csv)", markup=False)
        return 2
    out.print(f"证据 / evidence: {result.root}", markup=False, style="bold")
    for info in result.inputs:
        encoding = f", {info.encoding}" if info.encoding else ""
        counts = (
            f"读取 read {info.rows_read} · 接受 accepted {info.rows_accepted} · "
            f"拒绝 rejected {info.rows_rejected} · 空行 blank {info.rows_blank}"
        )
        out.print(f"\n{info.file}  [{info.format}{encoding}]  {counts}", markup=False)
        for sheet in info.sheets:
            out.print(f"  工作表 sheet: {sheet}", markup=False)
        for sheet in info.skipped_sheets:
            out.print(f"  跳过 skipped: {sheet}", markup=False)
        for warning in info.warnings:
            out.print(f"  ⚠ {warning.text(lang)}", markup=False, style="yellow")
    for skipped in result.skipped:  # nothing in the folder is passed over silently
        out.print(f"\n{skipped.file}  [跳过 skipped: {skipped.code}]  {skipped.text(lang)}", markup=False)
    if result.rejected:
        shown = result.rejected[:SHOW_REJECTED]
        out.print(
            f"\n被拒绝 / rejected: {len(result.rejected)}（前 {len(shown)} 条 / first {len(shown)}）",
            style="bold",
        )
        for r in shown:
            row = (f" row {r.row}" if lang == "en" else f" 第{r.row}行") if r.row else ""
            where = f"{r.file}" + (f" {r.sheet}" if r.sheet else "") + row
            column = f" [{r.column}]" if r.column else ""
            out.print(f"  {where}{column} {r.code}: {r.text(lang)}", markup=False)
    kinds = {kind: len(frame) for kind, frame in result.frames.items() if len(frame)}
    summary = ", ".join(f"{kind} {n}" for kind, n in kinds.items()) or "无 / none"
    out.print(f"\n已接受 / accepted: {summary}", markup=False)
    readable = any(i.rows_accepted or i.rows_blank or i.sheets for i in result.inputs)
    return 0 if readable else 2
