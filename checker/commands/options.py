"""What every command checks of its options the same way, and says in the run's language.

Dates are taken in every form the evidence accepts (2026-07-15, 2026/7/15, 2026年7月15日, …); scores are on
the handbook's 100-point scale; an output folder is checked before any work is done, so a run never ends
in a traceback after minutes of reading.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from checker.errors import UsageError

LANG_ENV = "CIVCHECK_LANG"


def run_lang(option: str | None, setting: str | None = None) -> str:
    """The language of a run: the option, else $CIVCHECK_LANG, else the campaign's setting, else zh."""
    return option or os.environ.get(LANG_ENV) or setting or "zh"


def say_error(command: str, error: UsageError | str, lang: str) -> int:
    """Print ``civcheck COMMAND: message`` on stderr in the run's language; the exit code 2."""
    text = error.text(lang) if isinstance(error, UsageError) else error
    print(f"civcheck {command}: {text}", file=sys.stderr)
    return 2


def parse_day(text: str, option: str) -> date:
    """A date option in any form the evidence accepts; a usage error otherwise."""
    from checker.intake.values import parse_date

    parsed, _ = parse_date(text)
    if parsed is None:
        raise UsageError(
            f"{option} {text!r} is not a date (e.g. 2026-07-15)",
            zh=f"{option} “{text}” 不是日期（例如 2026-07-15）",
        )
    return parsed.date()


def check_score(value: float | None, option: str) -> None:
    """A score option is on the 100-point scale of the total."""
    if value is not None and not 0 <= value <= 100:
        raise UsageError(
            f"{option} {value:g} is outside 0–100, the scale of the total",
            zh=f"{option} {value:g} 超出总分的 0–100 分范围",
        )


def check_output(folder: Path) -> None:
    """The output folder can be created and written: its nearest existing ancestor is a writable folder."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise UsageError(
            f"cannot write the reports to {folder}: {probe} is a file, not a folder",
            zh=f"无法把报告写到 {folder}：{probe} 是文件，不是文件夹",
        )
    if probe.is_dir() and not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write the reports to {folder}: {probe} is not writable",
            zh=f"无法把报告写到 {folder}：没有 {probe} 的写入权限",
        )


def file_error(exc: OSError) -> UsageError:
    """A file-system error of a run (disk full, no permission, a path that is a file) as a usage error."""
    name = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    return UsageError(f"cannot read or write {name}: {reason}", zh=f"无法读写 {name}：{reason}")
