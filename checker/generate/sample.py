"""A deterministic synthetic round of evidence for the fictional 滨江区 (``civcheck sample``).

The round is what a campaign office receives a few weeks before the assessors come: a site register,
one inspection workbook per sub-district team or department (each laid out its own way: with or
without a title row, results as 符合/√/合格/达标, dates as cells, ``2026/5/3`` or ``2026年5月3日``),
the online-submission materials with the files they point to, survey tallies and raw answers, the
indicators, and one negative-list event. Its gaps are a real district's: market hygiene and stall
order, parking on main roads, dirty back lanes, small ads, too few registered and active volunteers.
Like a real round it has a few flaws (``SampleOptions.flaws``, see :mod:`checker.generate.flaws`): five
inspection rows the reader rejects, in one or two departments' workbooks, one field standard whose rows
a department left out and one document standard whose materials were never submitted.

The default test date is :data:`DEFAULT_TEST_DATE` (2026-07-15): inspections fall in the weeks before
it and documents are dated against the window that date implies (12 months ending one month before,
for the usual pack). Check the sample with ``civcheck check DIR --test-date 2026-07-15``.
The same options and seed always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from checker.errors import UsageError
from checker.files import inside, replace_folder, unique_file_names
from checker.generate.district import DISTRICT, STREETS, profile_for
from checker.generate.flaws import (
    BadCell,
    document_left_out,
    flaw_stream,
    keep_rows,
    omit_document,
    plan_bad_cells,
    render_date,
    standard_left_out,
)
from checker.generate.inspections import Inspections, build_inspections, weekdays
from checker.generate.paperwork import (
    document_table,
    document_window,
    incident_table,
    indicator_table,
    survey_tables,
)
from checker.generate.register import Register, allocate, build_register
from checker.generate.writers import Table, excel_serial, write_csv, write_workbook
from checker.handbook.model import Handbook
from checker.intake.kinds import KINDS

__all__ = ["DEFAULT_TEST_DATE", "LAYOUTS", "Layout", "SampleOptions", "SampleSummary", "write_sample"]

DEFAULT_TEST_DATE = dt.date(2026, 7, 15)
# The self-check round: about five weeks, ending a month before the test.
ROUND_DAYS_BEFORE_TEST = (65, 33)
INSPECTION_FOLDER = "实地考察"
CONSTANT_MEMORY_ROWS = 50_000  # above this, workbooks stream rows to disk instead of holding them


@dataclass(frozen=True)
class SampleOptions:
    sites: int = 600
    seed: int = 2026
    inspections: int | None = None  # aim for exactly this many inspection rows (the register grows if needed)
    csv: bool = False  # inspections as CSV (UTF-8 with BOM) instead of xlsx
    test_date: dt.date = DEFAULT_TEST_DATE
    # A real round's few mistakes: 5 rejected inspection rows, a field and a document standard left out.
    # Off for benchmark inputs, which must read without rejections; with ``inspections`` the left-out
    # standard's rows are missing from the count.
    flaws: bool = True


@dataclass
class SampleSummary:
    """What ``civcheck sample`` wrote."""

    output: Path
    seed: int
    test_date: dt.date
    files: list[str] = field(default_factory=list)
    sites: int = 0
    site_types: int = 0
    uninspected_sites: int = 0
    inspections: int = 0
    problems: int = 0
    cases: int = 0
    inspection_files: int = 0
    documents: int = 0
    materials_required: int = 0
    materials_missing: int = 0
    materials_outdated: int = 0
    survey_questions: int = 0
    indicators: int = 0
    incidents: int = 0
    bad_rows: list[tuple[str, int, str]] = field(default_factory=list)  # (file, sheet row, intake code)
    left_out: list[str] = field(default_factory=list)  # standards without any evidence (codes)

    def _flaws(self, lang: str) -> str:
        codes = ", ".join(sorted({c for _, _, c in self.bad_rows}))
        missing = ", ".join(self.left_out)
        if lang == "en":
            line = f"  flaws     {len(self.bad_rows)} rows the reader rejects"
            line += f" ({codes})" if self.bad_rows else ""
            return line + (f"; no evidence for {missing}" if self.left_out else "")
        line = f"  瑕疵      {len(self.bad_rows)} 行将被退回"
        line += f"（{codes}）" if self.bad_rows else ""
        return line + (f"；无任何证据的标准：{missing}" if self.left_out else "")

    def describe(self, lang: str = "en") -> str:
        """What was written, in ``lang``."""
        rate = self.problems / self.inspections if self.inspections else 0.0
        flaws = [self._flaws(lang)] if self.bad_rows or self.left_out else []
        day = f"{self.test_date:%Y-%m-%d}"
        if lang != "en":
            return "\n".join(
                [
                    f"已为{DISTRICT}生成一轮样例证据：{self.output}"
                    f"（随机种子 {self.seed}，测评日期 {day}），共 {len(self.files)} 个文件",
                    f"  点位台账  {self.sites} 个点位，{self.site_types} 类，分布于 {len(STREETS)} 个街道，"
                    f"{self.uninspected_sites} 个未考察",
                    f"  实地考察  {self.inspections} 行，{self.inspection_files} 个文件，"
                    f"{self.problems} 行有问题（{rate:.1%}），{self.cases} 个案例",
                    f"  材料      {self.documents} 行，对应 {self.materials_required} 项必备材料"
                    f"（缺 {self.materials_missing} 项，{self.materials_outdated} 项超出时间窗）",
                    f"  问卷 {self.survey_questions} 题 · 数据指标 {self.indicators} 项 · 负面清单 {self.incidents} 起",
                    *flaws,
                    f"  检查：civcheck check {self.output} --test-date {day}",
                ]
            )
        return "\n".join(
            [
                f"wrote a sample round for {DISTRICT} to {self.output} "
                f"(seed {self.seed}, test date {day}): {len(self.files)} files",
                f"  点位台账  {self.sites} sites of {self.site_types} types in {len(STREETS)} streets, "
                f"{self.uninspected_sites} not inspected",
                f"  实地考察  {self.inspections} rows in {self.inspection_files} files, "
                f"{self.problems} with problems ({rate:.1%}), {self.cases} cases",
                f"  材料      {self.documents} rows for {self.materials_required} required materials "
                f"({self.materials_missing} missing, {self.materials_outdated} outside the window)",
                f"  问卷 {self.survey_questions} questions · 数据指标 {self.indicators} · 负面清单 {self.incidents}",
                *flaws,
                f"  check it with: civcheck check {self.output} --test-date {day}",
            ]
        )


@dataclass(frozen=True)
class Layout:
    """How one team lays out its inspection sheet."""

    sheet: str
    title: bool
    words: tuple[str, str, str]  # pass, fail, not applicable
    dates: Literal["cell", "iso", "slash", "chinese"]
    columns: tuple[str, ...]  # normalised column names, in sheet order
    short_departments: bool = False
    zero_cases: bool = False  # write 0 in 问题数 for rows without problems (others leave it blank)


_ALL = tuple(c.column for c in KINDS["inspections"].columns)
LAYOUTS: tuple[Layout, ...] = (
    Layout("实地考察", True, ("符合", "不符合", "不适用"), "cell", _ALL, zero_cases=True),
    Layout(
        "Sheet1",
        False,
        ("√", "×", "不适用"),
        "chinese",
        ("site_id", "site_name", "standard", "result", "cases", "description", "date", "inspector", "photo"),
    ),
    Layout(
        "自查记录",
        True,
        ("合格", "不合格", "不适用"),
        "slash",
        (
            "site_id",
            "site_name",
            "site_type",
            "standard",
            "date",
            "inspector",
            "result",
            "cases",
            "description",
            "department",
        ),
        short_departments=True,
    ),
    Layout("实地考察记录", False, ("达标", "不达标", "不适用"), "iso", _ALL),
)


def _blank_to_none(values: np.ndarray) -> list[Any]:
    out = values.astype(object)
    out[values == ""] = None
    return list(out.tolist())


def _date_texts(days: np.ndarray, style: str) -> list[Any]:
    unique, inverse = np.unique(days, return_inverse=True)
    dates = [d.astype(dt.date) for d in unique]
    if style == "cell":
        shown: list[Any] = [excel_serial(d) for d in dates]
    elif style == "slash":
        shown = [f"{d.year}/{d.month}/{d.day}" for d in dates]
    elif style == "chinese":
        shown = [f"{d.year}年{d.month}月{d.day}日" for d in dates]
    else:
        shown = [d.isoformat() for d in dates]
    return np.array(shown, dtype=object)[inverse].tolist()  # type: ignore[no-any-return]


def _inspection_columns(
    handbook: Handbook, register: Register, rows: Inspections, part: slice, layout: Layout, csv: bool
) -> dict[str, list[Any]]:
    site = rows.site[part]
    result = rows.result[part]
    types = register.type_index[site]
    short = {d.name: d.short or d.name for d in handbook.departments}
    departments = [short[d] if layout.short_departments else d for d in register.type_department]
    cases = rows.cases[part].astype(object)
    if not layout.zero_cases:
        cases[result != 1] = None
    return {
        "site_id": register.ids[site].tolist(),
        "site_name": register.names[site].tolist(),
        "site_type": np.array(register.type_names, dtype=object)[types].tolist(),
        "standard": np.array(rows.codes, dtype=object)[rows.standard[part]].tolist(),
        "result": np.array(layout.words, dtype=object)[result].tolist(),
        "cases": cases.tolist(),
        "description": _blank_to_none(rows.description[part]),
        "date": _date_texts(rows.date[part], "iso" if csv and layout.dates == "cell" else layout.dates),
        "inspector": rows.inspector[part].tolist(),
        "department": np.array(departments, dtype=object)[types].tolist(),
        "photo": _blank_to_none(rows.photo[part]),
    }


def _register_size(handbook: Handbook, sites: int, target_rows: int | None) -> int:
    """Sites needed so that the applicable (site, standard) pairs reach ``target_rows``."""
    if target_rows is None:
        return sites
    per_type = np.array(
        [
            sum(1 for s in handbook.standards if s.field and t.name in s.field.site_types)
            for t in handbook.site_types
        ],
        dtype=np.int64,
    )
    if not per_type.any():
        return sites
    weights = np.array([profile_for(t).weight for t in handbook.site_types], dtype=float)
    for _ in range(20):
        pairs = int((allocate(sites, weights) * per_type).sum())
        if pairs >= target_rows:
            break
        sites = max(sites + 1, math.ceil(sites * target_rows / max(pairs, 1) * 1.01))
    return sites


def _layout(team: int, options: SampleOptions) -> Layout:
    return LAYOUTS[(team + options.seed) % len(LAYOUTS)]


def _check_output(output: Path, force: bool) -> None:
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is a file, not a folder")
    if output.is_dir() and any(output.iterdir()):
        if not force:
            raise UsageError(f"{output} is not empty; use --force to replace it")
        here = Path.cwd().resolve()
        if (output / ".git").exists() or here == output.resolve() or output.resolve() in here.parents:
            raise UsageError(f"refusing to replace {output}: it holds a repository or the current folder")


def write_sample(handbook: Handbook, output: Path, options: SampleOptions, force: bool) -> SampleSummary:
    """Generate the round into a staging folder next to ``output``, then put it in place."""
    _check_output(output, force)
    with replace_folder(output) as staging:
        summary = _generate(handbook, staging, options)
    summary.output = output
    return summary


def _generate(handbook: Handbook, root: Path, options: SampleOptions) -> SampleSummary:
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(options.seed).spawn(6)]
    flaws = flaw_stream(options.seed) if options.flaws else None
    summary = SampleSummary(output=root, seed=options.seed, test_date=options.test_date)
    written: list[Path] = []

    def book(name: str, tables: Sequence[Table], big: bool = False) -> None:
        target = inside(root, name)
        write_workbook(target, tables, constant_memory=big, title=f"{DISTRICT} 创建全国文明城市自查")
        written.append(target)

    sites = _register_size(handbook, options.sites, options.inspections)
    register = build_register(handbook, sites, streams[0])
    big = len(register) > CONSTANT_MEMORY_ROWS
    book(
        "点位台账.xlsx",
        [
            Table(
                sheet="点位台账",
                headers=[c.header for c in KINDS["sites"].columns],
                columns=[
                    register.ids.tolist(),
                    register.names.tolist(),
                    np.array(register.type_names, dtype=object)[register.type_index].tolist(),
                    np.array(STREETS, dtype=object)[register.street_index].tolist(),
                    np.array(register.type_department, dtype=object)[register.type_index].tolist(),
                    register.addresses.tolist(),
                ],
                title=f"{DISTRICT}创建全国文明城市测评点位台账",
                widths={1: 28, 4: 24, 5: 40},
            )
        ],
        big,
    )
    summary.sites, summary.site_types = len(register), len(register.type_names)

    first, last = (options.test_date - dt.timedelta(days=d) for d in ROUND_DAYS_BEFORE_TEST)
    rows = build_inspections(handbook, register, streams[1], weekdays(first, last), options.inspections)
    bad: list[BadCell] = []
    if flaws is not None:
        left_out = standard_left_out(rows, flaws)
        if left_out is not None:
            rows = keep_rows(rows, rows.standard != left_out)
            summary.left_out.append(rows.codes[left_out])
        pass_words = [_layout(team, options).words[0] for team in range(len(rows.teams))]
        bad = plan_bad_cells(handbook, rows, register.ids, pass_words, flaws)
    _write_inspections(handbook, register, rows, root, options, written, summary, (first, last), bad)

    documents, stats = document_table(handbook, streams[2], options.test_date)
    if flaws is not None and (omitted := document_left_out(handbook, documents, flaws)) is not None:
        start = document_window(options.test_date, handbook.settings.document_window)[0]
        documents = omit_document(documents, stats, omitted, excel_serial(start))
        summary.left_out.append(omitted)
    if stats.required:
        for rel, data in sorted(stats.attachments.items()):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
        book("网上申报材料.xlsx", [documents])
    summary.documents, summary.materials_required = stats.rows, stats.required
    summary.materials_missing, summary.materials_outdated = stats.missing, stats.outdated

    tally, responses = survey_tables(handbook, streams[3])
    if tally is not None:
        book("问卷调查汇总.xlsx", [tally])
    if responses is not None:
        book("问卷原始答卷.xlsx", [responses])
    summary.survey_questions = (tally.rows if tally else 0) + (len(responses.headers) - 1 if responses else 0)

    indicators = indicator_table(handbook, streams[4], options.test_date)
    if indicators is not None:
        book("数据指标.xlsx", [indicators])
        summary.indicators = indicators.rows
    incidents = incident_table(handbook, streams[5], options.test_date)
    if incidents is not None:
        book("负面清单.xlsx", [incidents])
        summary.incidents = incidents.rows
    summary.files = sorted(str(p.relative_to(root)) for p in written)
    return summary


def _write_inspections(
    handbook: Handbook,
    register: Register,
    rows: Inspections,
    root: Path,
    options: SampleOptions,
    written: list[Path],
    summary: SampleSummary,
    period: tuple[dt.date, dt.date],
    bad: list[BadCell],
) -> None:
    """One file per team that has rows, each in its team's layout, with the ``bad`` cells spoilt."""
    folder = root / INSPECTION_FOLDER
    folder.mkdir()
    bounds = np.searchsorted(rows.team, np.arange(len(rows.teams) + 1))
    present = [t for t in range(len(rows.teams)) if bounds[t + 1] > bounds[t]]
    suffix = ".csv" if options.csv else ".xlsx"
    names = unique_file_names([f"{rows.teams[t]}实地考察自查表" for t in present], suffix)
    headers = {c.column: c.header for c in KINDS["inspections"].columns}
    for team, name in zip(present, names, strict=True):
        part = slice(int(bounds[team]), int(bounds[team + 1]))
        layout = _layout(team, options)
        data = _inspection_columns(handbook, register, rows, part, layout, options.csv)
        first_row = 2 if options.csv or not layout.title else 3  # sheet row of the first data row
        for cell in (c for c in bad if c.team == team):
            shown = cell.value
            if isinstance(shown, tuple):
                shown = render_date(shown, "iso" if options.csv else layout.dates)
            data[cell.column][cell.row - part.start] = shown
            summary.bad_rows.append(
                (f"{INSPECTION_FOLDER}/{name}", first_row + cell.row - part.start, cell.code)
            )
        columns = [data[c] for c in layout.columns]
        target = inside(folder, name)
        if options.csv:
            write_csv(target, [headers[c] for c in layout.columns], columns)
        else:
            owner = rows.teams[team]
            title = f"{DISTRICT + owner if owner in STREETS else owner}创建全国文明城市实地考察自查记录"
            title += f"（{period[0]:%Y.%m.%d}—{period[1]:%Y.%m.%d}）"
            dates = layout.columns.index("date")
            table = Table(
                sheet=layout.sheet,
                headers=[headers[c] for c in layout.columns],
                columns=columns,
                title=title if layout.title else None,
                date_columns=frozenset({dates}) if layout.dates == "cell" else frozenset(),
                widths={layout.columns.index("description"): 40, layout.columns.index("site_name"): 24},
            )
            write_workbook(target, [table], constant_memory=part.stop - part.start > CONSTANT_MEMORY_ROWS)
        written.append(target)
    summary.bad_rows.sort()
    inspected = np.zeros(len(register), dtype=bool)
    inspected[rows.site] = True
    checked_types = {t for s in handbook.standards if s.field for t in s.field.site_types}
    has_standards = np.array([t in checked_types for t in register.type_names])[register.type_index]
    summary.inspections = len(rows)
    summary.problems = int((rows.result == 1).sum())
    summary.cases = int(rows.cases.sum())
    summary.inspection_files = len(present)
    summary.uninspected_sites = int((has_standards & ~inspected).sum())
