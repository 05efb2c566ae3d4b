"""Reading the product list (sku, name, aliases, price) from CSV, XLSX or JSON (UTF-8 or GBK)."""

from __future__ import annotations

from pathlib import Path

from mediaops.errors import MetricsFormatError
from mediaops.inputs.metrics_formats import read_table
from mediaops.media.probe import check_input_file
from mediaops.types import Product

_ALIASES = {
    "sku": ("sku", "id", "商品id", "商品编号", "商品编码"),
    "name": ("name", "title", "商品名称", "名称", "商品"),
    "aliases": ("aliases", "alias", "别名", "简称"),
    "price": ("price", "价格", "售价", "直播价"),
}
_ALIAS_SEPARATORS = ("|", "、", ";", "；")


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
    """Products from a table with columns sku, name, aliases (``|``/``、``-separated), price.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: no name column or an unreadable price.
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
        price_text = _cell(row, fields["price"]).lstrip("¥￥$").rstrip("元").replace(",", "")
        try:
            price = float(price_text) if price_text else None
        except ValueError as exc:
            raise MetricsFormatError(f"{path.name} line {line_no}: price {price_text!r} is not a number") from exc
        products.append(Product(sku=sku or f"P{line_no - 1}", name=name, aliases=_split_aliases(
            _cell(row, fields["aliases"])), price=price))
    return products
