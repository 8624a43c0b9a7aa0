"""Empty, correctly typed frames for each kind of evidence (the shape scoring can always rely on)."""

from __future__ import annotations

import pandas as pd

from checker.intake.kinds import KINDS, PROVENANCE

_DTYPES = {"int": "int64", "float": "float64", "date": "datetime64[ns]"}

# Columns added by intake beyond the headers of kinds.py.
_EXTRA: dict[str, dict[str, str]] = {
    "inspections": {"duplicate": "bool", "counts": "bool"},
    "documents": {"file_ok": "bool"},
    "survey": {"source": "string"},
}


# Defaults of the flags when a record leaves them out: a lone row counts, a file reference resolves.
_BOOL_DEFAULTS = {"counts": True, "duplicate": False, "file_ok": True}


def column_dtypes(kind: str) -> dict[str, str]:
    """Column → dtype of the normalised frame of ``kind``."""
    spec = KINDS[kind]
    dtypes = {c.column: _DTYPES.get(c.value, "string") for c in spec.columns}
    dtypes.update(_EXTRA.get(kind, {}))
    dtypes.update({"_file": "string", "_sheet": "string", "_row": "int64"})
    return dtypes


def empty_frame(kind: str) -> pd.DataFrame:
    return pd.DataFrame({col: pd.Series(dtype=dt) for col, dt in column_dtypes(kind).items()})


def frame_from_records(kind: str, records: list[dict[str, object]]) -> pd.DataFrame:
    """A typed frame from plain records (tests and the sample generator); missing columns become blank."""
    dtypes = column_dtypes(kind)
    frame = pd.DataFrame.from_records(records, columns=list(dtypes))
    for col, dt in dtypes.items():
        if dt == "datetime64[ns]":
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
        elif dt == "bool":
            frame[col] = frame[col].astype(object).fillna(_BOOL_DEFAULTS.get(col, False)).astype(bool)
        elif dt == "int64":
            frame[col] = frame[col].fillna(0).astype("int64")
        else:
            frame[col] = frame[col].astype(dt)  # type: ignore[call-overload]
    return frame


__all__ = ["PROVENANCE", "column_dtypes", "empty_frame", "frame_from_records"]
