"""Reading the product list (sku, name, aliases, price)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from mediaops.errors import MetricsFormatError
from mediaops.probe import check_input_file
from mediaops.types import Product

_ALIASES = {"sku": ("sku", "id", "商品id", "商品编号"), "name": ("name", "title", "商品名称", "名称"),
            "aliases": ("aliases", "alias", "别名"), "price": ("price", "价格", "售价")}


def _cell(row: dict[str, str | None], column: str | None) -> str:
    return (row.get(column) or "").strip() if column else ""


def load_products(path: Path) -> list[Product]:
    """Products from a CSV with columns sku, name, aliases (``|``-separated), price.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: no name column or an unreadable price.
    """
    check_input_file(path, "products file")
    reader = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig", errors="replace")))
    headers = reader.fieldnames or []
    fields = {key: next((h for h in headers if h.strip().lower() in names), None) for key, names in _ALIASES.items()}
    if fields["name"] is None:
        raise MetricsFormatError(f"{path.name} has no name column — expected columns sku,name,aliases,price")
    products = []
    for line_no, row in enumerate(reader, start=2):
        name = _cell(row, fields["name"])
        if not name:
            continue
        sku = _cell(row, fields["sku"])
        aliases = tuple(a.strip() for a in _cell(row, fields["aliases"]).split("|") if a.strip())
        price_text = _cell(row, fields["price"]).lstrip("¥￥$")
        try:
            price = float(price_text) if price_text else None
        except ValueError as exc:
            raise MetricsFormatError(f"{path.name} line {line_no}: price {price_text!r} is not a number") from exc
        products.append(Product(sku=sku or f"P{line_no - 1}", name=name, aliases=aliases, price=price))
    return products
