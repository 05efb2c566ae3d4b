"""Prices in their own currency on covers and reel stickers, and ``mediaops render`` keeping a run's products,
prices, reel frame and captions consistent with its clips without being given the products file again.

Wrong implementations these tests reject:

* stripping every sign and writing ``¥`` (the old ``¥39`` on a ``$39`` product), or reading ``US$``/``HK$`` as
  plain ``$``; a currency column that is ignored, or that silently loses to a price sign that says another;
* the render setting winning over the product's own currency (or the product's missing one not falling back to it);
* ``mediaops render`` without ``--products`` dropping the prices (the run's list not kept, or not read back);
* a reel rendered from the recording at its 16:9 frame while the clips are 9:16 with captions.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from mediaops.cli import main
from mediaops.errors import MetricsFormatError
from mediaops.inputs.products import load_products
from mediaops.media.probe import probe
from mediaops.render.clips import plan_reframe
from mediaops.render.covers import best_frame, format_price, reframe_image, write_cover_image
from mediaops.render.options import RenderOptions
from mediaops.render.reel import reel_parts
from mediaops.serialize import write_json_atomic
from mediaops.timeline import read_timeline, write_timeline
from mediaops.types import Clip, Highlight, PitchSegment, Product, Segment, Timeline, Transcript
from tests.media import colour_scenes


@pytest.mark.parametrize(("price", "currency", "expected"), [
    ("US$39", "", (39.0, "USD")),
    ("$39.90", "", (39.9, "USD")),
    ("HK$1,299", "", (1299.0, "HKD")),
    ("¥39", "", (39.0, "CNY")),
    ("￥39", "", (39.0, "CNY")),
    ("39元", "", (39.0, "CNY")),
    ("39 usd", "", (39.0, "USD")),
    ("39", "", (39.0, "")),
    ("39", "USD", (39.0, "USD")),
    ("39", "美元", (39.0, "USD")),
    ("$39", "$", (39.0, "USD")),
    ("€19", "", (19.0, "EUR")),
], ids=["us-dollar", "dollar", "hk-dollar", "yen-sign", "full-width-yen", "yuan", "code-after", "bare",
        "column-code", "column-chinese", "column-sign", "euro"])
def test_price_and_currency_are_read(tmp_path: Path, price: str, currency: str,
                                     expected: tuple[float, str]) -> None:
    f = tmp_path / "p.csv"
    f.write_text(f'sku,name,price,currency\nA,Turbo Blender,"{price}",{currency}\n', "utf-8")
    (product,) = load_products(f)
    assert (product.price, product.currency) == expected


@pytest.mark.parametrize(("price", "currency", "message"), [
    ("¥39", "USD", "in CNY but the currency column says USD"),
    ("39", "dollars", "currency 'dollars' is not known"),
], ids=["sign-against-column", "unknown"])
def test_contradicting_or_unknown_currencies_are_refused(tmp_path: Path, price: str, currency: str,
                                                         message: str) -> None:
    f = tmp_path / "p.csv"
    f.write_text(f"sku,name,price,currency\nA,Turbo Blender,{price},{currency}\n", "utf-8")
    with pytest.raises(MetricsFormatError, match=message):
        load_products(f)


def test_prices_are_written_with_their_sign() -> None:
    assert [format_price(39, "USD"), format_price(59.9, "CNY"), format_price(120, "HKD"), format_price(None, "USD")] \
        == ["$39", "¥59.90", "HK$120", ""]
    clips = [Clip("h1", 0, 1, 1, "clips/h1.mp4", product_sku="A"), Clip("h2", 2, 3, 1, "clips/h2.mp4", product_sku="B")]
    products = {"A": Product("A", "Turbo", price=39.0, currency="USD"), "B": Product("B", "Cozy", price=25.0)}
    # the product's own currency wins; the setting covers the product that has none
    assert [p.sticker for p in reel_parts(clips, products, "EUR")] == ["$39", "€25"]
    assert [p.sticker for p in reel_parts(clips, products)] == ["$39", "¥25"]


@pytest.fixture()
def processed(tmp_path: Path) -> Path:
    """An output folder as `mediaops process` leaves it: one clip of a product, a caption, no products list."""
    video = colour_scenes(tmp_path / "stream.mp4", [2, 2, 2], size="320x180")
    out = tmp_path / "out"
    (out / "clips").mkdir(parents=True)
    highlight = Highlight("h1", 1.0, 4.0, 0.9, 2.0, reasons=("comments peak",), product_sku="A")
    write_timeline(Timeline(recording=probe(video), clips=(Clip("h1", 1.0, 4.0, 0.9, "clips/h1.mp4"),),
                            sales_spikes=(), scenes=(), highlights=(highlight,),
                            pitches=(PitchSegment("A", "Turbo", 0.5, 5.0),)), out / "timeline.json")
    write_json_atomic(out / "transcript.json", Transcript("zh", (Segment(1.5, 3.0, "限时优惠"),), 6.0))
    return out


def _expected_cover(out: Path, options: RenderOptions, price: str, folder: Path) -> np.ndarray:
    """The cover of clip h1 drawn with ``price``, from the same frame and crop as the renderer's."""
    source = Path(read_timeline(out)["recording"]["path"])
    info = probe(source)
    t_s, bgr = best_frame(source, 1.0, 4.0)
    plan = plan_reframe(source, info, 1.0, 4.0, options) if options.output_size else None
    path = write_cover_image(reframe_image(bgr, plan, t_s - 1.0), folder / f"cover-{price}.jpg", "Turbo Blender",
                             price)
    return cv2.imread(str(path)).astype(int)


