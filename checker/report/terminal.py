"""The terminal report (rich): summary, Ⅰ items with bars, methods, top gaps, department ranking.

It fits 80 columns, and on a console that is not a terminal rich writes plain text (no colour codes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from checker.report import tables
from checker.report.history import TRACKING_LISTS, gaps_with_history, lifecycle_text
from checker.report.labels import LABELS, check_lang, label, method_label, status_label
from checker.report.reasons import gap_texts, reason_text, veto_texts
from checker.report.sanitize import inline_text

if TYPE_CHECKING:
    from pathlib import Path

    from checker.scoring.assessment import Assessment

TOP_GAPS = 10
TOP_DEPARTMENTS = 10
TOP_PLAN = 10
WIDE = 120  # from this width names are shown whole and --detail reasons are folded, not cut
BAR_WIDTH = 16
STATUS_STYLES = {
    "pass": "green",
    "partial": "yellow",
    "fail": "red",
    "no_evidence": "dim",
    "not_applicable": "dim",
    "invalid": "magenta",
}

ProgressCallback = Callable[[int, int, str], None]


def bar(rate: float, width: int = BAR_WIDTH) -> Text:
    """A score-rate bar of full and light blocks, coloured by how close the rate is to 100%."""
    rate = max(0.0, min(1.0, rate))
    full = round(rate * width)
    style = "green" if rate >= 0.9 else "yellow" if rate >= 0.7 else "red"
    return Text("█" * full, style=style) + Text("░" * (width - full), style="dim")


def _n(value: Any, digits: int = 2) -> str:
    return tables.number_text(value, digits, missing="—")


def _pct(value: Any) -> str:
    return tables.percent_text(value, 0, missing="—")


def _method(method: str, lang: str) -> str:
    key = f"term.method.{method}"
    return label(key, lang) if key in LABELS else method_label(method, lang)


def _summary(a: Assessment, lang: str) -> Panel:
    total = a.total
    read, accepted, rejected = tables.rows_read(a)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    edition = label("handbook_edition", lang).format(name=a.handbook_name, edition=a.handbook_edition)
    grid.add_row(label("handbook", lang), inline_text(edition))
    if a.district:
        grid.add_row(label("district", lang), inline_text(a.district))
    grid.add_row(label("test_date", lang), a.options.test_date.isoformat())
    grid.add_row(
        label("inputs_read", lang),
        f"{len(a.inputs):,} · {label('rows_accepted', lang)} {accepted:,} / {read:,} · "
        f"{label('rows_rejected', lang)} {rejected:,}",
    )
    score = Text(f"{total.score:.2f} / {total.max:.2f}", style="bold")
    score += Text(f"   {label('total_range', lang)} {total.low:.2f}–{total.high:.2f}")
    grid.add_row(label("total", lang), score)
    grid.add_row(label("max_reachable", lang), f"{total.max_reachable:.2f}")
    if total.deductions:
        grid.add_row(label("deductions", lang), f"{total.deductions:.2f}")
    target = a.options.target
    if target is not None:
        grid.add_row(label("term.target", lang), _target_text(a, target, lang))
    if total.veto:
        reasons = label("reason.sep", lang).join(inline_text(r) for r in veto_texts(a, lang))
        grid.add_row(
            Text(label("veto", lang), style="bold red"), Text(reasons or label("veto_yes", lang), style="red")
        )
    if a.options.observed_draw:
        grid.add_row("", label("observed_draw", lang))
    return Panel(grid, title=label("report_title", lang), title_align="left", box=box.ROUNDED)


def _target_text(a: Assessment, target: float, lang: str) -> Text:
    """Distance to the target and the plan's size: what --target asks, on the first screen."""
    gap = target - a.total.score
    if gap <= 0:
        return Text(label("term.target_met", lang).format(target=f"{target:.2f}"), style="green")
    plan = a.plan
    reach = float(plan["cumulative_score"].iloc[-1]) if len(plan) else a.total.score
    key = "term.target_plan" if reach >= target - 0.005 else "term.target_short"
    text = label(key, lang).format(
        target=f"{target:.2f}", gap=f"{gap:.2f}", steps=f"{len(plan):,}", reach=f"{reach:.2f}"
    )
    return Text(text, style="yellow" if key == "term.target_plan" else "red")


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)


