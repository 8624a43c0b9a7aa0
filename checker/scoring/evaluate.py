"""evaluate(handbook, evidence, options) → Assessment: score every standard, total, gaps, rankings, plan.

Pure: no I/O, deterministic. Each evidence frame is prepared once, column-wise; loops run per standard.
This module only orchestrates: the gap builders live in :mod:`checker.scoring.gaps`, the plan and its note
in :mod:`checker.scoring.plan`, the rankings in :mod:`checker.scoring.rankings`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from checker.handbook.model import METHODS, Handbook
from checker.intake.evidence import Evidence
from checker.intake.values import lookup_columns, map_distinct_text
from checker.scoring import gaps as gapmod
from checker.scoring import plan as planmod
from checker.scoring.assessment import (
    Assessment,
    Options,
    StandardResult,
)
from checker.scoring.common import places, rejected_by_standard
from checker.scoring.data import evaluate_data, latest_values
from checker.scoring.document import DocumentOutcome, evaluate_document, prepare_documents
from checker.scoring.field import FieldOutcome, Prepared, evaluate_field, prepare
from checker.scoring.negative import negative_events
from checker.scoring.rankings import rank_by, with_gaps
from checker.scoring.survey import evaluate_survey, tally
from checker.scoring.totals import group_weights, rollups, total
from checker.scoring.window import document_window

UNREGISTERED = "(未登记)"


def evaluate(handbook: Handbook, evidence: Evidence, options: Options) -> Assessment:
    where = places(handbook)
    window = document_window(options.test_date, handbook.settings.document_window)
    rejected = rejected_by_standard(evidence.rejected, handbook)
    standards = handbook.standards

    prep = prepare(evidence.frame("inspections"), evidence.frame("sites"))
    docs = prepare_documents(evidence.frame("documents"), window)
    doc_rows = docs.groupby("standard", sort=False).indices if len(docs) else {}
    tallies = tally(evidence.frame("survey"))
    latest = latest_values(evidence.frame("indicators"), window)

    results: dict[str, StandardResult] = {}
    field_out: dict[str, FieldOutcome] = {}
    doc_out: dict[str, DocumentOutcome] = {}
    for s in standards:
        place, bad = where[s.code], rejected.get(s.code, 0)
        if s.method == "field":
            out = evaluate_field(handbook, s, place, prep, observed=options.observed_draw, rejected=bad)
            field_out[s.code] = out
            results[s.code] = out.result
        elif s.method == "document":
            rows = docs.iloc[doc_rows[s.code]] if s.code in doc_rows else docs.iloc[0:0]
            d = evaluate_document(handbook, s, place, rows, bad)
            doc_out[s.code] = d
            results[s.code] = d.result  # type: ignore[assignment]
        elif s.method == "survey":
            results[s.code] = evaluate_survey(handbook, s, place, tallies, bad)
        else:
            results[s.code] = evaluate_data(handbook, s, place, latest, bad)

    ordered = [results[s.code] for s in standards]
    events = negative_events(handbook, evidence.frame("incidents"), options.test_date)
    gw = group_weights(handbook, ordered)  # once: the total, method rollups, gaps and plan share it
    the_total = total(ordered, events, gw)

    field_codes = [s.code for s in standards if s.method == "field"]
    fail_mask, site_frame = _site_rows(handbook, prep, field_codes)
    due = gapmod.Due(handbook, options, gapmod.issue_date(options, evidence.frame("inspections")))
    blocks = [
        gapmod.site_problem_gaps(handbook, due, site_frame[fail_mask]),
        gapmod.coverage_gaps(handbook, due, field_out, prep),
        gapmod.material_gaps(handbook, due, doc_out, results),
    ]
    # A standard's own gap (标准失分) only where no site, coverage or material gap already says what to
    # fix: otherwise the same loss would be listed, counted and summed twice.
    listed = {str(code) for block in blocks if len(block) for code in block["standard"].unique().tolist()}
    blocks += [
        gapmod.standard_gaps(handbook, due, [r for r in ordered if r.code not in listed]),
        gapmod.negative_gaps(handbook, events),
    ]
    gaps = gapmod.finish(blocks, factors={m: gw.factor(m) for m in METHODS})
    gaps["reason_code"] = gaps["reason_code"].astype("string").fillna("")

    scored = site_frame.assign(
        fail=fail_mask.astype("int64"), total_gain=site_frame["gain"] * gw.factor("field")
    )
    departments = with_gaps(rank_by(scored, "department"), gaps, "department")
    streets = with_gaps(rank_by(scored, "street"), gaps, "street")

    plan, note = planmod.make_plan(
        handbook, options, field_out, site_frame[fail_mask], ordered, the_total, gw, gaps
    )
    return Assessment(
        handbook_id=handbook.id,
        handbook_name=handbook.name,
        handbook_edition=handbook.edition,
        options=options,
        window=window,
        total=the_total,
        standards=ordered,
        rollups=rollups(handbook, results, gw),
        negative_events=events,
        gaps=gaps,
        departments=departments,
        streets=streets,
        plan=plan,
        plan_note_code=note.code,
        plan_note_args=note.args,
        inputs=list(evidence.inputs),
        rejected=list(evidence.rejected),
        issued=due.issued,
        inspected=pd.DataFrame(
            {
                "standard": site_frame["standard"].astype("string"),
                "site": site_frame["site_id"],
                "date": site_frame["date"],
                "fail": fail_mask,
            }
        ),
        addresses=_addresses(evidence.frame("sites")),
        skipped=list(evidence.skipped),
    )


def _addresses(sites: pd.DataFrame) -> pd.Series | None:
    """Each registered site's address by site id (the last row of a site wins, as in the register)."""
    if "address" not in sites.columns:
        return None
    known = sites.dropna(subset=["site_id"]).drop_duplicates("site_id", keep="last")
    known = known[known["address"].notna() & (known["address"].astype("string").str.strip() != "")]
    if known.empty:
        return None
    return pd.Series(known["address"].astype(str).to_numpy(), index=known["site_id"].astype(str).to_numpy())


