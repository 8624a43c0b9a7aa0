"""File names as data (文件名): shown safely, whatever bytes the file system holds.

A name that is not valid UTF-8 (a GBK name from a zip unpacked on Linux) reaches Python with its bad bytes
as lone surrogates, which no UTF-8 writer accepts; a name may also hold control characters or bidi
overrides (U+202E turns ``gpj.xlsx`` around on screen). :func:`shown_name` keeps every byte and shows it
safely: undecodable bytes as ``\\xb9``, controls and bidi/format characters as ``\\u202e``. The file is
still opened by its real path; only what is recorded and shown changes.
"""

from __future__ import annotations

import os
import unicodedata

# Extensions that are expected for each format (anything else → extension-mismatch warning).
# WPS saves .et workbooks and .ett templates as either; Excel templates are .xltx/.xltm (OOXML), .xlt (OLE).
# Excel 2003 XML and HTML tables are exported by business systems under .xls, saved by Excel as .xml/.htm.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm", ".et", ".ett"),
    "xlsb": (".xlsb",),
    "xls": (".xls", ".xlt", ".et", ".ett"),
    "ods": (".ods", ".ots"),
    "xml2003": (".xml", ".xls", ".et"),
    "html": (".html", ".htm", ".xls", ".et"),
    "csv": (".csv", ".tsv", ".txt"),
}

__all__ = ["EXTENSIONS", "shown_name", "shown_text"]


def _visible(char: str) -> str:
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in "\t\u200b\u200c\u200d\ufeff":
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def shown_text(text: str) -> str:
    """``text`` with control, bidi and other format characters shown as escapes (nothing removed)."""
    if text.isprintable():
        return text
    return "".join(_visible(c) for c in text)


def shown_name(name: str) -> str:
    """A file name or path as recorded and shown: undecodable bytes as ``\\xNN``, controls escaped."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        # Part by part: a part that is not UTF-8 shows every non-ASCII byte, never a guess at its encoding
        # (a GBK name partly decodes as unrelated UTF-8 letters).
        name = "/".join(_bytes_shown(part) for part in name.split("/"))
    return shown_text(name)


def _bytes_shown(part: str) -> str:
    try:
        part.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(part).decode("ascii", "backslashreplace")
    return part
