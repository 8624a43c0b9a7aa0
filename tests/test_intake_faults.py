"""Issue 12: hostile inputs and unlucky faults that must not take the batch down.

Each case builds its bad file here, next to a good site register that must still be read. Cases that
used to abort the interpreter or balloon its memory are read in a child process under ``RLIMIT_AS``, so
that a regression fails the test instead of killing the test run.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_intake_hostile import NS, REL_NS, round_with, sheet, write_zip, xlsx_parts

from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake.limits import Limits
from checker.intake.preflight import PreflightError
from checker.intake.reader import read_evidence

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"
STRICT_NS = 'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"'
STRICT_REL_NS = 'xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships"'
GIB = 1024 * 1024 * 1024

_PROBE = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({memory}, resource.RLIM_INFINITY))
from checker.handbook.loader import load_handbook
from checker.intake.limits import Limits
from checker.intake.reader import read_evidence
evidence = read_evidence(Path({folder!r}), load_handbook(Path({pack!r})), limits=Limits(**{limits!r}))
print(json.dumps({{
    "codes": [[r.file, r.code, r.row, r.message] for r in evidence.rejected],
    "warnings": {{i.file: i.warning_texts() for i in evidence.inputs}},
    "sites": len(evidence.frame("sites")),
    "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}}))
"""


@pytest.fixture(scope="module")
def tiny() -> Handbook:
    return load_handbook(TINY)


def read_limited(folder: Path, memory: int = 2 * GIB, **limits: object) -> dict[str, Any]:
    """Read ``folder`` in a child process whose address space is capped at ``memory``; its summary."""
    probe = _PROBE.format(memory=memory, folder=str(folder), pack=str(TINY), limits=limits)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    assert summary["sites"] >= 1  # the good file of the round is still read
    return summary


def codes_of(summary: dict[str, Any], name: str) -> list[str]:
    rows = summary["codes"]
    assert isinstance(rows, list)
    return [code for file, code, _row, _message in rows if file == name]


def strict_parts(rows: str, *, rels_xmlns: bool = True, state: str = "") -> dict[str, bytes]:
    """An xlsx as Excel's "Strict Open XML" save writes it (or with namespace-less relationships)."""
    parts = xlsx_parts(sheet(rows).replace(NS, STRICT_NS))
    workbook = parts["xl/workbook.xml"].decode().replace(NS, STRICT_NS).replace(REL_NS, STRICT_REL_NS)
    if state:
        workbook = workbook.replace('sheetId="1"', f'sheetId="1" state="{state}"')
        workbook = workbook.replace("</sheets>", '<sheet name="点位" sheetId="2" r:id="rId9"/></sheets>')
    parts["xl/workbook.xml"] = workbook.encode()
    if not rels_xmlns:
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace(
            ' xmlns="http://schemas.openxmlformats.org/package/2006/relationships"', ""
        ).encode()
    return parts


# -- case 5: a far cell in a Strict-namespace workbook ---------------------------------------------------

FAR = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>点位编号</t></is></c></row>'
    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
)


@pytest.mark.parametrize("rels_xmlns", [True, False], ids=["strict", "rels-without-xmlns"])
def test_a_strict_workbook_with_a_far_cell_is_a_sparse_range(tmp_path: Path, rels_xmlns: bool) -> None:
    data = write_zip(tmp_path / "x.xlsx", strict_parts(FAR, rels_xmlns=rels_xmlns)).read_bytes()
    assert len(data) < 3000
    folder = round_with(tmp_path, "far.xlsx", data)
    # In-process parsing: calamine would try to allocate 512 GiB and abort the interpreter.
    summary = read_limited(folder, isolate="never")
    assert codes_of(summary, "far.xlsx") == ["sparse-range"]


