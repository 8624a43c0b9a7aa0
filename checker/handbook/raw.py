"""A pack as read, before validation: its merged data and where every path came from (file, line).

Shared by the loader, which builds it, and the semantic checks, which report against it — neither imports
the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.errors import Fields, PackProblem
from checker.handbook.yamlsafe import PathKey


@dataclass
class RawPack:
    """The merged, not yet validated data of a pack, with where every path came from."""

    data: dict[str, Any] = field(default_factory=dict)
    where: dict[PathKey, tuple[str, int]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def locate(self, path: PathKey) -> tuple[str, int]:
        """(file, line) of ``path`` or of its nearest located ancestor."""
        probe = path
        while probe:
            if probe in self.where:
                return self.where[probe]
            probe = probe[:-1]
        return (self.files[0] if self.files else "", 0)

    def problem(self, path: PathKey, code: str, fields: Fields = ()) -> PackProblem:
        file, line = self.locate(path)
        return PackProblem(file, line, format_path(path, self.data), code, fields)


def format_path(path: PathKey, data: Any = None) -> str:
    """``projects[0].indicators[2]…`` — with a standard's code when the path passes through one."""
    out = ""
    node = data
    for part in path:
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                child = node[part]
                if isinstance(child, dict) and isinstance(child.get("code"), str | int):
                    label = f"{part}:{child['code']}"
                elif isinstance(child, dict) and isinstance(child.get("name"), str):
                    label = f"{part}:{child['name']}"
                node = child
            else:
                node = None
            out += f"[{label}]"
        else:
            out += ("." if out else "") + part
            node = node.get(part) if isinstance(node, dict) else None
    return out
