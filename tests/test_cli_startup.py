"""The command starts light: --help and --version never import pandas (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from checker.cli import main
code = main({args!r})
heavy = sorted(m for m in ("pandas", "numpy", "openpyxl", "pyarrow", "python_calamine", "fastexcel") if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
sys.exit(code)
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["handbook", "--help"], ["check", "--help"]])
def test_help_and_version_do_not_import_heavy_modules(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_unknown_command_is_a_usage_error_without_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "checker", "no-such-command"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
