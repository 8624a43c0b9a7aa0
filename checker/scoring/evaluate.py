"""evaluate(handbook, evidence, options) → Assessment: score every standard, total, gaps, rankings, plan.

Pure: no I/O, deterministic. Each evidence frame is prepared once, column-wise; loops run per standard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from checker.handbook.model import METHODS, Handbook, PlanCosts, Standard
from checker.intake.evidence import Evidence
from checker.intake.values import lookup_columns, map_distinct_text
from checker.numbers import num
from checker.scoring import gaps as gapmod
from checker.scoring.assessment import (
    Assessment,
    NegativeEvent,
    Options,
    ReasonArgs,
    StandardResult,
    Total,
)
from checker.scoring.common import places, rejected_by_standard
from checker.scoring.data import evaluate_data, latest_values
from checker.scoring.document import REASON_ZH, DocumentOutcome, evaluate_document, prepare_documents
from checker.scoring.field import FieldOutcome, Prepared, evaluate_field, prepare
from checker.scoring.negative import negative_events
from checker.scoring.plan import PLAN_COLUMNS, Candidate, Flat, all_fixed_gain, greedy
from checker.scoring.rankings import rank_by, with_gaps
from checker.scoring.survey import evaluate_survey, tally
from checker.scoring.totals import GroupWeights, group_weights, rollups, total, weighted
from checker.scoring.window import document_window

UNREGISTERED = "(未登记)"


@dataclass(frozen=True)
class PlanNote:
    """The plan note (整改计划说明): the zh text, its stable code and the values a renderer needs."""

    text: str
    code: str
    args: ReasonArgs = ()


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
    due = _Due(handbook, options, gapmod.issue_date(options, evidence.frame("inspections")))
    blocks = [
        _site_problem_gaps(handbook, due, site_frame[fail_mask]),
        _coverage_gaps(handbook, due, field_out, prep),
        _material_gaps(handbook, due, doc_out, results),
    ]
    # A standard's own gap (标准失分) only where no site, coverage or material gap already says what to
    # fix: otherwise the same loss would be listed, counted and summed twice.
    listed = {str(code) for block in blocks if len(block) for code in block["standard"].unique().tolist()}
    blocks += [
        _standard_gaps(handbook, due, [r for r in ordered if r.code not in listed]),
        _negative_gaps(handbook, events),
    ]
    gaps = gapmod.finish(blocks, factors={m: gw.factor(m) for m in METHODS})
    gaps["reason_code"] = gaps["reason_code"].astype("string").fillna("")

    scored = site_frame.assign(
        fail=fail_mask.astype("int64"), total_gain=site_frame["gain"] * gw.factor("field")
    )
    departments = with_gaps(rank_by(scored, "department"), gaps, "department")
    streets = with_gaps(rank_by(scored, "street"), gaps, "street")

    plan, note = _plan(handbook, options, field_out, site_frame[fail_mask], ordered, the_total, gw, gaps)
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
        plan_note=note.text,
        plan_note_code=note.code,
        plan_note_args=note.args,
        inputs=list(evidence.inputs),
        rejected=list(evidence.rejected),
        issued=due.issued,
        inspected=pd.DataFrame(
            {
                "standard": site_frame["standard"],
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


class _Due:
    """Deadlines (整改时限) of one run: the issue date plus the pack's days for a method (see gaps.deadline)."""

    def __init__(self, handbook: Handbook, options: Options, issued: date) -> None:
        self.days = handbook.settings.deadlines
        self.test_date = options.test_date
        self.issued = issued

    def __call__(self, method: str) -> pd.Timestamp:
        return gapmod.deadline(self.issued, getattr(self.days, method), self.test_date)


def _site_rows(
    handbook: Handbook, prep: Prepared, field_codes: list[str]
) -> tuple[npt.NDArray[np.bool_], pd.DataFrame]:
    """Scored rows (counted pass/fail) of field standards, with department and street resolved."""
    rows = prep.rows
    keep = prep.scored & rows["standard"].isin(field_codes).to_numpy(dtype=bool)
    at = np.flatnonzero(keep)
    sub = rows.take(at)  # scored rows only: at most one per (site, standard)
    lead = {s.code: s.lead for s in handbook.standards}
    site = sub["site_id"]
    from_register = lookup_columns(site, prep.register, ("department", "site_name", "street"))
    department = sub["department"].astype("string").fillna(from_register["department"])
    department = department.fillna(map_distinct_text(sub["standard"], lead.get))
    types = np.asarray([*prep.type_names, ""], dtype=object)[prep.type_codes[at]]
    frame = pd.DataFrame(
        {
            "pos": at,
            "standard": sub["standard"].astype("string"),
            "site_id": site.astype("string"),
            "site_name": from_register["site_name"].fillna(sub["site_name"]),
            "site_type": pd.array(types, dtype="string"),
            "street": from_register["street"].fillna(UNREGISTERED),
            "department": department,
            "description": sub["description"].astype("string"),
            "cases": prep.cases[at],
            "photo": sub["photo"].astype("string"),
            "date": sub["date"],
            "gain": prep.gain[at],
            # Provenance, joined into the gap's evidence text only for the failed rows (see _evidence).
            "_file": sub["_file"].astype("string"),
            "_sheet": sub["_sheet"].astype("string"),
            "_row": sub["_row"].to_numpy(),
        }
    ).reset_index(drop=True)
    fail = prep.result_codes[keep] == 1
    return fail, frame


