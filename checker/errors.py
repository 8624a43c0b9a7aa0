"""The exception tree of civcheck. Only bad usage and bad handbooks stop a run (exit code 2).

::

    CivcheckError                 every error civcheck raises on purpose
     ├── UsageError               bad options or paths given on the command line
     └── HandbookError            a criteria pack that cannot be loaded or is invalid; carries every problem

Non-compliance is data, not an exception: a failed standard is a result, an unreadable evidence file
is a rejected input with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CivcheckError", "HandbookError", "PackProblem", "UsageError"]


class CivcheckError(Exception):
    """Base of every error civcheck raises on purpose; the CLI turns it into a message and exit code 2.

    The message is English; ``zh`` is the same message in Chinese (the default language of the outputs).
    :meth:`text` picks the one of the run's language, the English one when no Chinese was written.
    """

    def __init__(self, message: str = "", *, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" and self.zh else str(self)


class UsageError(CivcheckError):
    """Bad options or paths on the command line."""


@dataclass(frozen=True, order=True)
class PackProblem:
    """One problem of a criteria pack, located by file, line and the path inside the document."""

    file: str
    line: int
    path: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        at = f" [{self.path}]" if self.path else ""
        return f"{where}{at}: {self.message} ({self.code})"


ROOT_CAUSES = ("yaml-", "pack-")


class HandbookError(CivcheckError):
    """A pack that cannot be loaded or is invalid; ``problems`` lists every problem found, sorted."""

    def __init__(self, problems: list[PackProblem]) -> None:
        # Root causes first: a file that could not be read or merged (yaml-…, pack-…) leaves the pack
        # incomplete, and what the rest then lacks follows from it.
        self.problems = sorted(problems, key=lambda p: (not p.code.startswith(ROOT_CAUSES), p))
        count = len(self.problems)
        head = f"handbook has {count} problem{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
