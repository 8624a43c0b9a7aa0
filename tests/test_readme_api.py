"""The README's Python API example runs as written (from the repository root)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Python API.*?```python\n(.*?)```", readme, re.S)
    assert block is not None
    code = block.group(1).replace('"evidence/sample"', repr(os.fspath(ROOT / "evidence" / "sample")))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "out" / "report.json").is_file()
    assert any((tmp_path / "out" / "交办单").glob("*.xlsx"))
