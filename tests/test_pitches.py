"""Pitch segments from the transcript: calls to action, asides, product names in mixed scripts (pure)."""

from __future__ import annotations

import pytest

from mediaops.analysis.pitches import call_to_action, find_pitches, presentation
from mediaops.types import Product, Segment, Transcript

PRODUCTS = [Product("SKU-SERUM", "Glow Serum", ("serum",)), Product("SKU-KETTLE", "Smart Kettle", ("电热水壶",)),
            Product("SKU-LAMP", "Desk Lamp", ("lamp",))]


@pytest.mark.parametrize(("text", "selling", "found"), [
    ("Here it is, flash sale starts now, link number 2!", True, "flash sale"),
    ("三二一，上链接！", True, "三二一"),
    ("2号链接上了，秒杀价39元，冲！", True, "链接"),
    ("Only $19 tonight, add it to your cart", True, "Only $19"),
    ("福袋还有五分钟开奖", False, "福袋"),
    ("It feels really soft.", False, None),
    ("This lamp clamps to any desk.", False, None),
], ids=["flash-sale", "321", "link-price", "price-cart", "giveaway", "none", "no-false-friend"])
def test_calls_to_action(text: str, selling: bool, found: str | None) -> None:
    assert call_to_action(text) == found
    assert (call_to_action(text, selling=True) is not None) == (selling and found is not None)


def test_presenting_words() -> None:
    assert presentation("And here is our Glow Serum!") == "here is"
    assert presentation("来看我们的台灯。") == "来看"
    assert presentation("Look at the details here.") is None


def test_an_aside_neither_ends_a_pitch_nor_starts_one() -> None:
    """"By the way, the kettle is back in stock" during the serum's pitch, then back to the serum: one serum
    pitch, which keeps its call to action.

    Wrong implementation rejected: every mention of another product ends the pitch on air (the serum's call to
    action would then belong to a kettle pitch, and its orders to the kettle).
    """
    segments = (
        Segment(10.0, 14.0, "Now the Glow Serum."),
        Segment(30.0, 34.0, "By the way, the Smart Kettle is back in stock."),
        Segment(40.0, 44.0, "This serum is so gentle."),
        Segment(50.0, 54.0, "Link number 2, flash sale starts now!"),
        Segment(70.0, 74.0, "The serum again, only today."),
    )
    (pitch,) = find_pitches(Transcript("en", segments, 200.0), PRODUCTS)
    assert (pitch.sku, pitch.start_s, pitch.end_s) == ("SKU-SERUM", 10.0, 89.0)
    assert pitch.mentions_s == (10.0, 40.0, 70.0) and pitch.calls_s == (50.0,)


def test_moving_on_ends_the_pitch_and_the_call_stays_with_its_product() -> None:
    """The host calls to action for the serum, then moves on to the kettle for good: two pitches, the call in the
    serum's; a giveaway call is no selling call."""
    segments = (
        Segment(10.0, 14.0, "Now the Glow Serum."),
        Segment(20.0, 24.0, "三二一，上链接！"),
        Segment(60.0, 64.0, "接下来是电热水壶。"),
        Segment(70.0, 74.0, "福袋还有五分钟开奖。"),
        Segment(80.0, 84.0, "这款电热水壶烧水很快。"),
    )
    serum, kettle = find_pitches(Transcript("zh", segments, 200.0), PRODUCTS)
    assert (serum.sku, serum.end_s, serum.calls_s) == ("SKU-SERUM", 39.0, (20.0,))
    assert (kettle.sku, kettle.start_s, kettle.calls_s) == ("SKU-KETTLE", 60.0, ())


def test_latin_names_inside_chinese_sentences() -> None:
    """"这款Desk Lamp真的很好用" names the lamp (a word boundary would refuse it: 款 and 真 are word
    characters); "clamp" does not."""
    segments = (Segment(10.0, 14.0, "这款Desk Lamp真的很好用。"), Segment(20.0, 24.0, "It clamps on."))
    (pitch,) = find_pitches(Transcript("zh", segments, 100.0), PRODUCTS)
    assert pitch.sku == "SKU-LAMP" and pitch.mentions_s == (10.0,)
