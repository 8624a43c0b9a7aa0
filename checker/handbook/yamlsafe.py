"""A strict YAML reader for criteria packs that remembers the line of every key.

Defences (see reliability.md §2e, §5.10): only the safe composer; anchors, aliases and custom tags are
refused; duplicate keys are refused; files are capped in size and nesting depth; plain scalars are typed
by a small YAML-1.2-like rule so that ``no`` stays the string "no", ``010`` stays "010" and dates stay
strings — the model decides what a field means, not the YAML resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checker.errors import PackProblem

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 32

PathKey = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class YamlTrap(Exception):
    """A construct the pack format refuses; carries the 1-based line."""

    def __init__(self, line: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.code = code
        self.message = message


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases while composing (before anything is built)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise YamlTrap(line, "yaml-alias", "YAML aliases (*name) are not allowed")
        if getattr(event, "anchor", None):
            raise YamlTrap(line, "yaml-alias", "YAML anchors (&name) are not allowed")
        return super().compose_node(parent, index)


@dataclass
class LoadedYaml:
    """One YAML document: its data and the 1-based line of every path inside it."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int:
        """The line of ``path``, or of its nearest recorded ancestor."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style is not None:  # quoted or block scalar: always a string
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.fullmatch(value):
        return int(value.replace("_", ""))
    if _FLOAT.fullmatch(value):
        return float(value.replace("_", ""))
    return value


def _build(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise YamlTrap(node.start_mark.line + 1, "yaml-depth", f"nesting deeper than {MAX_DEPTH} levels")
    if node.tag not in _SAFE_TAGS:
        raise YamlTrap(node.start_mark.line + 1, "yaml-tag", f"YAML tag {node.tag!r} is not allowed")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, child in enumerate(node.value):
            lines[(*path, i)] = child.start_mark.line + 1
            items.append(_build(child, (*path, i), lines, depth + 1))
        return items
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlTrap(key_node.start_mark.line + 1, "yaml-key", "mapping keys must be plain text")
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key == "<<":
                raise YamlTrap(line, "yaml-alias", "YAML merge keys (<<) are not allowed")
            if key in out:
                first = lines.get((*path, key), 0)
                raise YamlTrap(line, "yaml-duplicate-key", f"duplicate key {key!r} (first at line {first})")
            lines[(*path, key)] = line
            out[key] = _build(value_node, (*path, key), lines, depth + 1)
        return out
    raise YamlTrap(node.start_mark.line + 1, "yaml-node", "unsupported YAML node")  # pragma: no cover


def load_yaml(path: Path, display: str | None = None) -> LoadedYaml | PackProblem:
    """Read one YAML file strictly; a problem comes back as a :class:`PackProblem`, never raised."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return PackProblem(
                name, 0, "", "yaml-too-big", f"file is {size:,} bytes (limit {MAX_FILE_BYTES:,})"
            )
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return PackProblem(name, 0, "", "yaml-encoding", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return PackProblem(name, 0, "", "yaml-unreadable", f"cannot read file: {exc.strerror}")
    loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[PathKey, int] = {}
        if node is None:
            return LoadedYaml(name, {}, {(): 1})
        lines[()] = node.start_mark.line + 1
        data = _build(node, (), lines, 0)
        return LoadedYaml(name, data, lines)
    except YamlTrap as trap:
        return PackProblem(name, trap.line, "", trap.code, trap.message)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = exc.problem or str(exc)
        if "\t" in text and "tab" in str(exc).lower():
            detail = "tab characters cannot indent YAML; use spaces"
        return PackProblem(name, line, "", "yaml-syntax", f"YAML syntax error: {detail}")
    except RecursionError:
        return PackProblem(name, 0, "", "yaml-depth", f"nesting deeper than {MAX_DEPTH} levels")
    except yaml.YAMLError as exc:
        return PackProblem(name, 0, "", "yaml-syntax", f"YAML error: {exc}")
    finally:
        loader.dispose()
