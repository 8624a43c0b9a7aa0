"""What every command checks of its options the same way, and says in the run's language.

Dates are taken in every form the evidence accepts (2026-07-15, 2026/7/15, 2026年7月15日, …); scores are on
the handbook's 100-point scale; an output folder is checked before any work is done, so a run never ends
in a traceback after minutes of reading.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.intake.evidence import Evidence

LANG_ENV = "CIVCHECK_LANG"


def run_lang(option: str | None, setting: str | None = None) -> str:
    """The language of a run: the option, else $CIVCHECK_LANG, else the campaign's setting, else zh."""
    return option or os.environ.get(LANG_ENV) or setting or "zh"


def resolve_lang(option: str | None, setting: str | None = None) -> str:
    """The language of a run (see :func:`run_lang`), checked: ``zh`` or ``en``, a usage error otherwise."""
    from checker.report.labels import check_lang

    return check_lang(run_lang(option, setting))


def pick(lang: str, zh: str, en: str) -> str:
    """A command's own message in the run's language."""
    return en if lang == "en" else zh


def say_error(command: str, error: UsageError | str, lang: str) -> int:
    """Print ``civcheck COMMAND: message`` on stderr in the run's language; the exit code 2."""
    text = error.text(lang) if isinstance(error, UsageError) else error
    print(f"civcheck {command}: {text}", file=sys.stderr)
    return 2


def parse_formats(
    text: str, allowed: tuple[str, ...], default: frozenset[str] = frozenset({"terminal"})
) -> set[str]:
    """The comma-separated formats asked for (``default`` when none); a usage error naming an unknown one."""
    wanted = {f.strip().lower() for f in text.split(",") if f.strip()} or set(default)
    unknown = sorted(wanted - set(allowed))
    if unknown:
        raise UsageError(
            f"unknown format {unknown[0]!r}; choose from {', '.join(allowed)}",
            zh=f"未知的输出格式 “{unknown[0]}”，可选 {', '.join(allowed)}",
        )
    return wanted


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


def check_quiet_verbose(quiet: bool, verbose: bool) -> None:
    """--quiet and --verbose ask for opposite things: one of them at most."""
    if quiet and verbose:
        raise UsageError(
            "--quiet and --verbose cannot be used together",
            zh="--quiet 与 --verbose 不能同时使用",
        )


class Phases:
    """With --verbose, the files a run read and how long each phase took (read, evaluate, each output),
    one line each on stderr in the run's language; without it, nothing."""

    def __init__(self, lang: str, verbose: bool) -> None:
        self.lang = lang if lang in ("zh", "en") else "zh"
        self.verbose = verbose
        self.start = time.perf_counter()
        self.current: Path | None = None

    def _lap(self) -> float:
        now = time.perf_counter()
        seconds, self.start = now - self.start, now
        return seconds

    def _say(self, key: str, **values: object) -> None:
        from checker.report.labels import label

        print(label(key, self.lang).format(**values), file=sys.stderr)

    def read(self, evidence: Evidence) -> None:
        """The evidence is read: each file with its rows, then the time taken."""
        seconds = self._lap()
        if not self.verbose:
            return
        for info in evidence.inputs:
            self._say(
                "phase.file",
                file=info.file,
                format=info.format,
                rows=info.rows_read,
                accepted=info.rows_accepted,
            )
        rows = sum(info.rows_read for info in evidence.inputs)
        self._say("phase.read", files=len(evidence.inputs), rows=rows, s=seconds)

    def done(self, phase: str) -> None:
        """A phase (``evaluate``) is over: its time."""
        seconds = self._lap()
        if self.verbose:
            self._say(f"phase.{phase}", s=seconds)

    def restart(self) -> None:
        """Time the next phase from now (what came between is not part of any)."""
        self._lap()

    def wrote(self, written: list[Path], timings: dict[Path, float]) -> None:
        """The reports are written: each output's own time (outputs may have been written two at once),
        then the time of the whole writing phase."""
        seconds = self._lap()
        if not self.verbose:
            return
        for path in written:
            if path in timings:
                self._say("phase.write", file=path, s=timings[path])
        from checker.processes import second_core

        busy = sum(timings.values())
        lanes = 2 if second_core() and busy > seconds * 1.05 else 1
        self._say("phase.write_all", n=len(written), s=seconds, lanes=lanes)

    def writing(self, bar: Callable[[int, int, Path], None]) -> Callable[[int, int, Path], None]:
        """The ``progress`` callback of write_reports: moves ``bar`` and times each output."""

        def step(done: int, total: int, path: Path) -> None:
            bar(done, total, path)
            if self.current is not None:
                seconds = self._lap()
                if self.verbose:
                    self._say("phase.write", file=self.current, s=seconds)
            else:
                self._lap()
            self.current = path if done < total else None

        return step