# -- case 1: Strict OOXML is checked like transitional OOXML ------------------------------------------


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_strict_hidden_sheet_and_uncached_formula_are_seen(tiny: Handbook, tmp_path: Path) -> None:
    headers = ("点位编号", "测评标准", "检查结果", "问题描述", "检查日期", "检查人")
    head = "".join(_inline(f"{c}1", h) for c, h in zip("ABCDEF", headers, strict=True))
    row = (
        _inline("A2", "S001")
        + _inline("B2", "Ⅲ-1-1")
        + '<c r="C2"><f>IF(A2="S001","符合")</f></c>'
        + _inline("E2", "2023-05-03")
        + _inline("F2", "张三")
    )
    parts = strict_parts(f'<row r="1">{head}</row><row r="2">{row}</row>')
    hidden_rows = f'<row r="1">{_inline("A1", "点位编号")}</row><row r="2">{_inline("A2", "S009")}</row>'
    parts["xl/worksheets/sheet2.xml"] = sheet(hidden_rows).replace(NS, STRICT_NS).encode()
    parts["xl/workbook.xml"] = (
        parts["xl/workbook.xml"]
        .decode()
        .replace("</sheets>", '<sheet name="旧表" sheetId="2" state="hidden" r:id="rId3"/></sheets>')
        .encode()
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        parts["xl/_rels/workbook.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rId3" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" '
            'Target="worksheets/sheet2.xml"/></Relationships>',
        )
        .encode()
    )
    folder = round_with(tmp_path, "实地考察.xlsx", write_zip(tmp_path / "x.xlsx", parts).read_bytes())
    evidence = read_evidence(folder, tiny)
    info = {i.file: i for i in evidence.inputs}["实地考察.xlsx"]
    assert any("旧表" in w for w in info.warning_texts()), info.warning_texts()
    assert [(r.code, r.row) for r in evidence.rejected if r.file == "实地考察.xlsx"] == [
        ("formula-no-cache", 2)
    ]
    assert len(evidence.frame("sites")) == 1


# -- case 6: one long shared string referred to by many cells -------------------------------------------


def test_one_shared_string_in_200k_cells_is_too_much_text(tmp_path: Path) -> None:
    long_text = "占道经营" * 5_400  # about 21 KB
    shared = f'<?xml version="1.0"?><sst {NS}><si><t>点位编号</t></si><si><t>{long_text}</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}" t="s"><v>1</v></c>' for c in "ABCDEFGHIJKLMNOPQRST")
        + "</row>"
        for r in range(2, 10_002)
    )
    data = write_zip(tmp_path / "x.xlsx", xlsx_parts(sheet(rows), shared=shared)).read_bytes()
    assert len(data) < 1_500_000
    summary = read_limited(round_with(tmp_path, "text.xlsx", data))
    assert codes_of(summary, "text.xlsx") == ["too-much-text"]
    (message,) = [m for file, _code, _row, m in summary["codes"] if file == "text.xlsx"]
    assert "max_text_bytes" in message and "数据" in message
    assert isinstance(summary["maxrss_kib"], int) and summary["maxrss_kib"] < 1024 * 1024


def test_shared_strings_used_normally_are_read(tiny: Handbook, tmp_path: Path) -> None:
    headers = ["点位编号", "点位名称", "点位类型", "所属街道", "责任单位"]
    values = ["S002", "幸福巷", "背街小巷", "东街道", "区城管局"]
    shared = (
        f'<?xml version="1.0"?><sst {NS}>'
        + "".join(f"<si><t>{t}</t></si>" for t in headers + values)
        + "</sst>"
    )
    cells = "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDE"))
    cells2 = "".join(f'<c r="{c}2" t="s"><v>{i + 5}</v></c>' for i, c in enumerate("ABCDE"))
    rows = f'<row r="1">{cells}</row><row r="2">{cells2}</row>'
    path = write_zip(tmp_path / "x.xlsx", xlsx_parts(sheet(rows), shared=shared))
    folder = round_with(tmp_path, "点位2.xlsx", path.read_bytes())
    evidence = read_evidence(folder, tiny)
    assert evidence.rejected == []
    assert sorted(evidence.frame("sites")["site_id"]) == ["S001", "S002"]


def _shared_sheet(path: Path, longest: str, rows: int) -> Path:
    shared = f'<?xml version="1.0"?><sst {NS}><si><t>点位编号</t></si><si><t>{longest}</t></si></sst>'
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>1</v></c>' for c in "ABCDEFGHIJ") + "</row>"
        for r in range(2, rows + 2)
    )
    return write_zip(path, xlsx_parts(sheet(cells), shared=shared))


