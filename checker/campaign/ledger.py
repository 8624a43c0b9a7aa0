"""The campaign ledger (创建台账): one SQLite file holding the rounds, their results and the life of every problem.

Plain SQLite (standard ``sqlite3``), readable with any SQLite tool: tables and columns are named in words
(``rounds``, ``results``, ``problems``, ``findings``, ``replies``, ``decisions``, ``events``, and the view
``dispatches``); dates are ISO text. WAL journal, foreign keys on, a busy timeout for a second writer, and
every recording is one ``BEGIN IMMEDIATE`` transaction: a run killed mid-way leaves the previous state.
The schema is versioned with ``PRAGMA user_version`` and migrated forward step by step; a ledger written
by a newer civcheck is refused, never altered. ``docs/ledger.md`` documents every table.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from checker.handbook.model import Handbook
    from checker.scoring.assessment import Assessment

__all__ = [
    "SCHEMA_VERSION",
    "Ledger",
    "LedgerError",
    "RoundInfo",
    "create_ledger",
    "open_ledger",
]

BUSY_TIMEOUT_MS = 30_000
_SQLITE_MAGIC = b"SQLite format 3\x00"


class LedgerError(UsageError):
    """A ledger that cannot be used: not SQLite, corrupt, from a newer civcheck, busy, or a refused recording."""


@dataclass(frozen=True)
class IntegrityProblem:
    """One problem of SQLite's checks: its own text (``integrity_check``), or a row whose parent is missing
    (``foreign_key_check``: the table, the row id, the table it refers to). Rendered in a language by :meth:`text`."""

    detail: str = ""
    table: str = ""
    row: int | None = None
    parent: str = ""

    def text(self, lang: str = "zh") -> str:
        if not self.table:  # SQLite's own words, in English: quoted in a Chinese line
            return self.detail if lang == "en" else f"SQLite 完整性检查：{self.detail}"
        if lang == "en":
            return f"foreign key: table {self.table} row {self.row} → {self.parent}"
        return f"外键：表 {self.table} 第 {self.row} 行 → {self.parent}（引用的行不存在）"


# -- schema ----------------------------------------------------------------------------------------------
# MIGRATIONS[k] brings a ledger from user_version k to k + 1. Never edit a released step: add one.

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE rounds (
    round_id       INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    seq            INTEGER NOT NULL UNIQUE,
    recorded_at    TEXT NOT NULL,
    test_date      TEXT NOT NULL,
    issued         TEXT NOT NULL,
    inspected_from TEXT,
    inspected_to   TEXT,
    district       TEXT NOT NULL DEFAULT '',
    handbook_id    TEXT NOT NULL,
    handbook_edition TEXT NOT NULL,
    handbook_hash  TEXT NOT NULL,
    inputs_hash    TEXT NOT NULL,
    total          REAL NOT NULL,
    total_low      REAL NOT NULL,
    total_high     REAL NOT NULL,
    total_max      REAL NOT NULL,
    deductions     REAL NOT NULL,
    veto           INTEGER NOT NULL,
    gaps           INTEGER NOT NULL
);
CREATE TABLE inputs (
    round_id      INTEGER NOT NULL REFERENCES rounds(round_id) ON DELETE CASCADE,
    file          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    format        TEXT NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    PRIMARY KEY (round_id, file)
);
CREATE TABLE results (
    round_id   INTEGER NOT NULL REFERENCES rounds(round_id) ON DELETE CASCADE,
    standard   TEXT NOT NULL,
    project    TEXT NOT NULL,
    method     TEXT NOT NULL,
    points     REAL NOT NULL,
    score      REAL NOT NULL,
    status     TEXT NOT NULL,
    grade      TEXT,
    PRIMARY KEY (round_id, standard)
);
CREATE TABLE rollups (
    round_id   INTEGER NOT NULL REFERENCES rounds(round_id) ON DELETE CASCADE,
    level      TEXT NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    points     REAL NOT NULL,
    score      REAL NOT NULL,
    high       REAL NOT NULL,
    PRIMARY KEY (round_id, level, code)
);
CREATE TABLE units (
    round_id     INTEGER NOT NULL REFERENCES rounds(round_id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('department', 'street')),
    name         TEXT NOT NULL,
    inspections  INTEGER NOT NULL,
    problems     INTEGER NOT NULL,
    conformity   REAL,
    total_recoverable REAL NOT NULL,
    PRIMARY KEY (round_id, kind, name)
);
CREATE TABLE problems (
    problem_id  TEXT PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    legacy_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    standard    TEXT NOT NULL,
    site        TEXT NOT NULL,
    first_round INTEGER NOT NULL REFERENCES rounds(round_id)
);
CREATE INDEX problems_legacy ON problems(legacy_id);
CREATE TABLE problem_keys (
    key        TEXT PRIMARY KEY,
    problem_id TEXT NOT NULL REFERENCES problems(problem_id)
);
CREATE TABLE findings (
    round_id     INTEGER NOT NULL REFERENCES rounds(round_id) ON DELETE CASCADE,
    problem_id   TEXT NOT NULL REFERENCES problems(problem_id),
    outcome      TEXT NOT NULL CHECK (outcome IN ('fail', 'pass')),
    observed_on  TEXT,
    department   TEXT NOT NULL DEFAULT '',
    street       TEXT NOT NULL DEFAULT '',
    site_name    TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    cases        INTEGER NOT NULL DEFAULT 0,
    points_recoverable REAL NOT NULL DEFAULT 0,
    total_recoverable  REAL NOT NULL DEFAULT 0,
    deadline     TEXT,
    PRIMARY KEY (round_id, problem_id)
) WITHOUT ROWID;
CREATE INDEX findings_problem ON findings(problem_id);
CREATE TABLE replies (
    reply_id    INTEGER PRIMARY KEY,
    problem_id  TEXT NOT NULL REFERENCES problems(problem_id),
    status      TEXT NOT NULL CHECK (status IN ('已整改', '整改中', '无法整改', '有异议')),
    measure     TEXT NOT NULL DEFAULT '',
    completed   TEXT,
    photo       TEXT NOT NULL DEFAULT '',
    department  TEXT NOT NULL DEFAULT '',
    received    TEXT NOT NULL,
    file        TEXT NOT NULL,
    sheet       TEXT NOT NULL DEFAULT '',
    row         INTEGER NOT NULL DEFAULT 0,
    file_sha256 TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL
);
CREATE INDEX replies_problem ON replies(problem_id);
CREATE TABLE decisions (
    decision_id INTEGER PRIMARY KEY,
    problem_id  TEXT NOT NULL REFERENCES problems(problem_id),
    decision    TEXT NOT NULL CHECK (decision IN ('accept', 'reject')),
    note        TEXT NOT NULL DEFAULT '',
    decided_on  TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE events (
    event_id    INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    what        TEXT NOT NULL,
    round_id    INTEGER REFERENCES rounds(round_id) ON DELETE SET NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE VIEW dispatches AS
    SELECT f.round_id, r.name AS round, f.problem_id, f.department, r.issued, f.deadline,
           ROW_NUMBER() OVER (PARTITION BY f.problem_id ORDER BY r.seq) AS nth
    FROM findings f JOIN rounds r USING (round_id)
    WHERE f.outcome = 'fail';
"""

