"""``civcheck handbook …``: list, show, validate, summarise, schema, import and export criteria packs."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from checker.commands.options import pick, resolve_lang
from checker.errors import HandbookError, PackProblem, UsageError
from checker.handbook.loader import bundled_criteria_dirs, find_packs, load_handbook, read_raw
from checker.handbook.model import (
    MATERIAL_KIND_LABELS_ZH,
    METHOD_LABELS_ZH,
    Content,
    Handbook,
    Indicator,
    Project,
    Standard,
)


def problem_line(problem: PackProblem, lang: str) -> str:
    """One problem of a pack or handbook workbook, rendered in ``lang``: where, message, code. A handbook
    code has its templates in checker.handbook.codes; the workbook's preflight reports intake's codes."""
    from checker.handbook.codes import CODES, locate, render_problem

    if problem.code in CODES:
        return render_problem(problem, lang)
    from checker.intake.codes import render

    return f"{locate(problem, lang)}: {render(problem.code, problem.fields, lang)} ({problem.code})"


def handbook_error_text(exc: HandbookError, lang: str) -> str:
    """A :class:`HandbookError` as the lines a user reads, in ``lang`` (what ``civcheck`` prints when a
    command other than ``handbook …`` meets a broken pack)."""
    count = len(exc.problems)
    head = pick(
        lang, f"测评体系有 {count} 个问题：", f"handbook has {count} problem{'s' if count != 1 else ''}:"
    )
    return "\n".join([head, *(f"  {problem_line(p, lang)}" for p in exc.problems)])


def _joined(names: tuple[str, ...], lang: str) -> str:
    return pick(lang, "、".join(names), ", ".join(names))


def _print_problems(label: str, exc: HandbookError, lang: str) -> None:
    err = Console(stderr=True, highlight=False)
    count = len(exc.problems)
    what = pick(lang, f"{count} 个问题", f"{count} problem{'s' if count != 1 else ''}")
    err.print("[bold red]✗[/] ", end="", markup=True)
    err.print(f"{label}: {what}", markup=False)
    for problem in exc.problems:
        err.print(f"  {problem_line(problem, lang)}", markup=False)


def run_validate(path: str, lang: str | None = None) -> int:
    """Validate a pack: 0 when valid, 2 with every problem listed otherwise."""
    lang = resolve_lang(lang)
    console = Console(highlight=False)
    try:
        handbook = load_handbook(path)
    except HandbookError as exc:
        _print_problems(path, exc, lang)
        return 2
    n, what = len(handbook.standards), f"{path}: {handbook.name} ({handbook.edition})"
    console.print("[green]✓[/] ", end="")
    console.print(pick(lang, f"{what}，{n} 条测评标准，有效", f"{what}, {n} standards — valid"), markup=False)
    return 0


def run_summary(path: str, lang: str | None = None) -> int:
    """Summarise a pack: levels, standards per method, points, site types, departments."""
    lang = resolve_lang(lang)
    handbook = load_handbook(path)
    console = Console(highlight=False)
    edition = pick(lang, f"版本 {handbook.edition}", f"edition {handbook.edition}")
    console.print(Text(handbook.name, style="bold"), f" {edition}  (id: {handbook.id})")
    console.print(handbook.description, markup=False)
    rows = list(handbook.iter_standards())
    by_method = Counter(s.method for *_, s in rows)
    points: Counter[str] = Counter()
    for *_, s in rows:
        points[s.method] += int(s.points * 100)
    table = Table(title=pick(lang, "各测评方法的测评标准", "Standards by method"))
    columns = (
        ("测评方法", "标准数", "分值", "权重")
        if lang == "zh"
        else ("method", "standards", "points", "weight")
    )
    for i, col in enumerate(columns):
        table.add_column(col, justify="right" if i else "left")
    weights = handbook.settings.method_weights
    for method in ("document", "data", "field", "survey"):
        table.add_row(
            METHOD_LABELS_ZH[method] if lang == "zh" else method,
            str(by_method[method]),
            f"{points[method] / 100:g}",
            f"{weights.for_method(method):g}",
        )
    console.print(table)
    n_ind = sum(len(p.indicators) for p in handbook.projects)
    n_con = sum(len(i.contents) for p in handbook.projects for i in p.indicators)
    counts = (len(handbook.projects), n_ind, n_con, len(rows), len(handbook.site_types))
    more = (len(handbook.departments), len(handbook.negative_list))
    names = (
        ("Ⅰ 测评项目", "Ⅱ 指标", "Ⅲ 测评内容", "测评标准", "点位类型", "责任单位", "负面清单")
        if lang == "zh"
        else (
            "Ⅰ projects",
            "Ⅱ indicators",
            "Ⅲ contents",
            "standards",
            "site types",
            "departments",
            "negative list",
        )
    )
    console.print(
        " · ".join(f"{name} {n}" for name, n in zip(names, counts + more, strict=True)), markup=False
    )
    return 0


def _pack_row(origin: str, folder: Path, lang: str) -> tuple[str, ...]:
    try:
        handbook = load_handbook(folder)
    except HandbookError as exc:
        raw, _ = read_raw(folder)
        count = len(exc.problems)
        status = pick(
            lang, f"无效（{count} 个问题）", f"invalid ({count} problem{'s' if count != 1 else ''})"
        )
        ident = str(raw.data.get("id", "?"))
        return (origin, ident, str(raw.data.get("name", "")), str(raw.data.get("edition", "")), "", status)
    return (
        origin,
        handbook.id,
        handbook.name,
        handbook.edition,
        str(len(handbook.standards)),
        pick(lang, "有效", "valid"),
    )


def _display_path(folder: Path) -> str:
    """Relative to the working folder when inside it (shorter), else absolute."""
    try:
        return str(folder.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(folder)


def run_list(path: Path | None, lang: str | None = None) -> int:
    """List bundled packs and packs found under ``path``; a pack that fails to load shows its problem count."""
    lang = resolve_lang(lang)
    found: list[tuple[str, Path]] = []
    for base in bundled_criteria_dirs():
        found += [(pick(lang, "内置", "bundled"), folder) for folder in find_packs(base)]
    if path is not None:
        if not path.exists():
            raise UsageError(f"{path} does not exist", zh=f"{path} 不存在")
        found += [(str(path), folder) for folder in find_packs(path)]
    console = Console(highlight=False)
    if not found:
        console.print(pick(lang, "没有找到测评体系", "no handbook packs found"), markup=False)
        return 0
    table = Table(title=pick(lang, "测评体系", "Handbook packs"))
    zh = lang == "zh"
    table.add_column("来源" if zh else "source", overflow="fold")
    table.add_column("id", no_wrap=True)
    table.add_column("名称" if zh else "name", overflow="fold")
    table.add_column("版本" if zh else "edition", overflow="fold")
    table.add_column("标准数" if zh else "standards", justify="right", no_wrap=True)
    table.add_column("状态" if zh else "status", no_wrap=True)
    table.add_column("路径" if zh else "path", overflow="fold")
    for origin, folder in found:
        origin_label, ident, name, edition, count, status = _pack_row(origin, folder, lang)
        style = "green" if status == pick(lang, "有效", "valid") else "red"
        table.add_row(
            Text(origin_label),
            Text(ident),
            Text(name),
            Text(edition),
            Text(count),
            Text(status, style=style),
            Text(_display_path(folder)),
        )
    console.print(table)
    return 0


def _locate(handbook: Handbook, standard: Standard) -> tuple[Project, Indicator, Content]:
    for project, indicator, content, candidate in handbook.iter_standards():
        if candidate.code == standard.code:
            return project, indicator, content
    raise KeyError(standard.code)  # pragma: no cover - the standard came from this handbook


def _origin(own: bool, lang: str) -> str:
    """Where a standard's grading comes from: its own setting or the pack's default."""
    return pick(lang, "本标准设定", "set by this standard") if own else pick(lang, "手册默认", "pack default")


def _grading(handbook: Handbook, standard: Standard, lang: str) -> str:
    settings = handbook.settings
    if standard.binary:
        return pick(lang, "二值评分：A 或 C#", "binary: A or C#")
    if standard.method in ("survey", "data"):
        spec = standard.survey if standard.method == "survey" else standard.data
        own = spec.bands if spec is not None else None
        bands = own or settings.bands
        origin = _origin(own is not None, lang)
        return pick(
            lang,
            f"达到目标 → A；差距 ≤ {bands.b:.0%} → B；≤ {bands.c:.0%} → C；否则 C#（{origin}）",
            f"target met → A; shortfall ≤ {bands.b:.0%} → B; ≤ {bands.c:.0%} → C; else C# ({origin})",
        )
    t = standard.grades or settings.thresholds
    origin = _origin(standard.grades is not None, lang)
    return pick(
        lang,
        f"问题数 ≤ {t.a} → A；≤ {t.b} → B；≤ {t.c} → C；否则 C#（{origin}）",
        f"problems ≤ {t.a} → A; ≤ {t.b} → B; ≤ {t.c} → C; else C# ({origin})",
    )


def _method_block(handbook: Handbook, standard: Standard, lang: str) -> Table | Text:
    zh = lang == "zh"
    if standard.field is not None:
        spec = standard.field
        table = Table(title=pick(lang, "实地考察", "field inspection"), title_justify="left", expand=False)
        table.add_column(pick(lang, "点位类型", "site type"))
        table.add_column(pick(lang, "抽查数量", "sample"), justify="right")
        table.add_column("")
        own = pick(lang, "本标准设定", "set by this standard")
        default = pick(lang, "点位类型默认", "site type default")
        for name in spec.site_types:
            canonical = handbook.site_type_index().get(name, name)
            sample = handbook.sample_size(standard, canonical)
            table.add_row(Text(name), str(sample), own if spec.sample is not None else default)
        if spec.case_definition:
            table.caption = pick(lang, "问题认定：", "what counts as a case: ") + spec.case_definition
        return table
    if standard.document is not None:
        window = handbook.settings.document_window
        table = Table(title=pick(lang, "材料审核", "document review"), title_justify="left")
        table.add_column(pick(lang, "材料", "material"))
        table.add_column(pick(lang, "类型", "kind"))
        for material in standard.document.materials:
            kind = f"{MATERIAL_KIND_LABELS_ZH[material.kind]} ({material.kind})" if zh else material.kind
            table.add_row(Text(material.name), kind)
        months, offset = window.months, window.end_offset_months
        table.caption = pick(
            lang,
            f"时间窗：测评前 {offset} 个月截止的 {months} 个月内",
            f"time window: the {months} months ending {offset} month(s) before the assessment",
        )
        return table
    if standard.survey is not None:
        survey = standard.survey
        head = pick(lang, f"问卷调查 · 题号 {survey.question}：", f"survey · question {survey.question}: ")
        minimum = handbook.settings.survey_min_sample
        return Text(
            head
            + survey.text
            + pick(
                lang,
                f"\n目标 ≥ {survey.target:.0%}；最低有效样本 {minimum}",
                f"\ntarget ≥ {survey.target:.0%}; minimum valid sample {minimum}",
            )
        )
    if standard.data is not None:
        data = standard.data
        if data.indicator:
            metric = data.indicator
        else:
            metric = f"{data.numerator} ÷ {data.denominator}"
            if data.scale != 1:
                metric += f" × {data.scale:g}"
        direction = "≥" if data.direction == ">=" else "≤"
        local = pick(lang, "（本地设定）", " (local setting)") if data.local_setting else ""
        return Text(
            pick(lang, "数据指标：", "data indicator: ")
            + metric
            + pick(lang, "\n目标 ", "\ntarget ")
            + f"{direction} {data.target:g}{data.unit}{local}"
        )
    return Text(
        pick(lang, "（没有测评方法配置块）", "(no method block)")
    )  # pragma: no cover - validation requires one


# The fields of `handbook show`: (zh, en).
SHOW_LABELS = {
    "Ⅰ 测评项目": ("Ⅰ 测评项目", "Ⅰ project"),
    "Ⅱ 指标": ("Ⅱ 指标", "Ⅱ indicator"),
    "Ⅲ 测评内容": ("Ⅲ 测评内容", "Ⅲ content"),
    "别名": ("别名", "aliases"),
    "测评标准": ("测评标准", "standard"),
    "测评方法": ("测评方法", "method"),
    "分值": ("分值", "points"),
    "评分": ("评分", "grading"),
    "牵头单位": ("牵头单位", "lead unit"),
    "责任单位": ("责任单位", "responsible units"),
    "整改建议": ("整改建议", "advice"),
}


def run_show(handbook: str, code: str, lang: str | None = None) -> int:
    """Show one standard (by code or alias) with every field; an unknown code suggests close matches."""
    lang = resolve_lang(lang)
    try:
        pack = load_handbook(handbook)
    except HandbookError as exc:
        _print_problems(handbook, exc, lang)
        return 2
    index = pack.code_index()
    key = code.strip()
    standard = index.get(key)
    if standard is None:
        err = Console(stderr=True, highlight=False)
        n = len(pack.standards)
        err.print(
            pick(
                lang,
                f"{pack.id} 中没有测评标准 “{key}”（共 {n} 条）",
                f"no standard {key!r} in {pack.id} ({n} standards)",
            ),
            markup=False,
        )
        close = difflib.get_close_matches(key, list(index), n=5, cutoff=0.6)
        if close:
            err.print(pick(lang, "是否要找：", "did you mean: ") + ", ".join(close), markup=False)
        return 2
    project, indicator, content = _locate(pack, standard)
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="bold", no_wrap=True)
    rows.add_column()

    def add(label: str, value: str) -> None:
        rows.add_row(SHOW_LABELS[label][lang == "en"], Text(value))

    add("Ⅰ 测评项目", f"{project.code} {project.name}")
    add("Ⅱ 指标", f"{indicator.code} {indicator.name}")
    add("Ⅲ 测评内容", f"{content.code} {content.name}")
    if standard.aliases:
        add("别名", _joined(standard.aliases, lang))
    add("测评标准", standard.text)
    add(
        "测评方法",
        f"{METHOD_LABELS_ZH[standard.method]} ({standard.method})" if lang == "zh" else standard.method,
    )
    add("分值", f"{standard.points:g}")
    add("评分", _grading(pack, standard, lang))
    add("牵头单位", standard.lead)
    add("责任单位", _joined(standard.responsible, lang) or "—")
    add("整改建议", standard.advice)
    title = Text(f"{standard.code}  ·  {pack.name} ({pack.edition})")
    console = Console(highlight=False)
    console.print(
        Panel(Group(rows, Text(""), _method_block(pack, standard, lang)), title=title, expand=False)
    )
    return 0


def run_schema(output: Path | None, lang: str | None = None) -> int:
    """Print the pack JSON Schema, or write it to ``output`` together with the per-file schema beside it."""
    from checker.files import write_text
    from checker.handbook.schema import file_schema, pack_schema

    def dumps(schema: dict[str, object]) -> str:
        return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"

    lang = resolve_lang(lang)
    if output is None:
        print(dumps(pack_schema()), end="")
        return 0
    if output.is_dir():
        raise UsageError(
            f"{output} is a folder; give a file name such as handbook.schema.json",
            zh=f"{output} 是文件夹，请给出文件名，例如 handbook.schema.json",
        )
    per_file = output.with_name(f"{output.stem}.file{output.suffix or '.json'}")
    for target, schema in ((output, pack_schema()), (per_file, file_schema())):
        write_text(target, dumps(schema))
    console = Console(highlight=False)
    console.print(
        pick(
            lang,
            f"已写入 {output}（整个测评体系）和 {per_file}（测评体系中的单个文件）",
            f"wrote {output} (whole pack) and {per_file} (one file of a pack)",
        ),
        markup=False,
    )
    return 0


def _preflight(workbook: Path) -> list[PackProblem]:
    """The evidence preflight on a handbook spreadsheet, before any of its XML is parsed: the zip's
    directory, sizes and ratios, DTDs and entities, each sheet's used range and text (docs/evidence.md §6).
    A file the preflight cannot open is left to the importer to report as unreadable."""
    from checker.handbook.codes import WORKBOOK_UNCHECKED, fields_of
    from checker.intake.codes import fields_of as intake_fields
    from checker.intake.limits import DEFAULT_LIMITS
    from checker.intake.preflight import PreflightError, preflight_xlsx

    try:
        checked = preflight_xlsx(workbook, DEFAULT_LIMITS)
    except PreflightError as exc:
        if exc.code == "corrupt-zip":
            return []
        return [PackProblem(workbook.name, 0, "", exc.code, intake_fields(exc.fields))]
    except OSError:
        return []  # reported by the importer, which opens the file next
    if not checked.vouched:
        # Sheets too big or too unusual to scan cheaply: an honest handbook is far smaller.
        return [
            PackProblem(
                workbook.name,
                0,
                "",
                WORKBOOK_UNCHECKED,
                fields_of(limit=DEFAULT_LIMITS.describe("scan_bytes")),
            )
        ]
    return []


def run_import(workbook: Path, output: Path, force: bool, lang: str | None = None) -> int:
    """Import a handbook spreadsheet into a YAML pack folder (validated before anything is written)."""
    from checker.handbook.sheet_import import import_workbook

    lang = resolve_lang(lang)
    if not workbook.is_file():
        raise UsageError(f"{workbook} is not a file", zh=f"{workbook} 不是文件")
    try:
        handbook = import_workbook(workbook, output, force, check=_preflight)
    except HandbookError as exc:
        _print_problems(str(workbook), exc, lang)
        return 2
    what, n = f"✓ {workbook} → {output}: {handbook.name} ({handbook.edition})", len(handbook.standards)
    Console(highlight=False).print(
        pick(lang, f"{what}，{n} 条测评标准", f"{what}, {n} standards"), markup=False
    )
    return 0


def run_export(pack: str, output: Path, force: bool, lang: str | None = None) -> int:
    """Export a pack as a handbook spreadsheet (.xlsx)."""
    from checker.handbook.sheet_export import export_workbook

    lang = resolve_lang(lang)
    if output.suffix.lower() != ".xlsx":
        raise UsageError(
            f"{output}: the handbook spreadsheet must be an .xlsx file",
            zh=f"{output}：操作手册须为 .xlsx 文件",
        )
    try:
        handbook = load_handbook(pack)
    except HandbookError as exc:
        _print_problems(pack, exc, lang)
        return 2
    export_workbook(handbook, output, force)
    n = len(handbook.standards)
    Console(highlight=False).print(
        pick(
            lang, f"✓ {handbook.id} → {output}：{n} 条测评标准", f"✓ {handbook.id} → {output}: {n} standards"
        ),
        markup=False,
    )
    return 0
