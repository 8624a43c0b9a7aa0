"""The life of a problem across rounds (整改跟踪): lifecycle states and the department accountability table.

Pure: frames in, frames out, no I/O. The ledger (:mod:`checker.campaign.ledger`) supplies four frames:

- ``rounds``: ``round_id``, ``name``, ``seq`` (recording order), ``issued`` (交办日期, the round's as-of date);
- ``findings``: ``round_id``, ``problem_id``, ``outcome`` (``fail`` — the problem is a gap of that round —
  or ``pass`` — that round re-inspected it and found it fixed), ``observed_on`` (the inspection date),
  ``department``, ``deadline``;
- ``replies``: ``reply_id`` (recording order), ``problem_id``, ``status`` (已整改/整改中/无法整改/有异议),
  ``measure``, ``completed``, ``received``;
- ``decisions``: ``problem_id``, ``decision`` (``accept``/``reject``), ``decided_on``, ``decision_id``.

A reply never changes a score; it only moves the state between inspections. The states, decided in this
order for a problem at round R (only what was known by R's as-of date counts; an *episode* is the run of
findings since the problem last passed):

1. ``closed``       已销号    its latest finding is a pass (a re-inspection found it fixed);
2. ``new``          新发现    first seen in R;
3. ``false_claim``  整改不实  the episode's latest reply says 已整改 and the next inspection after the
                              completion date still failed;
   ``claimed``      已整改待复核  the same reply, and no inspection since;
4. ``recurred``     反弹      failing again after having been closed;
5. ``cannot_fix``   无法整改 / ``disputed`` 有异议: the latest reply says so and the office has not rejected it;
6. ``overdue``      逾期      the episode's first deadline has passed and no 已整改 reply came;
7. ``in_progress``  整改中    the latest reply says 整改中;
8. ``dispatched``   已交办    otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

LIFECYCLE = (
    "new",
    "dispatched",
    "in_progress",
    "claimed",
    "closed",
    "false_claim",
    "recurred",
    "overdue",
    "cannot_fix",
    "disputed",
)
FIXED = "已整改"
IN_PROGRESS = "整改中"
CANNOT_FIX = "无法整改"
DISPUTED = "有异议"

# Columns of the lifecycle frame (index: problem_id).
LIFECYCLE_COLUMNS = (
    "lifecycle",
    "first_seen",  # round name of the first finding that failed
    "rounds_open",  # rounds from the episode's first failing round to R, inclusive
    "dispatches",  # 第 N 次交办: failing findings up to R
    "deadline",  # the episode's first deadline
    "last_status",
    "last_measure",
    "last_completed",
    "last_received",
    "decision",
    "department",
    "ever_closed",
    "ever_recurred",
    "false_claims",
    "replied",
    "on_time",
)
ACCOUNTABILITY_COLUMNS = (
    "department",
    "assigned",
    "replied",
    "on_time",
    "verified_fixed",
    "false_claims",
    "recurred",
    "overdue",
    "reply_rate",
    "on_time_rate",
    "fix_rate",
    "rank",
)


@dataclass(frozen=True)
class Tracking:
    """What the ledger knows of a recorded round's problems, for every report of that round."""

    round: str
    previous: str | None
    as_of: date
    states: pd.DataFrame  # LIFECYCLE_COLUMNS, index problem_id: every problem seen up to this round
    closed: tuple[str, ...]  # ids closed by this round's inspections
    false_claim: tuple[str, ...]  # ids whose claimed fix this round's inspection did not find
    recurred: tuple[str, ...]  # ids closed before and failing again in this round
    overdue: tuple[str, ...]  # ids overdue as of this round
    still_open: tuple[str, ...]  # ids open before this round and still open
    accountability: pd.DataFrame  # ACCOUNTABILITY_COLUMNS, worst first


def member(values: pd.Series | pd.Index, among: Iterable[object]) -> np.ndarray:
    """``values.isin(among)`` for large sets: pandas' isin on Arrow strings makes a scalar of every value of
    ``among`` (seconds for 400k ids); a Python set is a hash lookup per value."""
    pool = set(among)
    return np.fromiter((v in pool for v in values.tolist()), dtype=bool, count=len(values))


def _ts(value: date) -> pd.Timestamp:
    return pd.Timestamp(value)


