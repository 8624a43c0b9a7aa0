"""Helpers for the scoring tests: typed evidence from short records, handbook patches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.handbook.loader import load_handbook
from checker.handbook.model import Handbook
from checker.intake.evidence import Evidence
from checker.intake.frames import frame_from_records

TINY = Path(__file__).parent / "fixtures" / "packs" / "tiny" / "pack.yaml"

# Defaults for columns a short test record leaves out (every flag set, so frames are fully typed).
DEFAULTS: dict[str, dict[str, Any]] = {
    "inspections": {"result": "pass", "cases": 0, "description": "", "date": "2026-05-01",
                    "inspector": "测评员", "counts": True, "duplicate": False},
    "documents": {"department": "区市场监管局", "date": "2026-01-10", "file": "a.pdf", "file_ok": True},
    "survey": {"source": "tally"},
    "indicators": {"department": "区文明办", "date": "2026-03-01"},
    "incidents": {"note": ""},
    "sites": {"street": "东街", "department": "区城管局"},
}  # fmt: skip


def tiny(patch: dict[str, dict[str, Any]] | None = None) -> Handbook:
    """The tiny pack, with standards patched by code (keys of the standard's YAML mapping)."""
    handbook = load_handbook(str(TINY))
    if not patch:
        return handbook
    data = handbook.model_dump(by_alias=True, exclude_none=True)
    for project in data["projects"]:
        for indicator in project["indicators"]:
            for content in indicator["contents"]:
                for standard in content["standards"]:
                    standard.update(patch.get(standard["code"], {}))
    return Handbook.model_validate(data)


def evidence(**kinds: list[dict[str, Any]]) -> Evidence:
    frames = {}
    for kind, records in kinds.items():
        full = [
            {**DEFAULTS.get(kind, {}), "_file": f"{kind}.xlsx", "_sheet": kind, "_row": i + 2, **r}
            for i, r in enumerate(records)
        ]
        frames[kind] = frame_from_records(kind, full)
    return Evidence(root=".", frames=frames)


def sites(n_market: int, n_alley: int = 0) -> list[dict[str, Any]]:
    out = [{"site_id": f"M{i}", "site_name": f"市场{i}", "site_type": "农贸市场"} for i in range(n_market)]
    out += [{"site_id": f"A{i}", "site_name": f"小巷{i}", "site_type": "背街小巷"} for i in range(n_alley)]
    return out
