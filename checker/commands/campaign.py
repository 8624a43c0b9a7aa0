"""The campaign commands: ``init``, ``reply``, ``diff``, ``ledger backup|check|decide``, and what
``check --record`` adds to a check (replies found among the evidence, the round, its tracking)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.campaign.ledger import Ledger
    from checker.campaign.replies import ReplyOutcome
    from checker.campaign.settings import Settings
    from checker.handbook.model import Handbook
    from checker.intake.evidence import Evidence
    from checker.scoring.assessment import Assessment


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def campaign_settings(campaign: Path | None) -> Settings | None:
    """The settings of the campaign given with --campaign, else of the folder the command runs in (or a
    parent of it); None outside any campaign (every command then works as a one-shot check)."""
    from checker.campaign.settings import find_campaign, load_settings

    if campaign is not None:
        if not campaign.is_dir():
            raise UsageError(
                f"--campaign {campaign}: no such folder", zh=f"--campaign {campaign}：没有这个文件夹"
            )
        return load_settings(campaign)
    found = find_campaign(Path.cwd())
    return load_settings(found) if found is not None else None


def with_deadlines(handbook: Handbook, settings: Settings | None) -> Handbook:
    """The handbook with the campaign's deadline overrides (整改时限) applied."""
    if settings is None or not settings.deadline_days():
        return handbook
    days = handbook.settings.deadlines.model_copy(update=settings.deadline_days())
    return handbook.model_copy(update={"settings": handbook.settings.model_copy(update={"deadlines": days})})


def street_warnings(settings: Settings | None, evidence: Evidence, lang: str = "zh") -> list[str]:
    """A warning for each street in the site register that the campaign's list of 街道 does not hold,
    naming the file, sheet and first row, with the closest known name; also kept on the file's warnings.
    Nothing is checked without a campaign or with an empty list of streets. Returned as texts in ``lang``."""
    from checker.campaign.settings import street_key, unknown_streets
    from checker.intake.codes import fields_of
    from checker.intake.evidence import FileWarning

    sites = evidence.frame("sites")
    if settings is None or not settings.streets or sites.empty:
        return []
    names = sites["street"].fillna("").astype(str)
    keys = names.map(street_key)
    by_file = {info.file: info for info in evidence.inputs}
    found: list[str] = []
    for street, closest in unknown_streets(names.drop_duplicates().tolist(), settings.streets):
        rows = sites[keys == street_key(street)]
        first = rows.iloc[0]
        file, sheet = str(first["_file"]), str(first["_sheet"])
        where = fields_of(sheet=sheet, row=int(first["_row"]), street=street, rows=len(rows))
        if closest:
            warning = FileWarning("unknown-street-like", (*where, ("closest", closest)), file, sheet)
        else:
            warning = FileWarning("unknown-street", where, file, sheet)
        info = by_file.get(file)
        if info is not None:
            info.warnings.append(warning)
        found.append(f"{file}: {warning.text(lang)}")
    return found


def ledger_of(settings: Settings | None) -> Ledger:
    from checker.campaign.ledger import open_ledger

    if settings is None:
        raise UsageError(
            "this needs a campaign: run it inside a folder made by `civcheck init`, or give --campaign DIR",
            zh="此命令需要创建台账：请在 `civcheck init` 建立的文件夹中运行，或用 --campaign 指定文件夹",
        )
    return open_ledger(settings.ledger)


def run_init(folder: Path, district: str, handbook: str, force: bool, lang: str | None = None) -> int:
    from checker.campaign.ledger import create_ledger
    from checker.commands.options import pick, resolve_lang

    lang = resolve_lang(lang)
    from checker.campaign.settings import load_settings, write_campaign
    from checker.handbook.loader import load_handbook

    load_handbook(handbook)  # refuse a campaign on a handbook that does not load
    written = write_campaign(folder, district, handbook, force=force)
    settings = load_settings(folder)
    if not settings.ledger.exists():
        create_ledger(settings.ledger)
        written.append(settings.ledger)
    for path in written:
        _say(str(path))
    _say(pick(lang, f"✓ 创建台账已就绪：{folder}", f"✓ campaign ready: {folder}"))
    return 0


def record_check(
    settings: Settings | None,
    assessment: Assessment,
    handbook: Handbook,
    evidence: Evidence,
    round_name: str | None,
    replace_round: bool,
    lang: str,
) -> Assessment:
    """Record the round (and any replies among its evidence) into the campaign's ledger; return the
    assessment with its tracking and with the ids the ledger knows the problems by."""
    from checker.campaign.record import record_round
    from checker.campaign.replies import record_replies
    from checker.report.reasons import gap_texts

    # The ledger stores each finding's description in zh whatever --lang says (its content does not
    # depend on who ran the check); the report layer writes the sentences of the engine's codes.
    descriptions = gap_texts(assessment, assessment.gaps, "zh")[0]

    name = round_name or (assessment.issued or assessment.options.test_date).isoformat()
    with ledger_of(settings) as ledger:
        replies = evidence.frame("replies")
        if len(replies) and ledger.rounds():
            outcome = record_replies(
                ledger,
                replies,
                received=assessment.issued or assessment.options.test_date,
                today=date.today(),
            )
            _report_replies(outcome, lang)
        recorded = record_round(
            ledger, assessment, handbook, name, descriptions=descriptions, replace=replace_round
        )
    for warning in recorded.warnings:
        _say(f"⚠ {warning.text(lang)}")
    _say(
        _pick(
            lang,
            f"✓ 已记录轮次 {recorded.name}：{ledger.path}",
            f"✓ recorded round {recorded.name!r} in {ledger.path}",
        )
    )
    gaps = assessment.gaps
    if recorded.renamed:
        gaps = gaps.assign(id=gaps["id"].astype(str).replace(recorded.renamed).astype("string"))
    return replace(assessment, gaps=gaps, tracking=recorded.tracking)