def _evidence(rows: pd.DataFrame) -> pd.Series:
    """Where each row came from: 文件 › 工作表 › 行."""
    return rows["_file"] + " › " + rows["_sheet"] + " › " + rows["_row"].astype("string")


@lru_cache(maxsize=4)
def _maps(handbook: Handbook) -> tuple[dict[str, str], dict[str, str]]:
    where = places(handbook)
    return {c: p.project for c, p in where.items()}, {s.code: s.text for s in handbook.standards}


def _site_problem_gaps(handbook: Handbook, due: _Due, fails: pd.DataFrame) -> pd.DataFrame:
    project, text = _maps(handbook)
    return gapmod.frame(
        {
            "key": "site_problem|" + fails["standard"] + "|" + fails["site_id"],
            "kind": "site_problem",
            "standard": fails["standard"].to_numpy(),
            "project": map_distinct_text(fails["standard"], project.get).to_numpy(),
            "method": "field",
            "site": fails["site_id"].to_numpy(),
            "site_name": fails["site_name"].to_numpy(),
            "site_type": fails["site_type"].to_numpy(),
            "street": fails["street"].to_numpy(),
            "department": fails["department"].to_numpy(),
            "description": fails["description"].to_numpy(),
            "required": map_distinct_text(fails["standard"], text.get).to_numpy(),
            "cases": fails["cases"].to_numpy(),
            "photo": fails["photo"].to_numpy(),
            "points_lost": 0.0,
            "points_recoverable": fails["gain"].to_numpy(),
            "deadline": due("field"),
            "evidence": _evidence(fails).to_numpy(),
        },
        len(fails),
    )


def _coverage_gaps(
    handbook: Handbook, due: _Due, field_out: dict[str, FieldOutcome], prep: Prepared
) -> pd.DataFrame:
    project, text = _maps(handbook)
    index = handbook.code_index()
    deadline = due("field")
    blocks = []
    register = prep.register
    for code, out in field_out.items():
        if not len(out.uncovered) or out.result.status == "not_applicable":
            continue
        reg = register.take(out.uncovered)
        ids = reg.index.to_series().astype("string")
        lead = index[code].lead
        blocks.append(
            gapmod.frame(
                {
                    "key": "coverage|" + code + "|" + ids,
                    "kind": "coverage",
                    "standard": code,
                    "project": project[code],
                    "method": "field",
                    "site": ids.to_numpy(),
                    "site_name": reg["site_name"].to_numpy(),
                    "site_type": reg["site_type"].to_numpy(),
                    "street": reg["street"].to_numpy(),
                    "department": reg["department"].astype("string").fillna(lead).to_numpy(),
                    "description": "该点位未检查此标准",
                    "reason_code": "coverage.not_inspected",
                    "required": text[code],
                    "cases": 0,
                    "points_lost": 0.0,
                    "points_recoverable": 0.0,
                    "deadline": deadline,
                },
                len(reg),
            )
        )
    return gapmod.finish(blocks) if blocks else gapmod.empty_gaps()


def _one_gap(maps: tuple[dict[str, str], dict[str, str]], s: Standard, **values: object) -> dict[str, object]:
    """One gap record of standard ``s``; ``maps`` is :func:`_maps` of the handbook, looked up once by the
    caller (hashing a frozen Handbook for the cache costs ~0.3 ms, per gap it added up)."""
    project, text = maps
    out: dict[str, object] = {
        "standard": s.code,
        "project": project[s.code],
        "method": s.method,
        "department": s.lead,
        "required": text[s.code],
        "cases": 0,
        "method_of_deadline": s.method,
    }
    out.update(values)
    return out


