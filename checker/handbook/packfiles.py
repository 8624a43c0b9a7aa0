"""Write a criteria pack as a folder of YAML files (replaced atomically with :func:`checker.files.replace_folder`).

The YAML written here reads back through :mod:`checker.handbook.yamlsafe` unchanged: no anchors, and
every string that the pack reader would type as something else (``010``, ``1e3``, ``true``) is quoted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

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


def write_pack_folder(documents: dict[str, str], folder: Path) -> None:
    """Write the files of a pack into an existing (empty) folder, each flushed to disk."""
    for name, text in documents.items():
        path = folder / name
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