def _site_rows(
    handbook: Handbook, prep: Prepared, field_codes: list[str]
) -> tuple[npt.NDArray[np.bool_], pd.DataFrame]:
    """Scored rows (counted pass/fail) of field standards, with department and street resolved."""
    rows = prep.rows
    keep = prep.scored & rows["standard"].isin(field_codes).to_numpy(dtype=bool)
    at = np.flatnonzero(keep)
    # Scored rows only (at most one per site and standard), and only the columns used here: taking every
    # column of a 1M-row round copied ~0.5 GB that was dropped again at once.
    used = ["site_id", "department", "standard", "site_name", "description", "photo", "date", "_file",
            "_sheet", "_row"]  # fmt: skip
    sub = rows[[c for c in used if c in rows.columns]].take(at)
    lead = {s.code: s.lead for s in handbook.standards}
    site = sub["site_id"]
    from_register = lookup_columns(site, prep.register, ("department", "site_name", "street"))
    department = sub["department"].astype("string").fillna(from_register["department"])
    department = department.fillna(map_distinct_text(sub["standard"], lead.get))
    types = np.asarray([*prep.type_names, ""], dtype=object)[prep.type_codes[at]]
    # A row per scored inspection (1M in a big round): the columns of few distinct values are kept as
    # codes (categorical), the strings made only for the failed rows that become gaps.
    frame = pd.DataFrame(
        {
            "pos": at,
            "standard": sub["standard"].astype("category"),
            "site_id": site.astype("string"),
            "site_name": from_register["site_name"].fillna(sub["site_name"]),
            "site_type": pd.Categorical(types),
            "street": from_register["street"].fillna(UNREGISTERED).astype("category"),
            "department": department.astype("category"),
            "description": sub["description"].astype("string"),
            "cases": prep.cases[at],
            "photo": sub["photo"].astype("string"),
            "date": sub["date"],
            "gain": prep.gain[at],
            # Provenance, joined into the gap's evidence text only for the failed rows (see _evidence).
            "_file": sub["_file"].astype("category"),
            "_sheet": sub["_sheet"].astype("category"),
            "_row": sub["_row"].to_numpy(),
        }
    ).reset_index(drop=True)
    fail = prep.result_codes[keep] == 1
    return fail, frame
