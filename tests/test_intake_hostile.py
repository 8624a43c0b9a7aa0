"""Hostile and broken files (the hostile cases listed in docs/evidence.md): each is one rejected or warned file
with a stable code; the interpreter survives; the rest of the round is still read; inputs stay unchanged.

Every file is made here, under tmp_path, by small builders (a few KB each, bombs generated in memory).
"""

from __future__ import annotations

import hashlib
import os
import resource
import struct
import time
import zipfile
from pathlib import Path

import pytest

from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake import isolate, reader
from checker.intake.evidence import Evidence
from checker.intake.limits import Limits
from checker.intake.reader import read_evidence

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny"
LO = Path(__file__).parent / "fixtures" / "evidence" / "lo"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
SITES_CSV = "点位编号,点位名称,点位类型,所属街道,责任单位\nS001,城东菜市场,农贸市场,东街道,区市场监管局\n"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>\n"
)


@pytest.fixture(scope="module")
def tiny() -> Handbook:
    return load_handbook(TINY)


# -- builders ---------------------------------------------------------------------------------------------


def xlsx_parts(sheet_xml: str | bytes, shared: str | None = None, workbook_pr: str = "") -> dict[str, bytes]:
    def b(text: str | bytes) -> bytes:
        return text.encode("utf-8") if isinstance(text, str) else text

    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared is not None
            else ""
        )
        + "</Types>",
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {NS} {REL_NS}>{workbook_pr}<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            if shared is not None
            else ""
        )
        + "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return {name: b(data) for name, data in parts.items()}


