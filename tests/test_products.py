"""Product lists and the pitch segments found from product mentions in the transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaops.analysis.pitches import find_pitches
from mediaops.errors import MetricsFormatError
from mediaops.inputs.products import load_products
from mediaops.types import Product, Segment, Transcript


def test_gbk_csv_with_chinese_headers(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("商品编号,商品名称,别名,直播价\nA1,破壁机,料理机、搅拌机,￥399\n,羊绒围巾,,59元\n", encoding="gbk")
    assert load_products(f) == [
        Product("A1", "破壁机", ("料理机", "搅拌机"), 399.0, "CNY"),  # the signs say the currency
        Product("P2", "羊绒围巾", (), 59.0, "CNY"),
    ]


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["sku", "name", "aliases", "price"])
    book.active.append([10023, "Glow Serum", "serum|glow serums", 19.0])
    book.save(tmp_path / "p.xlsx")
    assert load_products(tmp_path / "p.xlsx") == [Product("10023", "Glow Serum", ("serum", "glow serums"), 19.0)]


@pytest.mark.parametrize(("content", "message"), [("sku,price\nA,1\n", "no name column"),
                                                  ("name,price\nA,cheap\n", "price 'cheap' is not a number")],
                         ids=["no-name", "bad-price"])
def test_bad_product_lists(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "p.csv"
    f.write_text(content)
    with pytest.raises(MetricsFormatError, match=message):
        load_products(f)


def test_pitches_from_mentions() -> None:
    products = [Product("A1", "破壁机", ("料理机",)), Product("B2", "Glow Serum", ("serum",))]
    segments = (
        Segment(10.0, 14.0, "大家好"),
        Segment(20.0, 24.0, "今天先看这款破壁机"),
        Segment(60.0, 64.0, "料理机三十秒打好豆浆"),
        Segment(100.0, 103.0, "Now the Glow Serum!"),
        Segment(130.0, 133.0, "This serum is gentle."),
        Segment(400.0, 404.0, "又回到破壁机"),
    )
    pitches = find_pitches(Transcript("zh", segments, 500.0), products)
    assert [(p.sku, p.start_s, p.end_s, p.mentions) for p in pitches] == [
        ("A1", 20.0, 79.0, 2), ("B2", 100.0, 148.0, 2), ("A1", 400.0, 419.0, 1),
    ]
