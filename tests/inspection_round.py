"""The inspection round that LibreOffice saved in every format (tests/fixtures/evidence/lo) and that the
system-export fixtures repeat: title on row 1, header on row 3, a blank row 12. What reading it must give."""

from __future__ import annotations

from checker.intake.evidence import Evidence

EXPECTED_REJECTED = [
    (8, "A 点位编号", "site-not-registered"),
    (9, "C 测评标准", "unknown-standard"),
    (10, "C 测评标准", "wrong-method"),
    (11, "D 检查结果", "bad-result"),
    (13, "G 检查日期", "bad-date"),
    (14, "E 问题数", "bad-number"),
]
EXPECTED_ACCEPTED = [
    # row, site, standard, result, cases, date, site type and department (both from the register), counts,
    # duplicate. Rows 4 and 7 are the same site and standard (OLD-1 is an alias of Ⅲ-1-1): the later one counts.
    (4, "S001", "Ⅲ-1-1", "pass", 0, "2023-05-03", "农贸市场", "区市场监管局", False, True),
    (5, "S002", "Ⅲ-1-1", "fail", 2, "2023-05-04", "背街小巷", "区城管局", True, False),
    (6, "S003", "Ⅲ-1-1", "fail", 1, "2023-05-05", "农贸市场", "区市场监管局", True, False),
    (7, "S001", "Ⅲ-1-1", "pass", 0, "2023-06-01", "农贸市场", "区市场监管局", True, True),
]


def accepted_rows(evidence: Evidence) -> list[tuple[object, ...]]:
    """The accepted inspection rows as the EXPECTED_ACCEPTED tuples say them, in row order."""
    frame = evidence.frame("inspections").sort_values("_row")
    return [
        (
            int(r["_row"]),
            r["site_id"],
            r["standard"],
            r["result"],
            int(r["cases"]),
            r["date"].strftime("%Y-%m-%d"),
            r["site_type"],
            r["department"],
            bool(r["counts"]),
            bool(r["duplicate"]),
        )
        for r in frame.to_dict("records")
    ]