def write_zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def sheet(rows: str, head: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'


def ods(content: str) -> dict[str, bytes]:
    return {
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        "content.xml": content.encode("utf-8"),
    }


ODS_HEAD = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def round_with(tmp_path: Path, name: str, data: bytes) -> Path:
    """A round: the hostile file plus a good site register that must still be read."""
    folder = tmp_path / "round"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    (folder / "点位台账.csv").write_text(SITES_CSV, encoding="utf-8")
    return folder


def digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def check_round(
    tiny: Handbook, folder: Path, name: str, limits: Limits | None = None
) -> tuple[Evidence, list[str]]:
    """Read the round; assert the good file was read and nothing was modified; return the hostile file's codes."""
    before = digest(folder)
    started = time.perf_counter()
    evidence = read_evidence(folder, tiny, limits=limits)
    assert time.perf_counter() - started < 15
    assert digest(folder) == before
    assert len(evidence.frame("sites")) == 1  # the rest of the round is still read
    codes = [r.code for r in evidence.rejected if r.file == name]
    for r in evidence.rejected:
        assert "Traceback" not in r.message
    return evidence, codes


def file_info(evidence: Evidence, name: str):  # type: ignore[no-untyped-def]
    return {i.file: i for i in evidence.inputs}[name]


# -- cases 1–4: XML entities ------------------------------------------------------------------------------


def test_billion_laughs_in_sheet_is_xml_dtd(tiny: Handbook, tmp_path: Path) -> None:
    data = write_zip(
        tmp_path / "x.xlsx", xlsx_parts(sheet('<row r="1"><c r="A1"><v>&lol9;</v></c></row>', LAUGHS))
    ).read_bytes()
    evidence, codes = check_round(tiny, round_with(tmp_path, "bomb.xlsx", data), "bomb.xlsx")
    assert codes == ["xml-dtd"]
    assert "xl/worksheets/sheet1.xml" in evidence.rejected[0].message
    assert file_info(evidence, "bomb.xlsx").format == "xlsx"


@pytest.mark.parametrize(
    "shared",
    [
        LAUGHS + f"<sst {NS}><si><t>&lol9;</t></si></sst>",
        '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "'
        + "x" * 50_000
        + f'">]><sst {NS}><si><t>'
        + "&a;" * 20_000
        + "</t></si></sst>",
    ],
    ids=["billion-laughs", "quadratic-blowup"],
)
def test_entity_bombs_in_shared_strings_name_the_part(tiny: Handbook, tmp_path: Path, shared: str) -> None:
    parts = xlsx_parts(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared=shared)
    data = write_zip(tmp_path / "x.xlsx", parts).read_bytes()
    evidence, codes = check_round(tiny, round_with(tmp_path, "s.xlsx", data), "s.xlsx")
    assert codes == ["xml-dtd"]
    assert "xl/sharedStrings.xml" in evidence.rejected[0].message


def test_xxe_is_refused_and_the_file_text_never_appears(tiny: Handbook, tmp_path: Path) -> None:
    secret = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "no-hostname"
    shared = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><sst {NS}><si><t>&xxe;</t></si></sst>'
    data = write_zip(
        tmp_path / "x.xlsx", xlsx_parts(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared=shared)
    ).read_bytes()
    evidence, codes = check_round(tiny, round_with(tmp_path, "xxe.xlsx", data), "xxe.xlsx")
    assert codes == ["xml-dtd"]
    everything = (
        repr(evidence.rejected)
        + repr(evidence.inputs)
        + repr({k: v.to_dict() for k, v in evidence.frames.items()})
    )
    assert len(secret) < 4 or secret not in everything


def test_ods_with_billion_laughs_is_xml_dtd(tiny: Handbook, tmp_path: Path) -> None:
    content = (
        LAUGHS
        + ODS_HEAD
        + '<table:table table:name="a"><table:table-row><table:table-cell><text:p>&lol9;</text:p></table:table-cell></table:table-row></table:table>'
        + ODS_TAIL
    )
    data = write_zip(tmp_path / "x.ods", ods(content)).read_bytes()
    _evidence, codes = check_round(tiny, round_with(tmp_path, "bomb.ods", data), "bomb.ods")
    assert codes == ["xml-dtd"]


# -- cases 5–9: sizes, ratios, ranges ---------------------------------------------------------------------


def test_whitespace_zip_bomb_is_refused_from_metadata(tiny: Handbook, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    parts = xlsx_parts(b"")
    del parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(sheet("").encode()[:60])
            block = b" " * (16 * 1024 * 1024)
            for _ in range(20):  # 320 MiB of spaces, about 320 KB compressed
                member.write(block)
    evidence, codes = check_round(tiny, round_with(tmp_path, "ws.xlsx", path.read_bytes()), "ws.xlsx")
    assert codes == ["zip-bomb"]
    assert "max_ratio=100" in evidence.rejected[0].message
    assert "xl/worksheets/sheet1.xml" in evidence.rejected[0].message


def test_cell_zip_bomb_is_refused_without_a_worker(
    tiny: Handbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>同</t></is></c></row>'
    cells = '<c t="inlineStr"><is><t>同样的内容</t></is></c>' * 1_400_000  # ≈ 64 MiB of identical cells
    data = write_zip(tmp_path / "x.xlsx", xlsx_parts(sheet(rows + f'<row r="2">{cells}</row>'))).read_bytes()

    def no_worker(*_args: object) -> object:
        raise AssertionError("a worker was started for a file the metadata already refuses")

    monkeypatch.setattr(isolate, "run_isolated", no_worker)  # the module reader.py calls
    evidence, codes = check_round(tiny, round_with(tmp_path, "cells.xlsx", data), "cells.xlsx")
    assert codes == ["zip-bomb"]
    assert ":1" in evidence.rejected[0].message  # the ratio is shown


def _lie_about_size(path: Path, member: str, claimed: int) -> None:
    """Rewrite the local and central headers of ``member`` to claim ``claimed`` uncompressed bytes."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, offset of the name length, of the name, of the uncompressed size) per header kind.
    for signature, length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        pos = 0
        while (header := data.find(signature, pos)) >= 0:
            n_len = struct.unpack_from("<H", data, header + length_at)[0]
            if data[header + name_at : header + name_at + n_len] == name:
                struct.pack_into("<I", data, header + size_at, claimed)
            pos = header + 4
    path.write_bytes(bytes(data))


def test_member_lying_about_its_size_is_corrupt_zip(tiny: Handbook, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>' + "<!-- -->" * (64 * 1024 * 1024 // 8 // 16)
    write_zip(path, xlsx_parts(sheet(rows)))
    _lie_about_size(path, "xl/worksheets/sheet1.xml", 4096)
    _evidence, codes = check_round(tiny, round_with(tmp_path, "liar.xlsx", path.read_bytes()), "liar.xlsx")
    assert codes == ["corrupt-zip"]


def test_a_sheet_without_closed_cells_is_streamed_in_bounded_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pieces are cut after a closed cell or row; a sheet of self-closing rows has neither, and must not be
    carried over whole from chunk to chunk (a 1 GB member would be copied quadratically)."""
    from checker.intake import preflight

    monkeypatch.setattr(preflight, "CHUNK", 1024)
    rows = "".join(f'<row r="{r}"/>' for r in range(1, 20_001))
    path = write_zip(tmp_path / "rows.xlsx", xlsx_parts(sheet(rows)))
    with zipfile.ZipFile(path) as archive:
        pieces = list(preflight._pieces(archive, "xl/worksheets/sheet1.xml"))
    assert b"".join(pieces) == sheet(rows).encode()
    assert len(pieces) > 100 and max(len(p) for p in pieces) <= 3 * 1024


def test_sparse_far_cell_is_refused_in_process_and_the_interpreter_survives(
    tiny: Handbook, tmp_path: Path
) -> None:
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>点位编号</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = write_zip(tmp_path / "x.xlsx", xlsx_parts(sheet(rows))).read_bytes()
    assert len(data) < 5000
    # isolate="never": the real reader path runs in this very process; calamine would abort it (SIGABRT).
    evidence, codes = check_round(
        tiny, round_with(tmp_path, "far.xlsx", data), "far.xlsx", Limits(isolate="never")
    )
    assert codes == ["sparse-range"]
    assert "XFD1048576" in evidence.rejected[0].message and "max_cells" in evidence.rejected[0].message


def test_a_repeated_uncached_ods_formula_names_a_bounded_number_of_cells() -> None:
    """A formula cell without a value repeated over a million rows × 16,000 columns: self-closing, so it
    counts as no value for max_cells, and only the first _MAX_ODS_FORMULAS cells are named, row by row."""
    from checker.intake import preflight

    content = (
        ODS_HEAD + '<table:table table:name="a"><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16000" table:formula="of:=1/0"/>'
        "</table:table-row></table:table>" + ODS_TAIL
    ).encode()
    started = time.perf_counter()
    (scan,) = preflight.scan_ods(content, Limits())
    assert time.perf_counter() - started < 2
    cap = preflight._MAX_ODS_FORMULAS
    assert len(scan.formulas) == cap
    assert list(scan.formulas)[:2] == [(1, 1), (1, 2)]
    last_row, last_col = divmod(cap - 1, 16000)
    assert list(scan.formulas)[-1] == (last_row + 1, last_col + 1)
    assert set(scan.formulas.values()) == {"1/0"}


def test_ods_repeats_are_multiplied_out(tiny: Handbook, tmp_path: Path) -> None:
    content = (
        ODS_HEAD + '<table:table table:name="a"><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table>" + ODS_TAIL
    )
    data = write_zip(tmp_path / "x.ods", ods(content)).read_bytes()
    started = time.perf_counter()
    _evidence, codes = check_round(
        tiny, round_with(tmp_path, "rep.ods", data), "rep.ods", Limits(isolate="never")
    )
    assert codes == ["too-many-cells"]
    assert time.perf_counter() - started < 2


def _scanned_or_big(scan_bytes: int) -> pytest.MarkDecorator:
    """Run a test with the sheet small enough to scan before parsing (the default limits), and too big to
    (over ``scan_bytes``): parsed in a worker, or in-process, with the late scan alongside."""
    return pytest.mark.parametrize(
        "limits",
        [None, Limits(scan_bytes=scan_bytes), Limits(scan_bytes=scan_bytes, isolate="never")],
        ids=["scanned", "big-sheet-worker", "big-sheet-in-process"],
    )


def _ods_text(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


@_scanned_or_big(4 * 1024)
def test_ods_formula_without_a_value_is_rejected_naming_its_cell(
    tiny: Handbook, tmp_path: Path, limits: Limits | None
) -> None:
    head = "".join(
        _ods_text(h) for h in ("点位编号", "测评标准", "检查结果", "问题描述", "检查日期", "检查人")
    )
    rows = [f"<table:table-row>{head}</table:table-row>"]
    for r in range(2, 202):
        if r == 150:  # a formula a generator wrote without its value; the rest are plain, or cached formulas
            result = '<table:table-cell table:formula="of:=IF([.A150]=&quot;S001&quot;;&quot;符合&quot;)"/>'
        elif r % 2:
            result = (
                '<table:table-cell table:formula="of:=&quot;符合&quot;" office:value-type="string" '
                'office:string-value="符合"><text:p>符合</text:p></table:table-cell>'
            )
        else:
            result = _ods_text("不符合")
        cells = _ods_text("S001") + _ods_text("Ⅲ-1-1") + result + "<table:table-cell/>"
        cells += _ods_text("2023-05-03") + _ods_text("张三")
        rows.append(f"<table:table-row>{cells}</table:table-row>")
    content = ODS_HEAD + '<table:table table:name="检查">' + "".join(rows) + "</table:table>" + ODS_TAIL
    data = write_zip(tmp_path / "x.ods", ods(content)).read_bytes()
    evidence, codes = check_round(tiny, round_with(tmp_path, "实地考察.ods", data), "实地考察.ods", limits)
    assert codes == ["formula-no-cache"]
    (rejected,) = [r for r in evidence.rejected if r.file == "实地考察.ods"]
    assert (rejected.row, rejected.column) == (150, "C 检查结果")
    assert "C150" in rejected.message and 'IF([.A150]="S001";"符合")' in rejected.message
    assert file_info(evidence, "实地考察.ods").rows_accepted == 199


TAIL_CELLS = "<table:table-cell/>" + _ods_text("张三")


@_scanned_or_big(512)
def test_ods_value_merged_down_is_used_on_every_row(
    tiny: Handbook, tmp_path: Path, limits: Limits | None
) -> None:
    head = "".join(
        _ods_text(h) for h in ("点位编号", "测评标准", "检查结果", "检查日期", "问题描述", "检查人")
    )
    site = '<table:table-cell table:number-rows-spanned="3" office:value-type="string"><text:p>S001</text:p>'
    rows = [
        head,
        site
        + "</table:table-cell>"
        + _ods_text("Ⅲ-1-1")
        + _ods_text("符合")
        + _ods_text("2023-05-03")
        + TAIL_CELLS,
        "<table:covered-table-cell/>"
        + _ods_text("Ⅲ-1-1")
        + _ods_text("不符合")
        + _ods_text("2023-05-04")
        + TAIL_CELLS,
        "<table:covered-table-cell/>"
        + _ods_text("Ⅲ-1-1")
        + _ods_text("符合")
        + _ods_text("2023-05-05")
        + TAIL_CELLS,
    ]
    table = "".join(f"<table:table-row>{r}</table:table-row>" for r in rows)
    content = ODS_HEAD + f'<table:table table:name="检查">{table}</table:table>' + ODS_TAIL
    data = write_zip(tmp_path / "x.ods", ods(content)).read_bytes()
    assert len(content.encode()) > 512
    evidence, codes = check_round(tiny, round_with(tmp_path, "实地考察.ods", data), "实地考察.ods", limits)
    assert codes == []
    frame = evidence.frame("inspections")
    assert list(frame["_row"]) == [2, 3, 4] and list(frame["site_id"]) == ["S001"] * 3
    assert any("A2:A4" in w for w in file_info(evidence, "实地考察.ods").warning_texts())


# -- case 10: the worker backstop -------------------------------------------------------------------------


def aborting_parser(path: Path, fmt: str, hidden: list[str] | None) -> object:
    os.abort()


def sleeping_parser(path: Path, fmt: str, hidden: list[str] | None) -> object:
    time.sleep(60)
    return None


def hungry_parser(path: Path, fmt: str, hidden: list[str] | None) -> object:
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


@pytest.mark.parametrize(
    ("parser", "code"),
    [(aborting_parser, "resource-limit"), (sleeping_parser, "timeout"), (hungry_parser, "resource-limit")],
    ids=["abort", "hang", "memory"],
)
def test_worker_backstop_turns_a_dying_parser_into_one_rejected_file(
    tiny: Handbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parser: object, code: str
) -> None:
    good = LO / "register" / "点位台账.xlsx"
    monkeypatch.setattr(reader, "WORKBOOK_PARSER", parser)
    # The hang is cut at 3 s; the others get time to die their own way: on a VM whose fresh memory is
    # slow to touch, filling 1 GiB took a worker ~2.7 s, and a 3 s timeout made the memory case a timeout.
    timeout = 3 if code == "timeout" else 60
    limits = Limits(isolate="always", worker_timeout_s=timeout, worker_memory_bytes=1024 * 1024 * 1024)
    evidence, codes = check_round(
        tiny, round_with(tmp_path, "any.xlsx", good.read_bytes()), "any.xlsx", limits
    )
    assert codes == [code]
    assert ("worker_timeout_s=3" if code == "timeout" else "worker_memory_bytes=") in evidence.rejected[
        0
    ].message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2 * 1024 * 1024  # this process stayed small


# -- cases 11–16: damaged and disguised files -------------------------------------------------------------


def test_truncated_and_empty_workbooks(tiny: Handbook, tmp_path: Path) -> None:
    whole = (LO / "inspections" / "实地考察.xlsx").read_bytes()
    folder = round_with(tmp_path, "half.xlsx", whole[: len(whole) // 2])
    (folder / "empty.xlsx").write_bytes(b"")
    evidence, codes = check_round(tiny, folder, "half.xlsx")
    assert codes == ["corrupt-zip"]
    assert "另存为" in evidence.rejected[1].message
    assert [r.code for r in evidence.rejected if r.file == "empty.xlsx"] == ["empty-file"]
    empty = {i.file: i for i in evidence.inputs}["empty.xlsx"]
    assert empty.sha256 == hashlib.sha256(b"").hexdigest()  # an empty file cannot be mapped, yet has a hash


def test_encrypted_ole_package_is_encrypted(tiny: Handbook, tmp_path: Path) -> None:
    # The shape Office gives a password-protected xlsx: an OLE2 compound file holding EncryptionInfo and
    # EncryptedPackage streams (made here from the header and directory entries alone).
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entries = b"".join(
        name.encode("utf-16-le").ljust(128, b"\x00")
        for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage")
    )
    evidence, codes = check_round(
        tiny, round_with(tmp_path, "locked.xlsx", header + entries + bytes(1024)), "locked.xlsx"
    )
    assert codes == ["encrypted"]
    assert "密码" in evidence.rejected[0].message and "zip" not in evidence.rejected[0].message.lower()


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_saved_as_xlsx_is_read_as_csv_with_a_warning(
    tiny: Handbook, tmp_path: Path, encoding: str
) -> None:
    twin = (LO / "inspections" / "实地考察-utf8.csv").read_text(encoding="utf-8")
    folder = round_with(tmp_path, "实地考察.xlsx", twin.encode(encoding))
    (folder / "点位台账.csv").write_text(
        SITES_CSV.replace("S001,城东菜市场", "S001,城东菜市场")
        + "S002,幸福巷,背街小巷,东街道,城管局\nS003,城西市场,菜市场,西街道,市场监管\n",
        encoding="utf-8",
    )
    evidence = read_evidence(folder, tiny)
    info = file_info(evidence, "实地考察.xlsx")
    assert (info.format, info.encoding) == ("csv", encoding)
    assert any("扩展名" in w for w in info.warning_texts())
    assert (info.rows_read, info.rows_accepted, info.rows_rejected, info.rows_blank) == (10, 4, 6, 1)


def test_html_and_spreadsheetml_exports_are_read_and_a_web_archive_is_refused(
    tiny: Handbook, tmp_path: Path
) -> None:
    """HTML tables and Excel 2003 XML saved as .xls are read (issue 16); a web archive (.mht) is not."""
    folder = round_with(
        tmp_path, "导出.xls", "<html><body><table><tr><td>点位编号</td></tr></table></body></html>".encode()
    )
    (folder / "2003.xls").write_text(
        '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
        encoding="utf-8",
    )
    (folder / "网页.xls").write_text(
        'MIME-Version: 1.0\nContent-Type: multipart/related; boundary="----=_NextPart"\n', encoding="ascii"
    )
    evidence, codes = check_round(tiny, folder, "网页.xls")
    assert codes == ["html-disguised"]
    assert "另存为 .xlsx" in evidence.rejected[0].message
    assert (file_info(evidence, "导出.xls").format, file_info(evidence, "2003.xls").format) == (
        "html",
        "xml2003",
    )
    assert file_info(evidence, "导出.xls").skipped_sheets == ["表1 (unrecognised-sheet)"]
    assert [r.file for r in evidence.rejected] == ["网页.xls"]


def test_xls_renamed_xlsx_is_read_and_docx_renamed_xlsx_is_refused(tiny: Handbook, tmp_path: Path) -> None:
    folder = round_with(tmp_path, "实地考察.xlsx", (LO / "inspections" / "实地考察.xls").read_bytes())
    write_zip(
        folder / "报告.xlsx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    )
    evidence = read_evidence(folder, tiny)
    info = file_info(evidence, "实地考察.xlsx")
    assert info.format == "xls" and any("扩展名" in w for w in info.warning_texts())
    assert info.rows_read == 10
    assert [r.code for r in evidence.rejected if r.file == "报告.xlsx"] == ["not-a-spreadsheet"]


def test_truncated_xls_is_corrupt_xls(tiny: Handbook, tmp_path: Path) -> None:
    whole = (LO / "inspections" / "实地考察.xls").read_bytes()
    _evidence, codes = check_round(
        tiny, round_with(tmp_path, "half.xls", whole[: len(whole) // 2]), "half.xls"
    )
    assert codes == ["corrupt-xls"]


# -- cases 17–18: CSV encodings and delimiters -------------------------------------------------------------


def test_gb18030_only_characters_decode_exactly(tiny: Handbook, tmp_path: Path) -> None:
    text = "点位编号,点位名称,点位类型,所属街道,责任单位\nS001,㐀𠀀€市场,农贸市场,东街道,区市场监管局\n"
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "a.csv").write_bytes(text.encode("gb18030"))
    (folder / "b.csv").write_bytes(text.encode("utf-8"))
    evidence = read_evidence(folder, tiny)
    assert [i.encoding for i in evidence.inputs] == ["gb18030", "utf-8"]
    names = list(evidence.frame("sites")["site_name"])
    assert names == ["㐀𠀀€市场", "㐀𠀀€市场"]


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("bom.csv", b"\xef\xbb\xbf" + SITES_CSV.encode("utf-8"), "utf-8-sig"),
        ("utf16.csv", SITES_CSV.replace(",", "\t").encode("utf-16"), "utf-16"),
        ("semi.csv", SITES_CSV.replace(",", ";").encode("utf-8"), "utf-8"),
    ],
)
def test_bom_utf16_and_semicolon_csv(
    tiny: Handbook, tmp_path: Path, name: str, data: bytes, encoding: str
) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / name).write_bytes(data)
    evidence = read_evidence(folder, tiny)
    assert evidence.inputs[0].encoding == encoding
    assert list(evidence.frame("sites")["site_id"]) == ["S001"]
    assert evidence.rejected == []


def test_nul_byte_csv_is_binary(tiny: Handbook, tmp_path: Path) -> None:
    _evidence, codes = check_round(tiny, round_with(tmp_path, "nul.csv", b"a,b\n1,\x002\n"), "nul.csv")
    assert codes == ["binary"]


def _long_ascii_sites(rows: int) -> str:
    """A sites CSV in plain ASCII (English headers) longer than the 256 KB the reader decodes itself."""
    header = "site id,site name,site type,sub-district,department\n"
    return header + "".join(f"S{i:06d},Market {i},market,East,Market Bureau\n" for i in range(rows))


def test_gb18030_after_an_ascii_head_is_still_decoded_as_gb18030(tiny: Handbook, tmp_path: Path) -> None:
    body = _long_ascii_sites(8_000).encode("ascii")
    assert len(body) > 256 * 1024
    data = body + "S999999,㐀€市场,农贸市场,东街道,区市场监管局\n".encode("gb18030")
    evidence = read_evidence(round_with(tmp_path, "sites.csv", data), tiny)
    assert evidence.inputs[0].encoding == "gb18030"
    sites = evidence.frame("sites")
    assert sites.set_index("site_id").loc["S999999", "site_name"] == "㐀€市场"


def test_nul_byte_past_the_head_is_binary(tiny: Handbook, tmp_path: Path) -> None:
    data = _long_ascii_sites(8_000).encode() + b"S1,\x00,x,y,z\n"
    _evidence, codes = check_round(tiny, round_with(tmp_path, "nul.csv", data), "nul.csv")
    assert codes == ["binary"]


def test_bytes_that_are_neither_utf8_nor_gb18030_past_the_head(tiny: Handbook, tmp_path: Path) -> None:
    data = _long_ascii_sites(8_000).encode() + b"S1,\xff\xff,x,y,z\n"
    _evidence, codes = check_round(tiny, round_with(tmp_path, "bad.csv", data), "bad.csv")
    assert codes == ["encoding"]


# -- case 26: very wide -----------------------------------------------------------------------------------


def test_sixteen_thousand_columns_is_too_wide(tiny: Handbook, tmp_path: Path) -> None:
    from checker.intake.preflight import column_letters

    cells = "".join(f'<c r="{column_letters(i)}{r}"><v>{i}</v></c>' for r in (1, 2) for i in range(1, 16385))
    data = write_zip(tmp_path / "x.xlsx", xlsx_parts(sheet(f'<row r="1">{cells}</row>'))).read_bytes()
    evidence, codes = check_round(
        tiny, round_with(tmp_path, "wide.xlsx", data), "wide.xlsx", Limits(isolate="never")
    )
    assert codes == ["too-wide"]
    assert "max_columns=2,000" in evidence.rejected[0].message


def test_a_file_sent_twice_repeats_every_pair_and_the_later_file_counts(
    tiny: Handbook, tmp_path: Path
) -> None:
    sites = "".join(f"S{i:03d},市场{i},农贸市场,东街道,区市场监管局\n" for i in range(200))
    rows = "".join(f"S{i:03d},Ⅲ-1-1,符合,,2023-05-03,张三\n" for i in range(200))
    folder = tmp_path / "round"
    folder.mkdir()
    (folder / "点位台账.csv").write_text(SITES_CSV.splitlines()[0] + "\n" + sites, encoding="utf-8")
    for name in ("a.csv", "b.csv"):
        (folder / name).write_text(
            "点位编号,测评标准,检查结果,问题描述,检查日期,检查人\n" + rows, encoding="utf-8"
        )
    evidence = read_evidence(folder, tiny)
    frame = evidence.frame("inspections")
    assert len(frame) == 400 and frame["duplicate"].all()
    assert set(frame.loc[frame["counts"], "_file"]) == {"b.csv"}
    warnings = [w for w in file_info(evidence, "b.csv").warning_texts() if "200" in w]
    assert len(warnings) == 1
    assert "S000 + Ⅲ-1-1: 计入 b.csv 2行，不计 a.csv 2行" in warnings[0]
    english = [w for w in file_info(evidence, "b.csv").warning_texts("en") if "200" in w]
    assert "'S000' + Ⅲ-1-1: counted 'b.csv' row 2, not 'a.csv' row 2" in english[0]
    assert not any("计入" in w for w in file_info(evidence, "a.csv").warning_texts())


def _long_gb18030_sites(rows: int) -> bytes:
    """A GB18030 sites CSV (Chinese headers and names) longer than the 256 KB head."""
    body = "".join(f"S{i:06d},城东市场{i},农贸市场,东街道,区市场监管局\n" for i in range(rows))
    return (SITES_CSV.splitlines()[0] + "\n" + body).encode("gb18030")


def test_a_large_gb18030_file_is_streamed_and_read_exactly(tiny: Handbook, tmp_path: Path) -> None:
    data = _long_gb18030_sites(12_000)
    assert len(data) > 256 * 1024
    evidence = read_evidence(round_with(tmp_path, "sites-gbk.csv", data), tiny)
    assert evidence.rejected == []
    info = file_info(evidence, "sites-gbk.csv")
    assert (info.encoding, info.rows_accepted) == ("gb18030", 12_000)
    assert "城东市场11999" in set(evidence.frame("sites")["site_name"])


def test_a_bad_byte_deep_in_a_gb18030_file_is_an_encoding_error(tiny: Handbook, tmp_path: Path) -> None:
    data = _long_gb18030_sites(12_000) + b"S1,\xff\xff,x,y,z\n"
    _evidence, codes = check_round(tiny, round_with(tmp_path, "bad-gbk.csv", data), "bad-gbk.csv")
    assert codes == ["encoding"]


def test_a_round_of_many_files_is_compacted_to_one_chunk_per_column(
    tiny: Handbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa

    folder = tmp_path / "round"
    folder.mkdir()
    for k in range(3):
        (folder / f"sites-{k}.csv").write_text(
            SITES_CSV.splitlines()[0] + "\n" + f"S{k},市场{k},农贸市场,东街道,区市场监管局\n",
            encoding="utf-8",
        )
    monkeypatch.setattr(reader, "_MAX_CHUNKS", 1)
    sites = read_evidence(folder, tiny).frame("sites")
    assert list(sites["site_name"]) == ["市场0", "市场1", "市场2"]
    for column in ("site_id", "site_name", "_file"):
        chunked = pa.array(sites[column].array)
        assert not isinstance(chunked, pa.ChunkedArray) or chunked.num_chunks == 1


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@_scanned_or_big(64 * 1024)
def test_a_column_of_error_cells_and_uncached_formulas_rejects_each_row_naming_its_cell(
    tiny: Handbook, tmp_path: Path, limits: Limits | None
) -> None:
    # 2,000 inspections whose result is #N/A (a VLOOKUP gone wrong), and one formula saved without a value.
    head = "".join(
        _inline(f"{c}1", h)
        for c, h in zip(
            "ABCDEF", ("点位编号", "测评标准", "检查结果", "问题描述", "检查日期", "检查人"), strict=True
        )
    )
    rows = [f'<row r="1">{head}</row>']
    for r in range(2, 2002):
        cells = _inline(f"A{r}", "S001") + _inline(f"B{r}", "Ⅲ-1-1")
        result = (
            '<c r="C{r}" t="e"><v>#N/A</v></c>'
            if r < 2001
            else '<c r="C{r}"><f>VLOOKUP(A{r},X!A:B,2)</f></c>'
        )
        rows.append(
            f'<row r="{r}">{cells}{result.format(r=r)}{_inline(f"E{r}", "2023-05-03")}{_inline(f"F{r}", "张三")}</row>'
        )
    merged = '<mergeCells count="1"><mergeCell ref="D1500:D1502"/></mergeCells>'
    xml = sheet("".join(rows)).replace("</sheetData>", "</sheetData>" + merged)
    data = write_zip(tmp_path / "x.xlsx", xlsx_parts(xml)).read_bytes()
    folder = round_with(tmp_path, "实地考察.xlsx", data)
    evidence, codes = check_round(tiny, folder, "实地考察.xlsx", limits)
    assert codes == ["cell-error"] * 1999 + ["formula-no-cache"]
    assert any("D1500:D1502" in w for w in file_info(evidence, "实地考察.xlsx").warning_texts())
    mine = [r for r in evidence.rejected if r.file == "实地考察.xlsx"]
    assert [r.row for r in mine] == list(range(2, 2002))
    assert "C2" in mine[0].message and "#N/A" in mine[0].message
    assert "C2001" in mine[-1].message and "VLOOKUP" in mine[-1].message
    assert {r.column for r in mine} == {"C 检查结果"}


# -- issue 12, case 2: a UTF-8 CSV with one line pasted from a GBK file ------------------------------------


@pytest.mark.parametrize("rows", [3, 12_000])  # the bad line inside the 256 KB head, and past it
def test_a_gbk_line_in_a_utf8_csv_is_one_rejected_row_not_mojibake(
    tiny: Handbook, tmp_path: Path, rows: int
) -> None:
    # Chinese runs of even UTF-8 byte length: the whole file is also valid GB18030 (as mojibake).
    body = "".join(f"S{i:05d},城东,农贸市场,城东,区水务局\n" for i in range(rows))
    data = ("点位编号,点位名称,点位类型,street,责任单位\n" + body).encode("utf-8")
    data += "S99999,城东,农贸市场,城东,区水务局\n".encode("gbk")
    data += "S99998,城东,农贸市场,城东,区水务局\n".encode()
    data.decode("gb18030")  # the trap: strict GB18030 accepts the whole file
    evidence = read_evidence(round_with(tmp_path, "mixed.csv", data), tiny)
    assert [r.code for r in evidence.rejected if r.file == "mixed.csv"] == ["encoding"]
    bad = next(r for r in evidence.rejected if r.file == "mixed.csv")
    assert bad.row == rows + 2  # the line of the GBK row
    info = file_info(evidence, "mixed.csv")
    assert info.encoding == "utf-8"
    assert (info.rows_read, info.rows_accepted, info.rows_rejected) == (rows + 2, rows + 1, 1)
    sites = evidence.frame("sites")
    assert set(sites.loc[sites["_file"] == "mixed.csv", "department"]) == {"区水务局"}
    assert "S99998" in set(sites["site_id"]) and "S001" in set(sites["site_id"])
