"""The ``civcheck`` command: parse options, call one function of :mod:`checker.commands`, return its exit code.

Kept thin and light: nothing heavy (pandas, openpyxl, pydantic models) is imported until a command runs,
so ``civcheck --help`` and ``civcheck --version`` start fast. Exit codes: 0 done, 1 below ``--fail-under``,
2 bad usage, bad handbook or no readable evidence. A user error never shows a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from checker import __version__
from checker.errors import CivcheckError, HandbookError

app = typer.Typer(
    name="civcheck",
    help="全国文明城市测评 self-check: score a district's evidence against a handbook and list the gaps.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
handbook_app = typer.Typer(
    help="Criteria packs (测评体系): list, show, validate, schema, import, export.", no_args_is_help=True
)
app.add_typer(handbook_app, name="handbook")

PackOption = Annotated[
    str, typer.Option("--handbook", "-H", help="Pack id (bundled) or path to a pack folder / YAML file.")
]
DEFAULT_PACK = "wenming-city"
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the messages and outputs: zh or en "
        "(default: $CIVCHECK_LANG, else the campaign's setting, else zh).",
        show_default=False,
    ),
]
QuietOption = typer.Option("--quiet", "-q", help="Print nothing but errors; the exit code tells the result.")
VerboseOption = typer.Option(
    "--verbose", "-v", help="Also print the files read and how long each phase took (on stderr)."
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"civcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """全国文明城市测评 self-check (创城自查)."""


# -- handbook -----------------------------------------------------------------------------------------


@handbook_app.command("list")
def handbook_list(
    path: Annotated[Path | None, typer.Argument(help="Also list packs found under this folder.")] = None,
    lang: LangOption = None,
) -> None:
    """List bundled packs (and packs under PATH)."""
    from checker.commands.handbook import run_list

    raise typer.Exit(run_list(path, lang))


@handbook_app.command("show")
def handbook_show(
    code: Annotated[str, typer.Argument(help="Standard code or alias, e.g. Ⅲ-1-1.")],
    handbook: PackOption = DEFAULT_PACK,
    lang: LangOption = None,
) -> None:
    """Show one standard with all its fields."""
    from checker.commands.handbook import run_show

    raise typer.Exit(run_show(handbook, code, lang))


@handbook_app.command("validate")
def handbook_validate(
    path: Annotated[str, typer.Argument(help="Pack folder, YAML file or bundled id.")],
    lang: LangOption = None,
) -> None:
    """Validate a pack; every problem is listed with file, line and path."""
    from checker.commands.handbook import run_validate

    raise typer.Exit(run_validate(path, lang))


@handbook_app.command("summary")
def handbook_summary(
    path: Annotated[str, typer.Argument(help="Pack folder or bundled id.")] = DEFAULT_PACK,
    lang: LangOption = None,
) -> None:
    """Summarise a pack: levels, methods, points, site types, departments."""
    from checker.commands.handbook import run_summary

    raise typer.Exit(run_summary(path, lang))


@handbook_app.command("schema")
def handbook_schema(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to a file instead of stdout.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Print the JSON Schema of the pack format (for editors)."""
    from checker.commands.handbook import run_schema

    raise typer.Exit(run_schema(output, lang))


@handbook_app.command("import")
def handbook_import(
    workbook: Annotated[Path, typer.Argument(help="Handbook spreadsheet (.xlsx).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the pack into.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing pack folder.")] = False,
    lang: LangOption = None,
) -> None:
    """Import a handbook spreadsheet (操作手册) into a YAML pack."""
    from checker.commands.handbook import run_import

    raise typer.Exit(run_import(workbook, output, force, lang))


