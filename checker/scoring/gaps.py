"""The gaps frame (问题清单): site problems, standard gaps, coverage, materials, survey/data, negative events.

A gap's id (问题编号) is derived from its key "kind|standard|site|detail" alone, so it is the same in every
run, on every machine and under every library version: the first 40 bits of the key's BLAKE2b digest
(``hashlib``), written as 8 characters of an alphabet without look-alikes (no 0/O, no 1/I/l), in two groups
of four: ``P-7KQ4-M2HX``. Ids are easy to read aloud over the phone and to type back; :func:`normalise_id`
accepts them in any case, with or without the dashes, in full-width characters.

The ids of the first releases ("P-" + 10 lowercase hex digits of pandas' keyed SipHash) are still
recognised: :func:`legacy_ids` computes them for the same keys, so a 交办单 handed out before the change is
matched when it comes back.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from checker.handbook.model import Handbook, Standard
from checker.intake.values import map_columns, map_distinct_text
from checker.scoring.assessment import GAP_COLUMNS, NegativeEvent, Options, StandardResult
from checker.scoring.common import places
from checker.scoring.document import DocumentOutcome
from checker.scoring.field import FieldOutcome, Prepared

_TEXT = ("id", "key", "kind", "standard", "project", "method", "site", "site_name", "site_type", "street",
         "department", "description", "required", "photo", "evidence")  # fmt: skip


# 32 symbols, 5 bits each: the digits 2-9 and the capitals without I and O.
ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ID_PREFIX = "P-"
_ID_CHARS = 8  # 40 bits; a collision inside one round is resolved by lengthening (see stable_ids)
_CURRENT = re.compile(rf"^P([{ID_ALPHABET}]{{8,}})$")
_LEGACY = re.compile(r"^P([0-9A-F]{10})$")


def _id_text(digest: bytes, chars: int) -> str:
    value = int.from_bytes(digest, "big")
    bits = len(digest) * 8
    symbols = [ID_ALPHABET[(value >> (bits - 5 * (i + 1))) & 31] for i in range(chars)]
    body = "".join(symbols)
    return ID_PREFIX + "-".join(body[i : i + 4] for i in range(0, chars, 4))


def id_of(key: str, chars: int = _ID_CHARS) -> str:
    """The id of one key, ``chars`` symbols long (8 unless a collision asked for more)."""
    return _id_text(hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest(), chars)


def _fast_ids(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``id_of`` of every text, vectorised: one hashlib call per text, the lettering done by numpy; and the
    40-bit values the ids spell (equal ids, equal values)."""
    blake = hashlib.blake2b
    raw = b"".join([blake(t.encode("utf-8"), digest_size=16).digest()[:5] for t in texts])
    top = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 5).astype(np.uint64)
    value = np.zeros(len(texts), dtype=np.uint64)
    for i in range(5):
        value = (value << np.uint64(8)) | top[:, i]
    shifts = np.arange(35, -1, -5, dtype=np.uint64)
    symbols = ((value[:, None] >> shifts) & np.uint64(31)).astype(np.int64)
    letters = np.frombuffer(ID_ALPHABET.encode(), dtype="S1")[symbols]
    dash = np.full((len(texts), 1), b"-", dtype="S1")
    parts = np.hstack(
        [np.full((len(texts), 1), b"P", dtype="S1"), dash, letters[:, :4], dash, letters[:, 4:]]
    )
    return np.ascontiguousarray(parts).view("S11").ravel().astype(str), value


def stable_ids(keys: pd.Series) -> pd.Series:
    """The id of each key (see the module docstring). Equal keys get equal ids; two different keys that
    share the 40-bit id are both given longer ids (12 symbols, then 16…), decided by the keys alone."""
    if keys.empty:
        return pd.Series([], dtype="string", index=keys.index)
    # Distinct keys found on the text column as it is (Arrow-encoded: no Python str per row).
    codes, uniques = pd.factorize(keys.astype("string"), sort=False)
    texts = [str(u) for u in uniques.tolist()]
    letters, values = _fast_ids(texts)
    ids = letters.astype(object)
    if len(np.unique(values)) < len(values):  # rare: two keys share 40 bits; lengthen just those
        chars = _ID_CHARS
        while len(pd.unique(ids)) < len(ids) and chars < 24:
            chars += 4
            clash = pd.Series(ids).duplicated(keep=False).to_numpy()
            for at in np.flatnonzero(clash):
                ids[at] = id_of(texts[at], chars)
    return pd.Series(ids[codes], index=keys.index, dtype="string")