def _records(rows: list[dict[str, object]], due: _Due) -> pd.DataFrame:
    if not rows:
        return gapmod.empty_gaps()
    frame = pd.DataFrame(rows)
    methods = frame.pop("method_of_deadline")
    frame["deadline"] = methods.map({m: due(m) for m in methods.dropna().unique()})
    return gapmod.frame({c: frame[c].to_numpy() for c in frame.columns}, len(frame))


def _material_gaps(
    handbook: Handbook,
    due: _Due,
    doc_out: dict[str, DocumentOutcome],
    results: dict[str, StandardResult],
) -> pd.DataFrame:
    rows = []
    index = handbook.code_index()
    maps = _maps(handbook)
    for code, out in doc_out.items():
        s = index[code]
        r = results[code]
        recoverable = max(0.0, out.score_if_one_more - r.score) if r.grade is not None else 0.0
        for g in out.gaps:
            rows.append(
                _one_gap(
                    maps,
                    s,
                    key=f"material|{code}|{g.material}",
                    kind="material",
                    department=g.department,
                    description=f"{g.material}：{REASON_ZH[g.reason]}",
                    reason_code=f"material.{g.reason}",
                    required=g.material,
                    points_lost=r.points - r.score,
                    points_recoverable=recoverable,
                    evidence=g.evidence,
                )
            )
    return _records(rows, due)


def _standard_gaps(handbook: Handbook, due: _Due, ordered: list[StandardResult]) -> pd.DataFrame:
    rows = []
    index = handbook.code_index()
    maps = _maps(handbook)
    for r in ordered:
        if r.status in ("pass", "not_applicable") or r.points - r.score <= 1e-12:
            continue
        s = index[r.code]
        lost = r.points - r.score
        kind = r.method if r.method in ("survey", "data") else "standard"
        rows.append(
            _one_gap(
                maps, s, key=f"{kind}|{r.code}", kind=kind, description=r.reason, reason_code=r.reason_code,
                points_lost=lost, points_recoverable=lost,
            )
        )  # fmt: skip
    return _records(rows, due)


def _negative_gaps(handbook: Handbook, events: list[NegativeEvent]) -> pd.DataFrame:
    """One gap per event, dispatched to the negative-list item's lead unit ("" when it names none)."""
    leads = {n.code: n.lead or "" for n in handbook.negative_list}
    rows = []
    for e in events:
        rows.append(
            {
                "key": f"negative|{e.code}|{e.date.isoformat()}|{e.evidence}",
                "kind": "negative",
                "department": leads.get(e.code, ""),
                "description": f"{e.code} {e.text}：{e.note}" if e.note else f"{e.code} {e.text}",
                "required": "一票否决" if e.veto else f"扣 {num(e.deduction)} 分",
                "reason_code": "negative.veto" if e.veto else "negative.deduction",
                "points_lost": e.deduction,
                "points_recoverable": 0.0,
                "evidence": e.evidence,
            }
        )
    if not rows:
        return gapmod.empty_gaps()
    frame = pd.DataFrame(rows)
    return gapmod.frame({c: frame[c].to_numpy() for c in frame.columns}, len(frame))


