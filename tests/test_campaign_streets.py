"""Streets (街道) in the site register that the campaign's settings do not list: a warning naming the file,
sheet and row, with the known street it most likely means; nothing is rejected and nothing is flagged
outside a campaign or without a list."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from checker.campaign.settings import unknown_streets
from checker.cli import main


def _register(folder: Path) -> Path:
    return folder / "点位台账.xlsx"


@pytest.fixture(scope="module")
def round_with_typo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("streets")
    evidence = root / "r1"
    assert main(["sample", "-o", str(evidence), "--sites", "12", "--csv", "--clean"]) == 0
    path = _register(evidence)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[2]]  # row 1 is the register's title
    column = header.index("所属街道") + 1
    streets = sorted({str(sheet.cell(r, column).value) for r in range(3, sheet.max_row + 1)})
    typo = sheet.cell(5, column)
    typo.value = str(typo.value).removesuffix("街道") + "街"  # a clerk's short form, sheet row 5
    book.save(path)
    camp = root / "camp"
    assert main(["init", str(camp), "--district", "临江区"]) == 0
    listed = ", ".join(f'"{s}"' for s in streets)
    with open(camp / "civcheck.toml", "a", encoding="utf-8") as handle:
        handle.write(f"\nstreets = [{listed}]\n")
    return camp, evidence, streets


def test_check_warns_with_place_and_suggestion(
    round_with_typo: tuple[Path, Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    camp, evidence, streets = round_with_typo
    capsys.readouterr()
    assert main(["check", str(evidence), "--campaign", str(camp), "--test-date", "2026-07-15"]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "不在本区街道名单中" in line]
    assert len(warnings) == 1, err
    line = warnings[0]
    assert _register(evidence).name in line and "第5行" in line and "共1行" in line
    typo = line.split("所属街道“")[1].split("”")[0]
    assert typo.endswith("街") and f"是否为“{typo}道”" in line
    assert f"{typo}道" in streets


def test_read_lists_the_warning_on_its_file(
    round_with_typo: tuple[Path, Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    camp, evidence, _ = round_with_typo
    monkeypatch.chdir(camp)  # `read` takes the campaign of the folder it runs in
    capsys.readouterr()
    assert main(["read", str(evidence)]) == 0
    assert "不在本区街道名单中" in capsys.readouterr().out


def test_no_campaign_no_warning(
    round_with_typo: tuple[Path, Path, list[str]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, evidence, _ = round_with_typo
    capsys.readouterr()
    assert main(["check", str(evidence), "--test-date", "2026-07-15"]) == 0
    assert "街道名单" not in capsys.readouterr().err


def test_suggestions_rest_on_the_place_name() -> None:
    known = ["城东街道", "新城街道", "北门镇"]
    found = dict(unknown_streets(["城东 街道", "城西街道", "北门", "新城街", "", "城西街道"], known))
    assert found == {"城西街道": None, "北门": "北门镇", "新城街": "新城街道"}