def _projects(a: Assessment, lang: str) -> Table:
    table = _table(label("projects", lang))
    table.add_column(label("term.project", lang), no_wrap=True)
    table.add_column(label("term.name", lang), overflow="ellipsis", max_width=30, no_wrap=True)
    table.add_column(label("term.score", lang), justify="right", no_wrap=True)
    table.add_column(label("term.rate", lang), justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for p in sorted(tables.projects(a), key=lambda p: (p.rate, p.code)):  # the worst first
        table.add_row(
            p.code, inline_text(p.name), f"{p.score:.2f}/{p.points:.2f}", f"{p.rate:.0%}", bar(p.rate)
        )
    return table


def _methods(a: Assessment, lang: str) -> Table:
    table = _table(label("methods", lang))
    table.add_column(label("term.method", lang), no_wrap=True)
    table.add_column(label("term.score", lang), justify="right", no_wrap=True)
    table.add_column(label("term.weighted", lang), justify="right", no_wrap=True)
    table.add_column(label("term.rate", lang), justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for m in tables.methods(a):
        table.add_row(
            _method(m.code, lang),
            f"{m.score:.2f}/{m.points:.2f}",
            f"{m.weighted or 0:.2f}/{m.weighted_max or 0:.2f}",
            f"{m.rate:.0%}",
            bar(m.rate, 12),
        )
    return table


def _unit_width(width: int) -> int:
    """Cells for a unit's name: whole names (up to 12 characters) from 120 columns, folded below."""
    return 24 if width >= WIDE else 12


def _gaps(a: Assessment, lang: str, width: int) -> Group:
    gaps = a.gaps
    shown = gaps.head(TOP_GAPS)
    table = _table(label("top_gaps", lang))
    table.add_column(label("term.code", lang), no_wrap=True)
    table.add_column(label("term.gap", lang), overflow="fold")
    table.add_column(label("term.department", lang), overflow="fold", max_width=_unit_width(width))
    table.add_column(label("term.total_recoverable", lang), justify="right", no_wrap=True)
    table.add_column(label("term.deadline", lang), no_wrap=True)
    tracked = a.tracking is not None
    if tracked:
        table.add_column(label("col.lifecycle", lang), no_wrap=True)
        states = gaps_with_history(a, shown)["lifecycle"].tolist()
    if len(shown):
        data = {
            c: tables.column_values(shown, c)
            for c in ("standard", "site_name", "department", "total_recoverable", "deadline")
            if c in shown.columns
        }
        data["description"] = gap_texts(a, shown, lang)[0]
        for i in range(len(shown)):
            site = inline_text(data.get("site_name", [""] * len(shown))[i])
            what = inline_text(data.get("description", [""] * len(shown))[i])
            deadline = data.get("deadline", [None] * len(shown))[i]
            row = [
                inline_text(data.get("standard", [""] * len(shown))[i]),
                label("gap_at_site", lang).format(site=site, what=what) if site else what,
                inline_text(data.get("department", [""] * len(shown))[i]),
                _n(data.get("total_recoverable", [None] * len(shown))[i], 3),
                deadline.isoformat() if deadline is not None else "",
            ]
            if tracked:
                row.append(lifecycle_text(states[i], lang))
            table.add_row(*row)
    parts: list[Any] = [table]
    rest = len(gaps) - len(shown)
    if rest > 0:
        parts.append(Text(label("more_gaps", lang).format(n=f"{rest:,}"), style="dim"))
    return Group(*parts)


def _departments(a: Assessment, lang: str) -> Group:
    """The units with most points still to recover (every kind of gap they own), worst first."""
    ranking = a.departments
    if "total_recoverable" in ranking.columns:
        ranking = ranking.sort_values(
            ["total_recoverable", "department"], ascending=[False, True], kind="stable"
        )
    frame = ranking.head(TOP_DEPARTMENTS)
    table = _table(label("term.units_behind", lang))
    columns = [c for c in ("department", "gaps", "conformity", "total_recoverable") if c in frame.columns]
    for c in columns:
        if c == "department":
            # Four narrow columns beside it: a whole name fits even at 80 columns.
            table.add_column(label("term.department", lang), overflow="fold", max_width=_unit_width(WIDE))
        else:
            table.add_column(label(f"term.{c}", lang), justify="right", no_wrap=True)
    data = {c: tables.column_values(frame, c) for c in columns}
    for i in range(len(frame)):
        cells = []
        for c in columns:
            value = data[c][i]
            if c == "department":
                cells.append(inline_text(value))
            elif c == "conformity":
                cells.append(_pct(value))
            elif c == "total_recoverable":
                cells.append(_n(value, 3))
            else:
                cells.append(_n(value))
        table.add_row(*cells)
    parts: list[Any] = [table]
    rest = len(ranking) - len(frame)
    if rest > 0:
        parts.append(Text(label("more_units", lang).format(n=f"{rest:,}"), style="dim"))
    return Group(*parts)


def _plan(a: Assessment, lang: str, width: int) -> Group:
    """The first steps of the plan (整改计划) toward --target: what to fix, in order."""
    plan = a.plan
    shown = plan.head(TOP_PLAN)
    table = _table(label("term.plan", lang))
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(label("term.code", lang), no_wrap=True)
    table.add_column(label("term.fix", lang), overflow="fold")
    table.add_column(label("term.department", lang), overflow="fold", max_width=_unit_width(width))
    table.add_column(label("term.cumulative", lang), justify="right", no_wrap=True)
    data = {c: tables.column_values(shown, c) for c in shown.columns}
    gaps = a.gaps[a.gaps["id"].isin(list(data.get("id", [])))] if len(shown) else a.gaps.iloc[0:0]
    texts = dict(zip(tables.column_values(gaps, "id"), gap_texts(a, gaps, lang)[0], strict=True))
    names = dict(zip(tables.column_values(gaps, "id"), tables.column_values(gaps, "site_name"), strict=True))
    for i in range(len(shown)):
        step_id = data.get("id", [""] * len(shown))[i]
        # A site fix by its site's name; any other fix by what its gap says (the survey rate, the materials).
        where = inline_text(
            names.get(step_id) or texts.get(step_id) or data.get("site", [""] * len(shown))[i]
        )
        table.add_row(
            str(data["step"][i]),
            inline_text(data["standard"][i]),
            where,
            inline_text(data["department"][i]),
            _n(data["cumulative_score"][i]),
        )
    parts: list[Any] = [table]
    if len(plan) > len(shown):
        parts.append(Text(label("more_steps", lang).format(n=f"{len(plan) - len(shown):,}"), style="dim"))
    return Group(*parts)


def _tracking(a: Assessment, lang: str) -> Text:
    """One line per tracking list: how many problems closed, still open, overdue, falsely claimed, recurred."""
    track = a.tracking
    assert track is not None
    head = f"{label('tracking_title', lang)}: {track.previous or '—'} → {track.round}"
    lines = [head] + [f"  {label(f'track.{k}', lang)}: {len(getattr(track, k)):,}" for k in TRACKING_LISTS]
    return Text("\n".join(lines))


# The 通报 columns on a wide terminal, and the ones kept below WIDE_ACCOUNTABILITY columns (the unit's name
# must stay readable at 80: a clerk reads who is behind before how many replies came).
ACCOUNTABILITY_WIDE = ("rank", "department", "assigned", "replied", "on_time", "verified_fixed", "false_claims",
                       "recurred", "overdue", "fix_rate")  # fmt: skip
ACCOUNTABILITY_NARROW = (
    "rank",
    "department",
    "assigned",
    "verified_fixed",
    "false_claims",
    "overdue",
    "fix_rate",
)
WIDE_ACCOUNTABILITY = 110


def _accountability(a: Assessment, lang: str, width: int) -> Table:
    """The units' rectification record, worst first; every unit is shown."""
    track = a.tracking
    assert track is not None
    frame = track.accountability
    table = _table(label("accountability_title", lang))
    columns = ACCOUNTABILITY_WIDE if width >= WIDE_ACCOUNTABILITY else ACCOUNTABILITY_NARROW
    for c in columns:
        if c == "department":
            table.add_column(label("term.department", lang), overflow="fold", min_width=10, max_width=20)
        else:
            title = label(f"col.{c}", lang) if c != "rank" else "#"
            table.add_column(title, justify="right", no_wrap=True, min_width=min(len(title) * 2, 8))
    data = {c: tables.column_values(frame, c) for c in columns}
    for i in range(len(frame)):
        table.add_row(
            *(
                (inline_text(data[c][i]) or label("unassigned", lang)) if c == "department"
                else _pct(data[c][i]) if c == "fix_rate"
                else _n(data[c][i])
                for c in columns
            )
        )  # fmt: skip
    return table


def _detail(a: Assessment, lang: str, width: int) -> Table:
    table = _table(label("all_standards", lang))
    table.add_column(label("term.code", lang), no_wrap=True)
    table.add_column(label("term.method", lang), no_wrap=True)
    table.add_column(label("term.status", lang), no_wrap=True)
    table.add_column(label("term.grade", lang), no_wrap=True)
    table.add_column(label("term.score", lang), justify="right", no_wrap=True)
    table.add_column(label("term.p_full", lang), justify="right", no_wrap=True)
    # One line per standard below 120 columns (the reason is cut; the workbook has it whole).
    table.add_column(
        label("term.reason", lang), overflow="fold" if width >= WIDE else "ellipsis", no_wrap=width < WIDE
    )
    for s in a.standards:
        table.add_row(
            s.code,
            _method(s.method, lang),
            Text(status_label(s.status, lang), style=STATUS_STYLES.get(s.status, "")),
            s.grade or "—",
            f"{s.score:.2f}/{s.points:.2f}",
            _pct(s.p_full),
            inline_text(reason_text(s, lang)),
        )
    return table


def evidence_console(*, stderr: bool = False) -> Console:
    """A console that prints text as it is: evidence (a unit named ``区水务局[/]``, a ``[link=…]`` or an
    ``:emoji:`` code) is never interpreted as rich markup, emoji codes or highlighting. Everything this
    module draws is built from Text and tables, not markup strings."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def render_terminal(
    assessment: Assessment, *, lang: str = "zh", detail: bool = False, console: Console | None = None
) -> None:
    """Print the terminal report to ``console`` (default: stdout; plain text when it is not a terminal)."""
    lang = check_lang(lang)
    out = console if console is not None else evidence_console()
    out.print(_summary(assessment, lang))
    # The first screen: the total, the distance to the target, the worst Ⅰ items, the units furthest
    # behind, the gaps worth most; then the plan's first steps, the methods and (--detail) every standard.
    out.print(_projects(assessment, lang))
    out.print(_departments(assessment, lang))
    out.print(_gaps(assessment, lang, out.width))
    if assessment.options.target is not None and len(assessment.plan):
        out.print(_plan(assessment, lang, out.width))
    out.print(_methods(assessment, lang))
    if detail:
        out.print(_detail(assessment, lang, out.width))
    if assessment.tracking is not None:
        out.print(_tracking(assessment, lang))
        out.print(_accountability(assessment, lang, out.width))
    hint = (
        label("rejected_hint", lang).format(n=f"{len(assessment.rejected):,}")
        if assessment.rejected
        else label("rejected_none", lang)
    )
    out.print(Text(hint, style="yellow" if assessment.rejected else "dim"))


@contextlib.contextmanager
def reading_progress(
    console: Console | None = None, *, lang: str = "zh", quiet: bool = False
) -> Iterator[ProgressCallback]:
    """A progress bar while evidence files are read; yields ``callback(done, total, file)``.

    On a console that is not a terminal, or a dumb one, or with ``quiet``, the callback does nothing (logs
    stay clean).
    """
    with _transient_bar(console, label("reading", lang), quiet) as update:
        yield update


@contextlib.contextmanager
def writing_progress(
    console: Console | None = None, *, lang: str = "zh", quiet: bool = False
) -> Iterator[Callable[[int, int, Path], None]]:
    """A progress bar while report files are written, one step per output; yields the ``progress``
    callback of :func:`~checker.report.writer.write_reports`. Silent where :func:`reading_progress` is."""
    with _transient_bar(console, label("writing", lang), quiet) as update:
        yield lambda done, total, path: update(done, total, path.name)


@contextlib.contextmanager
def _transient_bar(console: Console | None, description: str, quiet: bool) -> Iterator[ProgressCallback]:
    """A bar on stderr that disappears when done; a callback doing nothing off a (non-dumb) terminal."""
    out = console if console is not None else evidence_console(stderr=True)
    if (
        quiet or not out.is_terminal or out.is_dumb_terminal
    ):  # TERM=dumb (editors, CI runners): no redrawn bar
        yield lambda done, total, file: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[file]}", style="dim", markup=False),
        console=out,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=None, file="")

        def update(done: int, total: int, file: str) -> None:
            progress.update(task, completed=done, total=total, file=inline_text(file)[-40:])

        yield update
