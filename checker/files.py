"""Files civcheck writes: atomic replacement, overwrite refusal, safe unique names inside a folder.

Writing: a file is written to a temporary file beside its target (named ``.civcheck-tmp-<pid>-…``, with an
ordinary file mode, not mkstemp's private one), fsynced, moved over the target with ``os.replace`` and the
folder fsynced. A run killed or failing mid-write leaves the previous file intact and at most one
temporary file, which :func:`clean_stale_temps` removes once its process is gone. A folder is replaced the
same way: built beside the target, the old folder moved aside only at the last moment and put back if the
new one cannot be moved in. Existing targets are never replaced without ``force``.

Naming: a file name built from submitted or handbook text (a department's name) is valid on Windows and
Linux (NFKC; no control characters, lone surrogates or ``<>:"/\\|?*``; no device name such as ``CON`` or
``COM1``; no leading or trailing dot or blank; at most :data:`FILENAME_MAX_BYTES` bytes of UTF-8 plus the
suffix), unique in its folder ignoring case, and resolves inside that folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from checker.errors import UsageError

__all__ = [
    "FALLBACK",
    "FILENAME_MAX_BYTES",
    "TEMP_PREFIX",
    "atomic_path",
    "clean_stale_temps",
    "inside",
    "refuse_existing",
    "replace_folder",
    "safe_stem",
    "unique_file_names",
    "unique_name",
    "write_text",
]

# -- atomic writes --------------------------------------------------------------------------------------

TEMP_PREFIX = ".civcheck-tmp-"
_OLD_PREFIX = ".civcheck-old-"  # a replaced folder waiting to be removed: never cleaned as stale
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")


def refuse_existing(paths: Iterable[Path], *, force: bool, kind: Literal["file", "folder"] = "file") -> None:
    """Raise a usage error naming the existing targets, unless ``force``.

    A dangling symlink counts as existing. Even with ``force`` a target of the other ``kind`` (a folder
    where a file is to be written, or the reverse) is refused rather than replaced.
    """
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if not existing:
        return
    if not force:
        first, rest = existing[0], existing[1:]
        also = ""
        if rest:
            shown = ", ".join(str(p) for p in rest[:4])
            more = f" and {len(rest) - 4} more" if len(rest) > 4 else ""
            also = f" (so do {shown}{more})"
        raise UsageError(f"{first} already exists{also}; use --force to replace {'them' if rest else 'it'}")
    for path in existing:
        if kind == "file" and path.is_dir():
            raise UsageError(f"{path} is a folder, not a file; it will not be replaced")
        if kind == "folder" and not path.is_dir():
            raise UsageError(f"{path} is a file, not a folder; it will not be replaced")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows: assume it lives
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
    """Remove temporary files and folders left by killed runs (their process is gone); return them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        found = _TEMP_NAME.match(entry.name)
        if not found or _alive(int(found.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
    return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):  # some file systems refuse to fsync a directory; the rename stands
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_prefix() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-"


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success move it over ``target`` atomically.

    The writer may close the temporary file itself (xlsxwriter does); the content is fsynced before the
    rename and the folder after it. On any exception (KeyboardInterrupt included) the temporary file is
    removed and the target is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=_temp_prefix(), suffix=target.suffix, dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        temp.chmod(0o666 & ~_umask())  # mkstemp makes it private; the result is an ordinary file
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(target.parent)


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text with ``\\n`` line ends atomically."""
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")


@contextlib.contextmanager
def replace_folder(target: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on success it replaces ``target`` (old content gone).

    The old folder is moved aside only once the new one is complete, and put back if the new one cannot be
    moved in. On any exception the temporary folder is removed and ``target`` is left as it was.
    """
    target = target.absolute()
    if target.name in ("", ".", ".."):
        target = target.resolve()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=parent, prefix=_temp_prefix()))
    old: Path | None = None
    try:
        temp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the result is an ordinary folder
        yield temp
        if target.exists() or target.is_symlink():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f"{_OLD_PREFIX}{os.getpid()}-"))
            os.replace(target, old / target.name)
        try:
            os.replace(temp, target)
        except BaseException:
            if old is not None:  # put the previous folder back rather than leave nothing
                os.replace(old / target.name, target)
            raise
        _fsync_dir(parent)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


# -- safe file names ------------------------------------------------------------------------------------

FILENAME_MAX_BYTES = 150  # of the stem; with a suffix and a collision mark still far below 255
FALLBACK = "未命名"

# C0 controls, DEL and C1 controls, lone surrogates, the non-characters U+FFFE/U+FFFF, and what Windows forbids.
_FORBIDDEN = re.compile('[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff<>:"/\\\\|?*]')
_DOTS = re.compile(r"\.{2,}")
_ENDS = re.compile(r"^[\s.]+|[\s.]+$")
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")
}


def _cut_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``max_bytes`` (cut on a character)."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def _trim(text: str) -> str:
    return _ENDS.sub("", text)


def safe_stem(name: str, *, fallback: str = FALLBACK) -> str:
    """A file-name stem (no suffix) valid on Windows and Linux, ≤ 150 bytes of UTF-8 (+1 for a device name).

    ``fallback`` is used when nothing is left (an empty name, only dots or blanks).
    """
    text = _FORBIDDEN.sub("_", name)  # lone surrogates first: NFKC and UTF-8 need well-formed text
    # NFKC can itself produce forbidden characters (e.g. full-width ／ → /), hence the second pass.
    text = _FORBIDDEN.sub("_", unicodedata.normalize("NFKC", text))
    text = _trim(_DOTS.sub(".", text))
    text = _trim(_cut_utf8(text, FILENAME_MAX_BYTES)) or fallback
    if text.split(".", 1)[0].strip().upper() in _RESERVED:
        text = "_" + text
    return text


def unique_name(name: str, suffix: str, taken: set[str], *, fallback: str = FALLBACK, sep: str = "_") -> str:
    """A safe file name (stem + ``suffix``) whose case-folded form is not in ``taken``, then added to it.

    A collision gets ``<sep>2``, ``<sep>3`` … before the suffix, the stem cut to keep the byte cap.
    """
    stem = safe_stem(name, fallback=fallback)
    candidate, n = stem + suffix, 1
    while candidate.casefold() in taken:
        n += 1
        tail = f"{sep}{n}"
        candidate = _trim(_cut_utf8(stem, FILENAME_MAX_BYTES - len(tail.encode()))) + tail + suffix
    taken.add(candidate.casefold())
    return candidate


def unique_file_names(
    names: Iterable[str], suffix: str, taken: Iterable[str] = (), *, fallback: str = FALLBACK, sep: str = "_"
) -> list[str]:
    """Safe file names for ``names``, in order, unique ignoring case and distinct from ``taken``."""
    seen = {t.casefold() for t in taken}
    return [unique_name(name, suffix, seen, fallback=fallback, sep=sep) for name in names]


def is_within(path: Path, root: Path) -> bool:
    """``path`` is ``root`` or lies below it, links resolved (a link cannot make an outside path look inside)."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing a name that is not one plain entry of ``folder`` or resolves elsewhere.

    Following symlinks: an existing entry that links out of the folder is refused too, so that a symlinked
    folder or a planted link cannot make a write land elsewhere.
    """
    target = folder / name
    if (
        name in ("", ".", "..")
        or Path(name).name != name
        or os.path.dirname(os.path.realpath(target)) != os.path.realpath(folder)
    ):
        raise UsageError(f"refusing to write {name!r} outside {folder}")
    return target