def _plan(
    handbook: Handbook,
    options: Options,
    field_out: dict[str, FieldOutcome],
    fails: pd.DataFrame,
    ordered: list[StandardResult],
    the_total: Total,
    gw: GroupWeights,
    gaps: pd.DataFrame,
) -> tuple[pd.DataFrame, PlanNote]:
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in PLAN_COLUMNS})
    if options.target is None:
        return empty, PlanNote("未设定目标分（--target），未生成整改计划", "plan.no_target")
    target = options.target
    if the_total.veto:
        return empty, PlanNote(
            "存在一票否决事项，无法通过整改达到目标：" + "；".join(the_total.veto_reasons), "plan.veto"
        )
    if the_total.score >= target:
        return empty, PlanNote(
            f"当前得分 {the_total.score:.2f} 已达到目标 {num(target)}",
            "plan.reached",
            (("score", the_total.score), ("target", target)),
        )
    ids = gapmod.stable_ids("site_problem|" + fails["standard"] + "|" + fails["site_id"])
    fails = fails.assign(id=ids.to_numpy()).sort_values(
        ["standard", "cases", "id"], ascending=[True, False, True], kind="stable"
    )
    candidates = []
    for code, group in fails.groupby("standard", sort=True):  # one loop per standard
        out = field_out.get(str(code))
        if out is None or out.model is None:
            continue
        key_of_pos = dict(zip(out.fail_rows.tolist(), out.fail_keys, strict=True))
        problems: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
        for pos, gid, site, dept in zip(
            group["pos"], group["id"], group["site_id"], group["department"], strict=True
        ):  # the problems of a standard the plan may pick from (only when a target is asked for)
            key = key_of_pos.get(int(pos))
            if key is not None:
                problems.setdefault(key, []).append((str(gid), str(site), str(dept)))
        if problems:
            candidates.append(Candidate(str(code), out.model, gw.factor("field"), problems))
    costs = handbook.settings.plan_costs
    flat = _flat_fixes(ordered, gaps, gw, costs)
    planned = {f.code for f in flat}
    weighted_now = weighted(ordered, gw)
    best = max(
        0.0,
        weighted_now + all_fixed_gain(candidates) + sum(f.total_gain for f in flat) - the_total.deductions,
    )
    if best < target - 1e-12:
        others = _other_shortfalls([r for r in ordered if r.code not in planned], gw)
        return empty, PlanNote(
            f"全部问题整改到位最多可达 {best:.2f} 分，达不到目标 {num(target)}；" + _others_zh(others),
            "plan.unreachable",
            (("best", best), ("target", target), *others),
        )
    plan, final, reached = greedy(
        candidates, weighted_now, the_total.deductions, target, flat=flat, field_cost=costs.field
    )
    rule = "按单位成本增加总分最多的顺序排列整改（点位问题、材料、问卷、数据指标）"
    args: ReasonArgs = (("steps", len(plan)), ("score", final), ("target", target))
    if reached:
        text = f"{rule}；完成前 {len(plan)} 项后总分达到 {final:.2f}（目标 {num(target)}）"
        return plan, PlanNote(text, "plan.greedy_reached", args)
    text = f"{rule}；列出 {len(plan)} 项后总分为 {final:.2f}，未达到目标 {num(target)}"
    return plan, PlanNote(text, "plan.greedy_short", args)


def _flat_fixes(
    ordered: list[StandardResult], gaps: pd.DataFrame, gw: GroupWeights, costs: PlanCosts
) -> list[Flat]:
    """The fixes whose gain stands alone: a document standard's missing materials (one step, one cost per
    material: the standard then scores full), a survey or an indicator raised to its target, a document
    standard without evidence given its materials. Their gap ids come from the gap list."""
    results = {r.code: r for r in ordered}
    cost_of = {"document": costs.document, "survey": costs.survey, "data": costs.data}
    fixes: list[Flat] = []
    if gaps.empty:
        return fixes
    kinds = gaps["kind"].astype(str)
    wanted = gaps[kinds.isin(["material", "survey", "data", "standard"])]
    for code, group in wanted.groupby(wanted["standard"].astype(str), sort=True):
        r = results.get(code)
        if r is None or r.method not in cost_of or r.points - r.score <= 1e-12:
            continue
        units = group["department"].fillna("").astype(str)
        named = units[units != ""]
        fixes.append(
            Flat(
                gap_id=str(group["id"].iloc[0]),
                kind=str(group["kind"].iloc[0]),
                code=code,
                department=str(named.mode().iloc[0]) if len(named) else "",
                gain=r.points - r.score,
                total_gain=(r.points - r.score) * gw.factor(r.method),
                cost=cost_of[r.method] * (len(group) if r.method == "document" else 1),
            )
        )
    return fixes


# What else loses points besides site problems, in the order the plan note names them (zh labels).
SHORTFALL_ZH = {
    "document": "材料失分",
    "data": "数据指标失分",
    "survey": "问卷失分",
    "field_unknown": "无有效检查记录的实地标准",
}


def _other_shortfalls(ordered: list[StandardResult], gw: GroupWeights) -> ReasonArgs:
    """What the total loses outside site problems, per kind, on the total's scale (only kinds losing)."""
    parts: list[tuple[str, float]] = []
    for method in ("document", "data", "survey"):
        lost = sum(
            (r.points - r.score) * gw.factor(method)
            for r in ordered
            if r.method == method and r.status != "not_applicable"
        )
        if lost > 1e-9:
            parts.append((method, lost))
    unknown = sum(
        (r.points - r.score) * gw.factor("field")
        for r in ordered
        if r.method == "field" and r.status in ("no_evidence", "invalid")
    )
    if unknown > 1e-9:
        parts.append(("field_unknown", unknown))
    return tuple(parts)


def _others_zh(others: ReasonArgs) -> str:
    parts = [f"{SHORTFALL_ZH[k]} {float(v):.2f}" for k, v in others if isinstance(v, (int, float))]
    return "另需补齐：" + "，".join(parts) if parts else "其余各项已无可挽回分值"