def test_a_big_sheet_of_short_strings_goes_to_a_worker_unscanned(tmp_path: Path) -> None:
    from checker.intake.preflight import preflight_xlsx

    # ~0.3 MB of sheet XML whose longest shared string is 12 bytes: past apart_bytes, and at most
    # 0.3 MB / 21 × 12 bytes of text, far below max_text_bytes.
    path = _shared_sheet(tmp_path / "x.xlsx", "占道经营", 1_000)
    limits = Limits(apart_bytes=100_000)
    apart = preflight_xlsx(path, limits, workers=True)
    assert not apart.vouched and not apart.sheets[0].scanned
    assert preflight_xlsx(path, limits).vouched  # no worker to send it to: scanned, as before
    assert preflight_xlsx(path, Limits(), workers=True).vouched  # within apart_bytes: scanned
    # Long strings could add up to too much text: the sheet is scanned, and refused, worker or not.
    long_text = _shared_sheet(tmp_path / "y.xlsx", "占道经营" * 5_400, 1_000)
    tight = Limits(apart_bytes=100_000, max_text_bytes=50 * 1024 * 1024)
    with pytest.raises(PreflightError) as refused:
        preflight_xlsx(long_text, tight, workers=True)
    assert refused.value.code == "too-much-text"


# -- case 7: a file that cannot be read -------------------------------------------------------------------


def test_a_file_that_vanishes_while_the_round_is_read_is_one_unreadable_file(
    tiny: Handbook, tmp_path: Path
) -> None:
    folder = round_with(tmp_path, "a-gone.csv", b"x,y\n1,2\n")
    # Files are parsed biggest first, three at a time: the smallest is parsed only after the first file
    # has been checked, and it is gone by then.
    for n in range(3):
        (folder / f"notes-{n}.csv").write_text("备注,内容\n" + "一,二\n" * 20, encoding="utf-8")

    def vanish(done: int, _total: int, _rel: str) -> None:
        if done == 0:
            (folder / "a-gone.csv").unlink()

    evidence = read_evidence(folder, tiny, progress=vanish)
    assert [(r.file, r.code, r.row) for r in evidence.rejected] == [("a-gone.csv", "unreadable", 0)]
    assert len(evidence.frame("sites")) == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_one_unreadable_file(tiny: Handbook, tmp_path: Path) -> None:
    folder = round_with(tmp_path, "locked.csv", b"x,y\n1,2\n")
    (folder / "locked.csv").chmod(0)
    try:
        evidence = read_evidence(folder, tiny)
    finally:
        (folder / "locked.csv").chmod(0o644)
    assert [(r.file, r.code) for r in evidence.rejected] == [("locked.csv", "unreadable")]
    assert len(evidence.frame("sites")) == 1


# -- case 8: file names that are not UTF-8 --------------------------------------------------------------

INSPECTIONS_CSV = (
    "点位编号,测评标准,检查结果,问题描述,检查日期,检查人\nS001,Ⅲ-1-1,不符合,占道经营,2023-05-03,张三\n"
)
FORMATS = "terminal,json,xlsx,html,text"


