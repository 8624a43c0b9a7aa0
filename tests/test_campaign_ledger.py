"""The ledger's promises (docs/ledger.md): a recording is one transaction (kill -9 leaves the previous
state), a second writer waits, a file that is not a ledger is refused and never touched, the schema is
versioned and migrated forward, backups open as ledgers, rounds are recorded once unless replaced, and
recording never touches the evidence."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from checker.campaign import ledger as ledger_module
from checker.campaign.ledger import MIGRATIONS, SCHEMA_VERSION, LedgerError, open_ledger
from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEST_DATE = "2026-07-15"
LEDGER = "ledger.sqlite"
TABLES = {"rounds", "results", "problems", "problem_aliases", "findings", "replies", "decisions", "events"}
_outputs = itertools.count()


def _civcheck(*args: object) -> int:
    return main([str(a) for a in args])


def _fresh(folder: Path) -> Path:
    """A new report folder under ``folder``."""
    return folder / f"out-{next(_outputs)}"


def _record_args(
    evidence: object, camp: Path, name: str, out: Path, *extra: str, formats: str = "json"
) -> list[str]:
    """``check --record``, the report written to ``out``."""
    return [
        "check", str(evidence), "--campaign", str(camp), "--record", "--round", name,
        "--test-date", TEST_DATE, "-f", formats, "-o", str(out), *extra,
    ]  # fmt: skip


def _record(evidence: object, camp: Path, name: str, folder: Path, *extra: str) -> int:
    return main(_record_args(evidence, camp, name, _fresh(folder), *extra))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["TERM"] = "dumb"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    """``python -m checker ARGS`` without a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "checker", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=_env(),
    )


def _state(path: Path) -> list[str]:
    """The whole content of a database as SQL text (what "unchanged" means for a ledger)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _count(path: Path, sql: str, *params: object) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


def _fails_of(path: Path, name: str) -> int:
    return _count(
        path,
        "SELECT count(*) FROM findings JOIN rounds USING (round_id) WHERE name = ? AND outcome = 'fail'",
        name,
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _drop_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


# -- fixtures ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    a: Path  # a small round of evidence
    b: Path  # another (other seed): other sites, other gaps
    template: Path  # a campaign with ``a`` recorded as round R1
    gaps_a: int  # the gaps of round R1


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    """Two small rounds of evidence (A, B), and a campaign with A recorded as round R1."""
    root = tmp_path_factory.mktemp("ledger")
    a, b = root / "A", root / "B"
    assert _civcheck("sample", "-o", a, "--sites", "20", "--csv", "--clean") == 0
    assert _civcheck("sample", "-o", b, "--sites", "20", "--seed", "7", "--csv", "--clean") == 0
    camp = root / "template"
    assert _civcheck("init", camp, "--district", "临江区") == 0
    out = root / "out-r1"
    assert main(_record_args(a, camp, "R1", out)) == 0
    gaps_a = len(json.loads((out / "report.json").read_text(encoding="utf-8"))["gaps"])
    assert gaps_a > 0
    assert not _wal(camp / LEDGER).exists()  # closed cleanly: the file alone is the ledger
    return Samples(a, b, camp, gaps_a)


@pytest.fixture
def camp(samples: Samples, tmp_path: Path) -> Path:
    """A fresh copy of the campaign with round R1 recorded."""
    folder = tmp_path / "camp"
    shutil.copytree(samples.template, folder)
    return folder


@pytest.fixture(scope="module")
def big_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A round large enough that recording it is one long write transaction.

    Measured on a 2-core VM: ~3.4 s of reading, then ~1.5 s inside ``BEGIN IMMEDIATE`` during which the WAL
    grows past 18 MB (far beyond SQLite's 2 MB page cache, so dirty pages spill into the WAL long before
    the commit) — plenty of time to be killed mid-write.
    """
    folder = tmp_path_factory.mktemp("big") / "big"
    assert _civcheck("sample", "-o", folder, "--sites", "3000", "--inspections", "200000", "--csv") == 0
    return folder


# -- 1. kill -9 mid-recording -----------------------------------------------------------------------------

WAL_GROWTH = 1 << 20  # bytes past the WAL's size before the run: the recording is writing pages


