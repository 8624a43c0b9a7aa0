"""Cross-reference rules of a criteria pack, checked on the raw merged data so every problem is found at once.

Rules (stable codes): ``duplicate-code`` (standard codes and aliases, and Ⅰ/Ⅱ/Ⅲ codes),
``duplicate-name`` (site types, departments and their aliases), ``unknown-site-type``,
``unknown-department``, ``method-block-missing``, ``method-block-foreign``, ``weights-sum``,
``thresholds-order``, ``bands-order``, ``shares-order`` (A ≥ B ≥ C ≥ C#), ``data-metric`` (an indicator
xor a numerator/denominator pair).
"""

from __future__ import annotations

from collections.abc import Iterator
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


def _names(raw: RawPack, section: str, problems: list[PackProblem], extra: tuple[str, ...] = ()) -> set[str]:
    """Names and aliases of a section; a name used twice is a problem."""
    seen: dict[str, PathKey] = {}
    for i, item in _items(raw.data, section):
        labels: list[tuple[PathKey, Any]] = [((section, i, "name"), item.get("name"))]
        for key in ("aliases", *extra):
            value = item.get(key)
            if isinstance(value, list):
                labels += [((section, i, key, j), v) for j, v in enumerate(value)]
            elif value:
                labels.append(((section, i, key), value))
        for path, label in labels:
            if not isinstance(label, str) or not label:
                continue
            if label in seen and seen[label][:2] != path[:2]:
                first_file, first_line = raw.locate(seen[label])
                problems.append(
                    raw.problem(
                        path, codes.DUPLICATE_NAME, fields_of(name=label, at=f"{first_file}:{first_line}")
                    )
                )
            seen.setdefault(label, path)
    return set(seen)