def run_check(evidence: Path | bytes, out: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    """``civcheck check`` in a child process, as a user runs it (no TTY, TERM=dumb)."""
    args = [sys.executable, "-m", "checker", "check", os.fsdecode(evidence), "-H", str(TINY), "-o", str(out)]
    args += ["--format", FORMATS, "--dispatch", "--test-date", "2023-06-01", *extra]
    env = {**os.environ, "TERM": "dumb", "COLUMNS": "120"}
    return subprocess.run(args, capture_output=True, timeout=120, env=env, cwd=Path(__file__).parents[1])


def test_names_that_are_not_utf8_are_kept_as_bytes_and_every_report_is_written(tmp_path: Path) -> None:
    folder = os.path.join(os.fsencode(tmp_path), "证据".encode("gbk"))
    os.mkdir(folder)
    with open(os.path.join(folder, "点位台账.csv".encode()), "w", encoding="utf-8") as handle:
        handle.write(
            "点位编号,点位名称,点位类型,所属街道,责任单位\nS001,城东菜市场,农贸市场,东街道,区市场监管局\n"
        )
    gbk_name = "区水务局.csv".encode("gbk")
    with open(os.path.join(folder, gbk_name), "w", encoding="utf-8") as handle:
        handle.write(INSPECTIONS_CSV)
    workbook = Path(__file__).parent / "fixtures" / "evidence" / "lo" / "register" / "点位台账.xlsx"
    with open(os.path.join(folder, "台账.xlsx".encode("gbk")), "wb") as handle:
        handle.write(workbook.read_bytes())
    out = tmp_path / "out"
    done = run_check(folder, out)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    assert b"Traceback" not in done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    files = {i["file"] for i in report["inputs"]}
    shown = gbk_name.decode("ascii", "backslashreplace")
    assert shown in files and "点位台账.csv" in files
    assert all(r["code"] != "unreadable" for r in report["rejected_rows"])
    for name in ("report.html", "自查报告.xlsx"):
        assert (out / name).stat().st_size > 0
    assert any(p.suffix == ".txt" for p in out.iterdir()) and (out / "交办单").is_dir()


# -- case 9: evidence text is never markup ---------------------------------------------------------------


def test_markup_and_bidi_in_evidence_are_shown_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    folder.mkdir()
    (folder / "点位台账.csv").write_text(
        "点位编号,点位名称,点位类型,所属街道,责任单位\n"
        "S001,城东菜市场,农贸市场,东街道,区水务局[/]\n"
        "S002,幸福巷\u202egpj.exe,农贸市场,东街道,[link=http://evil.example]区城管局[/link]\n",
        encoding="utf-8",
    )
    (folder / "实地考察[bold].csv").write_text(
        "点位编号,测评标准,检查结果,问题描述,检查日期,检查人\n"
        "S001,Ⅲ-1-1,不符合,占道[bold]经营[/bold] :smile:,2023-05-03,张三\n"
        "S002,Ⅲ-1-1,不符合,占道,2023-05-03,张三\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = run_check(folder, out)
    stdout = done.stdout.decode("utf-8")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    assert b"Traceback" not in done.stderr
    flat = stdout.replace("\n", "").replace(" ", "")
    assert "区水务局[/]" in flat
    assert "[link=http://evil.exampl" in stdout  # shown (wrapped), not turned into a hidden hyperlink
    assert "\u202e" not in stdout and "\x1b]8;" not in stdout
    assert ":smile:" in flat and "😄" not in stdout
    assert (out / "report.json").exists() and (out / "自查报告.xlsx").exists()


# -- case 11: ragged and very wide CSV --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"," * 100_000 + b"\n" + b"a,b\n" * 100_000,
        b"\n".join([b",".join(b"h%d" % i for i in range(60_010))] + [b"x," * 60_009 + b"y"] * 3) + b"\n",
        b"a,b\n" + b"," * 140_000 + b"\n",
    ],
    ids=["one-wide-line-then-short-lines", "60k-columns", "100k-commas-after-the-head"],
)
def test_a_csv_wider_than_max_columns_is_too_wide_in_bounded_memory(tmp_path: Path, data: bytes) -> None:
    summary = read_limited(round_with(tmp_path, "wide.csv", data), memory=GIB)
    assert codes_of(summary, "wide.csv") == ["too-wide"]
    (message,) = [m for file, _code, _row, m in summary["codes"] if file == "wide.csv"]
    assert "max_columns=2,000" in message


def test_a_ragged_csv_within_the_limits_is_still_read(tiny: Handbook, tmp_path: Path) -> None:
    text = "点位编号,点位名称,点位类型,所属街道,责任单位\nS002,幸福巷,背街小巷,东街道,区城管局,,,\nS003,城西市场\n"
    folder = round_with(tmp_path, "ragged.csv", text.encode())
    evidence = read_evidence(folder, tiny)
    assert "S002" in set(evidence.frame("sites")["site_id"])
    assert [(r.row, r.code) for r in evidence.rejected if r.file == "ragged.csv"] == [(3, "missing-value")]


# -- case 4: civcheck's outputs are known by what they are, not by their names ---------------------------


