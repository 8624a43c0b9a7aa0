"""The command starts light: --help and --version never import pandas (checked in a fresh interpreter)."""

from __future__ import annotations

import os
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


def test_shell_completion_script_is_shown() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=["--show-completion", "bash"])],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "_CIVCHECK_COMPLETE=complete_bash" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_shell_completion_completes_commands_and_options_without_heavy_modules() -> None:
    probe = "import sys\nfrom checker.cli import main\nmain(['x'])\n"
    env = {"_CIVCHECK_COMPLETE": "complete_bash", "COMP_CWORD": "1", "COMP_WORDS": "civcheck ch"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ, **env}
    )
    assert done.stdout.split() == ["check"], done.stderr
    env = {**env, "COMP_CWORD": "2", "COMP_WORDS": "civcheck check --qu"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ, **env}
    )
    assert "--quiet" in done.stdout.split(), done.stderr


_RUN = """
import atexit, sys
atexit.register(lambda: print("exit handlers ran", file=sys.stderr))
sys.argv = ["civcheck", *sys.argv[1:]]
from checker.cli import run
run()
print("not reached")
"""


@pytest.mark.parametrize(("args", "code"), [(["--version"], 0), (["check", "/no/such/round"], 2)])
def test_the_command_leaves_with_mains_code_after_the_exit_handlers(args: list[str], code: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == code, done.stderr
    assert "exit handlers ran" in done.stderr
    assert "not reached" not in done.stdout
    assert ("civcheck" in done.stdout) if code == 0 else ("/no/such/round" in done.stderr)
