"""Cross-reference rules of a criteria pack, checked on the raw merged data so every problem is found at once.

One function per rule, each named for what it checks and yielding its problems; :data:`RULES` lists them
and :func:`semantic_problems` runs them all. Rules (stable codes, see :mod:`checker.handbook.codes`):
``duplicate-code`` (standard codes and aliases, Ⅰ/Ⅱ/Ⅲ codes, negative-list codes), ``duplicate-name``
(site types, departments and their aliases), ``unknown-site-type``, ``unknown-department``,
``method-block-missing``, ``method-block-foreign``, ``weights-sum``, ``thresholds-order``, ``bands-order``,
``shares-order`` (A ≥ B ≥ C ≥ C#), ``data-metric`` (an indicator xor a numerator/denominator pair).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from checker.errors import PackProblem
from checker.handbook import codes
from checker.handbook.codes import fields_of
from checker.handbook.model import METHODS
from checker.handbook.raw import RawPack
from checker.handbook.yamlsafe import PathKey


def _items(data: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def iter_raw_standards(data: dict[str, Any]) -> Iterator[tuple[PathKey, dict[str, Any]]]:
    for pi, project in _items(data, "projects"):
        for ii, indicator in _items(project, "indicators"):
            for ci, content in _items(indicator, "contents"):
                for si, standard in _items(content, "standards"):
                    yield ("projects", pi, "indicators", ii, "contents", ci, "standards", si), standard


def _labels(raw: RawPack, section: str, extra: tuple[str, ...] = ()) -> Iterator[tuple[PathKey, str]]:
    """(path, label) of every name and alias (and ``extra`` key) of a list section, in pack order."""
    for i, item in _items(raw.data, section):
        labels: list[tuple[PathKey, Any]] = [((section, i, "name"), item.get("name"))]
        for key in ("aliases", *extra):
            value = item.get(key)
            if isinstance(value, list):
                labels += [((section, i, key, j), v) for j, v in enumerate(value)]
            elif value:
                labels.append(((section, i, key), value))
        for path, label in labels:
            if isinstance(label, str) and label:
                yield path, label


def _site_types(raw: RawPack) -> set[str]:
    """Every name and alias of the pack's site types."""
    return {label for _path, label in _labels(raw, "site_types")}


def _departments(raw: RawPack) -> set[str]:
    """Every name, short name and alias of the pack's departments."""
    return {label for _path, label in _labels(raw, "departments", extra=("short",))}


def _settings(raw: RawPack) -> dict[str, Any] | None:
    settings = raw.data.get("settings")
    return settings if isinstance(settings, dict) else None


def duplicate_names(raw: RawPack) -> Iterator[PackProblem]:
    """``duplicate-name`` (:data:`codes.DUPLICATE_NAME`): a site-type or department name, alias or short name
    used by two entries (an entry may repeat its own name)."""
    for section, extra in (("site_types", ()), ("departments", ("short",))):
        seen: dict[str, PathKey] = {}
        for path, label in _labels(raw, section, extra):
            if label in seen and seen[label][:2] != path[:2]:
                first_file, first_line = raw.locate(seen[label])
                yield raw.problem(
                    path, codes.DUPLICATE_NAME, fields_of(name=label, at=f"{first_file}:{first_line}")
                )
            seen.setdefault(label, path)


def duplicate_level_codes(raw: RawPack) -> Iterator[PackProblem]:
    """``duplicate-code`` (:data:`codes.DUPLICATE_CODE`): a Ⅰ/Ⅱ/Ⅲ code used twice, pack-wide."""
    level_codes: dict[str, PathKey] = {}
    for pi, project in _items(raw.data, "projects"):
        levels: list[tuple[PathKey, Any]] = [(("projects", pi, "code"), project.get("code"))]
        for ii, indicator in _items(project, "indicators"):
            levels.append((("projects", pi, "indicators", ii, "code"), indicator.get("code")))
            for ci, content in _items(indicator, "contents"):
                levels.append(
                    (("projects", pi, "indicators", ii, "contents", ci, "code"), content.get("code"))
                )
        for path, code in levels:
            if isinstance(code, str) and code in level_codes:
                file, line = raw.locate(level_codes[code])
                yield raw.problem(
                    path, codes.DUPLICATE_CODE, fields_of(variant="used", code=code, at=f"{file}:{line}")
                )
            elif isinstance(code, str):
                level_codes[code] = path


