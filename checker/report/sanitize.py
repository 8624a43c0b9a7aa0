"""Sanitising what reports echo back: spreadsheet cells, plain text, sheet titles and file names.

Submitted evidence is untrusted text. A cell that starts like a formula is neutralised (OWASP "CSV
injection": a leading ``'`` so that no spreadsheet, nor a later CSV export, evaluates it), characters that
XML 1.0 or Excel refuse are replaced visibly by U+FFFD instead of aborting the save, and text beyond
Excel's 32,767-character cell limit is cut with a visible marker instead of silently.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

EXCEL_CELL_MAX = 32_767
TRUNCATED_MARK = "…[截断/truncated]"
REPLACEMENT = "\ufffd"

# A formula trigger at the start, possibly after blanks (incl. the ideographic space U+3000 and NBSP).
_FORMULA_START = re.compile(r"^[ \u3000\u00a0]*[=+\-@\t\r\n]")
# C0 controls except TAB/LF/CR, DEL and C1 controls, lone surrogates, the XML non-characters.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same, for one-line text (terminal, narrative lines, file names): TAB/LF/CR too.
_BAD_INLINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
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
    if _FORMULA_START.match(text):
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


_FILENAME_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}
FILENAME_MAX_BYTES = 150


def _cut_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def safe_stem(name: str, *, fallback: str = "_") -> str:
    """A file-name stem safe on Windows and Linux, ≤ 150 bytes of UTF-8, never empty or reserved."""
    text = unicodedata.normalize("NFKC", name.encode("utf-8", "replace").decode("utf-8"))
    text = _FILENAME_BAD.sub("_", text)
    text = _BAD_INLINE.sub("_", text)
    text = text.strip(" .\u3000")
    text = _cut_utf8(text, FILENAME_MAX_BYTES).strip(" .\u3000")
    if not text:
        text = fallback
    if text.split(".")[0].upper().rstrip(" ") in _RESERVED:
        text = "_" + text
    return text


def unique_file(out_dir: Path, stem: str, suffix: str, taken: set[str]) -> Path:
    """``out_dir / (safe stem + suffix)``, distinct ignoring case from every name in ``taken``.

    The result is checked to resolve inside ``out_dir`` (no separators or ``..`` can survive
    :func:`safe_stem`, but a symlinked folder or a platform quirk must not write elsewhere either).
    """
    base = safe_stem(stem)
    name, n = base + suffix, 1
    while name.casefold() in taken:
        n += 1
        tail = f"-{n}"
        name = _cut_utf8(base, FILENAME_MAX_BYTES - len(tail.encode())) + tail + suffix
    taken.add(name.casefold())
    path = out_dir / name
    root = os.path.realpath(out_dir)
    if os.path.dirname(os.path.realpath(path)) != root:
        raise ValueError(f"refusing to write outside {out_dir}: {name!r}")
    return path
