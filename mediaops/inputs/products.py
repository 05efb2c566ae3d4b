"""Reading the product list (sku, name, aliases, price, currency) from CSV, XLSX or JSON (UTF-8 or GBK).

A price's currency comes from a ``currency`` column (a code such as ``USD`` or a sign such as ``$``) or from the
price itself (``US$39``, ``$39``, ``¥39``, ``39元``, ``39 USD``); where neither says, it is left empty and the
render setting decides (:class:`mediaops.render.options.RenderOptions`). A run keeps the list it used as
``products.json`` in its output folder (:func:`save_products`), which this module reads back like any other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from mediaops.errors import MetricsFormatError
from mediaops.inputs.metrics_formats import read_table
from mediaops.media.probe import check_input_file
from mediaops.serialize import write_json_atomic
from mediaops.types import Product

_ALIASES = {
    "sku": ("sku", "id", "商品id", "商品编号", "商品编码"),
    "name": ("name", "title", "商品名称", "名称", "商品"),
    "aliases": ("aliases", "alias", "别名", "简称"),
    "price": ("price", "价格", "售价", "直播价"),
    "currency": ("currency", "货币", "币种", "币别"),
}
_ALIAS_SEPARATORS = ("|", "、", ";", "；")

#: the currencies prices may be in, with the sign covers and reel stickers write before the amount.
CURRENCIES: dict[str, str] = {"CNY": "¥", "USD": "$", "HKD": "HK$", "TWD": "NT$", "EUR": "€", "GBP": "£",
                              "JPY": "JP¥", "KRW": "₩", "SGD": "S$"}
#: how a price or a currency cell may name a currency (matched longest first, letters in any case).
_MARKERS: dict[str, str] = {
    **{code: code for code in CURRENCIES},
    "US$": "USD", "HK$": "HKD", "NT$": "TWD", "S$": "SGD", "JP¥": "JPY", "$": "USD", "¥": "CNY", "￥": "CNY",
    "RMB": "CNY", "元": "CNY", "人民币": "CNY", "美元": "USD", "美金": "USD", "港币": "HKD", "港元": "HKD",
    "新台币": "TWD", "欧元": "EUR", "€": "EUR", "英镑": "GBP", "£": "GBP", "日元": "JPY", "円": "JPY",
    "韩元": "KRW", "₩": "KRW", "新加坡元": "SGD",
}
_MARKER_PATTERN = re.compile("|".join(re.escape(m) for m in sorted(_MARKERS, key=len, reverse=True)), re.I)


def currency_known(code: str) -> bool:
    """Whether ``code`` is one of :data:`CURRENCIES` (upper case, as the options carry it)."""
    return code in CURRENCIES


def currency_of(text: str) -> str | None:
    """The currency code a cell names (``USD``, ``$``, ``美元`` …), ``""`` for an empty cell, ``None`` when it
    names none this module knows."""
    text = text.strip()
    if not text:
        return ""
    found = _MARKER_PATTERN.fullmatch(text)
    return _MARKERS[_canonical(found.group(0))] if found else None


def _canonical(marker: str) -> str:
    return next(m for m in _MARKERS if m.upper() == marker.upper())


def split_price(text: str) -> tuple[str, str]:
    """``(amount text, currency code)`` of a price cell: ``US$39`` gives ``("39", "USD")``, ``39元``
    ``("39", "CNY")``, ``1,299`` ``("1299", "")``."""
    code = ""
    found = _MARKER_PATTERN.search(text)
    if found:
        code = _MARKERS[_canonical(found.group(0))]
        text = text[:found.start()] + text[found.end():]
    return text.replace(",", "").strip(), code


def _cell(row: tuple[object, ...], column: int | None) -> str:
    if column is None or column >= len(row) or row[column] is None:
        return ""
    value = row[column]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheet cells give SKUs and prices as floats
    return str(value).strip()


def _split_aliases(text: str) -> tuple[str, ...]:
    for separator in _ALIAS_SEPARATORS[1:]:
        text = text.replace(separator, "|")
    return tuple(a.strip() for a in text.split("|") if a.strip())


def load_products(path: Path) -> list[Product]:
    """Products from a table with columns sku, name, aliases (``|``/``、``-separated), price and, optionally,
    currency.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: no name column, an unreadable price, an unknown currency, or a price whose sign
            says another currency than the currency column.
    """
    check_input_file(path, "products file")
    table = read_table(path)
    lowered = [h.strip().lower() for h in table.headers]
    fields = {key: next((lowered.index(n) for n in names if n in lowered), None) for key, names in _ALIASES.items()}
    if fields["name"] is None:
        raise MetricsFormatError(f"{path.name} has no name column — expected columns sku,name,aliases,price")
    products = []
    for line_no, row in enumerate(table.rows, start=2):
        name = _cell(row, fields["name"])
        if not name:
            continue
        sku = _cell(row, fields["sku"])
        price_text, price_currency = split_price(_cell(row, fields["price"]))
        try:
            price = float(price_text) if price_text else None
        except ValueError as exc:
            raise MetricsFormatError(f"{path.name} line {line_no}: price {price_text!r} is not a number") from exc
        column = _cell(row, fields["currency"])
        currency = currency_of(column)
        if currency is None:
            raise MetricsFormatError(f"{path.name} line {line_no}: currency {column!r} is not known — use a code "
                                     f"such as {', '.join(CURRENCIES)}")
        if currency and price_currency and currency != price_currency:
            raise MetricsFormatError(f"{path.name} line {line_no}: the price {_cell(row, fields['price'])!r} is in "
                                     f"{price_currency} but the currency column says {currency} — correct one of them")
        products.append(Product(sku=sku or f"P{line_no - 1}", name=name, aliases=_split_aliases(
            _cell(row, fields["aliases"])), price=price, currency=currency or price_currency))
    return products


def save_products(products: Sequence[Product], path: Path) -> Path:
    """Write ``products`` as a JSON list that :func:`load_products` reads back unchanged, atomically."""
    write_json_atomic(path, [{"sku": p.sku, "name": p.name, "aliases": "|".join(p.aliases), "price": p.price,
                              "currency": p.currency} for p in products])
    return path
