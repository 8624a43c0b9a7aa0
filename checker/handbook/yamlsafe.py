"""A strict YAML reader for criteria packs that remembers the line of every key.

Defences against hostile YAML (billion-laughs aliases, tag-driven object construction, huge or deeply
nested documents): only the safe composer; anchors, aliases and custom tags are
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

from checker.errors import Fields, PackProblem
from checker.handbook import codes
from checker.handbook.codes import fields_of

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 32
# YAML nodes (scalars, lists, mappings) composed for one pack, all its files together. The largest bundled
# pack has about 6,400; each node costs some 40 µs and 1.5 KB to compose and build, so 100,000 bound a pack
# to a few seconds and about 150 MB whatever its files hold.
MAX_PACK_NODES = 100_000

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
    """A construct the pack format refuses: its code and values, the 1-based line, the path in the document."""

    def __init__(self, line: int, code: str, fields: Fields = (), path: PathKey = ()) -> None:
        super().__init__(code)
        self.line = line
        self.code = code
        self.fields = fields
        self.path = path


def dotted(path: PathKey) -> str:
    """``projects[0].indicators[1].code`` for a path of keys and list indexes."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


@dataclass
class NodeBudget:
    """The YAML nodes a pack may still compose (shared by all its files)."""

    left: int = MAX_PACK_NODES


class _TaggedScalar(yaml.ScalarNode):
    """A scalar written with an explicit tag (``!!str 10``): the tag decides its type, not its text."""


