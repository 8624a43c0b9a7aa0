"""Coverage gaps are one problem per site (schema 4, docs/ledger.md): a version-3 ledger's per-standard
coverage problems of a site merge into the one recorded first, their history, replies, decisions, old keys
and ids following it; ids typed back from a 交办单 handed out before the change still name it; and a site's
coverage problem closes when a later round inspects the site for any standard."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pandas as pd
import pytest

from checker.campaign import ledger as ledger_module
from checker.campaign.ledger import MIGRATIONS, SCHEMA_VERSION, Ledger, LedgerError, open_ledger
from checker.campaign.record import _alias_keys, _passes
from checker.campaign.replies import record_decision, record_replies
from checker.scoring.gaps import legacy_ids

if TYPE_CHECKING:
    from checker.handbook.model import Handbook
    from checker.scoring.assessment import Assessment

LEDGER = "ledger.sqlite"
# Site S001: three coverage problems, recorded in this order (the first is the canonical one).
FIRST, SECOND, THIRD = "P-CCC2-2222", "P-CCC3-3333", "P-CCC4-4444"
LONE = "P-DDD5-5555"  # site S002's only coverage problem
SITE_PROBLEM = "P-EEE6-6666"  # a failing inspection of S001: never merged
KEYS = {
    FIRST: "coverage|Ⅲ-41-1|S001",
    SECOND: "coverage|Ⅲ-44-1|S001",
    THIRD: "coverage|Ⅲ-50-2|S001",
    LONE: "coverage|Ⅲ-41-1|S002",
    SITE_PROBLEM: "site_problem|Ⅲ-41-1|S001",
}
RENAMED = "coverage|Ⅲ-44-9|S001"  # SECOND's key under a renamed standard's new code (problem_keys)
FINDINGS = (
    "INSERT INTO findings(round_id, problem_id, outcome, observed_on, department, street, site_name, "
    "description, cases, points_recoverable, total_recoverable, deadline) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _round(conn: sqlite3.Connection, round_id: int, name: str, issued: str) -> None:
    conn.execute(
        "INSERT INTO rounds(round_id, name, seq, recorded_at, test_date, issued, handbook_id, handbook_edition, "
        "handbook_hash, inputs_hash, total, total_low, total_high, total_max, deductions, veto, gaps) "
        "VALUES (?, ?, ?, ?, ?, ?, 'wenming-city', 'e', 'h', ?, 80, 79, 81, 100, 0, 0, 3)",
        (round_id, name, round_id, f"{issued}T00:00:00+08:00", issued, issued, f"i{round_id}"),
    )


def _fail(
    round_id: int, pid: str, on: str, department: str, deadline: str, total: float = 0.0
) -> tuple[object, ...]:
    text = "该点位未检查此标准"
    return (round_id, pid, "fail", on, department, "江南街道", "市民广场", text, 0, 0.0, total, deadline)


def _pass(round_id: int, pid: str, on: str) -> tuple[object, ...]:
    return (round_id, pid, "pass", on, "", "", "", "", 0, 0.0, 0.0, None)


def _version_three(path: Path) -> None:
    """A ledger as civcheck wrote it before coverage became one problem per site: two rounds; site S001 with
    three coverage problems (first seen in R1, R1 and R2), a reply on the second and a decision on the third;
    site S002 with one; and a site problem of S001 with a reply."""
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:3]:
        for statement in ledger_module._statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    _round(conn, 1, "R1", "2026-06-12")
    _round(conn, 2, "R2", "2026-07-10")
    problems = [  # insertion order is recording order: FIRST is the canonical one of S001
        (SITE_PROBLEM, "site_problem", "Ⅲ-41-1", "S001", 1),
        (FIRST, "coverage", "Ⅲ-41-1", "S001", 1),
        (LONE, "coverage", "Ⅲ-41-1", "S002", 1),
        (SECOND, "coverage", "Ⅲ-44-1", "S001", 1),
        (THIRD, "coverage", "Ⅲ-50-2", "S001", 2),
    ]
    conn.executemany(
        "INSERT INTO problems(problem_id, key, kind, standard, site, first_round) VALUES (?, ?, ?, ?, ?, ?)",
        [(pid, KEYS[pid], kind, standard, site, first) for pid, kind, standard, site, first in problems],
    )
    conn.execute("INSERT INTO problem_keys VALUES (?, ?)", (RENAMED, SECOND))
    conn.executemany(
        FINDINGS,
        [
            _fail(1, SITE_PROBLEM, "2026-06-08", "区城管局", "2026-06-20", 0.4),
            _pass(2, SITE_PROBLEM, "2026-07-03"),
            # R1: FIRST and SECOND fail; R2: FIRST passes (S001 inspected for Ⅲ-41-1), SECOND and THIRD fail.
            _fail(1, FIRST, "2026-06-12", "区城管局", "2026-06-30", 0.1),
            _fail(1, SECOND, "2026-06-12", "区商务局", "2026-06-25", 0.3),
            _pass(2, FIRST, "2026-07-05"),
            _fail(2, SECOND, "2026-07-10", "区商务局", "2026-08-10", 0.2),
            _fail(2, THIRD, "2026-07-10", "区文旅局", "2026-07-31", 0.5),
            _fail(1, LONE, "2026-06-12", "区城管局", "2026-06-30"),
        ],
    )
    conn.executemany(
        "INSERT INTO replies(reply_id, problem_id, status, measure, completed, department, received, file, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-06-20T00:00:00+08:00')",
        [
            (1, SECOND, "整改中", "已安排检查", None, "区商务局", "2026-06-20", "区商务局.xlsx"),
            (2, SITE_PROBLEM, "已整改", "已修复", "2026-06-18", "区城管局", "2026-06-20", "区城管局.xlsx"),
        ],
    )
    conn.execute(
        "INSERT INTO decisions(problem_id, decision, note, decided_on, recorded_at) "
        "VALUES (?, 'reject', '须按期整改', '2026-07-12', '2026-07-12T00:00:00+08:00')",
        (THIRD,),
    )
    conn.close()


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    path = tmp_path / LEDGER
    _version_three(path)
    return path


def _rows(ledger: Ledger, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in ledger.conn.execute(sql, params).fetchall()]


def _old_id(key: str) -> str:
    return str(legacy_ids(pd.Series([key], dtype="string")).iloc[0])


def test_version_three_coverage_problems_merge_into_one_per_site(migrated: Path) -> None:
    with open_ledger(migrated) as ledger:
        assert ledger.version() == SCHEMA_VERSION == 4
        assert ledger.integrity() == []
        assert _rows(ledger, "SELECT what, detail FROM events") == [("migrate", "schema 3 → 4")]
        assert _rows(
            ledger, "SELECT problem_id, key, kind, standard, site, first_round FROM problems ORDER BY rowid"
        ) == [
            (SITE_PROBLEM, KEYS[SITE_PROBLEM], "site_problem", "Ⅲ-41-1", "S001", 1),
            (FIRST, "coverage|S001", "coverage", "Ⅲ-41-1", "S001", 1),
            (LONE, "coverage|S002", "coverage", "Ⅲ-41-1", "S002", 1),
        ]
        findings = "SELECT * FROM findings WHERE problem_id = ? ORDER BY round_id"
        # R1: two failing → one failing, the canonical's unit and text, the earliest deadline, the largest
        # amount. R2: the canonical passed but two others failed → failing, on the failing findings' date,
        # with the unit of the first of them that failed (the canonical's finding is a pass: it has none).
        assert _rows(ledger, findings, FIRST) == [
            (1, FIRST, "fail", "2026-06-12", "区城管局", "江南街道", "市民广场", "该点位未检查此标准", 0, 0.0, 0.3, "2026-06-25"),
            (2, FIRST, "fail", "2026-07-10", "区商务局", "江南街道", "市民广场", "该点位未检查此标准", 0, 0.0, 0.5, "2026-07-31"),
        ]  # fmt: skip
        assert _rows(ledger, findings, LONE) == [
            (1, LONE, "fail", "2026-06-12", "区城管局", "江南街道", "市民广场", "该点位未检查此标准", 0, 0.0, 0.0, "2026-06-30"),
        ]  # fmt: skip
        assert _rows(ledger, findings, SITE_PROBLEM) == [
            (1, SITE_PROBLEM, "fail", "2026-06-08", "区城管局", "江南街道", "市民广场", "该点位未检查此标准", 0, 0.0, 0.4, "2026-06-20"),
            (2, SITE_PROBLEM, "pass", "2026-07-03", "", "", "", "", 0, 0.0, 0.0, None),
        ]  # fmt: skip
        assert _rows(ledger, "SELECT count(*) FROM findings") == [(5,)]
        assert _rows(
            ledger, "SELECT problem_id, nth FROM dispatches WHERE problem_id = ? ORDER BY nth", FIRST
        ) == [
            (FIRST, 1),
            (FIRST, 2),
        ]
        assert _rows(ledger, "SELECT reply_id, problem_id FROM replies ORDER BY reply_id") == [
            (1, FIRST),
            (2, SITE_PROBLEM),
        ]
        assert _rows(ledger, "SELECT problem_id, decision FROM decisions") == [(FIRST, "reject")]
        assert sorted(_rows(ledger, "SELECT alias_id, problem_id FROM problem_aliases")) == [
            (SECOND, FIRST),
            (THIRD, FIRST),
        ]
        assert sorted(_rows(ledger, "SELECT key, problem_id FROM problem_keys")) == sorted(
            [
                (KEYS[FIRST], FIRST),  # the canonical's own old key too: old hex ids are computed from keys
                (KEYS[SECOND], FIRST),
                (KEYS[THIRD], FIRST),
                (RENAMED, FIRST),
                (KEYS[LONE], LONE),
            ]
        )
        # Nothing of the migration's own is left: no temporary table, no helper index.
        assert _rows(ledger, "SELECT name FROM sqlite_temp_master") == []
        assert _rows(ledger, "SELECT name FROM sqlite_master WHERE name LIKE 'v4%'") == []
        assert ledger.resolve_ids([FIRST, SECOND, THIRD, LONE, "P-ZZZZ-ZZZZ"]) == {
            FIRST: FIRST,
            SECOND: FIRST,
            THIRD: FIRST,
            LONE: LONE,
        }
    with open_ledger(migrated) as again:  # migrated once: opening again changes nothing
        assert _rows(again, "SELECT count(*) FROM events") == [(1,)]


def test_ids_of_merged_problems_still_name_the_site_s_problem(migrated: Path) -> None:
    """A 交办单 handed out before the merge comes back with the old ids, in whatever form it was typed."""
    rows = [
        (SECOND, "measure-a"),
        ("pccc44444", "measure-b"),  # THIRD: lower case, no dashes
        ("p－ccc3 3333", "measure-c"),  # SECOND: full-width dash, a space
        (_old_id(KEYS[THIRD]).upper(), "measure-d"),  # an id of the first releases, of a merged key
        (_old_id(KEYS[FIRST]), "measure-e"),  # … and of the canonical's own old key
        (FIRST, "measure-f"),
        ("P-ZZZZ-ZZZZ", "measure-g"),
    ]
    replies = pd.DataFrame(
        {
            "problem_id": [pid for pid, _ in rows],
            "status": ["整改中"] * len(rows),
            "measure": [measure for _, measure in rows],
            "date": [pd.NaT] * len(rows),
            "_file": ["区商务局.xlsx"] * len(rows),
            "_sheet": ["交办问题"] * len(rows),
            "_row": list(range(2, 2 + len(rows))),
        }
    )
    with open_ledger(migrated) as ledger:
        outcome = record_replies(ledger, replies, received=date(2026, 7, 14), today=date(2026, 7, 14))
        assert [(r.code, r.row) for r in outcome.rejected] == [("unknown-problem", 8)]
        assert outcome.accepted == 6
        got = _rows(ledger, "SELECT problem_id, measure FROM replies WHERE reply_id > 2 ORDER BY reply_id")
        assert got == [(FIRST, f"measure-{c}") for c in "abcdef"]

        assert record_decision(ledger, "p-ccc3-3333", "accept", "", date(2026, 7, 15)) == FIRST
        assert _rows(ledger, "SELECT problem_id, decision FROM decisions ORDER BY decision_id") == [
            (FIRST, "reject"),
            (FIRST, "accept"),
        ]
        with pytest.raises(LedgerError) as refused:
            record_decision(ledger, "P-ZZZZ-ZZZZ", "accept", "", date(2026, 7, 15))
        assert "没有编号为" in str(refused.value.zh)
        assert ledger.integrity() == []


def _v4_ledger(path: Path) -> Ledger:
    """A new ledger with R1 recorded (every problem failing) and R2 entered, whose passes are asked for."""
    ledger = open_ledger(path, create=True)
    conn = ledger.conn
    _round(conn, 1, "R1", "2026-06-12")
    _round(conn, 2, "R2", "2026-07-10")
    problems = [
        ("P-AAA2-2222", "coverage|S001", "coverage", "Ⅲ-41-1", "S001"),  # S001 inspected for other standards
        ("P-AAA3-3333", "coverage|S002", "coverage", "Ⅲ-41-1", "S002"),  # S002 not inspected
        ("P-AAA4-4444", "site_problem|Ⅲ-41-1|S003", "site_problem", "Ⅲ-41-1", "S003"),  # passed
        ("P-AAA5-5555", "site_problem|Ⅲ-41-1|S001", "site_problem", "Ⅲ-41-1", "S001"),  # not for Ⅲ-41-1
        ("P-AAA6-6666", "coverage|Ⅲ-41-1|S004", "coverage", "Ⅲ-41-1", "S004"),  # an old key: its own rule
    ]
    conn.executemany(
        "INSERT INTO problems(problem_id, key, kind, standard, site, first_round) VALUES (?, ?, ?, ?, ?, 1)",
        problems,
    )
    conn.executemany(
        FINDINGS, [_fail(1, pid, "2026-06-12", "区城管局", "2026-06-30") for pid, *_ in problems]
    )
    return ledger


def test_a_site_s_coverage_problem_closes_when_the_site_is_inspected_for_any_standard(tmp_path: Path) -> None:
    inspected = pd.DataFrame(
        {
            "standard": pd.Categorical(["Ⅲ-44-1", "Ⅲ-50-2", "Ⅲ-41-1", "Ⅲ-44-1", "Ⅲ-44-1"]),
            "site": pd.Series(["S001", "S001", "S003", "S004", "S001"], dtype="string"),
            "date": pd.to_datetime(["2026-07-02", "2026-07-06", "2026-07-03", "2026-07-04", "2026-07-01"]),
            "fail": [False, True, False, False, False],
        }
    )
    assessment = cast("Assessment", SimpleNamespace(standards=[], inspected=inspected))
    with _v4_ledger(tmp_path / LEDGER) as ledger:
        passes = _passes(ledger, assessment, 2, date(2026, 7, 10))
    assert sorted(passes, key=str) == [
        ("P-AAA2-2222", "2026-07-06"),  # the site's latest inspection, whatever its standard and result
        ("P-AAA4-4444", "2026-07-03"),
    ]


def test_a_renamed_standard_gives_a_site_s_coverage_problem_no_extra_key(tmp_path: Path) -> None:
    """Its key names no standard: the new code's key of it would be "coverage|<new code>"."""
    renamed = SimpleNamespace(code="Ⅲ-41-9", aliases=["Ⅲ-41-1"])
    handbook = cast("Handbook", SimpleNamespace(standards=[renamed]))
    with _v4_ledger(tmp_path / LEDGER) as ledger:
        _alias_keys(ledger, handbook)
        keys = sorted(_rows(ledger, "SELECT key, problem_id FROM problem_keys"))
    assert keys == [
        ("coverage|Ⅲ-41-9|S004", "P-AAA6-6666"),
        ("site_problem|Ⅲ-41-9|S001", "P-AAA5-5555"),
        ("site_problem|Ⅲ-41-9|S003", "P-AAA4-4444"),
    ]