@pytest.mark.slow
def test_kill_during_recording_leaves_the_previous_state(
    camp: Path, samples: Samples, big_round: Path, tmp_path: Path
) -> None:
    ledger = camp / LEDGER
    pristine = ledger.read_bytes()
    before = _state(ledger)
    late: list[str] = []
    for attempt in range(4):
        name = f"R2-{attempt}"
        ledger.write_bytes(pristine)
        _drop_sidecars(ledger)
        wal_before = _wal(ledger).stat().st_size if _wal(ledger).exists() else 0
        proc = _spawn(_record_args(big_round, camp, name, _fresh(tmp_path)), tmp_path)
        start, killed = time.monotonic(), False
        while proc.poll() is None:
            size = _wal(ledger).stat().st_size if _wal(ledger).exists() else 0
            if size > wal_before + WAL_GROWTH:
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
            if time.monotonic() - start > 180:
                proc.kill()
                proc.wait()
                pytest.fail("the recording of the big round did not write within 180 s")
            time.sleep(0.002)
        _, err = proc.communicate(timeout=60)
        if not killed and proc.returncode != 0:
            pytest.fail(f"recording {name} failed (exit {proc.returncode}): {err.decode()}")
        if proc.returncode != -signal.SIGKILL:
            late.append(f"{name}: finished (exit {proc.returncode}) before the kill")
            continue
        with open_ledger(ledger) as opened:
            assert opened.integrity() == []
            names = [r.name for r in opened.rounds()]
        if name in names:  # the kill landed after the commit: the round must then be whole
            assert _fails_of(ledger, name) == _count(ledger, "SELECT gaps FROM rounds WHERE name = ?", name)
            late.append(f"{name}: committed before the kill")
            continue
        assert names == ["R1"]
        assert _count(ledger, "SELECT count(*) FROM findings") == samples.gaps_a
        assert _count(ledger, "SELECT count(*) FROM rounds") == 1
        assert _state(ledger) == before  # every table, every row: the previous state exactly
        return
    pytest.fail(
        "could not kill a recording mid-write (machine too fast? use a bigger sample): " + "; ".join(late)
    )


# -- 2. two writers ---------------------------------------------------------------------------------------


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def _wait_until_idle(procs: list[subprocess.Popen[bytes]], limit: float) -> None:
    """Wait until every process has stopped using the CPU (blocked on the ledger's lock) or exited.
    ``limit`` stays well under the ledger's 30 s busy timeout, so the waiting writers do not give up."""
    end = time.monotonic() + limit
    last: dict[int, int | None] = {}
    while time.monotonic() < end:
        ticks = {p.pid: _cpu_ticks(p.pid) for p in procs if p.poll() is None}
        if any(t is None for t in ticks.values()):  # no /proc: give them time to get there
            time.sleep(min(8.0, max(0.0, end - time.monotonic())))
            return
        if ticks == last:
            return
        last = ticks
        time.sleep(0.5)


@pytest.mark.slow
def test_two_processes_record_at_once(camp: Path, samples: Samples, tmp_path: Path) -> None:
    ledger = camp / LEDGER
    holder = sqlite3.connect(ledger, isolation_level=None)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        holder.execute("BEGIN IMMEDIATE")  # both recordings reach their transaction while this is held
        for name, evidence in (("R2", samples.a), ("R3", samples.b)):
            procs[name] = _spawn(_record_args(evidence, camp, name, _fresh(tmp_path)), tmp_path)
        _wait_until_idle(list(procs.values()), limit=15)
        for name, proc in procs.items():
            assert proc.poll() is None, f"{name} ended while the ledger was locked: {proc.communicate()[1]!r}"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{name}: {err.decode()}"
        assert "Traceback" not in err.decode()
    with open_ledger(ledger) as opened:
        assert opened.integrity() == []
        rounds = opened.rounds()
    assert sorted(r.name for r in rounds) == ["R1", "R2", "R3"]
    assert sorted(r.seq for r in rounds) == [1, 2, 3]
    assert rounds[0].name == "R1"
    for r in rounds:
        assert r.gaps > 0 and _fails_of(ledger, r.name) == r.gaps


