"""Coded problems keep their values and render in the report's language: the sample round in English has
no Chinese in its messages of rejected rows, skipped files and warnings — apart from the evidence quoted in
them (a header, a cell value, a file name), which stays as it was written. Nor anywhere else in its reports:
the engine's reasons, gap texts and plan note are written by the report layer from codes and values."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from report_fixtures import SAMPLE_ROUND, sample_assessment

from checker.cli import main
from checker.intake.codes import CODES, render
from checker.intake.kinds import REPLY_STATUSES
from checker.report import write_reports
from checker.scoring.assessment import Assessment

pytestmark = pytest.mark.skipif(not SAMPLE_ROUND.is_dir(), reason="evidence/sample is not present")

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
QUOTED = re.compile(r"'[^']*'")


def _cjk_outside_quotes(text: str) -> list[str]:
    return CJK.findall(QUOTED.sub("''", text))


def test_english_templates_hold_no_chinese_of_their_own() -> None:
    for code, entry in CODES.items():
        assert not _cjk_outside_quotes(entry.en), code


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample-en")
    write_reports(sample_assessment(), out, {"xlsx", "json", "html", "text"}, lang="en", dispatch=True)
    return out


def _evidence_texts(a: Assessment) -> list[str]:
    """Every text the reports show as it was written: the handbook's (standard texts, item names, material
    and indicator names, survey questions, units, the negative list) and the evidence's (sites, streets,
    departments, addresses, problem descriptions, file, sheet and column names, cell values quoted by a
    rejection), and the reply statuses a 交办单 offers (the ledger's own vocabulary, read back as written).
    What the engine says itself — reasons, gap texts, the plan note, placeholders — is not among them."""
    texts: list[Any] = [a.handbook_name, a.handbook_edition, a.district, *REPLY_STATUSES]
    for s in a.standards:
        texts += [s.text, s.lead, *s.departments, *s.missing_materials]
        for _, value in s.reason_args:
            texts += list(value) if isinstance(value, tuple) else [value]
    texts += [r.name for r in a.rollups if r.level != "method"]
    for e in a.negative_events:
        texts += [e.code, e.text, e.note, e.evidence]
    evidence_columns = (
        "site",
        "site_name",
        "site_type",
        "street",
        "department",
        "photo",
        "evidence",
        "required",
    )
    for column in evidence_columns:
        texts += a.gaps[column].unique().tolist()
    texts += a.gaps.loc[a.gaps["reason_code"] == "", "description"].unique().tolist()
    texts += a.departments["department"].tolist() + a.streets["street"].tolist()
    texts += [] if a.addresses is None else a.addresses.tolist()
    for info in a.inputs:
        texts += [info.file, *(s.split(" → ")[0] for s in info.sheets), *info.skipped_sheets]
        texts += [str(v) for w in info.warnings for _, v in w.fields]
    for r in a.rejected:
        texts += [r.file, r.sheet, r.column, *(str(v) for _, v in r.fields)]
        texts += [str(v) for _, _, values in r.problems for _, v in values]
    texts += [s.file for s in a.skipped]
    return sorted({t for t in texts if isinstance(t, str) and CJK.search(t)}, key=len, reverse=True)


def _strings(value: Any) -> Iterator[str]:
    """Every string of a JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _output_texts(folder: Path) -> Iterator[tuple[str, str]]:
    """(file, text) of every report written: the text, HTML and JSON files, and each cell and sheet name of
    the workbooks (the self-check workbook and every 交办单)."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                yield name, sheet.title
                for row in sheet.iter_rows(values_only=True):
                    for value in row:
                        if isinstance(value, str):
                            yield name, value
        elif path.suffix == ".json":
            for text in _strings(json.loads(path.read_text(encoding="utf-8"))):
                yield name, text
        elif path.suffix == ".html":
            yield name, html.unescape(re.sub(r"<[^>]*>", "\n", path.read_text(encoding="utf-8")))
        else:
            yield name, path.read_text(encoding="utf-8")


def test_english_reports_hold_no_chinese_of_our_own(english: Path) -> None:
    """Every report of the sample round in English — text, HTML, report.json, the workbook and the 交办单 —
    shows Chinese only where it quotes the handbook or the evidence (see _evidence_texts). What is left once
    those are taken out must be part of one of them (a standard's text cut to what it measures, a name
    split by a line break), never the engine's or the reports' own words."""
    a = sample_assessment()
    data = _evidence_texts(a)
    quoted = re.compile("|".join(re.escape(t) for t in data))
    haystack = "\n".join(data)
    outputs = list(_output_texts(english))
    assert {name.split("/")[0] for name, _ in outputs} >= {
        "report.json", "report.html", "shortcomings.txt", "self-check-report.xlsx", "dispatch"
    }  # fmt: skip
    found: dict[str, set[str]] = {}
    for name, text in outputs:
        for run in CJK_RUN.findall(quoted.sub("\x00", text)):
            if run not in haystack:
                found.setdefault(name, set()).add(run)
    assert not found, found


def test_the_finder_sees_chinese_of_our_own() -> None:
    """The check above can fail: a zh reason or gap text left in an English report is found."""
    a = sample_assessment()
    data = _evidence_texts(a)
    assert not any("个点位中" in t or "肯定率" in t or "该点位未检查此标准" in t for t in data)
    quoted = re.compile("|".join(re.escape(t) for t in data))
    haystack = "\n".join(data)
    site = a.gaps.loc[a.gaps["kind"] == "site_problem", "site_name"].iloc[0]
    line = f"{site}：该点位未检查此标准 — Q01 肯定率 80%"
    runs = [r for r in CJK_RUN.findall(quoted.sub("\x00", line)) if r not in haystack]
    assert runs == ["：该点位未检查此标准", "肯定率"]


def test_workbook_data_problems_are_english(english: Path) -> None:
    a = sample_assessment()
    assert a.rejected, "the sample round has rejected rows to show"
    book = openpyxl.load_workbook(next(english.glob("*.xlsx")), read_only=True)
    rows = list(book["Data problems"].iter_rows(values_only=True))
    header, body = rows[0], rows[1 : 1 + len(a.rejected)]
    at = header.index("Reason") if "Reason" in header else len(header) - 1
    assert [r[4] for r in body] == [r.code for r in a.rejected]
    for row, rejection in zip(body, a.rejected, strict=True):
        message = str(row[at])
        assert message == rejection.text("en") != rejection.text("zh")
        assert not _cjk_outside_quotes(message), message


def test_report_json_messages_are_english_and_keep_their_values(english: Path) -> None:
    a = sample_assessment()
    document = json.loads((english / "report.json").read_text(encoding="utf-8"))
    rows = document["rejected_rows"]
    assert [r["code"] for r in rows] == [r.code for r in a.rejected]
    for row in rows:
        assert row["message"] == render(row["code"], row["fields"], "en")
        assert not _cjk_outside_quotes(row["message"]), row["message"]
    for skipped in document["skipped"]:
        assert not _cjk_outside_quotes(skipped["message"]), skipped["message"]
    for info in document["inputs"]:
        for warning in info["warnings"]:
            assert not _cjk_outside_quotes(warning), warning


def test_read_prints_rejections_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    a = sample_assessment()
    capsys.readouterr()
    assert main(["read", str(SAMPLE_ROUND), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    for rejection in a.rejected:
        line = next(x for x in out.splitlines() if f" row {rejection.row} " in x and rejection.file in x)
        message = line.split(f"{rejection.code}: ", 1)[1]
        assert message == rejection.text("en")
        assert not _cjk_outside_quotes(message), message
    assert "第" not in "".join(x for x in out.splitlines() if " row " in x)
