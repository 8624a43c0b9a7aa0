"""civcheck on a platform without POSIX resource limits (Windows): the package imports and reads evidence
in-process, with the preflight caps, instead of failing at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
sys.modules["resource"] = None  # what `import resource` meets on Windows
import checker.intake.isolate as isolate
isolate.available = lambda: False  # no forkserver there either
from checker.handbook.loader import load_handbook
from checker.intake.reader import read_evidence
evidence = read_evidence(sys.argv[1], load_handbook("wenming-city"))
print(sum(len(f) for f in evidence.frames.values()))
"""


def test_no_resource_module_still_reads(tmp_path: Path) -> None:
    sample = ROOT / "evidence" / "sample" / "点位台账.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(sample)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 100
