"""``civcheck template`` and ``civcheck sample``: load the pack, generate, say what was written."""

from __future__ import annotations

from pathlib import Path

from checker.handbook.loader import load_handbook


def run_template(handbook: str, output: Path, by_department: bool, force: bool) -> int:
    """Write blank evidence workbooks for ``handbook`` into ``output``."""
    from checker.generate.template import write_templates

    pack = load_handbook(handbook)
    written = write_templates(pack, output, by_department, force)
    print(f"wrote {len(written)} template workbook(s) to {output}")
    for path in written:
        print(f"  {path.name}")
    return 0


def run_sample(
    handbook: str, output: Path, sites: int, seed: int, inspections: int | None, csv: bool, force: bool
) -> int:
    raise NotImplementedError  # the sample round follows in the next commit (issue 3)
