"""JSON Schemas of the pack format, generated from the pydantic models so they never drift apart.

Two schemas are offered:

* :func:`pack_schema` — a whole pack after its files are merged: identity, departments and projects are
  required. Use it to check a merged pack (what ``read_raw`` produces), e.g. in CI.
* :func:`file_schema` — one file of a pack. A pack is split over files (``pack.yaml`` plus, say, one
  file per Ⅰ project), so any single file holds only some top-level keys: here every top-level key is
  optional, while everything inside a key is as strict as in the pack schema. This is the one to give
  an editor (``# yaml-language-server: $schema=…`` on the first line of each file).

A schema checks shape only; cross references (unknown departments, duplicate codes, …) are checked by
``civcheck handbook validate``.
"""

from __future__ import annotations

import copy
from typing import Any

from checker.handbook.model import Handbook

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def pack_schema() -> dict[str, Any]:
    """The JSON Schema of a whole (merged) criteria pack."""
    schema = Handbook.model_json_schema(by_alias=True, mode="validation")
    out: dict[str, Any] = {
        "$schema": DIALECT,
        "title": "civcheck criteria pack (测评体系)",
    }
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out


def file_schema() -> dict[str, Any]:
    """The JSON Schema of one YAML file of a pack: every top-level key optional, an empty file allowed."""
    schema = copy.deepcopy(pack_schema())
    schema["title"] = "civcheck criteria pack file (one file of a 测评体系 pack)"
    schema.pop("required", None)
    schema["type"] = ["object", "null"]
    return schema