_HEX = np.frombuffer(b"0123456789abcdef", dtype="S1")


def legacy_ids(keys: pd.Series) -> pd.Series:
    """The ids of the first releases for the same keys: "P-" + the top 40 bits of pandas' 64-bit SipHash
    (``hash_array`` with its fixed key), as 10 lowercase hex digits. Used only to match old 交办单."""
    if keys.empty:
        return pd.Series([], dtype="string", index=keys.index)
    hashed = pd.util.hash_array(keys.astype(str).to_numpy(dtype=object))
    top = (hashed >> np.uint64(24)).astype(np.uint64)
    shifts = np.arange(36, -1, -4, dtype=np.uint64)
    digits = ((top[:, None] >> shifts) & np.uint64(0xF)).astype(np.int64)
    text = np.ascontiguousarray(_HEX[digits]).view("S10").ravel().astype(str)
    return pd.Series(np.char.add("P-", text), index=keys.index, dtype="string")


def normalise_id(text: str) -> str:
    """A problem id as typed back by a person, in canonical form: ``P-XXXX-XXXX`` for a current id
    (any case, dashes and spaces anywhere, full-width characters), ``P-`` + 10 lowercase hex digits for an
    id of the first releases; anything else is returned trimmed, unchanged."""
    compact = "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch.isalnum())
    current = _CURRENT.match(compact)
    if current:
        body = current.group(1)
        return ID_PREFIX + "-".join(body[i : i + 4] for i in range(0, len(body), 4))
    legacy = _LEGACY.match(compact)
    if legacy:
        return ID_PREFIX + legacy.group(1).lower()
    return text.strip()


def is_legacy_id(text: str) -> bool:
    return bool(re.fullmatch(r"P-[0-9a-f]{10}", text))


def empty_gaps() -> pd.DataFrame:
    return finish([])


def frame(columns: dict[str, object], length: int) -> pd.DataFrame:
    """One block of gaps: scalars are broadcast, missing columns left blank; id from the ``key`` column."""
    data = {c: columns.get(c, "" if c in _TEXT else None) for c in GAP_COLUMNS if c not in ("id", "key")}
    deadline = data.get("deadline")
    if isinstance(deadline, pd.Timestamp):  # typed here: a column of Timestamp objects is slow to convert
        data["deadline"] = np.full(length, deadline.to_datetime64(), dtype="datetime64[ns]")
    block = pd.DataFrame(data, index=pd.RangeIndex(length))
    key: Any = columns["key"]
    keys: pd.Series = (
        key.astype("string").set_axis(block.index)
        if isinstance(key, pd.Series)
        else pd.Series(key, index=block.index, dtype="string")
    )
    block["id"] = stable_ids(keys)
    block["key"] = keys
    return block