def _last_by(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    return frame.sort_values(["problem_id", *order], kind="stable").groupby("problem_id", sort=False).tail(1)


def lifecycle(
    rounds: pd.DataFrame,
    findings: pd.DataFrame,
    replies: pd.DataFrame,
    decisions: pd.DataFrame,
    at_seq: int,
    as_of: date,
) -> pd.DataFrame:
    """The state of every problem seen up to the round of sequence ``at_seq``, as of ``as_of``."""
    seq_of = dict(zip(rounds["round_id"], rounds["seq"], strict=True))
    name_of = dict(zip(rounds["seq"], rounds["name"], strict=True))
    f = findings.assign(seq=findings["round_id"].map(seq_of).astype("int64"))
    f = f[f["seq"] <= at_seq]
    if f.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in LIFECYCLE_COLUMNS}).rename_axis(
            "problem_id"
        )
    # Every per-problem step below groups, sorts and aligns on problem_id: on integer codes rather than
    # Arrow strings these are several times faster (400k problems). The ids come back at the end.
    codes, uniques = pd.factorize(f["problem_id"])
    f = f.assign(problem_id=codes)
    replies = _coded(replies, uniques)
    decisions = _coded(decisions, uniques)
    cutoff = _ts(as_of)
    fails = f[f["outcome"] == "fail"]
    passes = f[f["outcome"] == "pass"]
    ids = pd.Index(fails["problem_id"].unique(), name="problem_id")

    last = _last_by(f, ["seq"]).set_index("problem_id").reindex(ids)
    last_pass_seq = passes.groupby("problem_id")["seq"].max().reindex(ids)
    last_pass_on = passes.groupby("problem_id")["observed_on"].max().reindex(ids)
    first_pass_seq = passes.groupby("problem_id")["seq"].min().reindex(ids)
    first_fail = fails.sort_values(["problem_id", "seq"], kind="stable").groupby("problem_id").head(1)
    first_fail = first_fail.set_index("problem_id").reindex(ids)
    last_fail_seq = fails.groupby("problem_id")["seq"].max().reindex(ids)

    # The episode: failing findings after the latest pass.
    after_pass = fails["seq"].to_numpy() > fails["problem_id"].map(last_pass_seq).fillna(-1).to_numpy()
    episode = fails[after_pass]
    ep_first = episode.sort_values(["problem_id", "seq"], kind="stable").groupby("problem_id").head(1)
    ep_first = ep_first.set_index("problem_id").reindex(ids)
    latest_fail = _last_by(fails, ["seq"]).set_index("problem_id").reindex(ids)

    seqs = np.sort(rounds["seq"].to_numpy())
    start = np.searchsorted(seqs, ep_first["seq"].fillna(at_seq + 1).to_numpy())
    end = np.searchsorted(seqs, at_seq, side="right")
    rounds_open = np.where(last["outcome"].to_numpy() == "fail", end - start, 0)

    r = replies[replies["received"] <= cutoff] if len(replies) else replies
    r = r[r["problem_id"].isin(ids)]
    since = r["problem_id"].map(last_pass_on)
    in_episode = r[since.isna().to_numpy() | (r["received"] > since).to_numpy()]
    latest = _last_by(in_episode, ["reply_id"]).set_index("problem_id").reindex(ids)
    anyreply = _last_by(r, ["reply_id"]).set_index("problem_id").reindex(ids)
    first_reply = (
        r.sort_values(["problem_id", "received", "reply_id"], kind="stable").groupby("problem_id").head(1)
    )
    first_reply = first_reply.set_index("problem_id").reindex(ids)

    claims = _claims(r, f)
    false_claims = (
        claims.groupby("problem_id")["next_fail"].sum() if len(claims) else pd.Series(dtype="int64")
    )
    latest_next = _latest_claim_outcome(claims, latest)

    d = decisions[decisions["decided_on"] <= cutoff] if len(decisions) else decisions
    decision = _last_by(d, ["decision_id"]).set_index("problem_id").reindex(ids) if len(d) else None
    decided = decision["decision"] if decision is not None else pd.Series(pd.NA, index=ids, dtype="object")
    decided_after = (
        (decision["decided_on"] >= latest["received"]).fillna(False)
        if decision is not None
        else pd.Series(False, index=ids)
    )

    status = latest["status"].astype(object)
    closed = last["outcome"].to_numpy() == "pass"
    new = first_fail["seq"].to_numpy() == at_seq
    claimed = (status == FIXED).to_numpy()
    false_now = claimed & latest_next.reindex(ids).fillna(False).to_numpy(dtype=bool)
    came_back = first_pass_seq.notna().to_numpy() & (
        last_fail_seq.to_numpy() > first_pass_seq.fillna(np.inf).to_numpy()
    )
    recurred = came_back & ~closed
    rejected = ((decided == "reject") & decided_after).to_numpy(dtype=bool)
    cannot = (status == CANNOT_FIX).to_numpy() & ~rejected
    disputed = (status == DISPUTED).to_numpy() & ~rejected
    overdue = (ep_first["deadline"] < cutoff).fillna(False).to_numpy(dtype=bool) & ~claimed
    progress = (status == IN_PROGRESS).to_numpy()
    state = np.select(
        [closed, new, false_now, claimed, recurred, cannot, disputed, overdue, progress],
        [
            "closed",
            "new",
            "false_claim",
            "claimed",
            "recurred",
            "cannot_fix",
            "disputed",
            "overdue",
            "in_progress",
        ],
        default="dispatched",
    )
    dispatches = fails.groupby("problem_id").size().reindex(ids).fillna(0).astype("int64")
    first_deadline = first_fail["deadline"]
    on_time = (first_reply["received"] <= first_deadline).fillna(False)
    out = pd.DataFrame(
        {
            "lifecycle": state,
            "first_seen": first_fail["seq"].map(name_of).to_numpy(),
            "rounds_open": rounds_open.astype("int64"),
            "dispatches": dispatches.to_numpy(),
            "deadline": ep_first["deadline"].to_numpy(),
            "last_status": anyreply["status"].to_numpy(),
            "last_measure": anyreply["measure"].to_numpy(),
            "last_completed": anyreply["completed"].to_numpy(),
            "last_received": anyreply["received"].to_numpy(),
            "decision": decided.to_numpy(),
            "department": latest_fail["department"].to_numpy(),
            "ever_closed": first_pass_seq.notna().to_numpy(),
            "ever_recurred": came_back,
            "false_claims": false_claims.reindex(ids).fillna(0).astype("int64").to_numpy(),
            "replied": anyreply["status"].notna().to_numpy(),
            "on_time": on_time.to_numpy(dtype=bool),
        },
        index=pd.Index(uniques.take(ids.to_numpy()), name="problem_id"),
    )
    return out