def test_dispatch_books_of_units_named_like_outputs_are_read_back_and_reports_are_skipped(
    tiny: Handbook, tmp_path: Path
) -> None:
    folder = tmp_path / "round"
    folder.mkdir()
    (folder / "点位台账.csv").write_text(
        "点位编号,点位名称,点位类型,所属街道,责任单位\n"
        "S001,城东菜市场,农贸市场,东街道,自查报告组\nS002,幸福巷,背街小巷,东街道,civcheck-办\n",
        encoding="utf-8",
    )
    (folder / "实地考察.csv").write_text(
        INSPECTIONS_CSV + "S002,Ⅲ-1-1,不符合,占道经营,2023-05-03,张三\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    done = run_check(folder, out)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    books = sorted(p.name for p in (out / "交办单").iterdir())
    assert {"civcheck-办.xlsx", "自查报告组.xlsx"} <= set(books)

    back = read_evidence(out / "交办单", tiny)
    assert sorted(i.file for i in back.inputs) == books and back.skipped == []
    assert all(i.sheets for i in back.inputs)  # each one recognised as a reply sheet

    # The report workbook and page are skipped by their content, also under other names; said so.
    (out / "自查报告.xlsx").rename(out / "第一轮.xlsx")
    (out / "report.html").rename(out / "汇总.html")
    whole = read_evidence(out, tiny)
    skipped = {s.file: s.code for s in whole.skipped}
    assert skipped["第一轮.xlsx"] == skipped["汇总.html"] == "skipped-own-output"
    assert sorted(i.file for i in whole.inputs) == [f"交办单/{b}" for b in books]


def test_the_marks_intake_knows_its_outputs_by_are_the_ones_the_reports_write() -> None:
    from checker.intake import reader
    from checker.report import city, labels, trends

    marks = {labels.LABELS["generated_by"]}
    marks |= {(m.t("generated_by", "zh"), m.t("generated_by", "en")) for m in (city, trends)}
    assert marks == {reader.GENERATED_BY}
    assert labels.LABELS["dispatch_title"] == reader.DISPATCH_TITLES


# -- case 15: smaller faults -------------------------------------------------------------------------------

SITES_TSV = "点位编号\t点位名称\t点位类型\t所属街道\t责任单位\r\nS002\t幸福巷\t背街小巷\t东街道\t区城管局\r\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("Unicode 文本.txt", SITES_TSV.encode("utf-16")),  # Excel's "Unicode Text": UTF-16LE with a BOM
        ("no-bom-le.csv", SITES_TSV.encode("utf-16-le")),
        ("no-bom-be.txt", SITES_TSV.encode("utf-16-be")),
    ],
    ids=["unicode-text-bom", "le-no-bom", "be-no-bom"],
)
def test_utf16_text_exports_are_read(tiny: Handbook, tmp_path: Path, name: str, data: bytes) -> None:
    evidence = read_evidence(round_with(tmp_path, name, data), tiny)
    assert [r.code for r in evidence.rejected] == []
    info = {i.file: i for i in evidence.inputs}[name]
    assert info.rows_accepted == 1 and (info.encoding or "").startswith("utf-16")
    assert sorted(evidence.frame("sites")["site_id"]) == ["S001", "S002"]


def test_a_txt_that_is_not_a_table_is_still_skipped(tiny: Handbook, tmp_path: Path) -> None:
    evidence = read_evidence(round_with(tmp_path, "说明.txt", "请于周五前提交".encode()), tiny)
    assert [(s.file, s.code) for s in evidence.skipped] == [("说明.txt", "skipped-not-spreadsheet")]


def test_a_real_workbook_of_many_parts_is_no_zip_bomb(tiny: Handbook, tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>点位编号</t></is></c><c r="B1" t="inlineStr"><is><t>点位名称</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>点位类型</t></is></c><c r="D1" t="inlineStr"><is><t>所属街道</t></is></c>'
        '<c r="E1" t="inlineStr"><is><t>责任单位</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>S003</t></is></c><c r="B2" t="inlineStr"><is><t>幸福巷</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>背街小巷</t></is></c><c r="D2" t="inlineStr"><is><t>东街道</t></is></c>'
        '<c r="E2" t="inlineStr"><is><t>区城管局</t></is></c></row>'
    )
    parts = xlsx_parts(sheet(rows))
    for i in range(1500):  # what a workbook with many charts, drawings and images holds
        parts[f"xl/media/image{i}.png"] = b"\x89PNG\r\n\x1a\n" + bytes(64)
    folder = round_with(tmp_path, "many.xlsx", write_zip(tmp_path / "many.xlsx", parts).read_bytes())
    evidence = read_evidence(folder, tiny)
    assert [r.code for r in evidence.rejected] == []
    assert "S003" in set(evidence.frame("sites")["site_id"])
    # A zip directory bigger than its cap is still refused, before any part is read.
    small = read_evidence(folder, tiny, limits=Limits(max_zip_directory_bytes=64 * 1024))
    assert [(r.file, r.code) for r in small.rejected] == [("many.xlsx", "zip-bomb")]
    assert "max_zip_directory_bytes=65,536" in small.rejected[0].message


