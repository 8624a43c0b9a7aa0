"""Regenerate the golden files of the report tests. Run on purpose only, then review the diff:

.venv/bin/python tests/golden/regen.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

from report_fixtures import OUTPUTS, SAMPLE_OUTPUTS  # noqa: E402


def main() -> None:
    for name, produce in {**OUTPUTS, **SAMPLE_OUTPUTS}.items():
        (HERE / name).write_text(produce(), encoding="utf-8", newline="\n")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
