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

__all__ = ["CivcheckError", "Fields", "HandbookError", "PackProblem", "UsageError"]


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


# The values of a coded problem by name, in template order: what a record keeps instead of a rendered text.
Fields = tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class PackProblem:
    """One problem of a criteria pack: a stable code, where it is, and the values of its message by name.

    Where: ``file`` and ``line`` (1-based; 0 when the problem is the whole file) and ``path``, the path
    inside the pack data (``projects[0:Ⅰ-1].indicators[2]…``). A problem of the handbook workbook
    (``civcheck handbook import``) also names its ``sheet``, ``cell`` (``E5``) and ``column`` (the header);
    its ``line`` is the row. The message is not stored: whoever prints the problem renders it from the
    templates of its code in the language of the run (:func:`checker.handbook.codes.render_problem`).
    """

    file: str
    line: int
    path: str
    code: str
    fields: Fields = ()
    sheet: str = ""
    cell: str = ""
    column: str = ""

    def value(self, name: str) -> object:
        """The value of the field ``name`` (``None`` when the problem has no such field)."""
        return dict(self.fields).get(name)

    def sort_key(self) -> tuple[str, int, str, str, str, str, str, str]:
        return (
            self.file,
            self.line,
            self.sheet,
            self.cell,
            self.column,
            self.path,
            self.code,
            repr(self.fields),
        )

    def __str__(self) -> str:
        """The position, code and values, without the templates (this layer has none): for logs and reprs."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        place = " · ".join(part for part in (self.sheet, self.cell, self.column, self.path) if part)
        at = f" [{place}]" if place else ""
        values = ", ".join(f"{name}={value!r}" for name, value in self.fields)
        return f"{where}{at}: {self.code}" + (f" ({values})" if values else "")


ROOT_CAUSES = ("yaml-", "pack-")


class HandbookError(CivcheckError):
    """A pack that cannot be loaded or is invalid; ``problems`` lists every problem found, sorted.

    ``str()`` lists the problems by position, code and values; a command prints each one rendered in the
    run's language (:func:`checker.handbook.codes.render_problem`).
    """

    def __init__(self, problems: list[PackProblem]) -> None:
        # Root causes first: a file that could not be read or merged (yaml-…, pack-…) leaves the pack
        # incomplete, and what the rest then lacks follows from it.
        self.problems = sorted(problems, key=lambda p: (not p.code.startswith(ROOT_CAUSES), p.sort_key()))
        count = len(self.problems)
        head = f"handbook has {count} problem{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
