"""Benchmark evidence intake: read N inspection rows (xlsx and CSV) with ``read_evidence`` against bare readers.

Usage::

    .venv/bin/python benchmarks/bench_read.py            # 100,000 rows
    .venv/bin/python benchmarks/bench_read.py 1000000    # 1M rows
    .venv/bin/python benchmarks/bench_read.py 1000000 --keep /tmp/bench   # keep (and reuse) the inputs

Each measurement runs in a fresh child process so that peak RSS (``ru_maxrss`` of the child) is its own.
A sheet too big to scan in-process is parsed by a worker forked from a forkserver; that worker's memory is not
in the figure (it does what the bare fastexcel read does, so it peaks about as high).
For CSV it also measures a floor: what any checked read built on pyarrow must do at least (parse every cell
as text, dictionary-encode the code columns, trim the free text, hash the file), with no checks at all.
The inputs are written by a small local generator (shared strings + date-formatted serials, the way Excel
and LibreOffice store them), so the benchmark depends on nothing else in the project.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HEADERS = (
    "点位编号",
    "点位名称",
    "点位类型",
    "测评标准",
    "检查结果",
    "问题数",
    "问题描述",
    "检查日期",
    "检查人",
    "责任单位",
)
SITE_TYPES = [f"类型{i:02d}" for i in range(30)]
DEPARTMENTS = [f"区第{i:02d}局" for i in range(40)]
N_STANDARDS = 200
PROBLEMS = ["地面有垃圾杂物", "占道经营", "公益广告破损", "车辆乱停乱放", "垃圾分类不规范", "消防通道堵塞"]


def handbook_data() -> dict[str, object]:
    """A synthetic pack with 30 site types, 40 departments and 200 field standards (for the benchmark)."""
    standards = [
        {
            "code": f"Ⅲ-{i // 10 + 1}-{i % 10 + 1}",
            "text": f"测评标准{i}",
            "points": 1,
            "method": "field",
            "lead": DEPARTMENTS[i % 40],
            "advice": "整改",
            "field": {"site_types": [SITE_TYPES[(i % 30 + k) % 30] for k in range(3)]},
        }
        for i in range(N_STANDARDS)
    ]
    return {
        "id": "bench",
        "name": "benchmark pack",
        "edition": "bench",
        "description": "synthetic",
        "source": "synthetic",
        "site_types": [{"name": t, "sample": 3} for t in SITE_TYPES],
        "departments": [{"name": d} for d in DEPARTMENTS],
        "projects": [
            {
                "code": "Ⅰ-1",
                "name": "p",
                "indicators": [
                    {
                        "code": "Ⅱ-1",
                        "name": "i",
                        "contents": [{"code": "Ⅲ-1", "name": "c", "standards": standards}],
                    }
                ],
            }
        ],
    }


def make_rows(n: int, seed: int = 7) -> list[tuple[object, ...]]:
    """``n`` inspection rows: sites cycle through the standards so that few (site, standard) pairs repeat."""
    rng = random.Random(seed)
    sites = max(1, n // 60)
    rows: list[tuple[object, ...]] = []
    for i in range(n):
        site = i % sites
        std = (i // sites) % N_STANDARDS
        site_type = SITE_TYPES[(std % 30 + site % 3) % 30]
        failed = rng.random() < 0.18
        rows.append(
            (
                f"S{site:06d}",
                f"第{site}号点位",
                site_type,
                f"Ⅲ-{std // 10 + 1}-{std % 10 + 1}",
                "不符合" if failed else "符合",
                rng.randint(1, 3) if failed else None,
                rng.choice(PROBLEMS) if failed else None,
                44927 + rng.randrange(365),  # 2023 as Excel serials
                f"检查员{rng.randrange(50)}",
                DEPARTMENTS[site % 40],
            )
        )
    return rows


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path: Path, rows: list[tuple[object, ...]]) -> None:
    """A minimal but genuine xlsx: shared strings, numbers, date-formatted serials (style 1 = yyyy-mm-dd)."""
    strings: dict[str, int] = {}

    def sid(text: str) -> int:
        found = strings.get(text)
        if found is None:
            found = strings[text] = len(strings)
        return found

    letters = [_col(i) for i in range(len(HEADERS))]
    parts: list[str] = []
    head = "".join(f'<c r="{letters[j]}1" t="s"><v>{sid(h)}</v></c>' for j, h in enumerate(HEADERS))
    parts.append(f'<row r="1">{head}</row>')
    for i, row in enumerate(rows, start=2):
        cells = []
        for j, value in enumerate(row):
            if value is None:
                continue
            ref = f"{letters[j]}{i}"
            if j == 7:
                cells.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
            elif isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{sid(str(value))}</v></c>')
        parts.append(f'<row r="{i}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {ns}>'
        f'<dimension ref="A1:{letters[-1]}{len(rows) + 1}"/><sheetData>{"".join(parts)}</sheetData></worksheet>'
    )
    sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
            '<sheet name="实地考察" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}>'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
            '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {ns}>{sst}</sst>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)


def write_csv(path: Path, rows: list[tuple[object, ...]], encoding: str = "utf-8") -> None:
    """The same rows as CSV (UTF-8, or GB18030 as Chinese Excel saves it), dates written as text (2023-05-03)."""
    import datetime as dt

    base = dt.date(1899, 12, 30)
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for row in rows:
            values = list(row)
            values[7] = (base + dt.timedelta(days=int(str(values[7])))).isoformat()
            writer.writerow(["" if v is None else v for v in values])


# -- measured children ---------------------------------------------------------------------------------

CHILD = r"""
import json, resource, sys, time
what, path, pack = sys.argv[1], sys.argv[2], sys.argv[3]
import fastexcel, pandas, pyarrow.csv  # imports are not part of any measurement
t0 = time.perf_counter()
if what == "fastexcel":
    frame = fastexcel.read_excel(path).load_sheet(0).to_pandas()
    rows = len(frame)
