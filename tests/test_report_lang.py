"""Coded problems keep their values and render in the report's language: the sample round in English has
no Chinese in its messages of rejected rows, skipped files and warnings — apart from the evidence quoted in
them (a header, a cell value, a file name), which stays as it was written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from report_fixtures import SAMPLE_ROUND, sample_assessment

from checker.cli import main
from checker.intake.codes import CODES, render
from checker.report import write_reports

pytestmark = pytest.mark.skipif(not SAMPLE_ROUND.is_dir(), reason="evidence/sample is not present")

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"'[^']*'")


def _cjk_outside_quotes(text: str) -> list[str]:
    return CJK.findall(QUOTED.sub("''", text))


def test_english_templates_hold_no_chinese_of_their_own() -> None:
    for code, entry in CODES.items():
        assert not _cjk_outside_quotes(entry.en), code


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample-en")
    write_reports(sample_assessment(), out, {"xlsx", "json"}, lang="en")
    return out


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
