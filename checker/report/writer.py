"""write_reports: every requested report file, each written atomically, none replaced without ``force``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from checker import files
from checker.errors import UsageError
from checker.report.labels import check_lang, label

if TYPE_CHECKING:
    from checker.scoring.assessment import Assessment

FILE_FORMATS = ("xlsx", "json", "html", "text")
# "terminal" is rendered by render_terminal; the check command may pass it along with file formats.
IGNORED_FORMATS = frozenset({"terminal"})


def write_reports(
    assessment: Assessment,
    out_dir: Path,
    formats: set[str],
    *,
    lang: str = "zh",
    dispatch: bool = False,
    force: bool = False,
) -> list[Path]:
    """Write the report files of ``formats`` (xlsx, json, html, text) and, with ``dispatch``, one 交办单
    workbook per department into ``out_dir/交办单``. Returns the paths written, in writing order.

    Raises :class:`~checker.errors.UsageError` for an unknown format or language, an ``out_dir`` that is
    a file, or an existing report file when ``force`` is false; nothing is written in those cases.
    """
    lang = check_lang(lang)
    unknown = sorted(set(formats) - set(FILE_FORMATS) - IGNORED_FORMATS)
    if unknown:
        raise UsageError(f"unknown report format {', '.join(unknown)}: choose from {', '.join(FILE_FORMATS)}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder")

    from checker.report import dispatch as dispatch_books
    from checker.report import html, narrative, workbook

    jobs: list[tuple[Path, Callable[[Path], None]]] = []
    if "xlsx" in formats:
        jobs.append(
            (out_dir / label("file.xlsx", lang), lambda p: workbook.write_workbook(assessment, p, lang))
        )
    if "json" in formats:
        jobs.append((out_dir / label("file.json", lang), lambda p: _json(p, assessment)))
    if "html" in formats:
        jobs.append(
            (out_dir / label("file.html", lang), lambda p: _text(p, html.render_html(assessment, lang)))
        )
    if "text" in formats:
        jobs.append(
            (out_dir / label("file.text", lang), lambda p: _text(p, narrative.render_text(assessment, lang)))
        )
    folder = out_dir / label("dir.dispatch", lang)
    if dispatch:
        if folder.exists() and not (folder.is_dir() and files.is_within(folder, out_dir)):
            raise UsageError(f"{folder} is not a folder inside {out_dir}")
        for target in dispatch_books.targets(assessment, folder, lang):
            jobs.append(
                (target.path, lambda p, t=target: dispatch_books.write_dispatch_book(t, p, lang))  # type: ignore[misc]
            )

    files.refuse_existing([path for path, _ in jobs], force=force)
    out_dir.mkdir(parents=True, exist_ok=True)
    files.clean_stale_temps(out_dir)
    if dispatch and jobs:
        folder.mkdir(exist_ok=True)
        files.clean_stale_temps(folder)
    written: list[Path] = []
    for path, write in jobs:
        with files.atomic_path(path) as temp:
            write(temp)
        written.append(path)
    return written


def _json(path: Path, assessment: Assessment) -> None:
    from checker.report.jsonout import write_report_json

    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        write_report_json(assessment, handle)


def _text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