elif what == "pyarrow":
    rows = pyarrow.csv.read_csv(path).num_rows
elif what == "pyarrow-gb18030":  # the bare read of a GB18030 file: decode strictly, then parse
    import pyarrow
    with open(path, "rb") as handle:
        text = handle.read().decode("gb18030")
    rows = pyarrow.csv.read_csv(pyarrow.BufferReader(text.encode("utf-8"))).num_rows
elif what == "pyarrow-floor":
    # The least any checked CSV read does: every cell parsed as text, the code columns dictionary-encoded
    # (on two threads), the free text trimmed, the file hashed alongside. No pandas, no checks. The free-text
    # columns, the trimmed characters and the hash are intake's own.
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path
    import pyarrow, pyarrow.compute as pc
    from checker.intake.kinds import KINDS
    from checker.intake.reader import sha256
    from checker.intake.values import _TRIM_CHARS
    free_text = {c.header for c in KINDS["inspections"].columns if c.value == "text"}
    with open(path, encoding="utf-8-sig") as handle:
        names = next(iter(handle)).rstrip("\r\n").split(",")
    def prepare(name):
        column = table.column(name)
        if name in free_text:
            return pc.utf8_trim(column, characters=_TRIM_CHARS)
        return pc.dictionary_encode(column)
    pool = ThreadPoolExecutor(2)
    t0 = time.perf_counter()
    hashed = pool.submit(sha256, Path(path))
    table = pyarrow.csv.read_csv(path, convert_options=pyarrow.csv.ConvertOptions(
        column_types=dict.fromkeys(names, pyarrow.large_string()), strings_can_be_null=False))
    list(pool.map(prepare, names))
    hashed.result()
    rows = table.num_rows
else:
    from pathlib import Path
    from checker.handbook.model import Handbook
    from checker.intake.reader import read_evidence
    handbook = Handbook.model_validate(json.loads(Path(pack).read_text(encoding="utf-8")))
    t0 = time.perf_counter()
    evidence = read_evidence(Path(path), handbook)
    rows = len(evidence.frame("inspections"))
    assert not evidence.rejected, evidence.rejected[:5]
seconds = time.perf_counter() - t0
print(json.dumps({
    "rows": rows,
    "seconds": seconds,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def measure(what: str, path: Path, pack: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, what, str(path), str(pack)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{what} failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    return dict(runs[len(runs) // 2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Folder to keep (and reuse) the generated inputs in.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per measurement (median reported).")
    parser.add_argument(
        "--formats",
        default="xlsx,csv,gb18030",
        help="Which inputs to measure (comma-separated: xlsx, csv, gb18030).",
    )
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="civcheck-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    xlsx, csv_path, gb_path, pack = (
        folder / f"insp-{args.rows}.xlsx",
        folder / f"insp-{args.rows}.csv",
        folder / f"insp-{args.rows}-gb18030.csv",
        folder / "pack.json",
    )
    pack.write_text(json.dumps(handbook_data(), ensure_ascii=False), encoding="utf-8")
    if args.generate_only:
        t0 = time.perf_counter()
        rows = make_rows(args.rows)
        write_xlsx(xlsx, rows)
        write_csv(csv_path, rows)
        write_csv(gb_path, rows, "gb18030")
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s → {folder}")
        return
    if not (xlsx.exists() and csv_path.exists() and gb_path.exists()):
        # In a child: on Linux a child's peak RSS starts from its parent's, so the measuring parent stays small.
        generate = [sys.executable, __file__, str(args.rows), "--keep", str(folder), "--generate-only"]
        subprocess.run(generate, check=True)
    results = {}
    formats = set(args.formats.split(","))
    for label, what, path in (
        ("xlsx bare fastexcel", "fastexcel", xlsx),
        ("xlsx read_evidence", "civcheck", xlsx),
        ("csv bare pyarrow", "pyarrow", csv_path),
        ("csv read_evidence", "civcheck", csv_path),
        ("csv floor (no checks)", "pyarrow-floor", csv_path),
        ("gb18030 bare decode+pyarrow", "pyarrow-gb18030", gb_path),
        ("gb18030 read_evidence", "civcheck", gb_path),
    ):
        if label.split()[0] not in formats:
            continue
        results[label] = r = measure(what, path, pack, args.repeat)
        worker = f"  (worker process {r['worker_mb']:.0f} MB)" if r.get("worker_mb", 0) > 50 else ""
        print(
            f"{label:28s} {r['rows']:>10,} rows  {r['seconds']:7.2f} s  peak RSS {r['rss_mb']:7.0f} MB{worker}"
        )
    for fmt, bare in (
        ("xlsx", "xlsx bare fastexcel"),
        ("csv", "csv bare pyarrow"),
        ("gb18030", "gb18030 bare decode+pyarrow"),
    ):
        if fmt not in formats:
            continue
        ratio = results[f"{fmt} read_evidence"]["seconds"] / results[bare]["seconds"]
        print(f"ratio {fmt}: {ratio:.2f}× the bare read")
        if fmt == "csv":
            floor = results["csv floor (no checks)"]["seconds"] / results[bare]["seconds"]
            print(
                f"floor csv: {floor:.2f}× the bare read (parse as text + encode + trim + hash, nothing else)"
            )


if __name__ == "__main__":
    main()
