"""write_reports: every requested report file, published together as one generation, none replaced without ``force``."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker import files, processes
from checker.errors import UsageError
from checker.report import lanes
from checker.report.labels import check_lang, label

if TYPE_CHECKING:
    from checker.scoring.assessment import Assessment

FILE_FORMATS = ("xlsx", "json", "html", "text")
BOOK_COST = 100  # a workbook's fixed cost, in problem rows written
# Seconds a gap row costs each output, relative to the office workbook's (measured on the 1M-row rounds,
# benchmarks/README.md: ~15 µs a row there, ~20 µs in a 交办单, ~8.5 µs in report.json, ~1 µs in the text).
DISPATCH_ROW, JSON_ROW, TEXT_ROW = 1.3, 0.55, 0.07
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
    progress: Callable[[int, int, Path], None] | None = None,
    timings: dict[Path, float] | None = None,
) -> list[Path]:
    """Write the report files of ``formats`` (xlsx, json, html, text) and, with ``dispatch``, one 交办单
    workbook per department into ``out_dir/交办单``. Returns the paths written (the office workbook, report.json,
    the page, the text, then the 交办单). On Linux with two cores or more, a big round's outputs are written
    in two processes at once (:mod:`checker.report.lanes`); they are published together either way.

    ``progress(done, total, path)``, when given, is called once before writing starts (``done`` 0, ``path``
    the first output) and after each output is finished (``path`` that output, ``done`` the number finished
    so far). ``timings``, when given, receives the seconds each output took to write, by its path.

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

    generation = _generation(assessment)  # recorded in report.json and civcheck-generation.json
    mark = generation_mark(generation, lang)  # and named in every other output, so files can be matched
    # Each output with its estimated cost, in rows written (a workbook's fixed cost about 100 rows'): the
    # lanes are balanced by it.
    rows = len(assessment.gaps)
    jobs: list[tuple[Path, Callable[[Path], None], float]] = []
    if "xlsx" in formats:
        jobs.append(
            (
                out_dir / label("file.xlsx", lang),
                lambda p: workbook.write_workbook(assessment, p, lang, mark=mark),
                BOOK_COST + rows,
            )
        )
    if "json" in formats:
        # When it is the only long output, report.json takes the second core itself (a child writes half
        # its gap lines); otherwise the lanes give the other outputs that core.
        alone = "xlsx" not in formats and not dispatch and processes.second_core()
        jobs.append(
            (
                out_dir / label("file.json", lang),
                lambda p: _json(p, assessment, generation, lang, split=alone),
                rows * JSON_ROW,
            )
        )
    if "html" in formats:
        jobs.append(
            (
                out_dir / label("file.html", lang),
                lambda p: _text(p, html.render_html(assessment, lang, mark=mark)),
                BOOK_COST / 2,
            )
        )
    if "text" in formats:
        jobs.append(
            (
                out_dir / label("file.text", lang),
                lambda p: _text(p, narrative.render_text(assessment, lang, mark=mark)),
                BOOK_COST / 2 + rows * TEXT_ROW,
            )
        )
    folder = out_dir / label("dir.dispatch", lang)
    if dispatch:
        if folder.exists() and not (folder.is_dir() and files.is_within(folder, out_dir)):
            raise UsageError(f"{folder} is not a folder inside {out_dir}")
        for target in dispatch_books.targets(assessment, folder, lang):
            jobs.append(
                (
                    target.path,
                    lambda p, t=target: dispatch_books.write_dispatch_book(t, p, lang, mark=mark),  # type: ignore[misc]
                    (BOOK_COST + len(target.gaps)) * DISPATCH_ROW,
                )
            )

    files.refuse_existing([path for path, _, _ in jobs], force=force)
    out_dir.mkdir(parents=True, exist_ok=True)
    with _output_lock(out_dir):
        _recover(out_dir)
        files.clean_stale_temps(out_dir)
        if dispatch and jobs:
            folder.mkdir(exist_ok=True)
            files.clean_stale_temps(folder)
        stage = Path(tempfile.mkdtemp(dir=out_dir, prefix=f"{files.TEMP_PREFIX}{os.getpid()}-generation-"))
        try:
            rels = [path.relative_to(out_dir) for path, _, _ in jobs]
            work = [
                lanes.Job(path, stage / rel, write, cost)
                for (path, write, cost), rel in zip(jobs, rels, strict=True)
            ]
            finished = 0
            digests: dict[Path, str] = {}

            def done(job: lanes.Job, seconds: float, digest: str) -> None:
                nonlocal finished
                finished += 1
                digests[job.staged] = digest
                if timings is not None:
                    timings[job.path] = seconds
                if progress is not None:
                    progress(finished, len(work), job.path)

            if progress is not None and work:
                progress(0, len(work), work[0].path)
            lanes.run(work, done)
            manifest = _manifest(generation, stage, rels, digests)
            (stage / GENERATION_FILE).write_text(manifest, encoding="utf-8", newline="\n")
            _fsync(stage / GENERATION_FILE)
            (stage / _COMPLETE).touch()  # from here on the generation is published, even after a kill
            _fsync_dir(stage)
            _publish(stage, out_dir)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return [path for path, _, _ in jobs]