def test_busy_ledger_with_a_short_timeout(camp: Path) -> None:
    ledger = camp / LEDGER
    before = _state(ledger)
    holder = sqlite3.connect(ledger, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with open_ledger(ledger, timeout_ms=200) as opened:
            start = time.monotonic()
            with pytest.raises(LedgerError, match="busy") as caught, opened.transaction() as conn:
                conn.execute("INSERT INTO events(at, what) VALUES ('2026-07-15', 'never')")
            waited = time.monotonic() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(ledger) in str(caught.value)
    assert 0.15 <= waited < 10  # waited for the timeout, then gave up
    assert _state(ledger) == before


# -- 3. not a ledger --------------------------------------------------------------------------------------


def _xlsx(path: Path) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["点位编号", "测评标准"])  # type: ignore[union-attr]
    book.save(path)
    return path.read_bytes()


def _foreign_sqlite(path: Path) -> bytes:
    """Another program's SQLite database (rollback journal, schema version 0)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('王科长', '0571-0000000')")
    conn.commit()
    conn.close()
    return path.read_bytes()


def _not_ledgers(folder: Path, good: bytes) -> dict[str, bytes]:
    return {
        "empty": b"",
        "foreign-sqlite": _foreign_sqlite(folder / "other.db"),
        "text": "这不是台账 / not a ledger\n".encode(),
        "xlsx": _xlsx(folder / "book.xlsx"),
        "header-then-garbage": b"SQLite format 3\x00" + bytes(range(256)) * 16,
        "truncated": good[:3000],
    }


@pytest.mark.parametrize(
    "kind", ["text", "xlsx", "header-then-garbage", "truncated", "empty", "foreign-sqlite"]
)
def test_a_file_that_is_not_a_ledger_is_refused_and_untouched(
    kind: str, camp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = camp / LEDGER
    data = _not_ledgers(tmp_path, ledger.read_bytes())[kind]
    ledger.write_bytes(data)
    files = _listing(camp)
    with pytest.raises(LedgerError) as caught:
        open_ledger(ledger)
    assert str(ledger) in str(caught.value)
    assert "nothing was changed" in str(caught.value)
    assert ledger.read_bytes() == data
    assert _listing(camp) == files  # no -wal / -shm left beside it either
    capsys.readouterr()
    assert _civcheck("ledger", "check", "--campaign", camp) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("civcheck: ") and LEDGER in err
    assert ledger.read_bytes() == data


def test_a_damaged_page_is_reported_without_a_traceback(
    camp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Page 2 (the root of ``meta``, the first table created) overwritten: the ledger opens, but SQLite's
    integrity check cannot even walk it. ``ledger check`` says so, exit 2, and leaves the file alone."""
    ledger = camp / LEDGER
    good = ledger.read_bytes()
    page = _count(ledger, "PRAGMA page_size")
    data = good[:page] + b"\xff" * page + good[2 * page :]
    ledger.write_bytes(data)
    capsys.readouterr()
    assert _civcheck("ledger", "check", "--campaign", camp) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "已损坏" in err and LEDGER in err  # zh, the default
    assert ledger.read_bytes() == data