# v2: a problem's own key is found in problems.key, so problem_keys keeps only the extra keys a problem
# answers to (its key under a renamed standard's new code); the legacy id (before P-XXXX-XXXX) is computed
# from the key when a reply carries one, instead of being stored for every problem; and findings lose
# their index by problem (every reader scans them whole). Recording writes three B-trees fewer per problem.
_V2 = """
DELETE FROM problem_keys WHERE key IN (SELECT key FROM problems);
DROP INDEX problems_legacy;
ALTER TABLE problems DROP COLUMN legacy_id;
DROP INDEX findings_problem;
"""

# v3: the cycle score. A round may be the official result of its year (`official`: an assessment's own
# result, entered with `round add`, or a recorded round marked with `round mark`); `year` is the year the
# round counts for (NULL: the year of its 交办日期). A round entered by hand has no findings, no inputs and
# an empty inputs_hash.
_V3 = """
ALTER TABLE rounds ADD COLUMN official INTEGER NOT NULL DEFAULT 0 CHECK (official IN (0, 1));
ALTER TABLE rounds ADD COLUMN year INTEGER;
"""

# v4: a coverage gap (a registered site no inspection covered) is one problem per site — 拉网式全覆盖 asks
# for the site to be visited, not for one visit per standard — keyed "coverage|<site>" instead of one per
# (standard, site). The coverage problems of a site merge into the one recorded first (the canonical, lowest
# rowid): per round one finding, failing when any of them failed (its unit and text from the canonical's
# finding when it failed, else from the first that did; the earliest date of findings of that outcome, the
# earliest deadline, the largest amounts); their replies, decisions and extra keys follow it; their old
# keys become extra keys of it (an old 交办单's hex ids are computed from keys) and their ids aliases of it
# (problem_aliases: an id typed back from a 交办单 handed out before the change still names it). The
# canonical keeps its standard. Child keys are indexed while problems are deleted (a foreign-key check of
# an unindexed child is a scan per deleted row); the indexes and temporary tables are dropped after.
_V4 = """
CREATE TABLE problem_aliases (
    alias_id   TEXT PRIMARY KEY,
    problem_id TEXT NOT NULL REFERENCES problems(problem_id)
);
CREATE TEMP TABLE v4_merge (
    problem_id TEXT PRIMARY KEY,
    canonical  TEXT NOT NULL,
    site       TEXT NOT NULL,
    key        TEXT NOT NULL,
    nth        INTEGER NOT NULL
);
INSERT INTO temp.v4_merge
    SELECT problem_id,
           first_value(problem_id) OVER (PARTITION BY site ORDER BY rowid),
           site, key,
           row_number() OVER (PARTITION BY site ORDER BY rowid)
    FROM problems WHERE kind = 'coverage';
CREATE TEMP TABLE v4_findings AS
    SELECT round_id, canonical AS problem_id, outcome,
           CASE outcome WHEN 'fail' THEN fail_on ELSE pass_on END AS observed_on,
           department, street, site_name, description, cases, points_recoverable, total_recoverable, deadline
    FROM (
        SELECT f.round_id, m.canonical, f.outcome, f.department, f.street, f.site_name, f.description,
               row_number() OVER (PARTITION BY f.round_id, m.canonical
                                  ORDER BY f.outcome = 'fail' DESC, m.nth) AS pick,
               min(CASE f.outcome WHEN 'fail' THEN f.observed_on END) OVER whole AS fail_on,
               min(CASE f.outcome WHEN 'pass' THEN f.observed_on END) OVER whole AS pass_on,
               min(CASE f.outcome WHEN 'fail' THEN f.deadline END) OVER whole AS deadline,
               max(f.cases) OVER whole AS cases,
               max(f.points_recoverable) OVER whole AS points_recoverable,
               max(f.total_recoverable) OVER whole AS total_recoverable
        FROM findings f JOIN temp.v4_merge m USING (problem_id)
        WINDOW whole AS (PARTITION BY f.round_id, m.canonical)
    )
    WHERE pick = 1;
DELETE FROM findings WHERE problem_id IN (SELECT problem_id FROM temp.v4_merge);
INSERT INTO findings(round_id, problem_id, outcome, observed_on, department, street, site_name, description,
                     cases, points_recoverable, total_recoverable, deadline)
    SELECT round_id, problem_id, outcome, observed_on, department, street, site_name, description,
           cases, points_recoverable, total_recoverable, deadline
    FROM temp.v4_findings;
UPDATE replies SET problem_id = (SELECT canonical FROM temp.v4_merge m WHERE m.problem_id = replies.problem_id)
    WHERE problem_id IN (SELECT problem_id FROM temp.v4_merge WHERE nth > 1);
UPDATE decisions
    SET problem_id = (SELECT canonical FROM temp.v4_merge m WHERE m.problem_id = decisions.problem_id)
    WHERE problem_id IN (SELECT problem_id FROM temp.v4_merge WHERE nth > 1);
UPDATE problem_keys
    SET problem_id = (SELECT canonical FROM temp.v4_merge m WHERE m.problem_id = problem_keys.problem_id)
    WHERE problem_id IN (SELECT problem_id FROM temp.v4_merge WHERE nth > 1);
CREATE INDEX v4_findings_problem ON findings(problem_id);
CREATE INDEX v4_decisions_problem ON decisions(problem_id);
CREATE INDEX v4_keys_problem ON problem_keys(problem_id);
DELETE FROM problems WHERE problem_id IN (SELECT problem_id FROM temp.v4_merge WHERE nth > 1);
DROP INDEX v4_findings_problem;
DROP INDEX v4_decisions_problem;
DROP INDEX v4_keys_problem;
INSERT INTO problem_aliases(alias_id, problem_id)
    SELECT problem_id, canonical FROM temp.v4_merge WHERE nth > 1;
INSERT OR REPLACE INTO problem_keys(key, problem_id)
    SELECT key, canonical FROM temp.v4_merge WHERE key != 'coverage|' || site;
UPDATE problems SET key = 'coverage|' || site
    WHERE problem_id IN (SELECT problem_id FROM temp.v4_merge WHERE nth = 1);
DROP TABLE temp.v4_findings;
DROP TABLE temp.v4_merge;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4)
SCHEMA_VERSION = len(MIGRATIONS)


def now_text() -> str:
    """The current time, ISO 8601 with the local offset, as the ledger stores times."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _check_file(path: Path) -> None:
    """Refuse, before sqlite3 touches it, a file that is not an SQLite database (it would be overwritten)."""
    if not path.exists():
        return
    if path.is_dir():
        raise LedgerError(
            f"ledger {path} is a folder, not an SQLite file", zh=f"台账 {path} 是文件夹，不是 SQLite 文件"
        )
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise LedgerError(
            f"ledger {path} cannot be read: {exc.strerror}", zh=f"台账 {path} 无法读取：{exc.strerror}"
        ) from exc
    if head and head != _SQLITE_MAGIC:
        raise LedgerError(
            f"{path} is not a civcheck ledger (not an SQLite database); nothing was changed",
            zh=f"{path} 不是 civcheck 台账（不是 SQLite 数据库）；文件未作任何改动",
        )


