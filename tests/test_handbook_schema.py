"""The JSON Schemas of the pack format accept the real packs and refuse what the loader refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.cli import main
from checker.handbook.loader import bundled_criteria_dirs, find_packs, pack_files, read_raw
from checker.handbook.schema import file_schema, pack_schema
from checker.handbook.yamlsafe import LoadedYaml, load_yaml

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
PACKS = [FIXTURES / "tiny", *(folder for base in bundled_criteria_dirs() for folder in find_packs(base))]


def _errors(data: Any, schema: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_schemas_are_valid_draft_2020_12() -> None:
    for schema in (pack_schema(), file_schema()):
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"]
    assert {"id", "departments", "projects"} <= set(pack_schema()["required"])
    assert "required" not in file_schema()


@pytest.mark.parametrize("pack", PACKS, ids=[p.name for p in PACKS])
def test_packs_match_the_schemas(pack: Path) -> None:
    raw, problems = read_raw(pack)
    assert problems == []
    assert _errors(raw.data, pack_schema()) == []
    for file in pack_files(pack):
        loaded = load_yaml(file)
        assert isinstance(loaded, LoadedYaml)
        assert _errors(loaded.data, file_schema()) == [], file


def test_schema_refuses_an_unknown_key_and_a_missing_section() -> None:
    raw, _ = read_raw(FIXTURES / "broken" / "unknown-key" / "pack")
    assert any("colour" in e for e in _errors(raw.data, pack_schema()))
    only_projects = {"projects": raw.data["projects"]}
    assert any("'id' is a required property" in e for e in _errors(only_projects, pack_schema()))
    assert not any("required" in e for e in _errors(only_projects, file_schema()))


def test_schema_command_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["handbook", "schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == pack_schema()
    target = tmp_path / "handbook.schema.json"
    assert main(["handbook", "schema", "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == pack_schema()
    assert json.loads((tmp_path / "handbook.schema.file.json").read_text(encoding="utf-8")) == file_schema()