def _pick(lang: str, zh: str, en: str) -> str:
    from checker.commands.options import pick

    return pick(lang, zh, en)


def _row_place(lang: str, row: int | None) -> str:
    if not row:
        return ""
    return _pick(lang, f" 第{row}行", f" row {row}")


def _report_replies(outcome: ReplyOutcome, lang: str) -> None:
    n, bad, dup = outcome.accepted, len(outcome.rejected), outcome.duplicates
    _say(
        _pick(lang, f"整改反馈：接受 {n} · 拒绝 {bad}", f"replies: {n} accepted · {bad} rejected")
        + (_pick(lang, f" · 重复 {dup}", f" · {dup} duplicates") if dup else "")
    )
    for r in outcome.rejected:
        where = f"{r.file}" + (f" {r.sheet}" if r.sheet else "") + _row_place(lang, r.row)
        _say(f"  {where} [{r.column}] {r.code}: {r.text(lang)}")


def run_reply(
    campaign: Path | None, paths: list[Path], received: str | None, handbook: str | None, lang: str | None
) -> int:
    """Read returned 交办单 (any format intake reads) and record their replies."""
    from checker.campaign.replies import record_replies
    from checker.commands.options import parse_day, resolve_lang
    from checker.handbook.loader import load_handbook
    from checker.intake.reader import read_evidence

    settings = campaign_settings(campaign)
    lang = resolve_lang(lang, settings.lang if settings else None)
    day = parse_day(received, "--received") if received else date.today()
    if day > date.today():
        raise UsageError(f"--received {day} is after today", zh=f"--received {day} 晚于今天")
    pack = load_handbook(handbook or (settings.handbook if settings else "wenming-city"))
    accepted = rejected = 0
    with ledger_of(settings) as ledger:
        for path in paths:
            if not path.exists():
                raise UsageError(f"no such file or folder: {path}", zh=f"没有这个文件或文件夹：{path}")
            evidence = read_evidence(path, pack)
            for r in evidence.rejected:
                _say(f"  {r.file} {r.sheet}{_row_place(lang, r.row)} [{r.column}] {r.code}: {r.text(lang)}")
            rejected += len(evidence.rejected)
            replies = evidence.frame("replies")
            if replies.empty:
                _say(_pick(lang, f"⚠ {path}：没有整改反馈行", f"⚠ {path}: no reply rows found"))
                continue
            outcome = record_replies(ledger, replies, received=day, today=date.today())
            _report_replies(outcome, lang)
            accepted += outcome.accepted
            rejected += len(outcome.rejected)
    _say(
        _pick(
            lang, f"✓ 共接受 {accepted} 条，拒绝 {rejected} 条", f"✓ {accepted} accepted, {rejected} rejected"
        )
    )
    return 0 if accepted or not rejected else 2


def _campaign_lang(campaign: Path | None, lang: str | None) -> tuple[Settings | None, str]:
    """The campaign's settings and the run's language (the option, $CIVCHECK_LANG, the setting, zh)."""
    from checker.commands.options import resolve_lang

    settings = campaign_settings(campaign)
    return settings, resolve_lang(lang, settings.lang if settings else None)


def run_ledger_check(campaign: Path | None, lang: str | None = None) -> int:
    from checker.campaign.ledger import SCHEMA_VERSION

    settings, lang = _campaign_lang(campaign, lang)
    with ledger_of(settings) as ledger:
        problems = ledger.integrity()
        rounds = ledger.rounds()
        names = f" ({', '.join(r.name for r in rounds)})" if rounds else ""
        print(_pick(lang, f"台账：{ledger.path}", f"ledger: {ledger.path}"))
        version = f"{ledger.version()} (civcheck {SCHEMA_VERSION})"
        print(_pick(lang, f"结构版本：{version}", f"schema version: {version}"))
        print(_pick(lang, f"轮次：{len(rounds)}", f"rounds: {len(rounds)}") + names)
        count = ledger.conn.execute("SELECT count(*) FROM problems").fetchone()[0]
        replies = ledger.conn.execute("SELECT count(*) FROM replies").fetchone()[0]
        print(_pick(lang, f"问题：{count} · 整改反馈：{replies}", f"problems: {count} · replies: {replies}"))
        for p in problems:
            print(f"✗ {p.text(lang)}")
        n = len(problems)
        ok = _pick(lang, "✓ 完整", "✓ integrity ok")
        print(ok if not problems else _pick(lang, f"✗ {n} 个问题", f"✗ {n} problem(s)"))
    return 0 if not problems else 2


def run_ledger_backup(campaign: Path | None, target: Path, lang: str | None = None) -> int:
    settings, lang = _campaign_lang(campaign, lang)
    with ledger_of(settings) as ledger:
        written = ledger.backup(target)
    _say(_pick(lang, f"✓ 已备份：{written}", f"✓ backed up to {written}"))
    return 0


def run_ledger_decide(
    campaign: Path | None, problem: str, decision: str, note: str, on: str | None, lang: str | None = None
) -> int:
    from checker.campaign.replies import record_decision
    from checker.commands.options import parse_day

    settings, lang = _campaign_lang(campaign, lang)
    day = parse_day(on, "--on") if on else date.today()
    with ledger_of(settings) as ledger:
        pid = record_decision(ledger, problem, decision, note, day)
    _say(_pick(lang, f"✓ {pid}：已记录决定 {decision}", f"✓ {pid}: decision {decision} recorded"))
    return 0
