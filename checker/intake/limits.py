"""Named resource limits of evidence intake (读取限额). Every limit appears by name in the message it causes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MB = 1024 * 1024

Isolation = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class Limits:
    """Caps applied before and while reading a file. The defaults leave room for the largest honest round
    measured (a million inspection rows) and stop the hostile files of docs/evidence.md well before memory or
    time run out; every cap and what happens past it is listed there.

    ``isolate``: ``auto`` parses a workbook in a worker process only when the preflight cannot vouch for it
    (its sheets are too big to scan cheaply, or the format has no cheap used-range scan); ``always`` parses
    every workbook in a worker; ``never`` parses in-process (the preflight caps still apply).
    """

    max_file_bytes: int = 200 * MB  # a single evidence file
    # Size of the zip directory of an xlsx/ods file (about 50 bytes plus the name per member): what its
    # members cost before any is read. Not a count of members: real workbooks have thousands.
    max_zip_directory_bytes: int = 8 * MB
    max_entry_bytes: int = 1024 * MB  # declared uncompressed size of one member
    max_total_bytes: int = 2048 * MB  # declared uncompressed size of all members
    max_ratio: float = 100.0  # compression ratio of a member larger than ratio_grace_bytes
    ratio_grace_bytes: int = 1 * MB
    max_rows: int = 1_048_576  # rows of one sheet (Excel's own limit)
    max_columns: int = 2000  # used columns of one sheet
    max_cells: int = 25_000_000  # rows × columns of the used range of one sheet (what readers allocate)
    max_sheets: int = 1000  # sheets (or HTML tables) of one Excel 2003 XML or HTML file
    max_xml_depth: int = 64  # element nesting of an Excel 2003 XML file, table nesting of an HTML file
    max_cell_chars: int = 1_000_000  # characters of one cell of those files (Excel keeps 32,767)
    max_text_bytes: int = 256 * MB  # text an xlsx expands to: each shared string counted per cell using it
    header_scan_rows: int = 30  # the header row is looked for in this many first rows
    scan_bytes: int = 8 * MB  # sheet XML up to this size is scanned in-process; bigger → parsed in a worker
    # Sheet XML past this size is parsed in a worker without the full scan (faster than scanning it) when
    # its shared strings cannot add up to max_text_bytes; the scan's other caps are the worker's to keep.
    apart_bytes: int = 1 * MB
    isolate: Isolation = "auto"
    worker_memory_bytes: int = 3072 * MB  # RLIMIT_AS of a worker process
    worker_timeout_s: float = 300.0  # wall clock of a worker process

    def describe(self, name: str) -> str:
        """``name=value`` for messages, e.g. ``max_columns=2000``."""
        return f"{name}={getattr(self, name):,}"


DEFAULT_LIMITS = Limits()

__all__ = ["DEFAULT_LIMITS", "MB", "Isolation", "Limits"]
