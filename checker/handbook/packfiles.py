"""Write a criteria pack as a folder of YAML files, and replace files or folders atomically.

The YAML written here reads back through :mod:`checker.handbook.yamlsafe` unchanged: no anchors, and
every string that the pack reader would type as something else (``010``, ``1e3``, ``true``) is quoted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from checker.errors import UsageError
from checker.handbook.yamlsafe import plain_value

PACK_KEYS = ("id", "name", "edition", "description", "source", "schema_version", "settings")
SECTIONS = ("site_types", "departments", "negative_list")


class _PackDumper(yaml.SafeDumper):
    """Block-style YAML without anchors; strings quoted whenever the pack reader would retype them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if "\n" in value:
        style = "|"
    elif not isinstance(plain_value(value), str):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, header: str = "") -> str:
    """YAML text for pack data, with an optional comment block on top."""
    body = yaml.dump(
        data, Dumper=_PackDumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + body


def pack_documents(data: dict[str, Any], note: str = "") -> dict[str, str]:
    """Split merged pack data into files: ``pack.yaml`` and one ``project-NN.yaml`` per Ⅰ project."""
    head = {k: data[k] for k in (*PACK_KEYS, *SECTIONS) if k in data and data[k] not in (None, [], {})}
    title = f"{data.get('name', '')} ({data.get('edition', '')})\nPack identity, settings and lists."
    documents = {"pack.yaml": dump_yaml(head, title + (f"\n{note}" if note else ""))}
    projects = data.get("projects") or []
    width = max(2, len(str(len(projects))))
    for number, project in enumerate(projects, start=1):
        title = f"{project.get('code', '')} {project.get('name', '')}".strip()
        documents[f"project-{number:0{width}d}.yaml"] = dump_yaml({"projects": [project]}, title)
    return documents


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform lets a directory be opened for fsync
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_target(target: Path, force: bool, kind: str) -> None:
    """Refuse to replace an existing ``target`` unless ``force``; refuse a target of the wrong kind."""
    if not target.exists() and not target.is_symlink():
        return
    if not force:
        raise UsageError(f"{target} already exists; use --force to replace it")
    if kind == "file" and target.is_dir():
        raise UsageError(f"{target} is a folder, not a file; it will not be replaced")
    if kind == "folder" and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder; it will not be replaced")


def write_file_atomic(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file in ``target``'s folder, then move it into place in one step."""
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".tmp-{target.stem}-", suffix=target.suffix)
    os.close(fd)
    temp = Path(name)
    try:
        temp.chmod(0o666 & ~_umask())  # mkstemp makes it private; the result is an ordinary file
        write(temp)
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(folder)


@contextlib.contextmanager
def folder_atomic(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` (old content removed)."""
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=parent, prefix=f".tmp-{target.name}-"))
    old: Path | None = None
    try:
        temp.chmod(0o777 & ~_umask())
        yield temp
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".old-{target.name}-"))
            os.replace(target, old / target.name)
        try:
            os.replace(temp, target)
        except OSError:
            if old is not None:  # put the previous pack back rather than leave nothing
                os.replace(old / target.name, target)
            raise
        _fsync_dir(parent)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_pack_folder(documents: dict[str, str], folder: Path) -> None:
    """Write the files of a pack into an existing (empty) folder, each flushed to disk."""
    for name, text in documents.items():
        path = folder / name
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
