"""Numbers in sentences (reasons, notes): at most 2 decimals, no trailing zeros, units placed as people write them.

Shared by the engine's Chinese reasons and the renderers' translations, so both print a value alike.
"""

from __future__ import annotations

__all__ = ["num", "pct", "with_unit"]


def num(x: float) -> str:
    """A value with at most 2 decimals and no trailing zeros: 11.4839 → "11.48", 13.0 → "13"."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pct(x: float) -> str:
    """A proportion as a percentage, at most 2 decimals: 0.9423 → "94.23%", 0.9 → "90%"."""
    return num(x * 100) + "%"


def with_unit(value: float, unit: str) -> str:
    """A value and its unit: "%" and "‰" stick to the number, other units follow a space."""
    if not unit:
        return num(value)
    return num(value) + (unit if unit[0] in "%‰" else " " + unit)


def column_letters(number: int) -> str:
    """Spreadsheet column letters of a 1-based column number (1 → A, 27 → AA)."""
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out
