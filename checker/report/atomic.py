"""Atomic report files: write to a temporary file beside the target, fsync, then ``os.replace``.

A run killed mid-write leaves the previous report intact (a half-written ``wb.save(final)`` destroys it,
see reliability.md §2d) and at most one temporary file, which the next run removes.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from checker.errors import UsageError

TEMP_PREFIX = ".civcheck-tmp-"
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")


def refuse_existing(paths: list[Path], *, force: bool) -> None:
    """Raise a usage error naming the first existing report file, unless ``force``."""
    if force:
        return
    for path in paths:
        if path.exists():
            raise UsageError(f"{path} already exists; use --force to replace it")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove temporary files left by killed runs (their process is gone); return what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        found = _TEMP_NAME.match(entry.name)
        if found and entry.is_file() and not _alive(int(found.group(1))):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success move it over ``target`` atomically.

    The writer may close the temporary file itself (xlsxwriter does); the content is fsynced before the
    rename and the folder after it. On any exception the temporary file is removed and the target is
    left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=target.parent
    )
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(target.parent)


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")