def _connect(path: Path, *, timeout_ms: int) -> sqlite3.Connection:
    conn = None
    try:
        conn = sqlite3.connect(path, timeout=timeout_ms / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # A recording of 400k gaps inserts into B-trees of random ids: a page cache of up to 256 MiB (taken
        # only as used) keeps them in memory instead of re-reading pages; temporary tables stay in memory.
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA temp_store = MEMORY")
        # Both before switching to WAL: that rewrites a rollback-journal file's header.
        if _refuse_newer(conn, path) == 0:
            _refuse_foreign(conn, path)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise LedgerError(
            f"ledger {path} cannot be opened: {exc}; nothing was changed",
            zh=f"台账 {path} 无法打开（{exc}）；文件未作任何改动",
        ) from exc
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    if mode is None or str(mode[0]).lower() != "wal":
        conn.close()
        raise LedgerError(
            f"ledger {path} cannot use a write-ahead log on this file system",
            zh=f"台账 {path} 所在的文件系统不支持 SQLite 预写日志（WAL），无法使用",
        )
    return conn


def _refuse_newer(conn: sqlite3.Connection, path: Path) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise LedgerError(
            f"ledger {path} was written by a newer civcheck (schema {version}, this one knows up to "
            f"{SCHEMA_VERSION}); upgrade civcheck — the ledger was not changed",
            zh=f"台账 {path} 由更新版本的 civcheck 写入（结构版本 {version}，本版本最高支持 {SCHEMA_VERSION}）；"
            "请升级 civcheck——台账未作任何改动",
        )
    return version


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """A database of schema 0 with tables is another program's SQLite file, not a ledger to create tables in."""
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise LedgerError(
            f"{path} is an SQLite database of another program (tables: {shown}), not a civcheck ledger; "
            "nothing was changed — set `ledger` in civcheck.toml to another file",
            zh=f"{path} 是其他程序的 SQLite 数据库（表：{shown}），不是 civcheck 台账；文件未作任何改动——"
            "请在 civcheck.toml 中把 ledger 设为另一个文件",
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = _refuse_newer(conn, path)
    if version == SCHEMA_VERSION:
        return
    with _transaction(conn, path):
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])  # another process may have won
        for step in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[step]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")
        if version == 0:
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('created_at', ?)", (now_text(),))
        conn.execute(
            "INSERT INTO events(at, what, detail) VALUES (?, 'migrate', ?)",
            (now_text(), f"schema {version} → {SCHEMA_VERSION}"),
        )


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit the open transaction)."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise LedgerError(
            f"ledger {path} is busy: another civcheck is recording into it ({exc}); try again when it is done",
            zh=f"台账 {path} 正被另一个 civcheck 写入（{exc}）；请待其完成后重试",
        ) from exc
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def create_ledger(path: Path) -> Path:
    """Create an empty ledger at ``path`` (refused when a file is already there)."""
    if path.exists():
        raise LedgerError(f"{path} already exists; it was not changed", zh=f"{path} 已存在；未作任何改动")
    path.parent.mkdir(parents=True, exist_ok=True)
    open_ledger(path, create=True).close()
    return path


