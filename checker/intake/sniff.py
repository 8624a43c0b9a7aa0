"""Recognise a file's format by its content (文件格式识别), never by its extension.

``sniff`` returns the format to read (xlsx, xls, ods, xlsb, xml2003 — Excel 2003 XML —, html, csv) or the
code of a rejected file: empty, too large, web archives (.mht) saved as "Excel exports", encrypted OLE
packages, damaged zips, Word files renamed as workbooks. The WPS extensions (.et, .ett) and templates
(.xltx, .xltm, .xlt) are read as whatever their content is. A mismatch between the extension and the content is reported as a warning.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from checker.intake.limits import Limits
from checker.intake.names import EXTENSIONS
from checker.intake.preflight import PreflightError, check_directory
from checker.intake.sheets import utf16_without_bom

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


@dataclass(frozen=True)
class Sniffed:
    """What a file is: a readable ``format``, or a rejection ``code`` with template fields."""

    format: str = ""
    code: str = ""
    fields: tuple[tuple[str, object], ...] = ()
    extension_mismatch: bool = False

    @property
    def ok(self) -> bool:
        return not self.code


def _reject(code: str, **fields: object) -> Sniffed:
    return Sniffed(code=code, fields=tuple(fields.items()))


def _zip_kind(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            lower = {n.lower() for n in names}
            if "xl/workbook.xml" in lower:
                return Sniffed("xlsx")
            if "xl/workbook.bin" in lower:
                return Sniffed("xlsb")
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
                if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return Sniffed("ods")
                return _reject("not-a-spreadsheet", what=f"OpenDocument {mimetype.decode('ascii', 'ignore')}")
            if any(n.startswith("word/") for n in lower):
                return _reject("not-a-spreadsheet", what="Word 文档 / Word document")
            if any(n.startswith("ppt/") for n in lower):
                return _reject("not-a-spreadsheet", what="PowerPoint")
            return _reject("not-a-spreadsheet", what="zip 压缩包 / zip archive")
    except zipfile.BadZipFile as exc:
        return _reject("corrupt-zip", detail=f"zip: {exc}")
    except (OSError, EOFError, ValueError) as exc:
        return _reject("corrupt-zip", detail=f"zip: {type(exc).__name__}")


def _ole_kind(path: Path) -> Sniffed:
    data = path.read_bytes()
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return _reject("encrypted")
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return Sniffed("xls")
    if _utf16("WordDocument") in data:
        return _reject("not-a-spreadsheet", what="Word 97-2003 文档 / Word document")
    return _reject("corrupt-xls", detail="no workbook stream")


def _text_kind(head: bytes) -> Sniffed:
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith(b"<?xml") or probe.startswith(b"<workbook"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b'progid="excel.sheet"' in probe:
            return Sniffed("xml2003")
        if b"<html" in probe:
            return Sniffed("html")
        return _reject("not-a-spreadsheet", what="XML")
    if probe.startswith(b"mime-version"):
        return _reject("html-disguised")  # a web archive (.mht, "single file web page"): not read
    if probe.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body", b"<!--")):
        if probe.startswith(b"<!--") and b"<html" not in probe and b"<table" not in probe:
            return Sniffed("csv")
        return Sniffed("html")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head) is not None:
        return Sniffed("csv")  # UTF-16 text (Excel's "Unicode Text"), with or without its BOM
    if b"\x00" in head:
        return _reject("binary")
    if head.startswith(b"%PDF"):
        return _reject("not-a-spreadsheet", what="PDF")
    return Sniffed("csv")


def sniff(path: Path, limits: Limits) -> Sniffed:
    """The format of ``path`` judged from its bytes, or the reason it cannot be read."""
    size = path.stat().st_size
    if size == 0:
        return _reject("empty-file")
    if size > limits.max_file_bytes:
        return _reject("file-too-large", size=size, limit=limits.describe("max_file_bytes"))
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(ZIP_MAGICS):
        try:
            check_directory(path, limits)  # before zipfile builds an object per entry
        except PreflightError as exc:
            return _reject(exc.code, **exc.fields)
        found = _zip_kind(path)
    elif head.startswith(OLE_MAGIC):
        found = _ole_kind(path)
    else:
        found = _text_kind(head)
    if found.ok and path.suffix.lower() not in EXTENSIONS[found.format]:
        return Sniffed(found.format, extension_mismatch=True)
    return found


__all__ = ["EXTENSIONS", "Sniffed", "sniff"]
