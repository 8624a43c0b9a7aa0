"""Benchmark reading Excel 2003 XML (SpreadsheetML) against the same rows as xlsx (issue 16: within 3×).

Usage::

    .venv/bin/python benchmarks/bench_xml2003.py            # 100,000 rows, median of 3 fresh processes
    .venv/bin/python benchmarks/bench_xml2003.py 200000 --repeat 5

Both files hold the rows of bench_read.py (same synthetic pack). The SpreadsheetML file is shaped like
Excel's own "XML Spreadsheet 2003" output: a style per date cell, ``ss:Index`` where a row leaves cells
empty, DateTime cells. Each read is ``read_evidence`` in a fresh process (bench_read.measure).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_read import HEADERS, handbook_data, make_rows, measure, write_xlsx

EPOCH = dt.date(1899, 12, 30)


def write_spreadsheetml(path: Path, rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n'
            ' <Styles><Style ss:ID="Default" ss:Name="Normal"/>'
            '<Style ss:ID="d"><NumberFormat ss:Format="Short Date"/></Style></Styles>\n'
            f' <Worksheet ss:Name="实地考察">\n  <Table ss:ExpandedColumnCount="{len(HEADERS)}" '
            f'ss:ExpandedRowCount="{len(rows) + 1}" x:FullColumns="1" x:FullRows="1">\n'
        )
        out.write(
            "   <Row>"
            + "".join(f'<Cell><Data ss:Type="String">{h}</Data></Cell>' for h in HEADERS)
            + "</Row>\n"
        )
        for row in rows:
            cells = []
            gap = False
            for column, value in enumerate(row, start=1):
                if value is None:
                    gap = True
                    continue
                at = f' ss:Index="{column}"' if gap else ""
                gap = False
                if column == 8:  # the inspection date, an Excel serial in make_rows
                    day = EPOCH + dt.timedelta(days=int(value))  # type: ignore[call-overload]
                    cells.append(
                        f'<Cell{at} ss:StyleID="d"><Data ss:Type="DateTime">{day.isoformat()}T00:00:00.000'
                        "</Data></Cell>"
                    )
                elif isinstance(value, int):
                    cells.append(f'<Cell{at}><Data ss:Type="Number">{value}</Data></Cell>')
                else:
                    cells.append(f'<Cell{at}><Data ss:Type="String">{escape(str(value))}</Data></Cell>')
            out.write("   <Row>" + "".join(cells) + "</Row>\n")
        out.write(
            '  </Table>\n  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Selected/>'
            "</WorksheetOptions>\n </Worksheet>\n</Workbook>\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement (median reported).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="civcheck-bench-") as tmp:
        folder = Path(tmp)
        rows = make_rows(args.rows)
        pack = folder / "pack.json"
        pack.write_text(json.dumps(handbook_data(), ensure_ascii=False), encoding="utf-8")
        xlsx, xml = folder / "inspections.xlsx", folder / "inspections-2003.xls"
        write_xlsx(xlsx, rows)
        write_spreadsheetml(xml, rows)
        found = {}
        for label, path in (("xlsx", xlsx), ("excel 2003 xml", xml)):
            found[label] = r = measure("read_evidence", path, pack, args.repeat)
            size = path.stat().st_size / 1e6
            print(
                f"{label:>15}: {r['seconds']:.2f} s, {r['rows']:,} rows, {size:.1f} MB, peak {r['rss_mb']:.0f} MB"
            )
        ratio = found["excel 2003 xml"]["seconds"] / found["xlsx"]["seconds"]
        print(f"excel 2003 xml / xlsx: {ratio:.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    main()
