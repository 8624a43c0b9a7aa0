"""Sanitising what reports echo back: spreadsheet cells, plain text and sheet titles.

Submitted evidence is untrusted text. A cell that starts like a formula is neutralised (OWASP "CSV
injection": a leading ``'`` so that no spreadsheet, nor a later CSV export, evaluates it), characters that
XML 1.0 or Excel refuse are replaced visibly by U+FFFD instead of aborting the save, and text beyond
Excel's 32,767-character cell limit is cut with a visible marker instead of silently. File names are
made safe by :mod:`checker.files`.
"""

from __future__ import annotations

import re

EXCEL_CELL_MAX = 32_767
TRUNCATED_MARK = "…[截断/truncated]"
REPLACEMENT = "\ufffd"

# A formula trigger at the start, possibly after blanks (incl. the ideographic space U+3000 and NBSP).
_FORMULA_START = re.compile(r"^[ \u3000\u00a0]*[=+\-@\t\r\n]")
# C0 controls except TAB/LF/CR, DEL and C1 controls, lone surrogates, the XML non-characters.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same, for one-line text (terminal, narrative lines): TAB/LF/CR too, and the bidi controls (U+202E
# shows a name backwards) and other invisible format characters that would hide what a cell holds.
_BAD_INLINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
NEUTRALISER = "'"


def clean_text(value: object) -> str:
    """Text with control characters replaced visibly; None/NaN/NA become ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text in ("<NA>", "NaT", "nan") and not isinstance(value, str):
        return ""
    return _BAD_CHARS.sub(REPLACEMENT, text)


def inline_text(value: object) -> str:
    """One line of text for the terminal or a narrative: every control character replaced visibly."""
    return _BAD_INLINE.sub(REPLACEMENT, clean_text(value).replace("\r\n", " ").replace("\n", " "))


def cell_text(value: object) -> str:
    """A string safe to write into a spreadsheet cell as text (never a formula, never a failed save)."""
    text = clean_text(value)
    if not text:
        return text
    if _FORMULA_START.match(text) or (text.startswith("<r>") and text.endswith("</r>")):
        # A formula, or text xlsxwriter would take for rich-text XML and write into the sheet unescaped.
        text = NEUTRALISER + text
    if len(text) > EXCEL_CELL_MAX:
        text = text[: EXCEL_CELL_MAX - len(TRUNCATED_MARK)] + TRUNCATED_MARK
    return text


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet title: no []:*?/\\, not blank, ≤ 31 characters, unique ignoring case."""
    base = _SHEET_BAD.sub("_", inline_text(name)).strip("' ") or "Sheet"
    base = base[:31]
    title, n = base, 1
    while title.casefold() in {t.casefold() for t in taken} or title.casefold() == "history":
        n += 1
        suffix = f"~{n}"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title)
    return title
