"""The sample round's non-field evidence: documents (材料), surveys (问卷), indicators (数据指标) and one
negative-list event (负面清单). Small by nature (one row per material, question or indicator)."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from checker.files import unique_file_names
from checker.generate.district import DISTRICT, STREETS
from checker.generate.template import indicator_names
from checker.generate.writers import Table, excel_serial
from checker.handbook.model import MATERIAL_KIND_LABELS_ZH, DocumentWindow, Handbook, Standard
from checker.intake.kinds import KINDS

__all__ = [
    "ATTACHMENT_FOLDER",
    "DocumentStats",
    "document_table",
    "document_window",
    "incident_table",
    "indicator_table",
    "survey_tables",
]

ATTACHMENT_FOLDER = "材料"
# Shares of the required materials: submitted in the window, missing, dated outside it, given as a link.
OUTCOMES = ("ok", "missing", "outdated", "link")
OUTCOME_SHARES = (0.78, 0.10, 0.07, 0.05)
VOLUNTEER = "志愿"  # the district's known weak point: too few registered and active volunteers


def _headers(kind: str) -> list[str]:
    return [c.header for c in KINDS[kind].columns]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def document_window(test_date: dt.date, spec: DocumentWindow) -> tuple[dt.date, dt.date]:
    """Whole calendar months: ``months`` of them ending ``end_offset_months`` before the test month."""
    last = _add_months(test_date.replace(day=1), -spec.end_offset_months)
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    return _add_months(end.replace(day=1), -(spec.months - 1)), end


def _pdf() -> bytes:
    """A minimal valid one-page PDF: the placeholder for a submitted document."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _png() -> bytes:
    """A 1×1 grey PNG: the placeholder for a submitted photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


@dataclass
class DocumentStats:
    rows: int = 0
    required: int = 0
    missing: int = 0
    outdated: int = 0
    links: int = 0
    attachments: dict[str, bytes] = field(default_factory=dict)  # path under the round → bytes


def document_table(
    handbook: Handbook, rng: np.random.Generator, test_date: dt.date
) -> tuple[Table, DocumentStats]:
    """One row per submitted material; some missing, some dated outside the window, a few links."""
    start, end = document_window(test_date, handbook.settings.document_window)
    inside_days = max((end - start).days - 40, 1)
    required = [(s, m) for s in handbook.standards if s.document for m in s.document.materials]
    stems = unique_file_names([f"{s.code}_{m.name}" for s, m in required], "")
    outcomes = rng.choice(len(OUTCOMES), size=len(required), p=OUTCOME_SHARES)
    offsets = rng.integers(0, inside_days, size=len(required))
    stale = rng.integers(30, 330, size=len(required))
    stats = DocumentStats(required=len(required))
    pdf, png = _pdf(), _png()
    rows: list[list[object]] = []
    for (standard, material), stem, outcome, offset, back in zip(
        required, stems, outcomes.tolist(), offsets.tolist(), stale.tolist(), strict=True
    ):
        kind = OUTCOMES[outcome]
        if kind == "missing":
            stats.missing += 1
            continue
        day = start + dt.timedelta(days=20 + offset)
        if kind == "outdated":
            stats.outdated += 1
            day = start - dt.timedelta(days=back)
        if kind == "link":
            stats.links += 1
            ref = f"https://wmb.example.org/binjiang/{day:%Y%m}/{len(rows) + 1:04d}.html"
        else:
            suffix = ".png" if material.kind == "photo" else ".pdf"
            ref = f"{ATTACHMENT_FOLDER}/{stem}{suffix}"
            stats.attachments[ref] = png if suffix == ".png" else pdf
        rows.append(
            [
                standard.code,
                material.name,
                MATERIAL_KIND_LABELS_ZH[material.kind],
                standard.lead,
                excel_serial(day),
                ref,
            ]
        )
    stats.rows = len(rows)
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in _headers("documents")]
    table = Table(
        sheet="材料",
        headers=_headers("documents"),
        columns=columns,
        title=f"{DISTRICT}创建全国文明城市网上申报材料汇总",
        date_columns=frozenset({4}),
        widths={0: 10, 1: 36, 3: 24, 5: 48},
    )
    return table, stats


def _true_rate(standard: Standard, rng: np.random.Generator) -> float:
    """The favourable rate the district really has for a survey question."""
    assert standard.survey is not None
    target = standard.survey.target
    if VOLUNTEER in standard.text or VOLUNTEER in standard.survey.text:
        return max(0.05, target - rng.uniform(0.06, 0.12))
    if rng.random() < 0.3:
        return max(0.05, target - rng.uniform(0.02, 0.07))
    return min(0.99, target + rng.uniform(0.01, 0.06))


def survey_tables(handbook: Handbook, rng: np.random.Generator) -> tuple[Table | None, Table | None]:
    """Tallies (题号, 有效样本, 肯定回答) for every other question; raw answers (one row per respondent) for the rest."""
    seen: dict[str, Standard] = {}
    for s in handbook.standards:
        if s.survey is not None:
            seen.setdefault(s.survey.question, s)
    questions = list(seen.items())
    minimum = handbook.settings.survey_min_sample
    tallied, raw = questions[0::2], questions[1::2]
    tally: Table | None = None
    if tallied:
        respondents = (minimum * rng.uniform(1.05, 1.5, size=len(tallied))).astype(np.int64)
        if len(tallied) >= 4:  # one street-survey batch came back too small
            respondents[-1] = int(minimum * 0.8)
        rates = np.array([_true_rate(s, rng) for _, s in tallied])
        favourable = rng.binomial(respondents, rates)
        tally = Table(
            sheet="问卷汇总",
            headers=_headers("survey"),
            columns=[[q for q, _ in tallied], respondents.tolist(), favourable.tolist()],
            title=f"{DISTRICT}文明城市创建市民问卷调查结果汇总",
        )
    responses: Table | None = None
    if raw:
        count = math.ceil(minimum * 1.1)
        ids = [f"BJ-{i + 1:04d}" for i in range(count)]
        columns: list[list[object]] = [list(ids)]
        for _, standard in raw:
            assert standard.survey is not None
            yes, no = ("满意", "不满意") if "满意" in standard.survey.text else ("是", "否")
            answers = rng.random(count) < _true_rate(standard, rng)
            columns.append(np.where(answers, yes, no).tolist())
        responses = Table(
            sheet="答卷",
            headers=[KINDS["responses"].columns[0].header, *(q for q, _ in raw)],
            columns=columns,
        )
    return tally, responses


_BASES = (("人口", 386_420.0), ("工单", 52_318.0), ("户", 128_600.0))


def _unit(name: str) -> str:
    for key, unit in (
        ("时长", "小时"),
        ("人口", "人"),
        ("人数", "人"),
        ("工单", "件"),
        ("户", "户"),
        ("率", "%"),
    ):
        if key in name:
            return unit
    return "个"


def indicator_values(handbook: Handbook, rng: np.random.Generator) -> dict[str, float]:
    """A value for every indicator the data standards use; volunteer figures fall short of their targets."""
    values: dict[str, float] = {}
    for s in handbook.standards:
        spec = s.data
        if spec is None:
            continue
        weak = VOLUNTEER in s.text or any(VOLUNTEER in (n or "") for n in (spec.numerator, spec.indicator))
        factor = rng.uniform(0.78, 0.93) if weak else rng.uniform(1.01, 1.12)
        if spec.direction == "<=":
            factor = 1 / factor
        goal = spec.target / spec.scale * factor
        if spec.unit == "%":  # a share: the numerator is part of the denominator
            goal = min(goal, 0.995)
        if spec.indicator:
            values.setdefault(spec.indicator, spec.target * factor)
            continue
        if spec.numerator is None or spec.denominator is None:
            continue
        if spec.denominator not in values and spec.numerator in values:
            values[spec.denominator] = values[spec.numerator] / max(goal, 1e-9)
        base = next((v for key, v in _BASES if key in spec.denominator), float(rng.integers(2_000, 90_000)))
        values.setdefault(spec.denominator, base)
        values.setdefault(spec.numerator, values[spec.denominator] * goal)
    return {k: float(round(v)) if abs(v) >= 100 else round(v, 2) for k, v in values.items()}


def indicator_table(handbook: Handbook, rng: np.random.Generator, test_date: dt.date) -> Table | None:
    values = indicator_values(handbook, rng)
    names = [n for n in indicator_names(handbook.standards) if n in values]
    if not names:
        return None
    source: dict[str, str] = {}
    for s in handbook.standards:
        if s.data is not None:
            for n in (s.data.indicator, s.data.numerator, s.data.denominator):
                if n:
                    source.setdefault(n, s.lead)
    as_of = excel_serial(document_window(test_date, handbook.settings.document_window)[1])
    return Table(
        sheet="数据指标",
        headers=_headers("indicators"),
        columns=[
            names,
            [values[n] for n in names],
            [_unit(n) for n in names],
            [as_of] * len(names),
            [source[n] for n in names],
        ],
        title=f"{DISTRICT}创建工作数据指标统计表",
        date_columns=frozenset({3}),
        widths={0: 28, 4: 24},
    )


def incident_table(handbook: Handbook, rng: np.random.Generator, test_date: dt.date) -> Table | None:
    """One negative-list event that deducts points (never a veto), inside its look-back."""
    items = [n for n in handbook.negative_list if n.deduction > 0 and not n.veto]
    if not items:
        return None
    item = items[0]
    months_back = min(4, item.lookback_months - 1) if item.lookback_months > 1 else 0
    day = _add_months(test_date, -months_back) - dt.timedelta(days=int(rng.integers(0, 20)))
    street = STREETS[int(rng.integers(0, len(STREETS)))]
    note = f"{street}辖区发生一起事件，经认定属“{item.text}”，已按规定上报并完成处置、追责"
    return Table(
        sheet="负面清单",
        headers=_headers("incidents"),
        columns=[[item.code], [excel_serial(day)], [note]],
        title=f"{DISTRICT}负面清单事项登记表",
        date_columns=frozenset({1}),
        widths={2: 60},
    )
