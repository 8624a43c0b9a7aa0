"""``civcheck template`` and ``civcheck sample``: load the pack, generate, say what was written."""

from __future__ import annotations

from pathlib import Path

from checker.commands.options import pick, resolve_lang
from checker.handbook.loader import load_handbook


def run_template(
    handbook: str, output: Path, by_department: bool, force: bool, lang: str | None = None
) -> int:
    """Write blank evidence workbooks for ``handbook`` into ``output``."""
    from checker.generate.template import write_templates

    lang = resolve_lang(lang)
    pack = load_handbook(handbook)
    written = write_templates(pack, output, by_department, force)
    n = len(written)
    print(pick(lang, f"已写入 {n} 个空白证据工作簿：{output}", f"wrote {n} template workbook(s) to {output}"))
    for path in written:
        print(f"  {path.name}")
    return 0


def run_sample(
    handbook: str,
    output: Path,
    sites: int,
    seed: int,
    inspections: int | None,
    csv: bool,
    force: bool,
    clean: bool = False,
    lang: str | None = None,
) -> int:
    """Generate a synthetic round of evidence for a fictional district into ``output``."""
    from checker.generate.sample import SampleOptions, write_sample

    lang = resolve_lang(lang)
    pack = load_handbook(handbook)
    options = SampleOptions(sites=sites, seed=seed, inspections=inspections, csv=csv, flaws=not clean)
    summary = write_sample(pack, output, options, force)
    print(summary.describe(lang))
    return 0
