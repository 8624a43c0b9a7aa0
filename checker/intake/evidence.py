"""The evidence of one round (一轮自查材料): normalised frames per kind, with provenance and rejected rows.

This is the contract between intake and the scoring engine. Frames hold only accepted rows, with the
columns of :mod:`checker.intake.kinds` plus provenance (``_file``, ``_sheet``, ``_row``). Dtypes:

- id / text columns: pandas ``string`` (ids keep leading zeros); blanks are ``<NA>``.
- ``standard``: the canonical standard code (aliases resolved); ``site_type``, ``department``: canonical names.
- ``result``: one of ``pass``, ``fail``, ``na``, ``none`` (see kinds.RESULT_*).
- ``cases``: int64, ≥ 0; a ``fail`` with a blank count is 1, a ``pass``/``na``/``none`` is 0.
- ``date``: ``datetime64[ns]`` (no time zone).
- inspections also carry ``duplicate`` (bool: the same site and standard appears more than once) and
  ``counts`` (bool: the row that counts among duplicates — the latest date, then the last row read).
- documents also carry ``file_ok`` (bool: the file reference resolves, relative to the evidence file's
  folder, or is an http(s) URL), checked by intake so that scoring needs no I/O.
- survey: tallies (``question``, ``respondents``, ``favourable``); raw responses are tallied by intake
  into the same frame with ``source`` = ``responses`` (tallies have ``source`` = ``tally``).
- indicators: ``indicator``, ``value`` (float), ``unit``, ``date``, ``department``.
- incidents: ``item`` (negative-list code), ``date``, ``note``. replies: ``problem_id``, ``status``, ``measure``, ``date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from checker.intake.codes import Fields, render, render_row

if TYPE_CHECKING:  # pandas stays out of start-up
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejected row (or whole file/sheet, with row 0): a stable code and the values of its message by name.

    The text is rendered on demand in a language (:meth:`text`; the report layer picks the report's).
    A row with several problems keeps each one as (column, code, fields) in ``problems`` — the first is
    ``code``/``fields`` again — and ``column`` lists their columns.
    """

    file: str
    sheet: str
    row: int
    column: str
    code: str
    fields: Fields = ()
    standard: str = ""  # the canonical code of the row's standard, when the row names a known one
    problems: tuple[tuple[str, str, Fields], ...] = ()

    def text(self, lang: str = "zh") -> str:
        return render_row(self.code, self.fields, self.problems, lang)

    @property
    def message(self) -> str:
        """The Chinese text."""
        return self.text("zh")


@dataclass(frozen=True, slots=True)
class FileWarning:
    """A caveat on a file that was read: a ``warning``-level code, where (file, sheet), its values by name."""

    code: str
    fields: Fields = ()
    file: str = ""
    sheet: str = ""

    def text(self, lang: str = "zh") -> str:
        return render(self.code, self.fields, lang)

    @property
    def message(self) -> str:
        """The Chinese text."""
        return self.text("zh")


@dataclass
class InputFile:
    """One file of the round: what was read from it."""

    file: str
    sha256: str
    format: str  # xlsx, xls, ods, csv, or the reason it is unreadable
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_blank: int = 0
    sheets: list[str] = field(default_factory=list)  # "sheet → kind" for each recognised sheet
    # Sheets not read, each as "name (reason)": the reason a key — hidden, instructions — or an intake code.
    skipped_sheets: list[str] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)
    encoding: str | None = None

    def warning_texts(self, lang: str = "zh") -> list[str]:
        """The warnings as texts in ``lang``."""
        return [w.text(lang) for w in self.warnings]

    def skipped_sheet_texts(self, lang: str = "zh") -> list[str]:
        """The skipped sheets with their reason in ``lang``: ``旧表（隐藏）`` / ``旧表 (hidden)``."""
        texts = []
        for entry in self.skipped_sheets:
            name, _, reason = entry.rpartition(" (")
            reason = reason.removesuffix(")")
            if not name or reason not in _SHEET_REASONS:
                texts.append(entry)  # an intake code: the same in both languages
                continue
            zh, en = _SHEET_REASONS[reason]
            texts.append(f"{name} ({en})" if lang == "en" else f"{name}（{zh}）")
        return texts


# Why a sheet was skipped, by the key ``skipped_sheets`` keeps: (zh, en).
_SHEET_REASONS = {"hidden": ("隐藏", "hidden"), "instructions": ("说明页", "instructions")}


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file of the evidence folder that was not read, and why (a ``skipped-…`` code and its values)."""

    file: str  # relative to the evidence root; a skipped folder ends with "/"
    code: str
    fields: Fields = ()

    def text(self, lang: str = "zh") -> str:
        return render(self.code, self.fields, lang)

    @property
    def message(self) -> str:
        """The Chinese text."""
        return self.text("zh")


@dataclass
class Evidence:
    """All the evidence of a round. ``frames`` maps a kind name to its frame of accepted rows."""

    root: str
    frames: dict[str, pd.DataFrame]
    rejected: list[Rejection] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    # Files (and hidden or system folders) in the folder that were not read: nothing is skipped silently.
    skipped: list[SkippedFile] = field(default_factory=list)

    def frame(self, kind: str) -> pd.DataFrame:
        """The frame of a kind; an empty frame with the right columns when the round has none."""
        from checker.intake.frames import empty_frame

        found = self.frames.get(kind)
        return found if found is not None else empty_frame(kind)