@handbook_app.command("export")
def handbook_export(
    pack: Annotated[str, typer.Argument(help="Pack id or folder.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    lang: LangOption = None,
) -> None:
    """Export a pack as a handbook spreadsheet."""
    from checker.commands.handbook import run_export

    raise typer.Exit(run_export(pack, output, force, lang))


# -- evidence -----------------------------------------------------------------------------------------


@app.command("template")
def template(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the blank workbooks.")],
    handbook: PackOption = DEFAULT_PACK,
    by_department: Annotated[
        bool, typer.Option("--by-department", help="One workbook per responsible department.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
    lang: LangOption = None,
) -> None:
    """Write blank evidence workbooks with headers and drop-down lists."""
    from checker.commands.generate import run_template

    raise typer.Exit(run_template(handbook, output, by_department, force, lang))


@app.command("sample")
def sample(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the synthetic round.")],
    sites: Annotated[int, typer.Option("--sites", min=10, help="Number of sites in the register.")] = 600,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed → same files).")] = 2026,
    handbook: PackOption = DEFAULT_PACK,
    inspections: Annotated[
        int | None, typer.Option("--inspections", help="Aim for this many inspection rows (benchmarks).")
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Write inspections as CSV instead of xlsx.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing folder.")] = False,
    clean: Annotated[
        bool,
        typer.Option("--clean", help="Leave out the few bad rows and missing evidence a real round has."),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Generate a deterministic synthetic round of evidence for a fictional district."""
    from checker.commands.generate import run_sample

    raise typer.Exit(run_sample(handbook, output, sites, seed, inspections, csv, force, clean, lang))


@app.command("read")
def read(
    evidence: Annotated[Path, typer.Argument(help="Evidence folder (searched recursively) or one file.")],
    handbook: PackOption = DEFAULT_PACK,
    lang: LangOption = None,
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Comma-separated: terminal, json, xlsx (the rejected rows, one workbook per unit).",
        ),
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Folder for the rejected rows (json, xlsx).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
    quiet: Annotated[bool, QuietOption] = False,
    verbose: Annotated[bool, VerboseOption] = False,
) -> None:
    """Read a round of evidence and account for every row (no scoring); write the rejected rows to send back."""
    from checker.commands.evidence import run_read
    from checker.commands.options import resolve_lang

    code = run_read(
        handbook,
        evidence,
        resolve_lang(lang),
        formats=formats,
        output=output,
        force=force,
        quiet=quiet,
        verbose=verbose,
    )
    raise typer.Exit(code)


# -- check --------------------------------------------------------------------------------------------


CampaignOption = Annotated[
    Path | None,
    typer.Option(
        "--campaign", help="Campaign folder (made by `civcheck init`); default: the folder you are in."
    ),
]


@app.command("check")
def check(
    evidence: Annotated[Path, typer.Argument(help="Evidence folder (searched recursively) or one file.")],
    handbook: Annotated[
        str | None,
        typer.Option(
            "--handbook", "-H", help="Pack id or path (default: the campaign's, else wenming-city)."
        ),
    ] = None,
    test_date: Annotated[
        str | None, typer.Option("--test-date", help="Assessment date YYYY-MM-DD (default: today).")
    ] = None,
    target: Annotated[float | None, typer.Option("--target", help="Target total score for the plan.")] = None,
    fail_under: Annotated[
        float | None, typer.Option("--fail-under", help="Exit 1 when the total is below this.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Folder for the report files (default: ./civcheck-report)."),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Comma-separated: terminal, json, xlsx, html, text."),
    ] = None,
    lang: LangOption = None,
    detail: Annotated[bool, typer.Option("--detail", help="Terminal: list every standard.")] = False,
    dispatch: Annotated[
        bool, typer.Option("--dispatch", help="Write one 交办单 workbook per department.")
    ] = False,
    observed_draw: Annotated[
        bool,
        typer.Option("--observed-draw", help="The evidence is a mock test with the assessors' own draw."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing report files.")] = False,
    issued: Annotated[
        str | None,
        typer.Option(
            "--issued", help="交办日期 YYYY-MM-DD deadlines count from (default: last inspection date)."
        ),
    ] = None,
    campaign: CampaignOption = None,
    record: Annotated[
        bool, typer.Option("--record", help="Record the round into the campaign's ledger (创建台账).")
    ] = False,
    round_name: Annotated[
        str | None, typer.Option("--round", help="Name of the recorded round (default: its 交办日期).")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Record again a round already recorded under that name.")
    ] = False,
    quiet: Annotated[bool, QuietOption] = False,
    verbose: Annotated[bool, VerboseOption] = False,
) -> None:
    """Read evidence, score every standard and list the gaps."""
    from checker.commands.check import CheckArgs, run_check

    args = CheckArgs(
        evidence=evidence,
        handbook=handbook,
        test_date=test_date,
        target=target,
        fail_under=fail_under,
        output=output,
        formats=formats,
        lang=lang,
        detail=detail,
        dispatch=dispatch,
        observed_draw=observed_draw,
        force=force,
        issued=issued,
        campaign=campaign,
        record=record,
        round_name=round_name,
        replace=replace,
        quiet=quiet,
        verbose=verbose,
    )
    raise typer.Exit(run_check(args))


# -- the campaign ---------------------------------------------------------------------------------------

ledger_app = typer.Typer(help="The campaign ledger (创建台账): check, backup, decide.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


@app.command("init")
def init(
    folder: Annotated[Path, typer.Argument(help="The campaign folder to create.")],
    district: Annotated[str, typer.Option("--district", help="The district's name (区名).")],
    handbook: PackOption = DEFAULT_PACK,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing civcheck.toml.")] = False,
    lang: LangOption = None,
) -> None:
    """Create a campaign folder: settings (civcheck.toml), the ledger, folders for rounds and replies."""
    from checker.commands.campaign import run_init

    raise typer.Exit(run_init(folder, district, handbook, force, lang))


@app.command("reply")
def reply(
    paths: Annotated[list[Path], typer.Argument(help="Returned 交办单 (files or folders).")],
    campaign: CampaignOption = None,
    received: Annotated[
        str | None, typer.Option("--received", help="Day the replies came in (default: today).")
    ] = None,
    handbook: Annotated[str | None, typer.Option("--handbook", "-H", help="Pack id or path.")] = None,
    lang: LangOption = None,
) -> None:
    """Record departments' replies (整改反馈) from returned 交办单 into the ledger."""
    from checker.commands.campaign import run_reply

    raise typer.Exit(run_reply(campaign, paths, received, handbook, lang))


@app.command("diff")
def diff(
    before: Annotated[
        str | None, typer.Argument(help="Round name or report.json (default: second last).")
    ] = None,
    after: Annotated[str | None, typer.Argument(help="Round name or report.json (default: last).")] = None,
    campaign: CampaignOption = None,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: terminal, json, xlsx.")
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Folder for diff.json / 轮次对比.xlsx.")
    ] = None,
    lang: LangOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Compare two rounds: totals, Ⅰ items, problems new / fixed / persisting / recurred, units."""
    from checker.commands.diff import run_diff

    raise typer.Exit(run_diff(campaign, before, after, formats, output, lang, force))


round_app = typer.Typer(
    help="Rounds by their result: enter an assessment's own result, mark a round official.",
    no_args_is_help=True,
)
app.add_typer(round_app, name="round")


@app.command("history")
def history(
    campaign: CampaignOption = None,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: terminal, json, xlsx, html.")
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Folder for history.json / 趋势.xlsx / 趋势.html.")
    ] = None,
    target: Annotated[
        float | None,
        typer.Option(
            "--target",
            help="Target cycle score: what the open years must reach (default: the campaign's target).",
        ),
    ] = None,
    lang: LangOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Trends over the recorded rounds (total, Ⅰ items, methods, departments) and the cycle score."""
    from checker.commands.history import run_history

    raise typer.Exit(run_history(campaign, formats, output, target, lang, force))


@round_app.command("add")
def round_add(
    year: Annotated[int, typer.Option("--year", help="The year the result is for.")],
    score: Annotated[float, typer.Option("--score", help="The total score.")],
    name: Annotated[
        str | None, typer.Option("--round", help="Round name (default: e.g. 2025年度正式测评).")
    ] = None,
    official: Annotated[
        bool, typer.Option("--official", help="The year's official assessment result.")
    ] = False,
    low: Annotated[
        float | None, typer.Option("--low", help="Low end of the range (default: the score).")
    ] = None,
    high: Annotated[
        float | None, typer.Option("--high", help="High end of the range (default: the score).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Date of the result (default: 31 December).")
    ] = None,
    campaign: CampaignOption = None,
    lang: LangOption = None,
) -> None:
    """Enter a round by its result alone (no evidence, no findings), e.g. a year's official result."""
    from checker.commands.history import run_round_add

    raise typer.Exit(run_round_add(campaign, name, year, score, low, high, official, on, lang))


@round_app.command("mark")
def round_mark(
    name: Annotated[str, typer.Argument(help="A recorded round's name.")],
    official: Annotated[
        bool, typer.Option("--official/--not-official", help="Is it the year's official result?")
    ] = True,
    year: Annotated[int | None, typer.Option("--year", help="The year the round counts for.")] = None,
    campaign: CampaignOption = None,
    lang: LangOption = None,
) -> None:
    """Mark a recorded round as its year's official result (or not), or set the year it counts for."""
    from checker.commands.history import run_round_mark

    raise typer.Exit(run_round_mark(campaign, name, official, year, lang))


@app.command("city")
def city(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for city.json / 全市汇总.xlsx / .html.")
    ],
    districts: Annotated[
        list[Path] | None, typer.Argument(help="Districts' campaign folders or report.json files.")
    ] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option(
            "--evidence", "-e", help="NAME=DIR: a district's round of evidence, checked here (repeatable)."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Districts' evidence checked at once (default: the cores)."),
    ] = None,
    handbook: PackOption = DEFAULT_PACK,
    test_date: Annotated[
        str | None,
        typer.Option("--test-date", help="Assessment date of the --evidence rounds (default: today)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: terminal, json, xlsx, html.")
    ] = "terminal,json,xlsx,html",
    lang: LangOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """The city's view: districts ranked, the Ⅰ items where the city loses most, departments summed."""
    from checker.commands.city import run_city

    raise typer.Exit(
        run_city(districts or [], output, formats, lang, force, evidence, jobs, handbook, test_date)
    )


@ledger_app.command("check")
def ledger_check(campaign: CampaignOption = None, lang: LangOption = None) -> None:
    """Check the ledger's integrity and schema version."""
    from checker.commands.campaign import run_ledger_check

    raise typer.Exit(run_ledger_check(campaign, lang))


@ledger_app.command("backup")
def ledger_backup(
    target: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
    campaign: CampaignOption = None,
    lang: LangOption = None,
) -> None:
    """Copy the ledger with SQLite's online backup (safe while another civcheck records)."""
    from checker.commands.campaign import run_ledger_backup

    raise typer.Exit(run_ledger_backup(campaign, target, lang))


@ledger_app.command("decide")
def ledger_decide(
    problem: Annotated[str, typer.Argument(help="Problem id (问题编号).")],
    decision: Annotated[
        str, typer.Argument(help="accept (同意) or reject (驳回) the unit's 无法整改/有异议.")
    ],
    note: Annotated[str, typer.Option("--note", help="The office's note.")] = "",
    on: Annotated[str | None, typer.Option("--on", help="Day of the decision (default: today).")] = None,
    campaign: CampaignOption = None,
    lang: LangOption = None,
) -> None:
    """Record the office's decision on a 无法整改 / 有异议 reply."""
    from checker.commands.campaign import run_ledger_decide

    raise typer.Exit(run_ledger_decide(campaign, problem, decision, note, on, lang))


@app.command("report-schema")
def report_schema() -> None:
    """Print the JSON Schema of report.json."""
    from checker.commands.check import run_report_schema

    raise typer.Exit(run_report_schema())


def _lang_of(argv: list[str]) -> str:
    """The language a run asked for (--lang, else $CIVCHECK_LANG, else zh), for messages of errors that
    stop it before or outside its command."""
    import os

    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("CIVCHECK_LANG") or "zh"


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; civcheck's own errors and file-system errors become a message in the run's
    language and exit code 2, an unexpected error (a bug) one line and exit code 3 — never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="civcheck")
    except SystemExit as done:  # click's standalone mode ends every run this way (usage errors → 2)
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except HandbookError as exc:  # each problem rendered from its code's templates, in the run's language
        from checker.commands.handbook import handbook_error_text

        print(f"civcheck: {handbook_error_text(exc, _lang_of(args))}", file=sys.stderr)
        return 2
    except CivcheckError as exc:
        print(f"civcheck: {exc.text(_lang_of(args))}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path that is a file, no permission, a full disk: named, never a traceback
        from checker.commands.options import file_error

        print(f"civcheck: {file_error(exc).text(_lang_of(args))}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of civcheck, not of the user: one line, the details in a file
        return _internal_error(exc, _lang_of(args))
    return 0


def run() -> None:
    """The ``civcheck`` command: :func:`main`, then leave without tearing the interpreter down.

    Everything is written and closed by then; freeing the objects of a big check one by one (a million-row
    round's frames, a quarter of a million gaps) took ~0.25 s of a run whose work was done. The exit
    handlers still run (multiprocessing removes its worker server's folder); only the heap is left to the
    system, which frees it at once."""
    code = main()
    import atexit
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say
            stream.flush()

    atexit._run_exitfuncs()
    os._exit(code)


INTERNAL_ERROR = 3  # exit code of a civcheck bug (0 done, 1 below --fail-under, 2 bad input or usage)


def _internal_error(exc: Exception, lang: str) -> int:
    """Write the traceback to a file in the temporary folder and say where, in one line; with
    CIVCHECK_DEBUG=1 the exception is raised as it is (for developers)."""
    import os
    import tempfile
    import traceback

    if os.environ.get("CIVCHECK_DEBUG"):
        raise exc
    detail = "".join(traceback.format_exception(exc))
    fd, name = tempfile.mkstemp(prefix="civcheck-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(detail)
    what = f"{type(exc).__name__}: {exc}"
    if lang == "en":
        print(f"civcheck: internal error ({what}); details in {name} — please report it", file=sys.stderr)
    else:
        print(f"civcheck: 内部错误（{what}），详细信息已写入 {name}，请反馈给维护人员", file=sys.stderr)
    return INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
