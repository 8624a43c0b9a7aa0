"""Load a criteria pack (a folder of YAML files, or one file) into a validated :class:`Handbook`.

A pack may be split over several files in its folder: list sections (``projects``, ``site_types``,
``departments``, ``negative_list``) are concatenated in file-name order (``pack.yaml`` first); any
other top-level key may appear in one file only. Every problem found — YAML traps, structure, cross
references — is collected and raised together in one :class:`HandbookError`.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.errors import Fields, HandbookError, PackProblem, UsageError
from checker.handbook import codes
from checker.handbook.codes import fields_of
from checker.handbook.model import Handbook

# RawPack and format_path are re-exported: the spreadsheet import builds packs with them.
from checker.handbook.raw import RawPack as RawPack
from checker.handbook.raw import format_path as format_path
from checker.handbook.yamlsafe import LoadedYaml, NodeBudget, PathKey, load_yaml

LIST_SECTIONS = ("site_types", "departments", "negative_list", "projects")
MAX_PACK_FILES = 200
BUNDLED_DATA = "_criteria"  # the bundled packs' folder inside the installed package
MAX_PACK_BYTES = 4_000_000  # all the YAML files of a pack together (the largest bundled pack: 133 KB)


def bundled_criteria_dirs() -> list[Path]:
    """The folder of the bundled packs (a list of one, or empty when there is none).

    An installed wheel carries the repository's ``criteria/`` as the package data ``checker/_criteria``
    (``force-include`` in pyproject.toml), found with :func:`importlib.resources.files`; a source checkout
    (or an editable install) has no such folder and uses ``criteria/`` beside the package. The packs are
    read as files, so a package imported from a zip archive has none.
    """
    installed = importlib.resources.files("checker") / BUNDLED_DATA
    if isinstance(installed, Path) and installed.is_dir():
        return [installed]
    checkout = Path(__file__).resolve().parent.parent.parent / "criteria"
    return [checkout] if checkout.is_dir() else []


def resolve_pack(name_or_path: str | os.PathLike[str]) -> Path:
    """A pack given as a path (folder or YAML file) or as the id of a bundled pack."""
    path = Path(name_or_path)
    if path.exists():
        return path
    for base in bundled_criteria_dirs():
        candidate = base / str(name_or_path)
        if candidate.is_dir():
            return candidate
    known = sorted({p.name for base in bundled_criteria_dirs() for p in base.iterdir() if p.is_dir()})
    raise UsageError(
        f"no handbook pack {str(name_or_path)!r}: not a path, nor a bundled pack ({', '.join(known)})"
    )


def pack_files(path: Path) -> list[Path]:
    """The YAML files of a pack, ``pack.yaml`` first, then by relative path; hidden files are skipped."""
    if path.is_file():
        return [path]
    files = [
        p
        for p in path.rglob("*")
        if p.suffix in (".yaml", ".yml")
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]
    files.sort(key=lambda p: (p.relative_to(path).parts != ("pack.yaml",), str(p.relative_to(path))))
    return files


def find_packs(root: Path) -> list[Path]:
    """Folders under ``root`` (or ``root`` itself) that hold a ``pack.yaml``, outermost only, sorted."""
    if root.is_file():
        return [root] if root.suffix in (".yaml", ".yml") else []
    found: list[Path] = []
    for marker in sorted(root.rglob("pack.yaml")):
        folder = marker.parent
        if any(part.startswith(".") for part in folder.relative_to(root).parts):
            continue
        if any(folder.is_relative_to(outer) for outer in found):
            continue
        found.append(folder)
    return found


def read_raw(path: Path) -> tuple[RawPack, list[PackProblem]]:
    """Read and merge the YAML files of a pack; problems are returned, not raised."""
    raw = RawPack()
    problems: list[PackProblem] = []
    files = pack_files(path)
    if not files:
        problems.append(PackProblem(str(path), 0, "", codes.PACK_EMPTY, fields_of(variant="no-files")))
        return raw, problems
    if len(files) > MAX_PACK_FILES:
        problems.append(
            PackProblem(str(path), 0, "", codes.PACK_TOO_MANY_FILES, fields_of(limit=MAX_PACK_FILES))
        )
        return raw, problems
    try:
        total = sum(file.stat().st_size for file in files)
    except OSError:
        total = 0  # the file that cannot be read is reported by load_yaml below
    if total > MAX_PACK_BYTES:
        problems.append(
            PackProblem(
                str(path),
                0,
                "",
                codes.PACK_TOO_BIG,
                fields_of(size=total, limit=MAX_PACK_BYTES),
            )
        )
        return raw, problems
    budget = NodeBudget()  # YAML nodes composed for the whole pack, not per file
    base = path if path.is_dir() else path.parent
    for file in files:
        display = str(file.relative_to(base.parent)) if base.parent != file else str(file)
        loaded = load_yaml(file, display, budget)
        raw.files.append(display)
        if isinstance(loaded, PackProblem):
            problems.append(loaded)
            continue
        problems.extend(_merge(raw, loaded))
    return raw, problems


def _merge(raw: RawPack, doc: LoadedYaml) -> list[PackProblem]:
    problems: list[PackProblem] = []
    if doc.data in (None, {}):
        return problems
    if not isinstance(doc.data, dict):
        return [PackProblem(doc.file, doc.line_of(()), "", codes.PACK_NOT_MAPPING)]
    for key, value in doc.data.items():
        key_line = doc.lines.get((key,), 1)
        if key in LIST_SECTIONS:
            if value is None:
                continue
            if not isinstance(value, list):
                problems.append(
                    PackProblem(
                        doc.file, key_line, key, codes.INVALID_VALUE, fields_of(variant="not-a-list", key=key)
                    )
                )
                continue
            existing = raw.data.setdefault(key, [])
            offset = len(existing)
            existing.extend(value)
            raw.where.setdefault((key,), (doc.file, key_line))
            for sub, line in doc.lines.items():
                if len(sub) >= 2 and sub[0] == key and isinstance(sub[1], int):
                    raw.where[(key, sub[1] + offset, *sub[2:])] = (doc.file, line)
            continue
        if key in raw.data:
            first_file, first_line = raw.where.get((key,), ("", 0))
            problems.append(
                PackProblem(
                    doc.file,
                    key_line,
                    key,
                    codes.PACK_DUPLICATE_KEY,
                    fields_of(key=key, at=f"{first_file}:{first_line}"),
                )
            )
            continue
        raw.data[key] = value
        for sub, line in doc.lines.items():
            if sub and sub[0] == key:
                raw.where[sub] = (doc.file, line)
    return problems


_PYDANTIC_CODES = {
    "extra_forbidden": codes.UNKNOWN_KEY,
    "missing": codes.MISSING_KEY,
    "greater_than": codes.OUT_OF_RANGE,
    "greater_than_equal": codes.OUT_OF_RANGE,
    "less_than_equal": codes.OUT_OF_RANGE,
    "less_than": codes.OUT_OF_RANGE,
}


def structure_problems(raw: RawPack) -> tuple[Handbook | None, list[PackProblem]]:
    """Validate the merged data with the pydantic models; every error is located by file and line."""
    try:
        return Handbook.model_validate(raw.data), []
    except ValidationError as exc:
        problems = []
        errors = exc.errors()
        locs = [tuple(e["loc"]) for e in errors]
        for err in errors:
            loc: PathKey = tuple(err["loc"])
            # A list whose items failed also reports "too short"; the items' own errors say more.
            if err["type"] == "too_short" and any(len(o) > len(loc) and o[: len(loc)] == loc for o in locs):
                continue
            code = _PYDANTIC_CODES.get(err["type"], codes.INVALID_VALUE)
            problems.append(raw.problem(loc, code, _model_fields(err)))
        return None, problems


def _model_fields(err: Any) -> Fields:
    """The values of a pydantic error's message: the key for an unknown or missing one; else pydantic's
    English message (``detail``), its type and context (rendered in Chinese from them), the value given."""
    if err["type"] == "extra_forbidden":
        return fields_of(variant="key", key=err["loc"][-1])
    if err["type"] == "missing":
        return fields_of(key=err["loc"][-1])
    context = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    variant = "model"
    if err["type"] == "string_type" and isinstance(err.get("input"), int | float):
        variant = "model-number"
    elif "input" in err and not isinstance(err["input"], dict | list):
        variant = "model-got"
    got = {"got": err["input"]} if variant != "model" else {}
    return fields_of(variant=variant, rule=err["type"], detail=err["msg"], **context, **got)


def load_handbook(name_or_path: str | os.PathLike[str]) -> Handbook:
    """Load, merge and validate a pack; raise :class:`HandbookError` with every problem found."""
    from checker.handbook import cache
    from checker.handbook.validate import semantic_problems

    path = resolve_pack(name_or_path)
    files = pack_files(path)
    key = cache.pack_key(path, files, MAX_PACK_BYTES) if 0 < len(files) <= MAX_PACK_FILES else None
    if key is not None and (kept := cache.cached(key)) is not None:
        return kept
    raw, problems = read_raw(path)
    if raw.data:
        handbook, structural = structure_problems(raw)
        problems.extend(structural)
        problems.extend(semantic_problems(raw))
    else:
        handbook = None
    if problems or handbook is None:
        raise HandbookError(
            problems or [PackProblem(str(path), 0, "", codes.PACK_EMPTY, fields_of(variant="no-data"))]
        )
    if key is not None:
        cache.store(key, handbook)
    return handbook
