"""Every lifecycle state and the transitions between them, on hand-built ledger frames (docs/ledger.md,
"Lifecycle states"): one problem per case, so each expected state is read straight from the definition."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.scoring.tracking import LIFECYCLE, accountability, lifecycle, tracking

# Three rounds, each issued (its as-of date) two days after its inspections.
ROUNDS = pd.DataFrame(
    {
        "round_id": [1, 2, 3],
        "name": ["R1", "R2", "R3"],
        "seq": [1, 2, 3],
        "issued": pd.to_datetime(["2026-06-12", "2026-06-28", "2026-07-10"]),
    }
)
INSPECTED = {1: "2026-06-10", 2: "2026-06-26", 3: "2026-07-08"}
DEADLINE = {1: "2026-06-22", 2: "2026-07-08", 3: "2026-07-20"}


def _findings(history: str, pid: str = "P") -> pd.DataFrame:
    """``history`` one letter per round: F failing, P passing, . not inspected."""
    rows = [
        (seq, pid, "fail" if mark == "F" else "pass", INSPECTED[seq], "城管局" if mark == "F" else "",
         DEADLINE[seq] if mark == "F" else None)
        for seq, mark in enumerate(history, start=1)
        if mark != "."
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["round_id", "problem_id", "outcome", "observed_on", "department", "deadline"]
    )
    for c in ("observed_on", "deadline"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


def _replies(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """(status, completed, received) per reply, in the order recorded."""
    frame = pd.DataFrame(
        [(i, "P", status, "措施", completed or None, received, "城管局") for i, (status, completed, received) in enumerate(rows)],
        columns=["reply_id", "problem_id", "status", "measure", "completed", "received", "department"],
    )  # fmt: skip
    for c in ("completed", "received"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


NO_DECISIONS = pd.DataFrame(
    {"decision_id": [], "problem_id": [], "decision": [], "decided_on": pd.Series([], dtype="datetime64[ns]")}
)


def _state(history: str, replies: pd.DataFrame | None = None, decisions: pd.DataFrame | None = None) -> str:
    seq = len(history)
    as_of = ROUNDS.loc[ROUNDS["seq"] == seq, "issued"].iloc[0].date()
    states = lifecycle(
        ROUNDS, _findings(history), _replies() if replies is None else replies,
        NO_DECISIONS if decisions is None else decisions, seq, as_of,
    )  # fmt: skip
    return str(states.at["P", "lifecycle"])


def test_new_then_dispatched_then_overdue() -> None:
    assert _state("F") == "new"
    early = ROUNDS.assign(issued=pd.to_datetime(["2026-06-12", "2026-06-20", "2026-07-10"]))
    states = lifecycle(early, _findings("F."), _replies(), NO_DECISIONS, 2, date(2026, 6, 20))
    assert states.at["P", "lifecycle"] == "dispatched"  # no reply, deadline 06-22 not yet passed on 06-20
    assert _state("F.") == "overdue"  # R2's as-of 06-28 is past the deadline


def test_overdue_only_after_the_deadline() -> None:
    assert _state("FF") == "overdue"  # deadline of the episode: R1's (06-22) < as-of 06-28
    late_round = ROUNDS.assign(issued=pd.to_datetime(["2026-06-12", "2026-06-20", "2026-07-10"]))
    states = lifecycle(late_round, _findings("FF"), _replies(), NO_DECISIONS, 2, date(2026, 6, 20))
    assert states.at["P", "lifecycle"] == "dispatched"  # as-of 06-20, deadline 06-22


def test_in_progress_stops_nothing_but_shows() -> None:
    early = ROUNDS.assign(issued=pd.to_datetime(["2026-06-12", "2026-06-20", "2026-07-10"]))
    replies = _replies(("整改中", "", "2026-06-15"))
    states = lifecycle(early, _findings("FF"), replies, NO_DECISIONS, 2, date(2026, 6, 20))
    assert states.at["P", "lifecycle"] == "in_progress"
    assert _state("FF", replies) == "overdue"  # 整改中 past the deadline is overdue


def test_claimed_until_an_inspection_after_the_fix() -> None:
    replies = _replies(("已整改", "2026-06-15", "2026-06-16"))
    assert _state("F.", replies) == "claimed"
    assert _state("FP", replies) == "closed"
    assert _state("FF", replies) == "false_claim"


def test_inspection_on_the_completion_day_is_not_after_the_fix() -> None:
    replies = _replies(("已整改", "2026-06-26", "2026-06-27"))  # R2 inspected 06-26, the same day
    assert _state("FF", replies) == "claimed"


def test_reply_received_after_the_round_does_not_count_for_it() -> None:
    replies = _replies(("已整改", "2026-06-20", "2026-06-29"))  # received after R2's as-of 06-28
    assert _state("FF", replies) == "overdue"
    assert _state("FFF", replies) == "false_claim"  # by R3 it counts, and R3 still fails


def test_closed_then_recurred_then_closed_again() -> None:
    assert _state("FP") == "closed"
    assert _state("FPF") == "recurred"
    assert _state("FP.") == "closed"  # not re-inspected: stays closed


def test_replies_of_an_earlier_episode_do_not_carry_over() -> None:
    replies = _replies(("已整改", "2026-06-15", "2026-06-16"))  # belongs to the episode closed in R2
    assert _state("FPF", replies) == "recurred"


@pytest.mark.parametrize(("status", "state"), [("无法整改", "cannot_fix"), ("有异议", "disputed")])
def test_cannot_fix_and_disputed_need_a_decision(status: str, state: str) -> None:
    replies = _replies((status, "", "2026-06-16"))
    assert _state("FF", replies) == state
    reject = pd.DataFrame(
        {
            "decision_id": [1],
            "problem_id": ["P"],
            "decision": ["reject"],
            "decided_on": pd.to_datetime(["2026-06-20"]),
        }
    )
    assert _state("FF", replies, reject) == "overdue"  # the office rejected it: the deadline stands
    accept = reject.assign(decision="accept")
    assert _state("FF", replies, accept) == state


def test_latest_reply_wins() -> None:
    replies = _replies(("整改中", "", "2026-06-14"), ("已整改", "2026-06-18", "2026-06-19"))
    assert _state("F.", replies) == "claimed"
    replies = _replies(("已整改", "2026-06-18", "2026-06-19"), ("有异议", "", "2026-06-20"))
    assert _state("F.", replies) == "disputed"


def test_history_columns_and_tracking_lists() -> None:
    findings = pd.concat(
        [_findings("FPF", "A"), _findings("FFF", "B"), _findings("FF.", "C"), _findings("..F", "D")]
    )
    replies = _replies(("已整改", "2026-06-15", "2026-06-16")).assign(problem_id="B")
    track = tracking(ROUNDS, findings, replies, NO_DECISIONS, at_seq=3)
    s = track.states
    assert s.at["A", "lifecycle"] == "recurred" and s.at["A", "rounds_open"] == 1
    assert s.at["B", "lifecycle"] == "false_claim" and s.at["B", "rounds_open"] == 3
    assert s.at["B", "dispatches"] == 3 and s.at["B", "first_seen"] == "R1"
    assert s.at["D", "lifecycle"] == "new" and s.at["D", "first_seen"] == "R3"
    assert track.recurred == ("A",) and track.false_claim == ("B",)
    assert set(track.still_open) == {"B", "C"}  # open after R2 and still open; A was closed after R2
    assert track.previous == "R2" and track.closed == ()


@settings(max_examples=150, deadline=None)
@given(
    history=st.text(alphabet="FP.", min_size=1, max_size=3).filter(lambda h: h.lstrip(".").startswith("F")),
    status=st.sampled_from(["", "已整改", "整改中", "无法整改", "有异议"]),
    received=st.sampled_from(["2026-06-11", "2026-06-16", "2026-06-27", "2026-07-09"]),
)
def test_every_problem_has_exactly_one_known_state(history: str, status: str, received: str) -> None:
    replies = (
        _replies((status, "2026-06-14" if status == "已整改" else "", received)) if status else _replies()
    )
    state = _state(history, replies)
    assert state in LIFECYCLE
    last = history.rstrip(".")[-1]
    assert (state == "closed") == (last == "P")  # only an inspection closes a problem, never a reply
    if history.count("F") == 1 and history.endswith("F") and history.index("F") == len(history) - 1:
        assert state == "new"


def test_accountability_counts_and_order() -> None:
    findings = pd.concat([_findings("FP", "A"), _findings("FF", "B").assign(department="园林局")])
    replies = _replies(("已整改", "2026-06-15", "2026-06-16")).assign(problem_id="B", department="园林局")
    states = lifecycle(ROUNDS, findings, replies, NO_DECISIONS, 2, date(2026, 6, 28))
    table = accountability(states).set_index("department")
    assert table.at["园林局", "false_claims"] == 1 and table.at["园林局", "verified_fixed"] == 0
    assert table.at["城管局", "verified_fixed"] == 1 and table.at["城管局", "fix_rate"] == 1.0
    assert table.at["园林局", "rank"] == 1  # furthest behind first