def open_ledger(path: Path, *, create: bool = False, timeout_ms: int = BUSY_TIMEOUT_MS) -> Ledger:
    """Open (and migrate forward) the ledger at ``path``."""
    path = Path(path)
    if not path.exists() and not create:
        raise LedgerError(
            f"no ledger at {path}; run `civcheck init` to start a campaign",
            zh=f"{path} 没有台账；请先运行 `civcheck init` 建立创建台账",
        )
    _check_file(path)
    if not create and path.stat().st_size == 0:
        raise LedgerError(
            f"{path} is an empty file, not a ledger; nothing was changed — remove it and run `civcheck init`",
            zh=f"{path} 是空文件，不是台账；未作任何改动——请删除它后运行 `civcheck init`",
        )
    conn = _connect(path, timeout_ms=timeout_ms)
    try:
        _migrate(conn, path)
        conn.execute("SELECT count(*) FROM rounds").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise LedgerError(
            f"ledger {path} is damaged ({exc}); restore a backup — nothing was changed",
            zh=f"台账 {path} 已损坏（{exc}）；请用备份恢复——未作任何改动",
        ) from exc
    except BaseException:
        conn.close()
        raise
    return Ledger(path, conn)


@dataclass(frozen=True)
class RoundInfo:
    round_id: int
    name: str
    seq: int
    issued: date
    test_date: date
    total: float
    gaps: int


