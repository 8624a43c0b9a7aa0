"""evaluate(handbook, evidence, options) → Assessment: score every standard, total, gaps, rankings, plan.

Pure: no I/O, deterministic. Each evidence frame is prepared once, column-wise; loops run per standard.
This module only orchestrates: the gap builders live in :mod:`checker.scoring.gaps`, the plan and its note
in :mod:`checker.scoring.plan`, the rankings in :mod:`checker.scoring.rankings`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from checker.handbook.model import METHODS, Handbook
from checker.intake.evidence import Evidence
from checker.intake.values import as_text, lookup_columns, map_distinct_text
from checker.memory import release_memory
from checker.processes import Forked
from checker.scoring import gaps as gapmod
from checker.scoring import plan as planmod
from checker.scoring.assessment import (
    Assessment,
    Options,
    StandardResult,
)
from checker.scoring.common import group_bounds, places, rejected_by_standard
from checker.scoring.data import evaluate_data, latest_values
from checker.scoring.document import DocumentOutcome, evaluate_document, prepare_documents
from checker.scoring.field import FieldOutcome, Prepared, evaluate_field, prepare
from checker.scoring.negative import negative_events
from checker.scoring.rankings import rank_by, with_gaps
from checker.scoring.survey import evaluate_survey, tally
from checker.scoring.totals import group_weights, rollups, total
from checker.scoring.window import document_window

UNREGISTERED = "(未登记)"
# Registers of fewer sites have their coverage gaps built here: a child does not pay for itself (forking
# and pickling cost ~0.05 s; 20,000 sites' gaps take about that to build).
FORK_SITES = 20_000
# Fewer scored rows than this are ranked here (the rankings of 200,000 rows take ~0.05 s).
FORK_ROWS = 200_000


def evaluate(handbook: Handbook, evidence: Evidence, options: Options) -> Assessment:
    where = places(handbook)
    window = document_window(options.test_date, handbook.settings.document_window)
    rejected = rejected_by_standard(evidence.rejected, handbook)
    standards = handbook.standards

    prep = prepare(evidence.frame("inspections"), evidence.frame("sites"))
    docs = prepare_documents(evidence.frame("documents"), window)
    docs, doc_rows = _grouped(docs, "standard")
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
            rows = docs.iloc[doc_rows.get(s.code, slice(0, 0))]
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
    due = gapmod.Due(handbook, options, gapmod.issue_date(options, evidence.frame("inspections")))

    # The coverage gaps (one per registered site never inspected: 212k on a 250k-site round, ~0.6 s) and
    # the register's addresses need only the loop's outcomes and the evidence: a forked child builds them
    # while this process builds the site problems.
    def register_work() -> tuple[pd.DataFrame, pd.Series | None]:
        coverage = gapmod.coverage_gaps(handbook, due, field_out, prep)
        return coverage, _addresses(evidence.frame("sites"))

    with Forked(register_work, fork=len(prep.register) >= FORK_SITES) as child:
        fail_mask, site_frame = _site_rows(handbook, prep, field_codes)
        fails = _failed(prep, site_frame, fail_mask)
        release_memory()  # the million-row temporaries of the two above, before the gaps stack on them
        site_gaps = gapmod.site_problem_gaps(handbook, due, fails)
        coverage, addresses = child.result()
        blocks = [site_gaps, coverage]
    blocks.append(gapmod.material_gaps(handbook, due, doc_out, results))
    # A standard's own gap (标准失分) only where no site, coverage or material gap already says what to
    # fix: otherwise the same loss would be listed, counted and summed twice.
    # (A coverage row names its first missing standard; the others it lists are counted from field_out.)
    listed = {str(code) for block in blocks if len(block) for code in block["standard"].unique().tolist()}
    listed |= set(gapmod.uncovered_standards(field_out))
    blocks += [
        gapmod.standard_gaps(handbook, due, [r for r in ordered if r.code not in listed]),
        gapmod.negative_gaps(handbook, events),
    ]
    scored = site_frame.assign(
        fail=fail_mask.astype("int64"), total_gain=site_frame["gain"] * gw.factor("field")
    )

    # The units' rankings over the scored rows (~0.25 s on a million rows) are made by a child while
    # this process orders the gaps (~0.6 s on 366k).
    def rankings() -> tuple[pd.DataFrame, pd.DataFrame]:
        return rank_by(scored, "department"), rank_by(scored, "street")

    with Forked(rankings, fork=len(scored) >= FORK_ROWS) as ranked:
        gaps = gapmod.finish(blocks, factors={m: gw.factor(m) for m in METHODS})
        gaps["reason_code"] = gaps["reason_code"].astype("string").fillna("")
        by_department, by_street = ranked.result()
    departments = with_gaps(by_department, gaps, "department")
    streets = with_gaps(by_street, gaps, "street")

    plan, note = planmod.make_plan(handbook, options, field_out, fails, ordered, the_total, gw, gaps)
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
                "standard": site_frame["standard"],  # codes (categorical): 1M strings would peak here
                "site": site_frame["site_id"],
                "date": site_frame["date"],
                "fail": fail_mask,
            }
        ),
        addresses=addresses,
        skipped=list(evidence.skipped),
    )


def _grouped(frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, dict[str, slice]]:
    """``frame`` ordered by ``column`` (stable: each group keeps its rows' order) and each value's rows as a
    slice of it: one take of the frame, where selecting each group's rows took every column per group."""
    codes, values = pd.factorize(frame[column])
    order, bounds = group_bounds(codes, len(values))
    slices = {str(value): slice(int(bounds[i]), int(bounds[i + 1])) for i, value in enumerate(values)}
    return frame.take(order), slices


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
    """Scored rows (counted pass/fail) of field standards, with department and street resolved.

    A row per scored inspection (1M in a big round), so only what every row needs is built here — the
    columns of few distinct values kept as codes (categorical); the texts a gap shows (site name,
    description, photo, where the row came from) are added for the failed rows only, by :func:`_failed`.
    """
    rows = prep.rows
    # The standard and the site type of each row as codes, from the order the rows are grouped in and the
    # resolved type codes: no million-row column of strings is compared, taken or factorised for them.
    field = set(field_codes)
    names = [code for code in prep.starts if code in field]  # in sorted order, as prepare() found them
    std_index = np.full(len(rows), -1, dtype=np.int64)
    for i, code in enumerate(names):
        start, stop = prep.starts[code]
        std_index[prep.order[start:stop]] = i
    keep = prep.scored & (std_index >= 0)
    at = np.flatnonzero(keep)
    lead = {s.code: s.lead for s in handbook.standards}
    site = rows["site_id"].take(at)
    standard = pd.Series(
        _categorical(std_index[at], np.asarray(names, dtype=object), rows["standard"].dtype),
        index=site.index,
        copy=False,
    )
    from_register = lookup_columns(site, prep.register, ("department", "street"))
    department = rows["department"].take(at).astype("string").fillna(from_register["department"])
    department = department.fillna(as_text(map_distinct_text(standard, lead.get)).set_axis(department.index))
    types = np.asarray([*prep.type_names, ""], dtype=object)  # code -1 (unknown) → ""
    frame = pd.DataFrame(
        {
            "pos": at,
            "standard": standard,
            "site_id": site.astype("string"),
            "site_type": _categorical(prep.type_codes[at], types, None),  # inferred, as pandas does
            "street": from_register["street"].fillna(UNREGISTERED).astype("category"),
            "department": department.astype("category"),
            "cases": prep.cases[at],
            "date": rows["date"].take(at),
            "gain": prep.gain[at],
        }
    ).reset_index(drop=True)
    fail = prep.result_codes[keep] == 1
    return fail, frame


def _categorical(codes: npt.NDArray[np.int64], names: npt.NDArray[np.object_], dtype: Any) -> pd.Categorical:
    """``pd.Categorical(names[codes])`` (code -1: the last name) built from the codes: the categories are the
    distinct names present, sorted, as pandas makes them from the values (without a million strings);
    ``dtype`` None infers the categories' dtype from the names, as ``pd.Categorical`` does."""
    present = np.unique(codes)
    labels, inverse = np.unique(names[present], return_inverse=True)  # sorted and distinct
    table = np.empty(len(names), dtype=np.int64)
    table[present] = inverse  # present -1 lands in the last slot, which names[-1] labels
    return pd.Categorical.from_codes(table[codes], categories=pd.Index(labels, dtype=dtype), validate=False)


def _failed(prep: Prepared, frame: pd.DataFrame, fail: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """The failed rows of :func:`_site_rows`' frame with the texts their gaps show: the site's name (the
    register's, else the row's), the description and photo, and the provenance joined into the gap's
    evidence text (see gaps._evidence)."""
    fails = frame[fail].reset_index(drop=True)
    rows = prep.rows
    at = fails["pos"].to_numpy()
    site = rows["site_id"].take(at)
    from_register = lookup_columns(site, prep.register, ("site_name",))
    texts = {
        "site_name": from_register["site_name"].fillna(rows["site_name"].take(at)),
        "description": rows["description"].take(at).astype("string"),
        "photo": rows["photo"].take(at).astype("string"),
        "_file": rows["_file"].take(at).astype("string"),
        "_sheet": rows["_sheet"].take(at).astype("string"),
        "_row": rows["_row"].take(at),
    }
    return fails.assign(
        **{k: v.to_numpy() if k == "_row" else v.reset_index(drop=True) for k, v in texts.items()}
    )
