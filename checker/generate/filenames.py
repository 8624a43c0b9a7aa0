"""Safe file names for generated workbooks (department names become file names on Windows and Linux).

A name is made safe by: NFKC; replacing control characters and ``<>:"/\\|?*`` with ``_``; collapsing
runs of dots; stripping dots and spaces at both ends; prefixing Windows device names (CON, NUL, COM1…);
capping the UTF-8 length; falling back to a fixed name when nothing is left. Names in one folder are
made unique case-insensitively (Windows file systems ignore case) with a ``_2``, ``_3`` … suffix.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from checker.errors import UsageError

__all__ = ["MAX_STEM_BYTES", "inside", "safe_stem", "unique_file_names"]

MAX_STEM_BYTES = 150
FALLBACK = "未命名"

# C0 and C1 controls, DEL, the characters Windows forbids, and lone surrogates (not encodable).
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\ud800-\udfff]')
_DOTS = re.compile(r"\.{2,}")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


def _cap(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``limit`` bytes."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def _trim(text: str) -> str:
    return text.strip().strip(". ").strip()


def safe_stem(name: str, limit: int = MAX_STEM_BYTES) -> str:
    """A file-name stem (no extension) that is valid on Windows and Linux and at most ``limit`` bytes."""
    text = _FORBIDDEN.sub("_", unicodedata.normalize("NFKC", name))
    # NFKC can itself produce forbidden characters (e.g. full-width ／ → /), hence the order above.
    text = _trim(_DOTS.sub(".", text))
    if text.split(".", 1)[0].strip().upper() in _RESERVED:
        text = "_" + text
    text = _trim(_cap(text, limit))
    return text or FALLBACK


def unique_file_names(names: Iterable[str], suffix: str, taken: Iterable[str] = ()) -> list[str]:
    """Safe, unique file names (stem + ``suffix``) for ``names``, in order; ``taken`` names are avoided."""
    seen = {t.casefold() for t in taken}
    out: list[str] = []
    for name in names:
        stem = safe_stem(name)
        candidate = stem + suffix
        n = 1
        while candidate.casefold() in seen:
            n += 1
            tail = f"_{n}"
            candidate = _trim(_cap(stem, MAX_STEM_BYTES - len(tail))) + tail + suffix
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would land outside ``folder``."""
    target = folder / name
    if os.path.realpath(target.parent) != os.path.realpath(folder) or name in ("", ".", ".."):
        raise UsageError(f"refusing to write {name!r} outside {folder}")
    return target
