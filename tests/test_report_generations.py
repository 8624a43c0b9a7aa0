"""A round's outputs are one generation (issue 12, cases 3 and 14), tested with real processes.

Each run is a child process running the ``civcheck check`` command line. Faults are injected into the
child: a write that fails with ENOSPC after the workbook was written, a run killed with SIGKILL while it
writes, two runs into one folder at the same time. Afterwards every output in the folder must belong to
one generation: ``civcheck-generation.json`` lists each output's SHA-256, and the files must match it.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
TINY = ROOT / "tests" / "fixtures" / "packs" / "tiny"
SITES = "点位编号,点位名称,点位类型,所属街道,责任单位\nS001,城东菜市场,农贸市场,东街道,区市场监管局\nS002,幸福巷,农贸市场,东街道,区城管局\n"
INSPECTIONS = "点位编号,测评标准,检查结果,问题描述,检查日期,检查人\nS001,Ⅲ-1-1,不符合,占道,2023-05-03,张三\nS002,Ⅲ-1-1,不符合,占道,2023-05-03,李四\n"

# The child: optional fault injection, then the real command line.
_CHILD = """
import errno, os, sys, time
fault = os.environ.get("CIVCHECK_TEST_FAULT", "")
if fault == "enospc-after-workbook":
    from checker.report import writer
    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    writer._json = full
elif fault.startswith("slow-html"):
    from checker.report import html
    render = html.render_html
    def slow(*args, **kwargs):
        open(os.environ["CIVCHECK_TEST_SIGNAL"], "w").close()
        time.sleep(float(fault.split(":")[1]))
        return render(*args, **kwargs)
    html.render_html = slow
from checker.cli import main
sys.argv = ["civcheck", *sys.argv[1:]]
sys.exit(main())
"""


def _round(tmp_path: Path, *, second: bool = False) -> Path:
    folder = tmp_path / ("round2" if second else "round")
    folder.mkdir(exist_ok=True)
    (folder / "点位台账.csv").write_text(SITES, encoding="utf-8")
    rows = (
        INSPECTIONS
        if not second
        else INSPECTIONS.replace("不符合,占道,2023-05-03,李四", "符合,,2023-05-04,李四")
    )
    (folder / "实地考察.csv").write_text(rows, encoding="utf-8")
    return folder


def _start(
    evidence: Path, out: Path, fault: str = "", signal_file: Path | None = None
) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", _CHILD, "check", str(evidence), "-H", str(TINY), "-o", str(out)]
    args += ["--format", "json,xlsx,html,text", "--dispatch", "--test-date", "2023-06-01", "--force"]
    env = {**os.environ, "TERM": "dumb", "CIVCHECK_TEST_FAULT": fault}
    if signal_file is not None:
        env["CIVCHECK_TEST_SIGNAL"] = str(signal_file)
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)


def _run(evidence: Path, out: Path, fault: str = "") -> tuple[int, str]:
    child = _start(evidence, out, fault)
    _out, err = child.communicate(timeout=120)
    return child.returncode, err.decode("utf-8", "replace")


def _outputs(out: Path) -> dict[str, bytes]:
    """Every output of the folder (hidden staging folders aside), by relative path."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def _one_generation(out: Path) -> dict[str, object]:
    """Assert the outputs are exactly those the manifest lists, with its hashes; return the manifest."""
    manifest = json.loads((out / "civcheck-generation.json").read_text(encoding="utf-8"))
    files = _outputs(out)
    files.pop("civcheck-generation.json")
    assert {name: hashlib.sha256(data).hexdigest() for name, data in files.items()} == manifest["outputs"]
    assert manifest["run_id"] and manifest["written_at"] and "实地考察.csv" in manifest["inputs"]
    # report.json carries its generation itself: a reader holding only that file can tell its run.
    report = json.loads(files["report.json"])
    assert report["generation"] == {k: manifest[k] for k in ("run_id", "written_at", "inputs")}
    return dict(manifest)


def test_a_full_disk_after_the_workbook_keeps_the_previous_outputs_and_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(_round(tmp_path), out)[0] == 0
    before = _outputs(out)
    first = _one_generation(out)
    code, err = _run(_round(tmp_path, second=True), out, "enospc-after-workbook")
    assert code == 2, err
    assert "Traceback" not in err
    assert str(out / "report.json") in err and ("No space left" in err or "设备上没有空间" in err)
    assert _outputs(out) == before  # the workbook written before the fault was not published either
    assert _one_generation(out)["run_id"] == first["run_id"]
    assert not any(p.name.startswith(".civcheck-tmp-") for p in out.iterdir())


@pytest.mark.slow
def test_a_run_killed_while_writing_leaves_the_previous_generation_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(_round(tmp_path), out)[0] == 0
    before = _outputs(out)
    started = tmp_path / "writing"
    child = _start(_round(tmp_path, second=True), out, "slow-html:30", started)
    deadline = time.monotonic() + 60
    while not started.exists():  # the workbook and the JSON are staged; the HTML is being rendered
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert _outputs(out) == before
    _one_generation(out)
    # The next run publishes a whole new generation and removes what the killed run left.
    assert _run(_round(tmp_path, second=True), out)[0] == 0
    assert _one_generation(out)["outputs"] != json.loads(before["civcheck-generation.json"])["outputs"]
    assert not any(p.name.startswith(".civcheck-tmp-") for p in out.iterdir())


@pytest.mark.slow
def test_two_runs_into_one_folder_leave_one_generation(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    first_signal = tmp_path / "first"
    first = _start(_round(tmp_path), out, "slow-html:3", first_signal)
    deadline = time.monotonic() + 60
    while not first_signal.exists():
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    second = _start(_round(tmp_path, second=True), out)
    _o, second_err = second.communicate(timeout=120)
    _o, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err.decode()
    assert second.returncode == 2, second_err.decode()
    message = second_err.decode()
    assert "另一个 civcheck 正在写入" in message and str(out) in message and "Traceback" not in message
    _one_generation(out)


def test_report_json_records_its_generation_and_validates(tmp_path: Path) -> None:
    import jsonschema

    from checker.report import report_json_schema

    out = tmp_path / "out"
    assert _run(_round(tmp_path), out)[0] == 0
    manifest = _one_generation(out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, report_json_schema())
    assert list(report)[:2] == ["schema_version", "generation"]
    assert report["generation"]["inputs"] == manifest["inputs"]