def semantic_problems(raw: RawPack) -> list[PackProblem]:
    """Every cross-reference problem of the merged pack data."""
    data = raw.data
    problems: list[PackProblem] = []
    site_types = _names(raw, "site_types", problems)
    departments = _names(raw, "departments", problems, extra=("short",))

    def check_department(path: PathKey, value: Any) -> None:
        if isinstance(value, str) and value and value not in departments:
            problems.append(raw.problem(path, codes.UNKNOWN_DEPARTMENT, fields_of(name=value)))

    # Codes of Ⅰ/Ⅱ/Ⅲ levels, and of standards with their aliases, are unique pack-wide.
    level_codes: dict[str, PathKey] = {}
    for pi, project in _items(data, "projects"):
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
                problems.append(
                    raw.problem(
                        path, codes.DUPLICATE_CODE, fields_of(variant="used", code=code, at=f"{file}:{line}")
                    )
                )
            elif isinstance(code, str):
                level_codes[code] = path

    standard_codes: dict[str, PathKey] = {}
    for spath, standard in iter_raw_standards(data):
        labels: list[tuple[PathKey, Any]] = [((*spath, "code"), standard.get("code"))]
        aliases = standard.get("aliases")
        if isinstance(aliases, list):
            labels += [((*spath, "aliases", j), a) for j, a in enumerate(aliases)]
        for path, code in labels:
            if not isinstance(code, str):
                continue
            if code in standard_codes:
                file, line = raw.locate(standard_codes[code])
                problems.append(
                    raw.problem(
                        path, codes.DUPLICATE_CODE, fields_of(variant="used", code=code, at=f"{file}:{line}")
                    )
                )
            else:
                standard_codes[code] = path

        check_department((*spath, "lead"), standard.get("lead"))
        responsible = standard.get("responsible")
        if isinstance(responsible, list):
            for j, dep in enumerate(responsible):
                check_department((*spath, "responsible", j), dep)

        method = standard.get("method")
        if method in METHODS:
            if not isinstance(standard.get(method), dict):
                problems.append(
                    raw.problem(
                        (*spath, "method"),
                        codes.METHOD_BLOCK_MISSING,
                        fields_of(method=method),
                    )
                )
            for other in METHODS:
                if other != method and other in standard:
                    problems.append(
                        raw.problem(
                            (*spath, other),
                            codes.METHOD_BLOCK_FOREIGN,
                            fields_of(block=other, method=method),
                        )
                    )
        field = standard.get("field")
        if isinstance(field, dict) and isinstance(field.get("site_types"), list):
            for j, st in enumerate(field["site_types"]):
                if isinstance(st, str) and st not in site_types:
                    problems.append(
                        raw.problem(
                            (*spath, "field", "site_types", j),
                            codes.UNKNOWN_SITE_TYPE,
                            fields_of(name=st),
                        )
                    )
        data_block = standard.get("data")
        if isinstance(data_block, dict):
            has_indicator = bool(data_block.get("indicator"))
            has_ratio = bool(data_block.get("numerator")) and bool(data_block.get("denominator"))
            half_ratio = bool(data_block.get("numerator")) != bool(data_block.get("denominator"))
            if has_indicator == has_ratio or half_ratio:
                problems.append(
                    raw.problem(
                        (*spath, "data"),
                        codes.DATA_METRIC,
                    )
                )
        _check_thresholds(raw, (*spath, "grades"), standard.get("grades"), problems)
        for block in ("survey", "data"):
            sub = standard.get(block)
            if isinstance(sub, dict):
                _check_bands(raw, (*spath, block, "bands"), sub.get("bands"), problems)

    for i, item in _items(data, "negative_list"):
        check_department(("negative_list", i, "lead"), item.get("lead"))
    neg_codes: dict[str, int] = {}
    for i, item in _items(data, "negative_list"):
        code = item.get("code")
        if isinstance(code, str):
            if code in neg_codes:
                problems.append(
                    raw.problem(
                        ("negative_list", i, "code"),
                        codes.DUPLICATE_CODE,
                        fields_of(variant="negative", code=code),
                    )
                )
            neg_codes.setdefault(code, i)

    settings = data.get("settings")
    if isinstance(settings, dict):
        weights = settings.get("method_weights", {})
        total = settings.get("total_points", 100)
        if isinstance(weights, dict) and isinstance(total, int | float):
            values = [weights.get(k, d) for k, d in (("document", 40), ("field", 40), ("survey", 20))]
            if all(isinstance(v, int | float) for v in values) and abs(sum(values) - total) > 1e-9:
                problems.append(
                    raw.problem(
                        ("settings", "method_weights"),
                        codes.WEIGHTS_SUM,
                        fields_of(sum=sum(values), total=total),
                    )
                )
        _check_thresholds(raw, ("settings", "thresholds"), settings.get("thresholds"), problems)
        _check_bands(raw, ("settings", "bands"), settings.get("bands"), problems)
        _check_shares(raw, ("settings", "grade_shares"), settings.get("grade_shares"), problems)
    return problems


def _check_shares(raw: RawPack, path: PathKey, value: Any, problems: list[PackProblem]) -> None:
    if not isinstance(value, dict):
        return
    defaults = {"A": 1.0, "B": 0.66, "C": 0.33, "C#": 0.0}
    given = [value.get(k, value.get("C_sharp", d) if k == "C#" else d) for k, d in defaults.items()]
    shares = [float(v) for v in given if isinstance(v, int | float)]
    if len(shares) == len(given) and shares != sorted(shares, reverse=True):
        a, b, c, c_sharp = shares
        problems.append(raw.problem(path, codes.SHARES_ORDER, fields_of(a=a, b=b, c=c, c_sharp=c_sharp)))


def _check_thresholds(raw: RawPack, path: PathKey, value: Any, problems: list[PackProblem]) -> None:
    if not isinstance(value, dict):
        return
    a, b, c = (value.get(k, d) for k, d in (("a", 0), ("b", 1), ("c", 2)))
    if all(isinstance(v, int) for v in (a, b, c)) and not a <= b <= c:
        problems.append(raw.problem(path, codes.THRESHOLDS_ORDER, fields_of(a=a, b=b, c=c)))


def _check_bands(raw: RawPack, path: PathKey, value: Any, problems: list[PackProblem]) -> None:
    if not isinstance(value, dict):
        return
    b, c = value.get("b", 0.05), value.get("c", 0.10)
    if isinstance(b, int | float) and isinstance(c, int | float) and not b <= c:
        problems.append(raw.problem(path, codes.BANDS_ORDER, fields_of(b=b, c=c)))
