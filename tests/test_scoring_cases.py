"""Rule cases written as data (tests/cases/*.yaml), run by one parametrised test.

Each case: an optional ``patch`` of the tiny pack's standards, evidence records per kind, options, and the
expected projection: per standard any StandardResult fields, total fields, and gap counts per kind.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from scoring_support import evidence, tiny

from checker.intake.evidence import Rejection
from checker.scoring.assessment import Options
from checker.scoring.evaluate import evaluate

CASES = Path(__file__).parent / "cases"
KINDS = ("sites", "inspections", "documents", "survey", "indicators", "incidents")


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return params


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) and isinstance(actual, int | float):
        return actual == pytest.approx(expected, abs=1e-6)
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(
            _same(a, e) for a, e in zip(actual, expected, strict=True)
        )
    return bool(actual == expected)


@pytest.mark.parametrize("case", _load())
def test_case(case: dict[str, Any]) -> None:
    handbook = tiny(case.get("patch"))
    ev = evidence(**{k: case[k] for k in KINDS if k in case})
    ev.rejected = [
        Rejection("x.xlsx", "s", 2 + i, "测评标准", "bad-result", (("value", m),))
        for i, m in enumerate(case.get("rejected", []))
    ]
    options = Options(
        test_date=date.fromisoformat(str(case.get("test_date", "2026-06-15"))),
        observed_draw=bool(case.get("observed_draw", False)),
        target=case.get("target"),
    )
    a = evaluate(handbook, ev, options)
    by_code = {s.code: s for s in a.standards}
    problems = []
    for code, fields in case["expect"].get("standards", {}).items():
        for name, want in fields.items():
            got = getattr(by_code[code], name)
            if not _same(got, want):
                problems.append(f"{code}.{name}: got {got!r}, expected {want!r}")
    for name, want in case["expect"].get("total", {}).items():
        got = getattr(a.total, name)
        if not _same(got, want):
            problems.append(f"total.{name}: got {got!r}, expected {want!r}")
    for key, want in case["expect"].get("gaps", {}).items():
        kind, _, code = key.partition("@")  # "kind" or "kind@standard"
        mask = a.gaps["kind"] == kind
        if code:
            mask &= a.gaps["standard"] == code
        got = int(mask.sum())
        if got != want:
            problems.append(f"gaps[{key}]: got {got}, expected {want}")
    steps = case["expect"].get("plan_steps")
    if steps is not None and len(a.plan) != steps:
        problems.append(
            f"plan: {len(a.plan)} steps, expected {steps} ({a.plan_note_code}: {dict(a.plan_note_args)})"
        )
    assert not problems, "\n".join(problems)
