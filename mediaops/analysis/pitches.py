"""Finding product pitch segments from mentions of product names in the transcript."""

from __future__ import annotations

import re

from mediaops.types import PitchSegment, Product, Transcript


def _pattern(product: Product) -> re.Pattern[str]:
    names = sorted({product.name, *product.aliases}, key=len, reverse=True)
    # word boundaries only make sense for Latin names; Chinese names are matched as substrings
    parts = [rf"\b{re.escape(n)}\b" if n.isascii() else re.escape(n) for n in names if n.strip()]
    return re.compile("|".join(parts), re.IGNORECASE)


def find_pitches(
    transcript: Transcript, products: list[Product] | tuple[Product, ...], gap_s: float = 90.0, tail_s: float = 15.0
) -> list[PitchSegment]:
    """Stretches where a product is being talked about, in time order.

    Mentions of the same product less than ``gap_s`` apart form one pitch; a pitch runs from the start of its
    first mentioning sentence to ``tail_s`` after its last, and never into the next product's pitch.
    """
    mentions: list[tuple[float, float, Product]] = []
    for product in products:
        pattern = _pattern(product)
        mentions += [(s.start_s, s.end_s, product) for s in transcript.segments if pattern.search(s.text)]
    mentions.sort(key=lambda m: m[0])
    pitches: list[PitchSegment] = []
    for start_s, end_s, product in mentions:
        last = pitches[-1] if pitches else None
        if last and last.sku == product.sku and start_s - last.end_s <= gap_s:
            pitches[-1] = PitchSegment(last.sku, last.name, last.start_s, end_s + tail_s, last.mentions + 1)
        else:
            if last and last.end_s > start_s:
                pitches[-1] = PitchSegment(last.sku, last.name, last.start_s, start_s, last.mentions)
            pitches.append(PitchSegment(product.sku, product.name, start_s, end_s + tail_s, 1))
    return [p for p in pitches if p.end_s > p.start_s]