def duplicate_standard_codes(raw: RawPack) -> Iterator[PackProblem]:
    """``duplicate-code`` (:data:`codes.DUPLICATE_CODE`): a standard code or alias used twice, pack-wide."""
    standard_codes: dict[str, PathKey] = {}
    for spath, standard in iter_raw_standards(raw.data):
        labels: list[tuple[PathKey, Any]] = [((*spath, "code"), standard.get("code"))]
        aliases = standard.get("aliases")
        if isinstance(aliases, list):
            labels += [((*spath, "aliases", j), a) for j, a in enumerate(aliases)]
        for path, code in labels:
            if not isinstance(code, str):
                continue
            if code in standard_codes:
                file, line = raw.locate(standard_codes[code])
                yield raw.problem(
                    path, codes.DUPLICATE_CODE, fields_of(variant="used", code=code, at=f"{file}:{line}")
                )
            else:
                standard_codes[code] = path


def unknown_departments(raw: RawPack) -> Iterator[PackProblem]:
    """``unknown-department`` (:data:`codes.UNKNOWN_DEPARTMENT`): a standard's ``lead`` or ``responsible``,
    or a negative-list item's ``lead``, that is not a department of the pack."""
    departments = _departments(raw)
    named: list[tuple[PathKey, Any]] = []
    for spath, standard in iter_raw_standards(raw.data):
        named.append(((*spath, "lead"), standard.get("lead")))
        responsible = standard.get("responsible")
        if isinstance(responsible, list):
            named += [((*spath, "responsible", j), dep) for j, dep in enumerate(responsible)]
    named += [
        (("negative_list", i, "lead"), item.get("lead")) for i, item in _items(raw.data, "negative_list")
    ]
    for path, value in named:
        if isinstance(value, str) and value and value not in departments:
            yield raw.problem(path, codes.UNKNOWN_DEPARTMENT, fields_of(name=value))


def missing_method_blocks(raw: RawPack) -> Iterator[PackProblem]:
    """``method-block-missing`` (:data:`codes.METHOD_BLOCK_MISSING`): ``method: field`` (etc.) but no
    ``field:`` block."""
    for spath, standard in iter_raw_standards(raw.data):
        method = standard.get("method")
        if method in METHODS and not isinstance(standard.get(method), dict):
            yield raw.problem(
                (*spath, "method"),
                codes.METHOD_BLOCK_MISSING,
                fields_of(method=method),
            )


def foreign_method_blocks(raw: RawPack) -> Iterator[PackProblem]:
    """``method-block-foreign`` (:data:`codes.METHOD_BLOCK_FOREIGN`): a block for another method than the
    standard's (``survey:`` on a field standard)."""
    for spath, standard in iter_raw_standards(raw.data):
        method = standard.get("method")
        if method not in METHODS:
            continue
        for other in METHODS:
            if other != method and other in standard:
                yield raw.problem(
                    (*spath, other),
                    codes.METHOD_BLOCK_FOREIGN,
                    fields_of(block=other, method=method),
                )


def unknown_site_types(raw: RawPack) -> Iterator[PackProblem]:
    """``unknown-site-type`` (:data:`codes.UNKNOWN_SITE_TYPE`): a field standard names a site type the pack
    does not define."""
    site_types = _site_types(raw)
    for spath, standard in iter_raw_standards(raw.data):
        field = standard.get("field")
        if not (isinstance(field, dict) and isinstance(field.get("site_types"), list)):
            continue
        for j, st in enumerate(field["site_types"]):
            if isinstance(st, str) and st not in site_types:
                yield raw.problem(
                    (*spath, "field", "site_types", j),
                    codes.UNKNOWN_SITE_TYPE,
                    fields_of(name=st),
                )


def data_metrics(raw: RawPack) -> Iterator[PackProblem]:
    """``data-metric`` (:data:`codes.DATA_METRIC`): a data block without exactly one of ``indicator`` or a
    ``numerator``/``denominator`` pair."""
    for spath, standard in iter_raw_standards(raw.data):
        data_block = standard.get("data")
        if not isinstance(data_block, dict):
            continue
        has_indicator = bool(data_block.get("indicator"))
        has_ratio = bool(data_block.get("numerator")) and bool(data_block.get("denominator"))
        half_ratio = bool(data_block.get("numerator")) != bool(data_block.get("denominator"))
        if has_indicator == has_ratio or half_ratio:
            yield raw.problem((*spath, "data"), codes.DATA_METRIC)


