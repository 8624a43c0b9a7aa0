"""Renderers: terminal, workbook, dispatch workbooks, JSON, HTML, narrative text. None computes a score."""
