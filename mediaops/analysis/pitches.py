"""Finding product pitch segments from the transcript: mentions of product names, the calls to action said
during them (a link, a flash sale, a countdown, a price), and passing mentions of other products, which are
asides and no pitch of their own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mediaops.types import PitchSegment, Product, Segment, Transcript

#: phrases by which a host asks viewers to buy now: a link going live, a flash sale, a countdown, a price.
#: Matched case-insensitively anywhere in a sentence. These are what move orders (see
#: :mod:`mediaops.analysis.attribution`).
SELLING_CALL = re.compile(
    r"上链接|链接|秒杀|三二一|倒计时|开抢|抢购|下单|拍下|库存|限时|\d+\s*[元块]"
    r"|link\s*(?:number|no\.?|#)?\s*\d+|flash[\s-]*sale|count\s*down|three,?\s*two,?\s*one|3\s*[,，]?\s*2\s*[,，]?\s*1\b"
    r"|add (?:it )?to (?:your )?cart|buy (?:it )?now|grab (?:it|one|the)|only\s*\$?\s*\d+|\$\s*\d+",
    re.IGNORECASE,
)

#: every call to action: the selling ones and those that ask for engagement (a giveaway: 福袋, 抽奖). Both mark
#: the moment the audience is asked to react to (see :mod:`mediaops.analysis.highlights`).
CALL_TO_ACTION = re.compile(rf"{SELLING_CALL.pattern}|福袋|抽奖|giveaway|lucky bag", re.IGNORECASE)

#: phrases by which a host presents something on screen ("here it is", "look at this", 来看).
PRESENTATION = re.compile(r"here it is|here is|here's|look at this|来看|看这|给大家看|展示一下", re.IGNORECASE)


def call_to_action(text: str, selling: bool = False) -> str | None:
    """The call-to-action phrase in ``text`` (see :data:`CALL_TO_ACTION`; with ``selling`` only those of
    :data:`SELLING_CALL`), or None."""
    found = (SELLING_CALL if selling else CALL_TO_ACTION).search(text)
    return found.group(0) if found else None


def presentation(text: str) -> str | None:
    """The presenting phrase in ``text`` (see :data:`PRESENTATION`), or None."""
    found = PRESENTATION.search(text)
    return found.group(0) if found else None


def _pattern(product: Product) -> re.Pattern[str]:
    names = sorted({product.name, *product.aliases}, key=len, reverse=True)
    # Latin names must not sit inside a longer Latin word ("lamp" in "clamp"), but may touch Chinese characters
    # ("这款Cloud Pillow真的"), which \b would refuse; Chinese names are matched as substrings
    parts = [rf"(?<![A-Za-z0-9]){re.escape(n)}(?![A-Za-z0-9])" if n.isascii() else re.escape(n)
             for n in names if n.strip()]
    return re.compile("|".join(parts), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Said:
    """A sentence that names a product or calls to action."""

    start_s: float
    end_s: float
    product: Product | None  # None: a call to action that names no product
    call: bool


def _sentences(transcript: Transcript, products: Sequence[Product]) -> list[_Said]:
    patterns = [(p, _pattern(p)) for p in products]
    said: list[_Said] = []
    for segment in transcript.segments:
        named = [p for p, pattern in patterns if pattern.search(segment.text)]
        call = call_to_action(segment.text, selling=True) is not None
        if named:
            said += [_Said(segment.start_s, segment.end_s, p, call) for p in named]
        elif call:
            said.append(_Said(segment.start_s, segment.end_s, None, True))
    return sorted(said, key=lambda s: s.start_s)


def _is_aside(said: list[_Said], index: int, current: Product, return_s: float) -> bool:
    """Whether the mention ``said[index]`` of another product is an aside: no call to action, and the host is
    back on ``current`` within ``return_s`` without naming that other product again."""
    mention = said[index]
    if mention.call:
        return False
    for later in said[index + 1 :]:
        if later.start_s - mention.end_s > return_s:
            return False
        if later.product is current:
            return True
        if later.product is mention.product:
            return False
    return False


def find_pitches(
    transcript: Transcript,
    products: list[Product] | tuple[Product, ...],
    gap_s: float = 90.0,
    tail_s: float = 15.0,
    return_s: float = 60.0,
) -> list[PitchSegment]:
    """Stretches where a product is being talked about, in time order.

    Mentions of the same product less than ``gap_s`` after the end of its pitch so far form one pitch; a pitch
    runs from the start of its first mentioning sentence to ``tail_s`` after its last mention or call to action,
    and never into the next product's pitch. A call to action that names no product belongs to the pitch on air
    (if it is within ``gap_s`` of it). A mention of another product without a call to action, after which the
    host is back on the product on air within ``return_s``, is an aside: it neither ends the pitch nor starts
    one.

    Each pitch lists the start of every sentence naming its product (``mentions_s``) and of every selling call
    to action said during it (``calls_s``: a link, a flash sale, a countdown, a price; not a giveaway).
    """
    said = _sentences(transcript, products)
    found: list[dict] = []
    for index, item in enumerate(said):
        current = found[-1] if found else None
        recent = current is not None and item.start_s - (current["last_s"] + tail_s) <= gap_s
        if item.product is None:  # a call to action naming nothing: the product on air
            if recent and current is not None:
                current["calls"].append(item.start_s)
                current["last_s"] = max(current["last_s"], item.end_s)
            continue
        if current is not None and recent and item.product is current["product"]:
            current["mentions"].append(item.start_s)
            if item.call:
                current["calls"].append(item.start_s)
            current["last_s"] = max(current["last_s"], item.end_s)
            continue
        if current is not None and recent and _is_aside(said, index, current["product"], return_s):
            continue
        if current is not None:
            current["end_s"] = min(current["last_s"] + tail_s, item.start_s)
        found.append({"product": item.product, "start_s": item.start_s, "last_s": item.end_s,
                      "mentions": [item.start_s], "calls": [item.start_s] if item.call else [], "end_s": None})
    pitches = []
    for pitch in found:
        end_s = pitch["end_s"] if pitch["end_s"] is not None else pitch["last_s"] + tail_s
        if end_s <= pitch["start_s"]:
            continue
        product: Product = pitch["product"]
        pitches.append(PitchSegment(product.sku, product.name, pitch["start_s"], end_s, len(pitch["mentions"]),
                                    mentions_s=tuple(pitch["mentions"]), calls_s=tuple(pitch["calls"])))
    return pitches


def pitch_on_air(pitches: Sequence[PitchSegment], t_s: float) -> PitchSegment | None:
    """The pitch on air at ``t_s`` (the latest started one where two touch), or None."""
    on_air = [p for p in pitches if p.start_s <= t_s < p.end_s]
    return max(on_air, key=lambda p: p.start_s, default=None)


def sentence_at(transcript: Transcript | None, t_s: float) -> Segment | None:
    """The sentence being said at ``t_s`` (or starting right then), or None."""
    if transcript is None:
        return None
    return next((s for s in transcript.segments if s.start_s <= t_s < s.end_s), None)