# -- generations ----------------------------------------------------------------------------------------
#
# A round's outputs are one generation. They are written into a staging folder inside the output folder
# (``.civcheck-tmp-<pid>-generation-…``) and moved into place only once all are complete: a run killed or
# failing while writing (a full disk) leaves the previous outputs as they were. The staging folder is marked
# complete before the moves; a run killed during the moves (a few renames) is finished by the next run
# into the folder. The 交办单 folder is replaced whole, so no 交办单 of an older round stays beside the new
# ones. ``civcheck-generation.json`` names the run (id, time, the inputs' SHA-256) and the SHA-256 of every
# output of the generation, so a reader can tell which files belong together. Runs into one folder take
# an exclusive lock (flock) on the folder: a second run at the same time stops with a clear message.

GENERATION_FILE = "civcheck-generation.json"
_COMPLETE = ".complete"
_STAGE = re.compile(re.escape(files.TEMP_PREFIX) + r"(\d+)-generation-")


@contextlib.contextmanager
def _output_lock(out_dir: Path) -> Iterator[None]:
    import fcntl

    fd = os.open(out_dir, os.O_RDONLY)  # the folder itself is locked: no lock file is left behind
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"{out_dir} is being written by another civcheck run; wait for it to finish or choose another -o",
                zh=f"另一个 civcheck 正在写入 {out_dir}，请等它结束或用 -o 指定其他文件夹",
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _recover(out_dir: Path) -> None:
    """Finish publishing the complete generation a killed run left staged; drop incomplete ones."""
    for entry in sorted(out_dir.iterdir()):
        found = _STAGE.match(entry.name)
        if found and (entry / _COMPLETE).exists() and not _alive(int(found.group(1))):
            _publish(entry, out_dir)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _publish(stage: Path, out_dir: Path) -> None:
    """Move the staged generation into ``out_dir``: files first, folders whole, the manifest last."""
    entries = sorted(
        (e for e in stage.iterdir() if e.name not in (_COMPLETE, GENERATION_FILE)), key=lambda e: e.is_dir()
    )
    for entry in entries:
        target = out_dir / entry.name
        if entry.is_dir():
            _swap_folder(entry, target, stage)
        else:
            os.replace(entry, target)
    if (stage / GENERATION_FILE).exists():
        os.replace(stage / GENERATION_FILE, out_dir / GENERATION_FILE)
    _fsync_dir(out_dir)


def _swap_folder(new: Path, target: Path, stage: Path) -> None:
    """``new`` in place of the folder ``target``; the old one is moved into ``stage`` first (and removed
    with it), and put back if ``new`` cannot be moved in."""
    old: Path | None = None
    if target.exists() or target.is_symlink():
        old = stage / f".old-{uuid.uuid4().hex}"
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise


def _generation(assessment: Assessment) -> dict[str, Any]:
    """The run: its id, its time and the inputs' SHA-256 (in report.json and the manifest alike)."""
    return {
        "run_id": uuid.uuid4().hex,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": {i.file: i.sha256 for i in assessment.inputs},
    }


def generation_mark(generation: dict[str, Any], lang: str) -> str:
    """One line naming the generation (the run id's first 12 digits and its time), for the outputs that are
    not report.json: a reader holding a workbook and a page can tell whether they belong together."""
    return label("generation", lang).format(run=str(generation["run_id"])[:12], time=generation["written_at"])


def _manifest(generation: dict[str, Any], stage: Path, rels: list[Path], digests: dict[Path, str]) -> str:
    """The generation's manifest; ``digests``: each staged output's SHA-256, taken as it was written."""
    outputs = {rel.as_posix(): digests[stage / rel] for rel in rels}
    document = {**generation, "outputs": outputs}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _json(
    path: Path,
    assessment: Assessment,
    generation: dict[str, Any] | None = None,
    lang: str = "zh",
    *,
    split: bool = False,
) -> None:
    from checker.report.jsonout import write_report_json

    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        write_report_json(assessment, handle, generation, lang, split=split)


def _text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
