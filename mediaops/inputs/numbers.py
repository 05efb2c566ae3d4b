"""Reading number cells of exports: thousands and decimal separators, currencies, 万/亿/w/k magnitudes.

A column is read in one decimal style (:func:`decimal_style`): ``1,234.5`` (dot decimals, the default) or
``1.234,5`` (decimal commas, as European spreadsheets write them). The style is decided from the column's own
cells, never per cell, so that ``4325,00`` is 4325 and not 432 500, and a column that mixes both styles stops.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MISSING", "NumberCell", "decimal_style", "parse_number"]

#: placeholders exports write for "no value".
MISSING = frozenset({"", "-", "--", "—", "n/a", "na", "null", "none", "nan", "/"})

#: currency marks in cells, longest first, with the currency they name.
_CURRENCIES = (("us$", "USD"), ("usd", "USD"), ("rmb", "CNY"), ("cny", "CNY"), ("eur", "EUR"), ("$", "USD"),
               ("¥", "CNY"), ("￥", "CNY"), ("€", "EUR"), ("元", "CNY"))
_MAGNITUDES = (("亿", 1e8), ("万", 1e4), ("w", 1e4), ("k", 1e3), ("m", 1e6))
_EXCEL_GUARD = re.compile(r'^=\s*"(.*)"$', re.S)
#: unambiguous decimal-comma numbers: 4325,00 · 4.325,5 · 0,5 (a comma followed by 1, 2 or 4+ digits, or a dot
#: before three digits and a comma).
_COMMA_DECIMAL = re.compile(r"^-?\d+,(\d{1,2}|\d{4,})$|^-?\d{1,3}(\.\d{3})+(,\d+)?$")
#: unambiguous dot-decimal numbers: 12.5 · 1,234.56 · 1.2345.
_DOT_DECIMAL = re.compile(r"^-?\d+\.(\d{1,2}|\d{4,})$|^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")


@dataclass(frozen=True, slots=True)
class NumberCell:
    """A cell read as a number, with the currency it was written in (``""`` when none was written)."""

    value: float
    currency: str = ""


def _clean(text: str) -> str:
    text = text.strip()
    guard = _EXCEL_GUARD.match(text)
    if guard:
        text = guard[1].strip()
    return text.lstrip("'").replace("，", ",")


def _strip_marks(text: str) -> tuple[str, str, float]:
    """The bare number of ``text``, its currency and magnitude (万 = 1e4, …)."""
    lowered = text.lower()
    currency = ""
    for mark, code in _CURRENCIES:
        if lowered.startswith(mark):
            currency, lowered = code, lowered[len(mark):].strip()
            break
        if lowered.endswith(mark):
            currency, lowered = code, lowered[: -len(mark)].strip()
            break
    scale = 1.0
    if lowered.endswith("%"):
        scale, lowered = 0.01, lowered[:-1]
    else:
        for mark, factor in _MAGNITUDES:
            if lowered.endswith(mark):
                scale, lowered = factor, lowered[: -len(mark)].strip()
                break
    if not currency:  # "1.2万元": the magnitude came first
        for mark, code in _CURRENCIES:
            if lowered.endswith(mark):
                currency, lowered = code, lowered[: -len(mark)].strip()
                break
    return lowered, currency, scale


def decimal_style(cells: Iterable[object], default_comma: bool = False) -> bool:
    """True when a column writes decimal commas (``4325,00``), False for dot decimals (``4,325.00``).

    Decided from cells that can only be read one way; ``default_comma`` (a ``;``-separated CSV) decides a column
    whose cells fit both (``1,234``).

    Raises:
        ValueError: the column has cells of both styles.
    """
    comma = dot = None
    for cell in cells:
        if not isinstance(cell, str):
            continue
        bare, _, _ = _strip_marks(_SPACES.sub("", _clean(cell)))
        if comma is None and _COMMA_DECIMAL.match(bare):
            comma = cell.strip()
        if dot is None and _DOT_DECIMAL.match(bare):
            dot = cell.strip()
        if comma is not None and dot is not None:
            raise ValueError(f"mixes number styles ({dot!r} has a decimal point, {comma!r} a decimal comma)")
    if comma is not None:
        return True
    if dot is not None:
        return False
    return default_comma


def parse_number(cell: object, decimal_comma: bool = False) -> NumberCell:
    """A cell as a number: ``1,234`` · ``¥12.5`` · ``US$1,234.50`` · ``1.2万`` · ``1.6w`` · ``3亿`` · ``45%`` ·
    ``4.325,00`` (with ``decimal_comma``) · ``="12"`` (an Excel text guard). Empty and placeholder cells are ``nan``.

    Raises:
        ValueError: the cell is not a number.
    """
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int | float):
        return NumberCell(float(cell))
    if cell is None:
        return NumberCell(math.nan)
    text = _clean(str(cell))
    if text.lower() in MISSING:
        return NumberCell(math.nan)
    bare, currency, scale = _strip_marks(_SPACES.sub("", text))
    negative = bare.startswith("(") and bare.endswith(")")  # accounting style (123.00)
    bare = bare.strip("()")
    bare = bare.replace(".", "").replace(",", ".") if decimal_comma else bare.replace(",", "")
    value = float(bare) * scale  # raises ValueError for text
    if not math.isfinite(value):
        raise ValueError(cell)
    return NumberCell(-value if negative else value, currency)
