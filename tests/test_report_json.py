"""report.json: valid against its published schema, no NaN, ISO dates, stable names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from pydantic import BaseModel
from report_fixtures import assessment, record_models, tracked_assessment, written_keys

from checker.intake.codes import CODES
from checker.report import report_json_schema, write_reports
from checker.report.jsonout import report_document

GOLDEN = Path(__file__).parent / "golden"


def _load(tmp_path: Path, **kw: bool) -> dict:  # type: ignore[type-arg]
    write_reports(assessment(**kw), tmp_path, {"json"})
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    return json.loads(text)  # type: ignore[no-any-return]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = report_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("veto", [False, True])
def test_output_validates_against_the_schema(tmp_path: Path, veto: bool) -> None:
    document = _load(tmp_path, veto=veto)
    jsonschema.Draft202012Validator(report_json_schema(), format_checker=jsonschema.FormatChecker()).validate(
        document
    )


def test_schema_catches_a_wrong_document(tmp_path: Path) -> None:
    document = _load(tmp_path)
    document["total"]["score"] = "69.5"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, report_json_schema())


def test_schema_refuses_a_rejection_code_intake_does_not_have(tmp_path: Path) -> None:
    document = _load(tmp_path)
    jsonschema.validate(document, report_json_schema())
    for made_up in ("E-DATE", "skipped-material"):  # invented; a skipped file's code, not a row's
        document["rejected_rows"][0]["code"] = made_up
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(document, report_json_schema())


def test_stable_names_and_values(tmp_path: Path) -> None:
    document = _load(tmp_path)
    assert (
        document["schema_version"] == "1.6"
    )  # 1.1 reason_args …, 1.2 tracking, 1.4 generation, 1.5 fields, 1.6 coverage per site
    assert document["skipped"] == []  # 1.3: the files of the folder not read (none in this fixture)
    assert document["total"] == {
        "score": 69.5,
        "max": 100.0,
        "low": 69.5,
        "high": 73.5,
        "max_reachable": 99.0,
        "deductions": 1.0,
        "veto": False,
        "veto_reasons": [],
    }
    first = document["standards"][0]
    assert (first["code"], first["method"], first["status"], first["grade"]) == (
        "Ⅲ-1-1",
        "field",
        "partial",
        "B",
    )
    assert {"points", "score", "expected_share", "p_full"} <= set(first)
    assert first["reason_code"] == "field.partial"
    assert first["reason_args"]["sample"] == 5 and first["reason_args"]["draw"] == "random"
    materials = next(s for s in document["standards"] if s["code"] == "Ⅲ-2-1")
    assert materials["reason_args"] == {"materials": ["工作方案"], "why": ["missing"]}
    gap = document["gaps"][0]
    assert gap["id"] == "P-00000000a3" and gap["deadline"] == "2024-07-15"
    assert {"kind", "standard", "site", "department", "points_recoverable"} <= set(gap)
    assert gap["reason_code"] == "survey.short"
    assert document["plan"]["note_code"] == "plan.greedy_short"
    assert document["plan"]["note_args"] == {"steps": 3, "score": 73.42, "target": 75.0}
    assert document["rejected_rows"][0] == {
        "file": "实地.xlsx",
        "sheet": "实地考察",
        "row": 14,
        "column": "检查日期",
        "code": "bad-date",
        "message": "“检查日期”的值“2024-13-01”不是可识别的日期（如 2023-05-03、2023/5/3、2023年5月3日）",
        "standard": "",
        "fields": {"header": "检查日期", "value": "2024-13-01"},
    }
    assert document["inputs"][0]["sha256"] == "ab" * 32
    assert document["departments"][0]["conformity"] is None  # NaN became null
    assert document["window"] == {"start": "2023-05-01", "end": "2024-04-30"}


def test_columns_added_by_the_engine_are_carried(tmp_path: Path) -> None:
    a = assessment()
    a.gaps["photo_after"] = pd.Series(["x"] * len(a.gaps), dtype="string")
    write_reports(a, tmp_path, {"json"})
    document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert document["gaps"][0]["photo_after"] == "x"
    jsonschema.validate(document, report_json_schema())


def test_streamed_file_equals_the_text_rendering(tmp_path: Path) -> None:
    from checker.report.jsonout import report_json

    write_reports(assessment(), tmp_path, {"json"})
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    generation = json.loads(text)["generation"]  # the run's own id and time, also in the manifest
    assert text == report_json(assessment(), generation)


def test_an_empty_gap_list_is_valid_json(tmp_path: Path) -> None:
    document = _load(tmp_path, no_gaps=True)
    assert document["gaps"] == []
    jsonschema.validate(document, report_json_schema())


def test_schema_enumerates_intake_codes_and_refuses_a_tracking_state_that_does_not_exist(
    tmp_path: Path,
) -> None:
    schema = report_json_schema()
    defs = schema["$defs"]
    rejection = sorted(c for c, e in CODES.items() if e.level in ("file", "sheet", "row"))
    assert defs["RejectedRow"]["properties"]["code"]["enum"] == rejection
    assert defs["RowProblem"]["properties"]["code"]["enum"] == rejection
    assert defs["SkippedRecord"]["properties"]["code"]["enum"] == sorted(
        c for c, e in CODES.items() if e.level == "skipped"
    )
    document = report_document(tracked_assessment(), lang="zh")
    jsonschema.validate(document, schema)
    document["gaps"][0]["lifecycle"] = "fixed"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_schema_enumerates_the_engine_reason_and_plan_note_codes() -> None:
    from checker.report.reasons import PLAN_NOTES, REASONS

    defs = report_json_schema()["$defs"]
    assert defs["StandardRecord"]["properties"]["reason_code"]["enum"] == sorted(REASONS)
    assert defs["PlanRecord"]["properties"]["note_code"]["enum"] == sorted(PLAN_NOTES)
    gap = defs["GapRecord"]["properties"]["reason_code"]["anyOf"][0]["enum"]
    assert set(REASONS) < set(gap) and {"", "coverage.not_inspected", "material.missing"} < set(gap)
    document = report_document(tracked_assessment(), lang="zh")
    document["standards"][0]["reason_code"] = "field.made_up"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, report_json_schema())


@pytest.mark.parametrize("name", ["report.json", "sample.report.json"])
def test_golden_documents_validate(name: str) -> None:
    """The golden files hold only codes that exist (the schema enumerates them) and every documented field."""
    document = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(report_json_schema(), format_checker=jsonschema.FormatChecker()).validate(
        document
    )


def test_serializer_writes_exactly_the_model_fields_in_their_order() -> None:
    """Every key report.json writes is a field of its record's model, in the model's order, and every model
    field is written by one of the fixture's documents (plain, recorded in a ledger, from a check run)."""
    generation = {
        "run_id": "r-1",
        "written_at": "2024-06-01T08:00:00+00:00",
        "inputs": {"实地.xlsx": "ab" * 32},
    }
    seen: dict[type[BaseModel], set[str]] = {}
    for document in (
        report_document(assessment(veto=True), lang="en"),
        report_document(tracked_assessment(), generation=generation, lang="zh"),
    ):
        jsonschema.Draft202012Validator(
            report_json_schema(), format_checker=jsonschema.FormatChecker()
        ).validate(document)
        for model, keys in written_keys(document).items():
            seen.setdefault(model, set()).update(keys)
    assert {m.__name__: seen.get(m, set()) for m in record_models()} == {
        m.__name__: set(m.model_fields) for m in record_models()
    }