class _StrictComposer(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and deep nesting while composing, before anything is built.

    Composition is recursive, so the depth is checked here: 100,000 nested ``[`` end at level
    ``MAX_DEPTH`` with a located problem instead of a RecursionError.
    """

    def __init__(self, stream: str, budget: NodeBudget) -> None:
        super().__init__(stream)
        self._path: list[str | int] = []
        self._depth = 0
        self._budget = budget

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark else 0
        pushed = index is not None
        if isinstance(index, yaml.ScalarNode):
            self._path.append(str(index.value))
        elif isinstance(index, int) and not isinstance(index, bool):
            self._path.append(index)
        else:
            pushed = False
        try:
            here = tuple(self._path)
            if isinstance(event, yaml.AliasEvent):
                raise YamlTrap(line, codes.YAML_ALIAS, fields_of(variant="alias"), here)
            if getattr(event, "anchor", None):
                raise YamlTrap(line, codes.YAML_ALIAS, fields_of(variant="anchor"), here)
            self._budget.left -= 1
            if self._budget.left < 0:
                raise YamlTrap(
                    line,
                    codes.YAML_TOO_MANY_NODES,
                    fields_of(limit=MAX_PACK_NODES),
                    here,
                )
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlTrap(line, codes.YAML_DEPTH, fields_of(limit=MAX_DEPTH), here)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        finally:
            if pushed:
                self._path.pop()

    def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:
        event = self.get_event()  # type: ignore[no-untyped-call]
        if event.tag is None or event.tag == "!":
            return yaml.ScalarNode(
                self.resolve(yaml.ScalarNode, event.value, event.implicit),  # type: ignore[no-untyped-call]
                event.value,
                event.start_mark,
                event.end_mark,
                style=event.style,
            )
        return _TaggedScalar(event.tag, event.value, event.start_mark, event.end_mark, style=event.style)


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


def plain_value(text: str) -> Any:
    """What an unquoted scalar means in a pack: null, bool, int, float, or the text itself.

    Deliberately smaller than YAML 1.1: ``no``/``on`` stay text, ``010`` stays "010", ``12:30`` and
    ``2023-05-03`` stay text. Writers use it to decide which strings must be quoted.
    """
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text.replace("_", ""))
    if _FLOAT.fullmatch(text):
        return float(text.replace("_", ""))
    return text


_EXPLICIT = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "null",
}


def _scalar(node: yaml.ScalarNode, path: PathKey) -> Any:
    value: str = node.value
    if isinstance(node, _TaggedScalar):
        if node.tag == "tag:yaml.org,2002:str":
            return value
        typed: Any = plain_value(value)
        wanted: dict[str, type | tuple[type, ...]] = {
            "tag:yaml.org,2002:int": int,
            "tag:yaml.org,2002:float": (int, float),
            "tag:yaml.org,2002:bool": bool,
            "tag:yaml.org,2002:null": type(None),
        }
        kind = wanted[node.tag]
        if isinstance(typed, bool) and kind is not bool:
            typed = value
        ok = isinstance(typed, kind)
        if not ok:
            raise YamlTrap(
                node.start_mark.line + 1,
                codes.YAML_TAG,
                fields_of(variant="value", value=value, kind=_EXPLICIT[node.tag], tag=node.tag),
                path,
            )
        return float(typed) if node.tag == "tag:yaml.org,2002:float" else typed
    if node.style is not None:  # quoted or block scalar: always a string
        return value
    return plain_value(value)


def _build(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise YamlTrap(node.start_mark.line + 1, codes.YAML_DEPTH, fields_of(limit=MAX_DEPTH), path)
    allowed = _EXPLICIT if isinstance(node, _TaggedScalar) else _SAFE_TAGS
    if node.tag not in allowed:
        raise YamlTrap(node.start_mark.line + 1, codes.YAML_TAG, fields_of(variant="tag", tag=node.tag), path)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path)
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
                raise YamlTrap(key_node.start_mark.line + 1, codes.YAML_KEY, (), path)
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key == "<<":
                raise YamlTrap(line, codes.YAML_ALIAS, fields_of(variant="merge"), path)
            if key in out:
                first = lines.get((*path, key), 0)
                raise YamlTrap(
                    line,
                    codes.YAML_DUPLICATE_KEY,
                    fields_of(key=key, first=first),
                    (*path, key),
                )
            lines[(*path, key)] = line
            out[key] = _build(value_node, (*path, key), lines, depth + 1)
        return out
    raise YamlTrap(node.start_mark.line + 1, codes.YAML_NODE)  # pragma: no cover


def load_yaml(
    path: Path, display: str | None = None, budget: NodeBudget | None = None
) -> LoadedYaml | PackProblem:
    """Read one YAML file strictly; a problem comes back as a :class:`PackProblem`, never raised.

    ``budget``: the nodes the file's pack may still compose (a fresh budget when the file stands alone).
    """
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return PackProblem(name, 0, "", codes.YAML_TOO_BIG, fields_of(size=size, limit=MAX_FILE_BYTES))
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return PackProblem(name, 0, "", codes.YAML_ENCODING, fields_of(reason=exc.reason, byte=exc.start))
    except OSError as exc:
        return PackProblem(name, 0, "", codes.YAML_UNREADABLE, fields_of(detail=exc.strerror))
    loader = _StrictComposer(text, budget if budget is not None else NodeBudget())
    try:
        node = loader.get_single_node()
        lines: dict[PathKey, int] = {}
        if node is None:
            return LoadedYaml(name, {}, {(): 1})
        lines[()] = node.start_mark.line + 1
        data = _build(node, (), lines, 0)
        return LoadedYaml(name, data, lines)
    except YamlTrap as trap:
        return PackProblem(name, trap.line, dotted(trap.path), trap.code, trap.fields)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = exc.problem or str(exc)
        source_lines = text.splitlines()
        here = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
        indent = here[: len(here) - len(here.lstrip())]
        if "\t" in indent or "'\\t'" in detail:
            return PackProblem(name, line, "", codes.YAML_TAB)
        return PackProblem(name, line, "", codes.YAML_SYNTAX, fields_of(variant="syntax", detail=detail))
    except RecursionError:  # pragma: no cover - the composer stops at MAX_DEPTH long before this
        return PackProblem(name, 0, "", codes.YAML_DEPTH, fields_of(limit=MAX_DEPTH))
    except yaml.YAMLError as exc:
        return PackProblem(name, 0, "", codes.YAML_SYNTAX, fields_of(variant="other", detail=str(exc)))
    finally:
        loader.dispose()
