"""``civcheck sample``: a deterministic, realistic round whose rows make sense against the pack, except for
the few flaws a real round has (``SampleOptions.flaws``): five rejected rows and two standards left out."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest

from checker.cli import main
from checker.errors import HandbookError, UsageError
from checker.generate.district import STREETS
from checker.generate.flaws import EXPECTED_CODES
from checker.generate.paperwork import document_window
from checker.generate.sample import DEFAULT_TEST_DATE, SampleOptions, write_sample
from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny" / "pack.yaml"
RESULTS = {"符合", "不符合", "不适用", "√", "×", "合格", "不合格", "达标", "不达标"}
FAILS = {"不符合", "×", "不合格", "不达标"}


def load_packs() -> list[Handbook]:
    packs = [load_handbook(TINY)]
    with contextlib.suppress(HandbookError, UsageError):  # the bundled pack may still be being written
        packs.append(load_handbook("wenming-city"))
    return packs


PACKS = load_packs()


@pytest.fixture(scope="module", params=PACKS, ids=[p.id for p in PACKS])
def round_(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Handbook, Path]:
    pack: Handbook = request.param
    out = tmp_path_factory.mktemp(pack.id) / "round"
    write_sample(pack, out, SampleOptions(sites=300, seed=7, flaws=False), force=False)
    return pack, out


def table(path: Path) -> list[dict[str, object]]:
    """Rows of the first sheet (or CSV) as dicts, the header found as the first row holding a known header."""
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    at = next(
        i
        for i, r in enumerate(rows)
        if r[0] in ("点位编号", "测评标准", "指标", "题号", "事项编号", "受访者编号")
    )
    header = [str(h) for h in rows[at]]
    return [dict(zip(header, r, strict=True)) for r in rows[at + 1 :]]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    pack = load_handbook(TINY)
    write_sample(pack, tmp_path / "a", SampleOptions(sites=80, seed=3), force=False)
    write_sample(pack, tmp_path / "b", SampleOptions(sites=80, seed=3), force=False)
    write_sample(pack, tmp_path / "c", SampleOptions(sites=80, seed=4), force=False)
    a, b, c = digest(tmp_path / "a"), digest(tmp_path / "b"), digest(tmp_path / "c")
    assert a == b
    assert a != c
    assert not list(tmp_path.glob(".tmp-*"))


def test_register_covers_every_site_type(round_: tuple[Handbook, Path]) -> None:
    pack, out = round_
    sites = table(out / "点位台账.xlsx")
    assert {s["点位类型"] for s in sites} == {t.name for t in pack.site_types}
    assert len({s["点位编号"] for s in sites}) == len(sites)
    departments = {d.name for d in pack.departments}
    assert {s["责任单位"] for s in sites} <= departments


def test_every_inspection_row_applies_to_its_site(round_: tuple[Handbook, Path]) -> None:
    pack, out = round_
    site_type = {s["点位编号"]: s["点位类型"] for s in table(out / "点位台账.xlsx")}
    first = DEFAULT_TEST_DATE - dt.timedelta(days=70)
    rows = [r for f in sorted((out / "实地考察").iterdir()) for r in table(f)]
    assert rows
    fails = 0
    for row in rows:
        standard = pack.standard(str(row["测评标准"]))
        assert standard.field is not None
        assert site_type[row["点位编号"]] in standard.field.site_types
        assert row["检查结果"] in RESULTS
        if row["检查结果"] in FAILS:
            fails += 1
            assert row["问题描述"] and int(str(row["问题数"])) >= 1
        day = row["检查日期"]
        assert day is not None
        if isinstance(day, dt.datetime):
            assert first <= day.date() < DEFAULT_TEST_DATE
    assert 0.05 < fails / len(rows) < 0.6


def test_documents_point_at_real_files_with_some_gaps(round_: tuple[Handbook, Path]) -> None:
    pack, out = round_
    docs = table(out / "网上申报材料.xlsx")
    start, end = document_window(DEFAULT_TEST_DATE, pack.settings.document_window)
    for doc in docs:
        ref = str(doc["文件"])
        assert ref.startswith("https://") or (out / ref).is_file()
        assert isinstance(doc["材料日期"], dt.datetime)
    required = sum(len(s.document.materials) for s in pack.standards if s.document)
    if required >= 20:  # big enough for the gaps to show
        # every date is a datetime (asserted above): the isinstance only tells mypy so
        outside = [
            d
            for d in docs
            if isinstance(day := d["材料日期"], dt.datetime) and not start <= day.date() <= end
        ]
        assert outside and len(docs) < required


def test_volunteer_figures_fall_short(round_: tuple[Handbook, Path]) -> None:
    pack, out = round_
    values = {r["指标"]: float(str(r["数值"])) for r in table(out / "数据指标.xlsx")}
    for s in pack.standards:
        if s.data and s.data.numerator and "志愿" in s.text:
            assert s.data.denominator is not None
            ratio = values[s.data.numerator] / values[s.data.denominator] * s.data.scale
            assert ratio < s.data.target


def test_one_deducting_negative_event(round_: tuple[Handbook, Path]) -> None:
    pack, out = round_
    [event] = table(out / "负面清单.xlsx")
    item = pack.negative_index()[str(event["事项编号"])]
    assert item.deduction > 0 and not item.veto


def test_inspections_option_gives_exactly_that_many_rows_as_csv(tmp_path: Path) -> None:
    pack = load_handbook(TINY)
    options = SampleOptions(sites=20, inspections=3000, csv=True, flaws=False)
    summary = write_sample(pack, tmp_path / "big", options, False)
    files = sorted((tmp_path / "big" / "实地考察").iterdir())
    assert all(f.suffix == ".csv" for f in files)
    assert sum(len(table(f)) for f in files) == 3000 == summary.inspections
    assert summary.sites > 20  # the register grew to hold that many distinct checks


def test_cli_refuses_a_non_empty_folder_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "round"
    args = ["sample", "--handbook", str(TINY), "-o", str(out), "--sites", "30"]
    assert main(args) == 0
    before = digest(out)
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--force" in err and "Traceback" not in err
    assert digest(out) == before
    (out / "stale.txt").write_text("from an earlier run")
    assert main([*args, "--force", "--seed", "5"]) == 0
    assert not (out / "stale.txt").exists()
    assert digest(out) != before
    assert [p.name for p in tmp_path.iterdir()] == ["round"]


def test_cli_clean_flag_writes_a_round_without_flaws(tmp_path: Path) -> None:
    from checker.intake.reader import read_evidence

    pack = load_handbook("wenming-city")
    flawed, clean = tmp_path / "flawed", tmp_path / "clean"
    assert main(["sample", "-o", str(flawed), "--sites", "120"]) == 0
    assert main(["sample", "-o", str(clean), "--sites", "120", "--clean"]) == 0
    assert read_evidence(flawed, pack).rejected != []
    assert read_evidence(clean, pack).rejected == []


def test_clean_sample_reads_back_without_rejections(round_: tuple[Handbook, Path]) -> None:
    from checker.intake.reader import read_evidence

    pack, out = round_
    evidence = read_evidence(out, pack)
    assert evidence.rejected == []
    inspections = evidence.frame("inspections")
    assert len(inspections) == sum(len(table(f)) for f in (out / "实地考察").iterdir())


@pytest.mark.parametrize("pack", PACKS, ids=[p.id for p in PACKS])
def test_flaws_are_exactly_the_rejected_rows_and_the_left_out_standards(
    pack: Handbook, tmp_path: Path
) -> None:
    from checker.intake.reader import read_evidence

    clean = write_sample(pack, tmp_path / "clean", SampleOptions(sites=300, seed=7, flaws=False), False)
    flawed = write_sample(pack, tmp_path / "flawed", SampleOptions(sites=300, seed=7), False)
    evidence = read_evidence(tmp_path / "flawed", pack)
    assert [(r.file, r.row, r.code) for r in evidence.rejected] == flawed.bad_rows
    # One bad row of each kind, in the workbooks of one or two departments.
    assert sorted(c for _, _, c in flawed.bad_rows) == sorted(EXPECTED_CODES.values())
    files = {f for f, _, _ in flawed.bad_rows}
    assert 1 <= len(files) <= 2
    assert not any(street in f for f in files for street in STREETS)
    # A field and a document standard are left out when the pack has more than one of each.
    by_method = {m: [s.code for s in pack.standards if s.method == m] for m in ("field", "document")}
    left_field = [c for c in flawed.left_out if c in by_method["field"]]
    left_documents = [c for c in flawed.left_out if c in by_method["document"]]
    assert len(left_field) == (len(by_method["field"]) > 1)
    assert len(left_documents) == (len(by_method["document"]) > 1)
    assert not evidence.frame("inspections")["standard"].isin(left_field).any()
    assert not evidence.frame("documents")["standard"].isin(left_documents).any()
    # Everything else is the clean round's, byte for byte: the flaws draw from their own stream.
    a, b = digest(tmp_path / "clean"), digest(tmp_path / "flawed")
    changed = {f for f in a.keys() | b.keys() if a.get(f) != b.get(f)}
    inspections = {f for f in changed if f.startswith("实地考察/")}
    assert files <= inspections and len(inspections) <= len(files) + len(left_field)
    stems = tuple(f"材料/{c.replace('Ⅲ', 'III')}_" for c in left_documents)
    assert changed - inspections <= {"网上申报材料.xlsx"} | {f for f in a if f.startswith(stems)}
    assert abs(flawed.problems / flawed.inspections - clean.problems / clean.inspections) < 0.005


# The flaws of the committed sample (evidence/README.md lists them): (file, sheet row, code).
COMMITTED_FLAWS = [
    ("实地考察/区卫生健康局实地考察自查表.xlsx", 18, "bad-date"),
    ("实地考察/区卫生健康局实地考察自查表.xlsx", 43, "bad-number"),
    ("实地考察/区城市管理综合执法局实地考察自查表.xlsx", 279, "site-not-registered"),
    ("实地考察/区城市管理综合执法局实地考察自查表.xlsx", 349, "bad-result"),
    ("实地考察/区城市管理综合执法局实地考察自查表.xlsx", 560, "unknown-standard"),
]


def test_committed_sample_reads_back_with_exactly_its_flaws() -> None:
    from checker.intake.reader import read_evidence

    folder = Path(__file__).parent.parent / "evidence" / "sample"
    pack = load_handbook("wenming-city")
    evidence = read_evidence(folder, pack)
    assert [(r.file, r.row, r.code) for r in evidence.rejected] == COMMITTED_FLAWS
    assert len(evidence.frame("sites")) >= len(pack.site_types)
    assert len(evidence.frame("inspections")) > 1000
    # Ⅲ-47-3 (车站) was left out of the inspections, Ⅲ-6-1's materials were never submitted.
    assert not evidence.frame("inspections")["standard"].eq("Ⅲ-47-3").any()
    assert not evidence.frame("documents")["standard"].eq("Ⅲ-6-1").any()
