"""The bundled packs are found where the package is: inside an installed package (``checker/_criteria``,
read with importlib.resources) — after a plain ``pip install .`` or in a wheel's layout — or in a source
checkout's ``criteria/``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.handbook.loader import bundled_criteria_dirs, find_packs

ROOT = Path(__file__).resolve().parent.parent
NETWORK_SIGNS = (
    "No matching distribution found",
    "Could not find a version",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ProxyError",
    "Read timed out",
)
PROBE = """
import checker
from checker.handbook.loader import bundled_criteria_dirs, find_packs, load_handbook
dirs = bundled_criteria_dirs()
assert [d.name for d in dirs] == ["_criteria"], dirs
for folder in find_packs(dirs[0]):
    handbook = load_handbook(folder.name)
    print(handbook.id, len(handbook.standards))
"""


@pytest.mark.slow
def test_bundled_packs_load_after_a_plain_install(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    # The installed package only: a PYTHONPATH pointing at a checkout would be imported first.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    if done.returncode != 0:
        if any(sign in done.stderr + done.stdout for sign in NETWORK_SIGNS):
            pytest.skip("pip install needs the network to build civcheck")
        pytest.fail(done.stderr[-3000:])
    run = subprocess.run([str(python), "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    loaded = dict(line.split() for line in run.stdout.splitlines())
    expected = {p.name for p in (ROOT / "criteria").iterdir() if (p / "pack.yaml").is_file()}
    assert set(loaded) == expected
    assert all(int(count) > 0 for count in loaded.values())


BUNDLED = sorted(p.name for p in (ROOT / "criteria").iterdir() if (p / "pack.yaml").is_file())
LAYOUT_PROBE = """
import sys
from pathlib import Path
import checker
from checker.cli import main
from checker.handbook.loader import bundled_criteria_dirs, find_packs, load_handbook
site = Path(sys.argv[1])
assert Path(checker.__file__).parent == site / "checker", checker.__file__
dirs = bundled_criteria_dirs()
print("DIRS", *(d.relative_to(site) for d in dirs))
for folder in (find_packs(dirs[0]) if dirs else []):
    print("PACK", folder.name, len(load_handbook(folder.name).standards))
sys.exit(main(["handbook", "list", "--lang", "en"]))
"""


def _layout(tmp_path: Path, *, with_packs: bool, beside: bool = False) -> Path:
    """The package as a wheel installs it (``checker/`` with the packs as ``checker/_criteria``), in a
    folder of its own; ``beside``: a ``criteria/`` folder next to it as well, as in a source checkout."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(ROOT / "checker", site / "checker", ignore=shutil.ignore_patterns("__pycache__"))
    if with_packs:
        shutil.copytree(ROOT / "criteria", site / "checker" / "_criteria")
    if beside:
        shutil.copytree(ROOT / "criteria", site / "criteria")
    return site


def _probe(site: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "200", "CIVCHECK_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-c", LAYOUT_PROBE, str(site)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize("beside", [False, True])
def test_an_installed_layout_finds_its_packs_as_package_data(tmp_path: Path, beside: bool) -> None:
    """Found once: the package's own data wins over a criteria/ folder beside it (never listed twice)."""
    done = _probe(_layout(tmp_path, with_packs=True, beside=beside), tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "DIRS checker/_criteria"
    packs = {line.split()[1]: int(line.split()[2]) for line in lines if line.startswith("PACK ")}
    assert sorted(packs) == BUNDLED and all(count > 0 for count in packs.values())
    listed = [line for line in lines if "checker/_criteria" in line and not line.startswith("DIRS")]
    assert sorted(name for name in BUNDLED for line in listed if f" {name} " in line) == BUNDLED
    assert all("bundled" in line and "valid" in line for line in listed)


def test_a_package_without_its_packs_finds_none(tmp_path: Path) -> None:
    done = _probe(_layout(tmp_path, with_packs=False), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "DIRS"
    assert "no handbook packs found" in done.stdout


def test_a_source_checkout_uses_criteria_beside_the_package() -> None:
    dirs = bundled_criteria_dirs()
    assert dirs == [ROOT / "criteria"]
    assert [folder.name for folder in find_packs(dirs[0])] == BUNDLED