# -- 4. schema versions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_ledger_from_a_newer_civcheck_is_refused_unchanged(
    journal: str,
    camp: Path,
    samples: Samples,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Refused whatever its journal mode: switching a rollback-journal file to WAL would alter it."""
    ledger = camp / LEDGER
    conn = sqlite3.connect(ledger, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    _drop_sidecars(ledger)
    data, files = ledger.read_bytes(), _listing(camp)
    with pytest.raises(LedgerError, match="newer civcheck") as caught:
        open_ledger(ledger)
    assert str(ledger) in str(caught.value)
    assert ledger.read_bytes() == data
    assert _listing(camp) == files
    capsys.readouterr()
    assert _civcheck("ledger", "check", "--campaign", camp) == 2
    err = capsys.readouterr().err
    assert "由更新版本的 civcheck 写入" in err and "Traceback" not in err
    assert _record(samples.a, camp, "R2", tmp_path) == 2
    assert "由更新版本的 civcheck 写入" in capsys.readouterr().err
    assert ledger.read_bytes() == data


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_schema_is_migrated_forward(version: int, tmp_path: Path) -> None:
    path = tmp_path / LEDGER
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:version]:
        for statement in ledger_module._statements(script):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    with open_ledger(path) as opened:
        assert opened.version() == SCHEMA_VERSION
        assert opened.integrity() == []
        events = opened.conn.execute("SELECT what, detail FROM events").fetchall()
    assert events == [("migrate", f"schema {version} → {SCHEMA_VERSION}")]
    conn = sqlite3.connect(path)
    try:
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
    finally:
        conn.close()
    assert {t: kinds.get(t) for t in TABLES} == dict.fromkeys(TABLES, "table")
    assert kinds.get("dispatches") == "view"
    with open_ledger(path) as again:  # migrated once: opening again changes nothing
        assert again.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_version_one_ledger_keeps_its_problems_aliases_and_old_ids(tmp_path: Path) -> None:
    """v1 stored every problem's own key in problem_keys and its pre-P-XXXX id in problems.legacy_id; v2
    keeps only aliases there and computes old ids from the key. A v1 ledger with data keeps every match."""
    import pandas as pd

    from checker.campaign.replies import record_replies
    from checker.scoring.gaps import legacy_ids

    path = tmp_path / LEDGER
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in ledger_module._statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    key, alias = "site_problem|Ⅲ-41-1|S001|", "site_problem|Ⅲ-41-9|S001|"
    old = str(legacy_ids(pd.Series([key], dtype="string")).iloc[0])
    conn.execute(
        "INSERT INTO rounds(round_id, name, seq, recorded_at, test_date, issued, handbook_id, handbook_edition, "
        "handbook_hash, inputs_hash, total, total_low, total_high, total_max, deductions, veto, gaps) "
        "VALUES (1, 'R1', 1, '2026-06-12T00:00:00', '2026-06-12', '2026-06-12', 'wenming-city', 'e', 'h', "
        "'i', 80, 79, 81, 100, 0, 0, 1)"
    )
    conn.execute(
        "INSERT INTO problems VALUES ('P-2222-2222', ?, ?, 'site_problem', 'Ⅲ-41-1', 'S001', 1)", (key, old)
    )
    conn.executemany("INSERT INTO problem_keys VALUES (?, 'P-2222-2222')", [(key,), (alias,)])
    conn.execute(
        "INSERT INTO findings(round_id, problem_id, outcome, observed_on, department, deadline) "
        "VALUES (1, 'P-2222-2222', 'fail', '2026-06-10', '区城管局', '2026-06-20')"
    )
    conn.close()
    with open_ledger(path) as ledger:
        assert ledger.version() == SCHEMA_VERSION and ledger.integrity() == []
        assert ledger.conn.execute("SELECT key FROM problem_keys").fetchall() == [(alias,)]
        columns = {r[1] for r in ledger.conn.execute("PRAGMA table_info(problems)")}
        assert "legacy_id" not in columns
        replies = pd.DataFrame(
            {
                "problem_id": [old.upper()],  # as typed back from an old 交办单
                "status": ["已整改"],
                "measure": ["已修复"],
                "date": [pd.Timestamp("2026-06-15")],
                "_file": ["区城管局.xlsx"],
                "_sheet": ["交办问题"],
                "_row": [2],
            }
        )
        outcome = record_replies(ledger, replies, received=date(2026, 6, 16), today=date(2026, 6, 16))
        assert outcome.accepted == 1, outcome.rejected
        got = ledger.conn.execute("SELECT problem_id FROM replies").fetchall()
    assert got == [("P-2222-2222",)]


# -- 5. backup and check ----------------------------------------------------------------------------------


def test_backup_opens_as_the_same_ledger_and_check_reports_the_schema(
    camp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = camp / LEDGER
    target = tmp_path / "备份" / "台账-备份.sqlite"
    assert _civcheck("ledger", "backup", target, "--campaign", camp) == 0
    copy = tmp_path / "probe.sqlite"
    shutil.copyfile(target, copy)  # opening converts the file to WAL: probe a copy, keep the backup as made
    with open_ledger(copy) as backup, open_ledger(ledger) as original:
        assert backup.integrity() == []
        assert backup.rounds() == original.rounds()
        assert [r.name for r in backup.rounds()] == ["R1"]
        for table in ("findings", "problems", "results"):
            sql = f"SELECT count(*) FROM {table}"
            assert backup.conn.execute(sql).fetchone() == original.conn.execute(sql).fetchone()
        assert original.conn.execute("SELECT count(*) FROM events WHERE what = 'backup'").fetchone()[0] == 1

    made = _sha(target)
    capsys.readouterr()
    assert _civcheck("ledger", "backup", target, "--campaign", camp) == 2
    assert "已存在" in capsys.readouterr().err
    assert _sha(target) == made

    assert _civcheck("ledger", "check", "--campaign", camp, "--lang", "en") == 0
    out = capsys.readouterr().out
    assert f"schema version: {SCHEMA_VERSION} (civcheck {SCHEMA_VERSION})" in out
    assert "R1" in out and "integrity ok" in out


# -- 6. recording a round twice ---------------------------------------------------------------------------


def test_a_round_is_recorded_once_unless_replaced(
    camp: Path, samples: Samples, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = camp / LEDGER
    a, b = samples.a, samples.b
    before = _state(ledger)
    capsys.readouterr()
    assert _record(b, camp, "R1", tmp_path) == 2
    err = capsys.readouterr().err
    assert "已记录" in err and "--replace" in err and "Traceback" not in err
    assert _state(ledger) == before

    out = tmp_path / "replaced"
    assert main(_record_args(b, camp, "R1", out, "--replace")) == 0
    gaps_b = len(json.loads((out / "report.json").read_text(encoding="utf-8"))["gaps"])
    assert gaps_b != samples.gaps_a  # the replacement really is a different round
    with open_ledger(ledger) as opened:
        assert [r.name for r in opened.rounds()] == ["R1"]
        assert opened.round_named("R1").gaps == gaps_b
        assert opened.integrity() == []
    assert _fails_of(ledger, "R1") == gaps_b
    assert _count(ledger, "SELECT count(*) FROM findings") == gaps_b  # the old findings are gone
    assert _count(ledger, "SELECT count(*) FROM events WHERE what = 'replace'") == 1

    assert _record(a, camp, "R2", tmp_path) == 0
    before = _state(ledger)
    capsys.readouterr()
    assert _record(a, camp, "R1", tmp_path, "--replace") == 2
    assert "只能重新记录最近一轮" in capsys.readouterr().err
    assert _state(ledger) == before

    assert _record(a, camp, "R3", tmp_path) == 0
    err = capsys.readouterr().err
    assert "轮次“R3”的输入文件与轮次“R2”相同" in err  # in the run's language (zh by default)
    with open_ledger(ledger) as opened:
        assert [r.name for r in opened.rounds()] == ["R1", "R2", "R3"]


# -- 7. the evidence is read, never written ---------------------------------------------------------------


def test_recording_leaves_the_evidence_byte_identical(camp: Path, samples: Samples, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(samples.b, evidence)
    before = _tree_hashes(evidence)
    assert len(before) > 10
    out = tmp_path / "report"
    assert main(_record_args(evidence, camp, "R2", out, "--dispatch", formats="json,xlsx")) == 0
    assert _tree_hashes(evidence) == before
    assert (out / "report.json").exists()


# -- 8. what a finding says -------------------------------------------------------------------------------


def test_findings_are_described_in_chinese_whatever_the_run_language(
    camp: Path, samples: Samples, tmp_path: Path
) -> None:
    """The ledger stores each finding's description in zh, as written in the zh report (the evidence's
    text, or the report layer's sentence for an engine code), also when the round is recorded with --lang en."""
    recorded, plain = tmp_path / "recorded", tmp_path / "plain"
    assert main(_record_args(samples.b, camp, "R2", recorded, "--lang", "en")) == 0
    args = ["check", samples.b, "--campaign", camp, "--test-date", TEST_DATE, "-f", "json", "-o", plain]
    assert _civcheck(*args) == 0
    en = json.loads((recorded / "report.json").read_text(encoding="utf-8"))["gaps"]
    zh = {
        g["id"]: g["description"] or ""
        for g in json.loads((plain / "report.json").read_text("utf-8"))["gaps"]
    }
    assert any(g["reason_code"] and g["description"] != zh[g["id"]] for g in en)  # sentences of the engine
    conn = sqlite3.connect(camp / LEDGER)
    try:
        stored = dict(
            conn.execute(
                "SELECT problem_id, description FROM findings JOIN rounds USING (round_id) "
                "WHERE name = 'R2' AND outcome = 'fail'"
            ).fetchall()
        )
    finally:
        conn.close()
    assert stored == zh