def _frame_at(path: Path, t_s: float) -> np.ndarray:
    with av.open(str(path)) as container:
        return next(f for f in container.decode(video=0) if f.time is not None and f.time >= t_s
                    ).to_ndarray(format="bgr24").astype(int)


def test_render_keeps_the_runs_products_prices_and_reel_consistent(processed: Path, tmp_path: Path) -> None:
    products = tmp_path / "products.csv"
    products.write_text("sku,name,price\nA,Turbo Blender,US$39\n", "utf-8")
    assert main(["render", str(processed), "--products", str(products), "--no-replay", "--quiet"]) == 0
    doc = read_timeline(processed)
    assert doc["extras"]["products"] == "products.json"
    kept = json.loads((processed / "products.json").read_text("utf-8"))
    assert kept[0] == {"sku": "A", "name": "Turbo Blender", "aliases": "", "price": 39, "currency": "USD"}
    cover = cv2.imread(str(processed / doc["clips"][0]["cover"])).astype(int)
    assert np.abs(cover - _expected_cover(processed, RenderOptions(), "$39", tmp_path)).max() <= 8
    assert np.abs(cover - _expected_cover(processed, RenderOptions(), "¥39", tmp_path)).max() > 60

    # again, vertical with captions, without --products: the same product and price, the reel as the clips
    vertical = RenderOptions(aspect="9:16", width=180, captions=True)
    assert main(["render", str(processed), "--aspect", "9:16", "--width", "180", "--captions", "--no-replay",
                 "--quiet"]) == 0
    doc = read_timeline(processed)
    assert json.loads((processed / "products.json").read_text("utf-8")) == kept
    clip = doc["clips"][0]
    assert (clip["width"], clip["height"], clip["reframe"]) == (180, 320, "center")
    cover = cv2.imread(str(processed / clip["cover"])).astype(int)
    assert np.abs(cover - _expected_cover(processed, vertical, "$39", tmp_path)).max() <= 8
    # 1 s into the clip (2.0 s of the recording, the caption on screen) and 1 s into its part of the reel (after
    # the 2 s title card): the same picture, captions and all, apart from the reel's price sticker (top right)
    in_clip = _frame_at(processed / clip["file"], 1.0)
    in_reel = _frame_at(processed / "reel.mp4", 3.0)
    assert in_reel.shape == in_clip.shape == (320, 180, 3)
    lower = slice(160, 320)
    letters_in_clip = (in_clip[lower] > 200).all(axis=2)
    letters_in_reel = (in_reel[lower] > 200).all(axis=2)
    assert letters_in_clip.sum() > 50  # the caption's white letters
    assert (letters_in_clip & letters_in_reel).sum() > 0.7 * letters_in_clip.sum()
    assert np.abs(in_reel[lower] - in_clip[lower]).mean() < 6
