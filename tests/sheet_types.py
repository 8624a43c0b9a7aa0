"""Narrowing for openpyxl's stubs, so the tests type-check under `mypy --strict`.

The stubs type a workbook's active sheet, a sheet's page header and footer, and its page-setup properties
as optional (a workbook may have no sheet, or a chartsheet active). The workbooks the tests write and read
always have them: these helpers say so with an assertion, which fails loudly if one is ever missing.
"""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet


def active(book: Workbook) -> Worksheet:
    """The workbook's active sheet, which must be an ordinary worksheet."""
    sheet = book.active
    assert isinstance(sheet, Worksheet), f"the active sheet is {type(sheet).__name__}"
    return sheet


def page_header(ws: Worksheet) -> HeaderFooterItem:
    """The page header of odd pages (the one every page shows unless a sheet sets others)."""
    assert ws.oddHeader is not None, f"{ws.title} has no page header"
    return ws.oddHeader


def page_footer(ws: Worksheet) -> HeaderFooterItem:
    """The page footer of odd pages."""
    assert ws.oddFooter is not None, f"{ws.title} has no page footer"
    return ws.oddFooter


def page_setup_properties(ws: Worksheet) -> PageSetupProperties:
    """The sheet's page-setup properties (fitToPage lives here)."""
    props = ws.sheet_properties.pageSetUpPr
    assert props is not None, f"{ws.title} has no page-setup properties"
    return props