def thresholds_order(raw: RawPack) -> Iterator[PackProblem]:
    """``thresholds-order`` (:data:`codes.THRESHOLDS_ORDER`): grade thresholds not a ≤ b ≤ c, on a standard
    (``grades``) or in the pack's settings (``thresholds``)."""
    found: list[tuple[PathKey, Any]] = [
        ((*spath, "grades"), standard.get("grades")) for spath, standard in iter_raw_standards(raw.data)
    ]
    if (settings := _settings(raw)) is not None:
        found.append((("settings", "thresholds"), settings.get("thresholds")))
    for path, value in found:
        if not isinstance(value, dict):
            continue
        a, b, c = (value.get(k, d) for k, d in (("a", 0), ("b", 1), ("c", 2)))
        if all(isinstance(v, int) for v in (a, b, c)) and not a <= b <= c:
            yield raw.problem(path, codes.THRESHOLDS_ORDER, fields_of(a=a, b=b, c=c))


def bands_order(raw: RawPack) -> Iterator[PackProblem]:
    """``bands-order`` (:data:`codes.BANDS_ORDER`): shortfall bands not b ≤ c, on a survey or data standard
    or in the pack's settings (``bands``)."""
    found: list[tuple[PathKey, Any]] = []
    for spath, standard in iter_raw_standards(raw.data):
        for block in ("survey", "data"):
            sub = standard.get(block)
            if isinstance(sub, dict):
                found.append(((*spath, block, "bands"), sub.get("bands")))
    if (settings := _settings(raw)) is not None:
        found.append((("settings", "bands"), settings.get("bands")))
    for path, value in found:
        if not isinstance(value, dict):
            continue
        b, c = value.get("b", 0.05), value.get("c", 0.10)
        if isinstance(b, int | float) and isinstance(c, int | float) and not b <= c:
            yield raw.problem(path, codes.BANDS_ORDER, fields_of(b=b, c=c))


def duplicate_negative_codes(raw: RawPack) -> Iterator[PackProblem]:
    """``duplicate-code`` (:data:`codes.DUPLICATE_CODE`): a negative-list code used twice."""
    neg_codes: set[str] = set()
    for i, item in _items(raw.data, "negative_list"):
        code = item.get("code")
        if not isinstance(code, str):
            continue
        if code in neg_codes:
            yield raw.problem(
                ("negative_list", i, "code"), codes.DUPLICATE_CODE, fields_of(variant="negative", code=code)
            )
        neg_codes.add(code)


def weights_sum(raw: RawPack) -> Iterator[PackProblem]:
    """``weights-sum`` (:data:`codes.WEIGHTS_SUM`): the method weights do not add up to ``total_points``."""
    settings = _settings(raw)
    if settings is None:
        return
    weights = settings.get("method_weights", {})
    total = settings.get("total_points", 100)
    if isinstance(weights, dict) and isinstance(total, int | float):
        values = [weights.get(k, d) for k, d in (("document", 40), ("field", 40), ("survey", 20))]
        if all(isinstance(v, int | float) for v in values) and abs(sum(values) - total) > 1e-9:
            yield raw.problem(
                ("settings", "method_weights"),
                codes.WEIGHTS_SUM,
                fields_of(sum=sum(values), total=total),
            )


def shares_order(raw: RawPack) -> Iterator[PackProblem]:
    """``shares-order`` (:data:`codes.SHARES_ORDER`): grade shares not A ≥ B ≥ C ≥ C#."""
    settings = _settings(raw)
    value = settings.get("grade_shares") if settings is not None else None
    if not isinstance(value, dict):
        return
    defaults = {"A": 1.0, "B": 0.66, "C": 0.33, "C#": 0.0}
    given = [value.get(k, value.get("C_sharp", d) if k == "C#" else d) for k, d in defaults.items()]
    shares = [float(v) for v in given if isinstance(v, int | float)]
    if len(shares) == len(given) and shares != sorted(shares, reverse=True):
        a, b, c, c_sharp = shares
        yield raw.problem(
            ("settings", "grade_shares"), codes.SHARES_ORDER, fields_of(a=a, b=b, c=c, c_sharp=c_sharp)
        )


# Every cross-reference rule, in the order their problems are listed.
Rule = Callable[[RawPack], Iterable[PackProblem]]
RULES: tuple[Rule, ...] = (
    duplicate_names,
    duplicate_level_codes,
    duplicate_standard_codes,
    unknown_departments,
    missing_method_blocks,
    foreign_method_blocks,
    unknown_site_types,
    data_metrics,
    thresholds_order,
    bands_order,
    duplicate_negative_codes,
    weights_sum,
    shares_order,
)


def semantic_problems(raw: RawPack) -> list[PackProblem]:
    """Every cross-reference problem of the merged pack data, rule by rule (see :data:`RULES`)."""
    problems: list[PackProblem] = []
    for rule in RULES:
        problems.extend(rule(raw))
    return problems
