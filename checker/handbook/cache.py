"""A validated pack kept as JSON between runs (解析缓存): parsing the bundled pack's YAML in pure Python takes
~0.15 s of every run, reading it back from the model's own JSON ~2 ms.

The cache is keyed by the SHA-256 of everything the result depends on: each pack file's relative path and
bytes, the source of :mod:`checker.handbook` (a changed rule never meets an old entry) and pydantic's
version. Only a pack that loaded without a problem is stored; a pack with problems is parsed every time, so
its problems are always reported. An entry that cannot be read or no longer validates is ignored and
replaced. Entries are written atomically (a temporary file renamed); a cache that cannot be written is
simply not used.

Where: ``$CIVCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/civcheck``, else ``~/.cache/civcheck``;
``CIVCHECK_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from checker.handbook.model import Handbook

_SOURCES = Path(__file__).resolve().parent
_source_digest: str | None = None


def cache_dir() -> Path | None:
    """The folder the entries live in, or None when caching is off."""
    if os.environ.get("CIVCHECK_NO_CACHE", "").strip() not in ("", "0"):
        return None
    given = os.environ.get("CIVCHECK_CACHE_DIR", "").strip()
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg:
        return Path(xdg) / "civcheck"
    try:
        return Path.home() / ".cache" / "civcheck"
    except RuntimeError:  # no home directory to be found
        return None


def _sources() -> str:
    global _source_digest
    if _source_digest is None:
        import pydantic

        # What the result depends on besides the files: this package's rules and pydantic's validation.
        digest = hashlib.sha256(f"pydantic {pydantic.VERSION}".encode())
        for path in sorted(_SOURCES.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        _source_digest = digest.hexdigest()
    return _source_digest


def pack_key(root: Path, files: list[Path], max_bytes: int) -> str | None:
    """The cache key of a pack made of ``files`` (under ``root`` when it is a folder); None when the files
    are more than ``max_bytes`` together or cannot be read (the normal load reports that)."""
    digest = hashlib.sha256(_sources().encode())
    total = 0
    try:
        for path in files:
            data = path.read_bytes()
            total += len(data)
            if total > max_bytes:
                return None
            name = path.relative_to(root).as_posix() if root.is_dir() else path.name
            digest.update(f"{name}\0{len(data)}\0".encode() + data)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def cached(key: str) -> Handbook | None:
    """The handbook stored under ``key``, or None (none stored, unreadable, or no longer valid)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        text = (folder / f"{key}.json").read_bytes()
        return Handbook.model_validate_json(text)
    except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
        return None


def store(key: str, handbook: Handbook) -> None:
    """Keep ``handbook`` under ``key``; nothing happens when the cache cannot be written."""
    folder = cache_dir()
    if folder is None:
        return
    temp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp.write_text(handbook.model_dump_json(), encoding="utf-8")
        os.replace(temp, folder / f"{key}.json")
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