def _coded(frame: pd.DataFrame, uniques: pd.Index) -> pd.DataFrame:
    """``frame`` with its problem_id as the code of ``uniques`` (rows of other problems dropped)."""
    if frame.empty:
        return frame.assign(problem_id=pd.Series([], dtype="int64"))
    codes = uniques.get_indexer(pd.Index(frame["problem_id"]))
    return frame.assign(problem_id=codes)[codes >= 0]


def _claims(replies: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Every 已整改 reply with whether the first inspection on or after its completion date failed."""
    fixed = replies[(replies["status"] == FIXED) & replies["completed"].notna()]
    if fixed.empty:
        return pd.DataFrame({"problem_id": [], "reply_id": [], "next_fail": []})
    obs = findings[["problem_id", "observed_on", "seq", "outcome"]].dropna(subset=["observed_on"])
    # One resolution on both sides: pandas infers seconds or microseconds from the text, and merge_asof
    # refuses keys of different resolutions.
    obs = obs.assign(observed_on=obs["observed_on"].astype("datetime64[ns]"))
    obs = obs.sort_values(["observed_on", "seq"], kind="stable")
    left = fixed[["problem_id", "reply_id", "completed"]]
    left = left.assign(completed=left["completed"].astype("datetime64[ns]")).sort_values(
        "completed", kind="stable"
    )
    joined = pd.merge_asof(
        left,
        obs.rename(columns={"observed_on": "completed_obs"}),
        left_on="completed",
        right_on="completed_obs",
        by="problem_id",
        direction="forward",
        allow_exact_matches=False,  # an inspection on the completion day itself may have come before the fix
    )
    joined["next_fail"] = (joined["outcome"] == "fail").fillna(False).astype(bool)
    return joined[["problem_id", "reply_id", "next_fail"]]


def _latest_claim_outcome(claims: pd.DataFrame, latest: pd.DataFrame) -> pd.Series:
    """For each problem whose latest episode reply is a 已整改, whether its next inspection failed."""
    if claims.empty or latest.empty:
        return pd.Series(False, index=latest.index)
    by_reply = claims.set_index("reply_id")["next_fail"]
    return latest["reply_id"].map(by_reply).fillna(False).astype(bool)


def accountability(states: pd.DataFrame) -> pd.DataFrame:
    """The 通报 table: one row per department, worst first (lowest share verified fixed, then most overdue,
    then most false claims); ``rank`` is the position in that order (1 = furthest behind)."""
    if states.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in ACCOUNTABILITY_COLUMNS})
    s = states.assign(
        department=states["department"].fillna("").astype(str),
        overdue=(states["lifecycle"] == "overdue"),
        has_false=(states["false_claims"] > 0),
    )
    g = s.groupby("department", sort=True)
    out = pd.DataFrame(
        {
            "assigned": g.size(),
            "replied": g["replied"].sum(),
            "on_time": g["on_time"].sum(),
            "verified_fixed": g["ever_closed"].sum(),
            "false_claims": g["has_false"].sum(),
            "recurred": g["ever_recurred"].sum(),
            "overdue": g["overdue"].sum(),
        }
    ).astype("int64")
    out["reply_rate"] = out["replied"] / out["assigned"]
    out["on_time_rate"] = out["on_time"] / out["assigned"]
    out["fix_rate"] = out["verified_fixed"] / out["assigned"]
    out = out.reset_index()
    out = out.sort_values(
        ["fix_rate", "overdue", "false_claims", "department"],
        ascending=[True, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out[list(ACCOUNTABILITY_COLUMNS)]


def _open_after(rounds: pd.DataFrame, findings: pd.DataFrame, seq: int) -> pd.Index:
    """Problems open after the round of sequence ``seq``: their latest finding up to it failed (the problems
    the lifecycle of that round shows in any state but closed)."""
    seq_of = findings["round_id"].map(dict(zip(rounds["round_id"], rounds["seq"], strict=True)))
    upto = findings.assign(seq=seq_of.to_numpy())[seq_of.to_numpy() <= seq]
    last = _last_by(upto, ["seq"])
    found: list[str] = last.loc[last["outcome"] == "fail", "problem_id"].unique().tolist()
    return pd.Index(found)


def tracking(
    rounds: pd.DataFrame,
    findings: pd.DataFrame,
    replies: pd.DataFrame,
    decisions: pd.DataFrame,
    at_seq: int,
) -> Tracking:
    """Lifecycle, the round's changes and the accountability table for the round of sequence ``at_seq``."""
    row = rounds[rounds["seq"] == at_seq].iloc[0]
    earlier = rounds[rounds["seq"] < at_seq]
    previous = earlier.sort_values("seq").iloc[-1] if len(earlier) else None
    as_of = pd.Timestamp(row["issued"]).date()
    states = lifecycle(rounds, findings, replies, decisions, at_seq, as_of)
    here = findings[findings["round_id"] == row["round_id"]]
    closed_now = set(here.loc[here["outcome"] == "pass", "problem_id"].tolist())
    failing_now = set(here.loc[here["outcome"] == "fail", "problem_id"].tolist())
    before = _open_after(rounds, findings, int(previous["seq"])) if previous is not None else pd.Index([])
    st = states["lifecycle"]

    def ids(mask: pd.Series) -> tuple[str, ...]:
        picked: list[str] = states.index[mask.to_numpy(dtype=bool)].tolist()  # not iterated: Arrow
        return tuple(sorted(picked))

    in_round = pd.Series(member(states.index, failing_now), index=states.index)
    return Tracking(
        round=str(row["name"]),
        previous=None if previous is None else str(previous["name"]),
        as_of=as_of,
        states=states,
        closed=tuple(sorted(closed_now)),
        false_claim=ids((st == "false_claim") & in_round),
        recurred=ids((st == "recurred") & in_round),
        overdue=ids(st == "overdue"),
        still_open=ids((st != "closed") & pd.Series(member(states.index, before), index=states.index)),
        accountability=accountability(states),
    )