def test_a_link_out_of_the_evidence_folder_is_refused(tiny: Handbook, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text(
        "点位编号,点位名称,点位类型,所属街道,责任单位\nS009,x,农贸市场,y,z\n", encoding="utf-8"
    )
    folder = round_with(tmp_path, "ok.csv", SITES_TSV.encode("utf-16"))
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    (folder / "秘密.csv").symlink_to(outside)
    (folder / "外部").symlink_to(tmp_path, target_is_directory=True)
    (folder / "同一个.csv").symlink_to(folder / "ok.csv")  # a link that stays inside is read
    evidence = read_evidence(folder, tiny)
    skipped = {s.file: s.code for s in evidence.skipped}
    assert skipped == {n: "skipped-link-outside" for n in ("passwd.csv", "秘密.csv", "外部/")}
    assert "S009" not in set(evidence.frame("sites")["site_id"])
    assert sorted(i.file for i in evidence.inputs) == ["ok.csv", "同一个.csv", "点位台账.csv"]
    assert all(i.sha256 != hashlib.sha256(outside.read_bytes()).hexdigest() for i in evidence.inputs)


# -- case 10: many sheets pointing at one part -------------------------------------------------------------


def _one_part_many_sheets(path: Path, sheets: int, rows: int) -> Path:
    """A workbook whose ``sheets`` sheets all point at one sheet part of ``rows`` site rows."""
    header = ("点位编号", "点位名称", "点位类型", "所属街道", "责任单位")
    body = [_row(1, header)] + [
        _row(r, (f"S{r:05d}", "城东菜市场", "农贸市场", "东街道", "区市场监管局")) for r in range(2, rows + 2)
    ]
    parts = xlsx_parts(sheet("".join(body)))
    names = "".join(f'<sheet name="台账{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0"?><workbook {NS} {REL_NS}><sheets>{names}</sheets></workbook>'
    ).encode()
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        for i in range(1, sheets + 1)
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>"
    ).encode()
    return write_zip(path, parts)


def _row(r: int, values: tuple[str, ...]) -> str:
    cells = "".join(
        f'<c r="{letter}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
        for letter, v in zip("ABCDE", values, strict=True)
    )
    return f'<row r="{r}">{cells}</row>'


def test_many_sheets_pointing_at_one_part_count_as_the_work_they_cause(tmp_path: Path) -> None:
    data = _one_part_many_sheets(tmp_path / "x.xlsx", 300, 400).read_bytes()
    assert len(data) < 100_000
    folder = round_with(tmp_path, "shared.xlsx", data)
    # Each sheet is small; together they make a parser read 300 times the part. Capped as that work:
    capped = read_limited(folder, memory=2 * GIB, max_total_bytes=8 * 1024 * 1024)
    assert codes_of(capped, "shared.xlsx") == ["zip-bomb"]
    message = next(m for f, _c, _r, m in capped["codes"] if f == "shared.xlsx")
    assert "300" in message and "max_total_bytes" in message


def test_sheets_sharing_a_part_within_the_limits_are_parsed_in_a_worker(
    tiny: Handbook, tmp_path: Path
) -> None:
    from checker.intake.preflight import preflight_xlsx

    path = _one_part_many_sheets(tmp_path / "x.xlsx", 40, 400)
    # Repeated parts past scan_bytes: parsed in a worker, under its memory and time limits.
    assert not preflight_xlsx(path, Limits(scan_bytes=1024 * 1024)).vouched
    assert preflight_xlsx(_one_part_many_sheets(tmp_path / "y.xlsx", 2, 400), Limits()).vouched
    evidence = read_evidence(round_with(tmp_path, "shared.xlsx", path.read_bytes()), tiny)
    assert [r.code for r in evidence.rejected if r.row == 0] == []