def finish(blocks: list[pd.DataFrame], factors: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Concatenate, type every column, sort by recoverable points on the total's scale (desc) then id.

    ``factors`` (method → total points per standard point) sets ``total_recoverable``; without it the
    blocks' own values are kept. The list is emptied: the blocks are given up once they are concatenated
    (on a 250k-site round they are ~150 MB, at scoring's peak). Column by column, never as one frame: a
    concatenated frame keeps columns of one type in one two-dimensional block, and giving up its columns
    one at a time copied the rest of the block each time.
    """
    given, blocks = blocks, [b for b in blocks if len(b)]
    given.clear()
    columns: dict[str, pd.Series] = {}
    for c in GAP_COLUMNS:
        parts = [b[c] if c in b.columns else pd.Series(None, index=b.index, dtype=object) for b in blocks]
        if c == "deadline":  # typed per block: one of None deadlines made the whole column objects
            parts = [pd.to_datetime(p).astype("datetime64[ns]") for p in parts]
        columns[c] = pd.concat(parts, ignore_index=True) if parts else pd.Series(dtype="object")
    del blocks
    for c in _TEXT:
        columns[c] = columns[c].astype("string").fillna("")
    columns["cases"] = columns["cases"].fillna(0).astype("int64")
    for c in ("points_lost", "points_recoverable"):
        columns[c] = columns[c].fillna(0.0).astype("float64").round(10)
    if factors is not None:
        columns["total_recoverable"] = columns["points_recoverable"] * (
            columns["method"].astype(object).map(factors).astype("float64").fillna(0.0)
        )
    columns["total_recoverable"] = columns["total_recoverable"].fillna(0.0).astype("float64").round(10)
    columns["deadline"] = pd.to_datetime(columns["deadline"]).astype("datetime64[ns]")
    order = _ranked(columns)

    # Each source column given up as its ordered copy is made: taking them all at once held two copies of
    # every gap (~150 MB more at scoring's peak on a 250k-site round). On two threads for a long list
    # (Arrow's take releases the interpreter lock): 366k gaps, scoring 3.60 → 3.42 s on average over nine
    # interleaved pairs.
    def ordered_copy(column: str) -> pd.Series:
        return columns.pop(column).take(order).reset_index(drop=True)

    ordered = map_columns(ordered_copy, {c: c for c in GAP_COLUMNS}, len(order))
    return pd.concat(ordered, axis=1)


def _ranked(gaps: Mapping[str, pd.Series]) -> np.ndarray:
    """The order of the gaps: total_recoverable, then points_recoverable, both descending, then id; a
    stable sort (Arrow's, on the three columns at once: pandas' factorised the ids and took every column
    twice)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pa.table(
        {
            "total": gaps["total_recoverable"].to_numpy(dtype="float64") + 0.0,  # -0.0 sorts as 0.0
            "points": gaps["points_recoverable"].to_numpy(dtype="float64") + 0.0,
            "id": pa.array(gaps["id"].astype("string").array).cast(pa.large_string()),
        }
    )
    order = pc.sort_indices(
        keys, sort_keys=[("total", "descending"), ("points", "descending"), ("id", "ascending")]
    )
    ranked: np.ndarray = order.to_numpy()
    return ranked


def issue_date(options: Options, inspections: pd.DataFrame) -> date:
    """交办日期: the given one, else the last inspection date of the round, else the test date; never later
    than the test date."""
    if options.issued is not None:
        day = options.issued
    else:
        dates = inspections["date"].dropna() if "date" in inspections else pd.Series(dtype="datetime64[ns]")
        day = dates.max().date() if len(dates) else options.test_date
    return min(day, options.test_date)


def deadline(issued: date, days: int, test_date: date) -> pd.Timestamp:
    """``issued`` + ``days``, pulled back to the day before the test when it would fall on or after it
    (a fix after the assessors came is worth nothing), but never before the issue date."""
    due = issued + timedelta(days=days)
    if due >= test_date:
        due = max(issued, test_date - timedelta(days=1))
    return pd.Timestamp(due)


# -- the builders: one frame of gaps per kind, from the engine's outcomes ------------------------------


class Due:
    """Deadlines (整改时限) of one run: the issue date plus the pack's days for a method (see gaps.deadline)."""

    def __init__(self, handbook: Handbook, options: Options, issued: date) -> None:
        self.days = handbook.settings.deadlines
        self.test_date = options.test_date
        self.issued = issued

    def __call__(self, method: str) -> pd.Timestamp:
        return deadline(self.issued, getattr(self.days, method), self.test_date)


def _evidence(rows: pd.DataFrame) -> pd.Series:
    """Where each row came from: 文件 › 工作表 › 行."""
    return rows["_file"] + " › " + rows["_sheet"] + " › " + rows["_row"].astype("string")


@lru_cache(maxsize=4)
def _maps(handbook: Handbook) -> tuple[dict[str, str], dict[str, str]]:
    where = places(handbook)
    return {c: p.project for c, p in where.items()}, {s.code: s.text for s in handbook.standards}


def site_problem_gaps(handbook: Handbook, due: Due, fails: pd.DataFrame) -> pd.DataFrame:
    # Columns are handed on as Arrow-backed Series (aligned on a fresh index), never as NumPy object arrays:
    # that made a Python str of every cell (~200 MB for 166k problems, and the time to make them).
    project, text = _maps(handbook)
    fails = fails.reset_index(drop=True)
    coded = ["standard", "site_type", "street", "department", "_file", "_sheet"]
    fails = fails.astype({c: "string" for c in coded if c in fails.columns})
    return frame(
        {
            "key": "site_problem|" + fails["standard"] + "|" + fails["site_id"],
            "kind": "site_problem",
            "standard": fails["standard"],
            "project": map_distinct_text(fails["standard"], project.get),
            "method": "field",
            "site": fails["site_id"],
            "site_name": fails["site_name"],
            "site_type": fails["site_type"],
            "street": fails["street"],
            "department": fails["department"],
            "description": fails["description"],
            "required": map_distinct_text(fails["standard"], text.get),
            "cases": fails["cases"],
            "photo": fails["photo"],
            "points_lost": 0.0,
            "points_recoverable": fails["gain"],
            "deadline": due("field"),
            "evidence": _evidence(fails),
        },
        len(fails),
    )


def uncovered_standards(field_out: dict[str, FieldOutcome]) -> list[str]:
    """The field standards some registered site of their types was never inspected for (not-applicable
    ones aside): the standards the coverage gaps name."""
    return [c for c, out in field_out.items() if len(out.uncovered) and out.result.status != "not_applicable"]


def _missed_lists(codes: list[str], which: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each site's missed standards joined by "、": ``which`` holds the indices into ``codes`` of the sites'
    standards, site after site from ``starts``, in handbook order. Each site's set is a bit mask (64
    standards a word), so equal lists are found by NumPy and each distinct list is joined once, from its
    first site (a 250k-site register had 47k distinct lists over 212k sites)."""
    words = (len(codes) + 63) // 64
    bit = np.left_shift(np.uint64(1), (which % 64).astype(np.uint64))
    masks = np.zeros((len(starts), words), dtype=np.uint64)
    for w in range(words):
        masks[:, w] = np.bitwise_or.reduceat(np.where(which // 64 == w, bit, np.uint64(0)), starts)
    _, first, inverse = np.unique(masks, axis=0, return_index=True, return_inverse=True)
    ends = np.r_[starts[1:], len(which)]
    listed = which.tolist()
    texts = ["、".join(codes[k] for k in listed[starts[i] : ends[i]]) for i in first.tolist()]
    joined: np.ndarray = np.asarray(texts, dtype=object)[inverse.reshape(-1)]
    return joined


def coverage_gaps(
    handbook: Handbook, due: Due, field_out: dict[str, FieldOutcome], prep: Prepared
) -> pd.DataFrame:
    """One gap per registered site that some field standard's inspections never covered (拉网式全覆盖: the
    department must visit the site, whatever standards it misses). Its ``standard`` is the first missing
    standard in handbook order, ``required`` lists every missing standard's code joined by "、"; the
    per-standard counts stay in each standard's result (``sites_uncovered``).

    One block for all standards: the register's columns are taken once per uncovered site (a 250k-site
    register with 96k never-visited sites missed 636k site × standard pairs; one row per pair was most of
    the time and memory of writing the reports)."""
    project, _ = _maps(handbook)
    index = handbook.code_index()
    order = {s.code: i for i, s in enumerate(handbook.standards)}
    codes = sorted(uncovered_standards(field_out), key=order.__getitem__)
    if not codes:
        return empty_gaps()
    counts = np.array([len(field_out[c].uncovered) for c in codes], dtype=np.int64)
    at = np.concatenate([field_out[c].uncovered for c in codes])
    which = np.repeat(np.arange(len(codes), dtype=np.int64), counts)
    by_site = np.lexsort((which, at))  # per register position, its standards in handbook order
    at, which = at[by_site], which[by_site]
    starts = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
    sites = at[starts]
    required = _missed_lists(codes, which, starts)
    first = np.array(codes, dtype=object)[which[starts]]
    reg = prep.register[["site_name", "site_type", "street", "department"]].take(sites)  # what a gap shows
    ids = reg.index.to_series().astype("string").reset_index(drop=True)
    reg = reg.reset_index(drop=True)  # columns handed on as Series (see site_problem_gaps)
    standard = pd.Series(first, dtype="string")
    lead = pd.Series([index[c].lead for c in first.tolist()], dtype="string")
    department = reg["department"].astype("string").reset_index(drop=True)
    return frame(
        {
            "key": "coverage|" + ids,
            "kind": "coverage",
            "standard": standard,
            "project": map_distinct_text(standard, project.get),
            "method": "field",
            "site": ids,
            "site_name": reg["site_name"],
            "site_type": reg["site_type"],
            "street": reg["street"],
            "department": department.fillna(lead),
            "reason_code": "coverage.not_inspected",
            "required": pd.Series(required, dtype="string"),
            "cases": 0,
            "points_lost": 0.0,
            "points_recoverable": 0.0,
            "deadline": due("field"),
        },
        len(reg),
    )  # typed and sorted with the other kinds by evaluate's finish (not twice)


def _one_gap(maps: tuple[dict[str, str], dict[str, str]], s: Standard, **values: object) -> dict[str, object]:
    """One gap record of standard ``s``; ``maps`` is :func:`_maps` of the handbook, looked up once by the
    caller (hashing a frozen Handbook for the cache costs ~0.3 ms, per gap it added up)."""
    project, text = maps
    out: dict[str, object] = {
        "standard": s.code,
        "project": project[s.code],
        "method": s.method,
        "department": s.lead,
        "required": text[s.code],
        "cases": 0,
        "method_of_deadline": s.method,
    }
    out.update(values)
    return out


def _records(rows: list[dict[str, object]], due: Due) -> pd.DataFrame:
    if not rows:
        return empty_gaps()
    table = pd.DataFrame(rows)
    methods = table.pop("method_of_deadline")
    table["deadline"] = methods.map({m: due(m) for m in methods.dropna().unique()})
    return frame({c: table[c].to_numpy() for c in table.columns}, len(table))


def material_gaps(
    handbook: Handbook,
    due: Due,
    doc_out: dict[str, DocumentOutcome],
    results: dict[str, StandardResult],
) -> pd.DataFrame:
    rows = []
    index = handbook.code_index()
    maps = _maps(handbook)
    for code, out in doc_out.items():
        s = index[code]
        r = results[code]
        recoverable = max(0.0, out.score_if_one_more - r.score) if r.grade is not None else 0.0
        for g in out.gaps:
            rows.append(
                _one_gap(
                    maps,
                    s,
                    key=f"material|{code}|{g.material}",
                    kind="material",
                    department=g.department,
                    reason_code=f"material.{g.reason}",
                    required=g.material,
                    points_lost=r.points - r.score,
                    points_recoverable=recoverable,
                    evidence=g.evidence,
                )
            )
    return _records(rows, due)


def standard_gaps(handbook: Handbook, due: Due, ordered: list[StandardResult]) -> pd.DataFrame:
    rows = []
    index = handbook.code_index()
    maps = _maps(handbook)
    for r in ordered:
        if r.status in ("pass", "not_applicable") or r.points - r.score <= 1e-12:
            continue
        s = index[r.code]
        lost = r.points - r.score
        kind = r.method if r.method in ("survey", "data") else "standard"
        rows.append(
            _one_gap(
                maps, s, key=f"{kind}|{r.code}", kind=kind, reason_code=r.reason_code, points_lost=lost,
                points_recoverable=lost,
            )
        )  # fmt: skip
    return _records(rows, due)


def negative_gaps(handbook: Handbook, events: list[NegativeEvent]) -> pd.DataFrame:
    """One gap per event, dispatched to the negative-list item's lead unit ("" when it names none). What it
    says is the event itself (found by its evidence) and its deduction (points_lost), by reason_code."""
    leads = {n.code: n.lead or "" for n in handbook.negative_list}
    rows = []
    for e in events:
        rows.append(
            {
                "key": f"negative|{e.code}|{e.date.isoformat()}|{e.evidence}",
                "kind": "negative",
                "department": leads.get(e.code, ""),
                "reason_code": "negative.veto" if e.veto else "negative.deduction",
                "points_lost": e.deduction,
                "points_recoverable": 0.0,
                "evidence": e.evidence,
            }
        )
    if not rows:
        return empty_gaps()
    table = pd.DataFrame(rows)
    return frame({c: table[c].to_numpy() for c in table.columns}, len(table))
