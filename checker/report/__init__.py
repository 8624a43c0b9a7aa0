"""Renderers: terminal, workbook, dispatch workbooks, JSON, HTML, narrative text. None computes a score.

The public surface is three functions; everything else is private to this package.
"""

from __future__ import annotations

from checker.report.jsonmodel import report_json_schema
from checker.report.terminal import render_terminal
from checker.report.writer import write_reports

__all__ = ["render_terminal", "report_json_schema", "write_reports"]