def test_a_round_recorded_after_the_merge_gives_each_site_one_coverage_finding(tmp_path: Path) -> None:
    """A campaign of one recorded round, its ledger taken back to version 3 and migrated: recording the
    same evidence again re-finds every site's coverage problem once, whether scoring gives one coverage gap
    per site or still one per standard (all of a site's keys name the same problem)."""
    from checker.cli import main

    evidence, camp = tmp_path / "A", tmp_path / "camp"
    assert main(["sample", "-o", str(evidence), "--sites", "20", "--csv", "--clean"]) == 0
    assert main(["init", str(camp), "--district", "临江区"]) == 0

    def record(name: str) -> int:
        return main([
            "check", str(evidence), "--campaign", str(camp), "--record", "--round", name,
            "--test-date", "2026-07-15", "-f", "json", "-o", str(tmp_path / f"out-{name}"),
        ])  # fmt: skip

    assert record("R1") == 0
    path = camp / LEDGER
    conn = sqlite3.connect(path, isolation_level=None)
    sites = dict(conn.execute("SELECT site, count(*) FROM problems WHERE kind = 'coverage' GROUP BY site"))
    conn.execute("DROP TABLE problem_aliases")  # what version 3 lacks; per-standard keys as it recorded them
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    assert sites
    with open_ledger(path) as ledger:
        coverage = ledger.conn.execute("SELECT site, problem_id FROM problems WHERE kind = 'coverage'")
        merged = {str(site): str(pid) for site, pid in coverage}
        assert set(merged) == set(sites)
    assert record("R2") == 0
    with open_ledger(path) as ledger:
        assert ledger.integrity() == []
        again = _rows(
            ledger,
            "SELECT f.problem_id FROM findings f JOIN rounds r USING (round_id) "
            "WHERE r.name = 'R2' AND f.outcome = 'fail'",
        )
        assert {pid for (pid,) in again} >= set(merged.values())
        assert _rows(
            ledger, "SELECT count(*) FROM problems WHERE kind = 'coverage' AND first_round != 1"
        ) == [(0,)]
