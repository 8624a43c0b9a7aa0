"""The sentences of the engine's coded results, in the report's language, from their codes and values.

The engine (checker.scoring) writes no sentence: a standard's reason is ``reason_code`` + ``reason_args``,
a gap's is its ``reason_code`` + the values in its columns, the plan note is ``plan_note_code`` +
``plan_note_args``, a veto is its negative-list event. Every renderer — terminal, text, HTML, workbook,
交办单, report.json, and the ledger's zh ``description`` of each finding — asks this module, and this
module fills the one template per code that :mod:`checker.report.labels` holds in zh and en. An unknown
code, or values that do not fit its template, is a programming error (KeyError), never a raw code shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from checker.numbers import num, pct, with_unit
from checker.report import tables
from checker.report.labels import label

if TYPE_CHECKING:
    from checker.scoring.assessment import Assessment, StandardResult

Args = Mapping[str, Any]


def _names(values: Any, lang: str) -> str:
    items = [values] if isinstance(values, str) else list(values or ())
    return label("reason.name_sep", lang).join(str(v) for v in items)


def _t(key: str, lang: str, **values: Any) -> str:
    return label(key, lang).format(**values)


def _field_result(a: Args, lang: str) -> str:
    if a["draw"] == "observed":
        head = _t("reason.field.observed", lang, inspected=a["inspected"], cases=a["cases"])
    else:
        head = _t(
            "reason.field.draw",
            lang,
            sample=a["sample"],
            expected=pct(a["expected"]),
            p_full=pct(a["p_full"]),
            inspected=a["inspected"],
            failing=a["failing"],
            cases=a["cases"],
        )
    extras = []
    if a["short"]:
        extras.append(label("reason.field.short", lang))
    if a["uncovered"]:
        extras.append(_t("reason.field.uncovered", lang, uncovered=a["uncovered"]))
    if not extras:
        return head
    return head + label("reason.sep", lang) + label("reason.list_sep", lang).join(extras)


def _document_missing(a: Args, lang: str) -> str:
    items = [
        _t("reason.document.item", lang, material=m, why=label(f"material.{why}", lang))
        for m, why in zip(a["materials"], a["why"], strict=True)
    ]
    return _t("reason.document.missing", lang, items=label("reason.sep", lang).join(items))


def _survey_rate(a: Args, lang: str) -> str:
    text = _t(
        "reason.survey.rate",
        lang,
        question=a["question"],
        rate=pct(a["rate"]),
        low=pct(a["low"]),
        high=pct(a["high"]),
        respondents=a["respondents"],
        target=pct(a["target"]),
    )
    if a.get("min_sample") is not None:
        text += _t("reason.survey.small", lang, min_sample=a["min_sample"])
    return text


def _data_value(a: Args, lang: str) -> str:
    unit = str(a.get("unit") or "")
    return _t(
        "reason.data.value",
        lang,
        indicator=a["indicator"],
        value=with_unit(a["value"], unit),
        direction=a["direction"],
        target=with_unit(a["target"], unit),
    )


def _simple(key: str) -> Callable[[Args, str], str]:
    """A reason whose template takes the values as they are (names listed with the language's separator)."""

    def text(a: Args, lang: str) -> str:
        values = {k: _names(v, lang) if isinstance(v, tuple) else v for k, v in a.items()}
        return label(key, lang).format(**values)

    return text


# Every reason_code the engine sets (checker.scoring: field, document, survey, data) → its formatter.
REASONS: dict[str, Callable[[Args, str], str]] = {
    "field.invalid": _simple("reason.field.invalid"),
    "field.all_na": _simple("reason.field.all_na"),
    "field.no_sites": _simple("reason.field.no_sites"),
    "field.no_inspection": _simple("reason.field.no_inspection"),
    "field.pass": _field_result,
    "field.partial": _field_result,
    "field.fail": _field_result,
    "document.invalid": _simple("reason.document.invalid"),
    "document.none": _simple("reason.document.none"),
    "document.missing": _document_missing,
    "document.complete": _simple("reason.document.complete"),
    "survey.invalid": _simple("reason.survey.invalid"),
    "survey.none": _simple("reason.survey.none"),
    "survey.met": _survey_rate,
    "survey.short": _survey_rate,
    "data.invalid": _simple("reason.data.invalid"),
    "data.out_of_window": _simple("reason.data.out_of_window"),
    "data.none": _simple("reason.data.none"),
    "data.zero_denominator": _simple("reason.data.zero_denominator"),
    "data.met": _data_value,
    "data.short": _data_value,
}


def reason_text(result: StandardResult, lang: str) -> str:
    """The one-sentence reason of a standard (why this status: observed against required) in ``lang``."""
    return REASONS[result.reason_code](dict(result.reason_args), lang)


# -- the total's veto reasons and the plan note --------------------------------------------------------


def veto_texts(assessment: Assessment, lang: str) -> list[str]:
    """Why the total is vetoed: one text per veto event of the negative list, in date order."""
    events = [e for e in assessment.negative_events if e.veto]
    return [_t("veto_reason", lang, code=e.code, text=e.text, date=e.date.isoformat()) for e in events]


def _plan_unreachable(a: Args, lang: str) -> str:
    parts = [
        _t(f"plan.other.{k}", lang, lost=f"{float(v):.2f}")
        for k, v in a.items()
        if k not in ("best", "target")
    ]
    others = (
        _t("plan.others", lang, parts=label("reason.list_sep", lang).join(parts))
        if parts
        else label("plan.others_none", lang)
    )
    return _t("plan.unreachable", lang, best=f"{a['best']:.2f}", target=num(a["target"]), others=others)


def _plan_greedy(key: str) -> Callable[[Args, str], str]:
    def text(a: Args, lang: str) -> str:
        return _t(
            key,
            lang,
            rule=label("plan.rule", lang),
            steps=a["steps"],
            score=f"{a['score']:.2f}",
            target=num(a["target"]),
        )

    return text


PLAN_NOTES: dict[str, Callable[[Args, str], str]] = {
    "plan.no_target": _simple("plan.no_target"),
    "plan.reached": lambda a, lang: _t(
        "plan.reached", lang, score=f"{a['score']:.2f}", target=num(a["target"])
    ),
    "plan.unreachable": _plan_unreachable,
    "plan.greedy_reached": _plan_greedy("plan.greedy_reached"),
    "plan.greedy_short": _plan_greedy("plan.greedy_short"),
}


def plan_note_text(assessment: Assessment, lang: str) -> str:
    """The plan note (整改计划说明) in ``lang``; "" when the assessment has none (no plan_note_code)."""
    code = assessment.plan_note_code
    if not code:
        return ""
    if code == "plan.veto":
        reasons = label("reason.sep", lang).join(veto_texts(assessment, lang))
        return _t("plan.veto", lang, reasons=reasons)
    return PLAN_NOTES[code](dict(assessment.plan_note_args), lang)


# -- gaps -------------------------------------------------------------------------------------------


def gap_texts(
    assessment: Assessment,
    gaps: pd.DataFrame,
    lang: str,
    columns: Mapping[str, list[Any]] | None = None,
) -> tuple[list[Any], list[Any]]:
    """The ``description`` and ``required`` columns of ``gaps`` (rows of ``assessment.gaps``) in ``lang``.

    Evidence text (a site problem's description, a standard's text, a material's name) is kept as written.
    What the engine says itself is written here from the gap's ``reason_code``: a standard's reason
    (joined by the gap's standard), a material's (its name in ``required``), a coverage gap's, a
    negative-list event's (found by its evidence; its deduction in ``points_lost``). Per code, not per row:
    one code's rows get their text at once, so 400k coverage gaps cost one array assignment. ``columns``
    may hold the two columns already converted (a table built from ``gaps``), so they are not read twice.
    """
    n = len(gaps)
    given = columns or {}
    description = np.empty(n, dtype=object)
    required = np.empty(n, dtype=object)
    for name, values in (("description", description), ("required", required)):
        if name in given:
            values[:] = given[name]
        elif name in gaps.columns:
            values[:] = tables.column_values(gaps, name)
        else:
            values[:] = None
    if not n or "reason_code" not in gaps.columns:
        return description.tolist(), required.tolist()
    codes, uniques = pd.factorize(gaps["reason_code"].astype(object).fillna("").to_numpy())
    for k, code in enumerate(uniques):
        if not code:  # evidence text: most rows (site problems), left alone
            continue
        at = np.flatnonzero(codes == k)
        if code == "coverage.not_inspected":
            # ``required`` lists the site's missing standards, joined by "、": one sentence per count,
            # counted once per distinct list
            lists, distinct = pd.factorize(pd.Series(required[at], dtype=object).fillna(""))
            counts = np.array([str(d).count("、") + 1 for d in distinct], dtype=np.int64)
            said = {
                n: _t("gap.coverage.not_inspected" + ("_many" if n > 1 else ""), lang, n=n)
                for n in set(counts.tolist())
            }
            description[at] = np.asarray([said[n] for n in counts.tolist()], dtype=object)[lists]
        elif code.startswith("material."):
            why = label(code, lang)
            description[at] = [_t("gap.material", lang, material=m or "", why=why) for m in required[at]]
        elif code in ("negative.veto", "negative.deduction"):
            _negative(assessment, gaps, at, code, lang, description, required)
        else:  # a standard's own reason: one text per standard
            standards = {s.code: s for s in assessment.standards}
            texts: dict[str, str] = {}
            for i, standard in zip(at, gaps["standard"].to_numpy()[at], strict=True):
                if standard not in texts:
                    texts[standard] = reason_text(standards[standard], lang)
                description[i] = texts[standard]
    return description.tolist(), required.tolist()


def _negative(
    assessment: Assessment,
    gaps: pd.DataFrame,
    at: np.ndarray,
    code: str,
    lang: str,
    description: np.ndarray,
    required: np.ndarray,
) -> None:
    """A negative-list event's gap: the event (by its evidence) and its effect, into the two arrays."""
    events = {e.evidence: e for e in assessment.negative_events}
    evidence = gaps["evidence"].to_numpy()[at] if "evidence" in gaps.columns else [""] * len(at)
    points = gaps["points_lost"].to_numpy()[at] if "points_lost" in gaps.columns else [0.0] * len(at)
    for i, source, lost in zip(at, evidence, points, strict=True):
        event = events[str(source)]
        key = "gap.negative" if event.note else "gap.negative_plain"
        description[i] = _t(key, lang, code=event.code, text=event.text, note=event.note)
        required[i] = (
            label("gap.negative.veto", lang)
            if code == "negative.veto"
            else _t("gap.negative.deduction", lang, points=num(float(lost or 0.0)))
        )


def street_text(street: Any, lang: str) -> Any:
    """A street as the engine names it, with its placeholder for unregistered sites in ``lang`` (the zh
    label is the engine's own placeholder, checker.scoring.evaluate.UNREGISTERED: a test checks it)."""
    return label("unregistered", lang) if street == label("unregistered", "zh") else street


def localise_gap_table(assessment: Assessment, table: tables.Table, gaps: pd.DataFrame, lang: str) -> None:
    """Write the engine's texts of a table built from ``gaps`` (same rows) in ``lang``, in place."""
    if not table.length:
        return
    if "description" in table.data or "required" in table.data:
        description, required = gap_texts(assessment, gaps, lang, table.data)
        if "description" in table.data:
            table.data["description"] = description
        if "required" in table.data:
            table.data["required"] = required
    if "street" in table.data and lang != "zh":
        table.data["street"] = [street_text(s, lang) for s in table.data["street"]]