def handbook_hash(handbook: Handbook) -> str:
    """SHA-256 of the pack's content (its model as JSON), independent of file layout and comments."""
    return hashlib.sha256(handbook.model_dump_json().encode("utf-8")).hexdigest()


def inputs_hash(assessment: Assessment) -> str:
    digest = hashlib.sha256()
    for info in sorted(assessment.inputs, key=lambda i: i.sha256):
        digest.update(info.sha256.encode("ascii"))
    return digest.hexdigest()


class Ledger:
    """An open ledger. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with _transaction(self.conn, self.path):
            yield self.conn

    # -- reading -----------------------------------------------------------------------------------------

    def rounds(self) -> list[RoundInfo]:
        rows = self.conn.execute(
            "SELECT round_id, name, seq, issued, test_date, total, gaps FROM rounds ORDER BY seq"
        ).fetchall()
        return [
            RoundInfo(r[0], r[1], r[2], date.fromisoformat(r[3]), date.fromisoformat(r[4]), r[5], r[6])
            for r in rows
        ]

    def round_named(self, name: str) -> RoundInfo:
        for info in self.rounds():
            if info.name == name:
                return info
        known = ", ".join(r.name for r in self.rounds())
        listed = f"rounds: {known}" if known else "rounds: none recorded yet"
        listed_zh = f"已有：{known}" if known else "尚未记录任何轮次"
        raise LedgerError(
            f"no round named {name!r} in {self.path} ({listed})",
            zh=f"台账 {self.path} 中没有名为 “{name}” 的轮次（{listed_zh}）",
        )

    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        import pandas as pd

        cursor = self.conn.execute(sql, tuple(params))
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)

    def tracking_frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """rounds, findings, replies, decisions — typed as :mod:`checker.scoring.tracking` expects."""
        import pandas as pd

        rounds = self.frame("SELECT round_id, name, seq, issued FROM rounds ORDER BY seq")
        rounds["issued"] = pd.to_datetime(rounds["issued"])
        findings = self.frame(
            "SELECT round_id, problem_id, outcome, observed_on, department, deadline FROM findings"
        )
        for c in ("observed_on", "deadline"):
            findings[c] = pd.to_datetime(findings[c])
        replies = self.frame(
            "SELECT reply_id, problem_id, status, measure, completed, received, department FROM replies"
        )
        for c in ("completed", "received"):
            replies[c] = pd.to_datetime(replies[c])
        decisions = self.frame("SELECT decision_id, problem_id, decision, decided_on FROM decisions")
        decisions["decided_on"] = pd.to_datetime(decisions["decided_on"])
        return rounds, findings, replies, decisions

    def resolve_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """The problem each id (in canonical form, see ``normalise_id``) names: a problem's own id, or the id
        of the problem an alias was merged into (``problem_aliases``). Ids naming nothing are left out; a
        problem's own id wins over an alias."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):  # SQLite limits the parameters of one statement
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.conn.execute(
                    f"SELECT alias_id, problem_id FROM problem_aliases WHERE alias_id IN ({marks})", chunk
                ).fetchall()
            )
            found.update(
                (pid, pid)
                for (pid,) in self.conn.execute(
                    f"SELECT problem_id FROM problems WHERE problem_id IN ({marks})", chunk
                )
            )
        return found

    def integrity(self) -> list[IntegrityProblem]:
        """Problems found by SQLite's integrity and foreign-key checks (empty when the ledger is sound)."""
        try:
            found = [str(r[0]) for r in self.conn.execute("PRAGMA integrity_check").fetchall()]
            problems = [IntegrityProblem(f) for f in found if f != "ok"]
            for row in self.conn.execute("PRAGMA foreign_key_check").fetchall():
                problems.append(IntegrityProblem(table=str(row[0]), row=row[1], parent=str(row[2])))
        except sqlite3.DatabaseError as exc:  # too damaged for SQLite to even walk it
            raise LedgerError(
                f"ledger {self.path} is damaged ({exc}); restore a backup — nothing was changed",
                zh=f"台账 {self.path} 已损坏（{exc}）；请用备份恢复——未作任何改动",
            ) from exc
        return problems

    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def backup(self, target: Path) -> Path:
        """Copy the ledger with SQLite's online backup API (consistent even while another process writes)."""
        target = Path(target)
        if target.exists():
            raise LedgerError(
                f"{target} already exists; choose a new file for the backup",
                zh=f"{target} 已存在；请为备份另选一个文件",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".civcheck-tmp-{os.getpid()}-{target.name}")
        dest = sqlite3.connect(temp)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        os.replace(temp, target)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO events(at, what, detail) VALUES (?, 'backup', ?)", (now_text(), str(target))
            )
        return target

    def event(self, what: str, detail: str = "", round_id: int | None = None) -> None:
        self.conn.execute(
            "INSERT INTO events(at, what, round_id, detail) VALUES (?, ?, ?, ?)",
            (now_text(), what, round_id, detail),
        )
