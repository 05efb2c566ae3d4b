"""Synthetic livestreams with planted moments, for testing highlight detection and sales attribution without
media. Known by construction, but not easy by construction: the generated data holds the cases real
streams have.

A planted moment is a scene change at a known time (a product reveal, a flash sale going live, a funny
moment) followed after a 3–12 s lag by a surge of comments, likes and viewer inflow. Most moments are
flash-sale pitches: the host says a call to action right at the cut ("here it is… flash sale starts now, link
number 2", "三二一，上链接！"), and an order surge follows 20–90 s later, often after the host has moved on
to another product 25–75 s after the call. Some moments are product reveals ("and here is our Glow Serum"),
some have no words that mark them (a funny moment, a giveaway draw); neither sells.

What makes it hard, on purpose:

- background camera switches every 35–75 s everywhere, including 10–60 s before a moment, between the cut
  and the audience's reaction, and inside the export row that holds the surge (none closer than 4 s to a
  planted cut: scene detectors do not report two cuts that close);
- ordinary pitches that sell nothing, some with a call to action of their own ("link number 5 is still
  open"), and passing mentions of other products, some right at a background camera switch;
- aftershocks: most moments have a second burst of reaction, often stronger than the first, 20–35 s after
  the first has begun to fade (the price, the countdown), which must neither become a clip of its own nor
  move the clip's start;
- sentences split by the recogniser without a pause ("…the motor is" / "really quiet."), which a clip must
  not end on;
- slow drift and a warm-up in every rate, and a coupon stretch of 15–25 minutes that triples the ordinary
  orders, so one global median is no baseline;
- decoy spikes (a like storm, a chatty minute) with no scene change from 80 s before them to their end, and
  a planted walk-out in online viewers.

Exports at 10/30/60 s rows come from :func:`export_metrics` (pure) or :func:`write_metrics` (files, through
the real parser); the comment log from ``stream.comments``. Every random choice comes from one seeded
generator, so a stream is reproducible from its seed.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from mediaops.types import Comment, Metrics, MetricSeries, Product, Scene, Segment, Transcript

HEADERS = {
    "en": ("time", "online_viewers", "viewers_entered", "comments", "likes", "orders", "gmv"),
    "zh": ("时间", "实时在线人数", "进入直播间人数", "评论次数", "点赞次数", "成交订单数", "成交金额"),
}
_CHAT = ("hello", "主播好", "❤️", "多少钱", "好的", "来了", "nice", "what size?", "发货快吗")
_HYPE = ("666", "哈哈哈", "太好看了", "wow", "冲冲冲", "抢到了吗")
_LINK = ("上链接", "link please", "求链接")
_BOUGHT = ("买了", "已拍", "bought 2", "已买")

#: the catalogue every stream sells from: (sku, name, aliases, price).
CATALOGUE: tuple[Product, ...] = (
    Product("SKU-BLENDER", "Turbo Blender", ("blender", "破壁机"), 39.0),
    Product("SKU-BLANKET", "Cozy Blanket", ("blanket", "毛毯"), 25.0),
    Product("SKU-SERUM", "Glow Serum", ("serum", "精华"), 19.0),
    Product("SKU-KETTLE", "Smart Kettle", ("kettle", "电热水壶"), 29.0),
    Product("SKU-PILLOW", "Cloud Pillow", ("pillow", "枕头"), 15.0),
    Product("SKU-LAMP", "Desk Lamp", ("lamp", "台灯"), 22.0),
    Product("SKU-MUG", "Travel Mug", ("mug", "保温杯"), 12.0),
    Product("SKU-SCARF", "Silk Scarf", ("scarf", "丝巾"), 35.0),
)

#: calls to action said at a flash-sale moment ({n}: link number, {p}: product name, {price}).
_CALLS = (
    "Here it is, flash sale starts now, link number {n}!",
    "三二一，上链接！{p}秒杀开始",
    "Link number {n}, only {price} dollars, flash sale starts now!",
    "Countdown, three two one, go and grab the {p}!",
    "{n}号链接上了，秒杀价{price}元，冲！",
)
#: calls to action of ordinary pitches that sell nothing.
_IDLE_CALLS = (
    "Link number {n} is still open if you missed it.",
    "福袋还有五分钟开奖，大家可以先点关注。",
    "The {p} will have a flash sale later tonight.",
    "{n}号链接还有库存。",
)
_REVEALS = ("And here is our {p}!", "Look at this, the new {p}.", "来看我们的{p}。")
_OPENINGS = ("Next up, the {p}.", "Now let's talk about the {p}.", "接下来是{p}。")
_NAMED = ("The {p} comes in three colours.", "I use the {p} every single day.", "这款{p}真的很好用。",
          "Many of you asked about the {p}.", "The {p} is our best seller this month.")
_PASSING = ("And the {q} is also back in stock, by the way.", "Oh, someone asked about the {q} — later!",
            "{q}明天也有活动。")
_FILLER = ("Look at the details here.", "It feels really soft.", "这个质量真的非常好。", "Let me show you up close.",
           "Thank you for the follow!", "欢迎新进来的宝宝们。", "The quality is amazing, honestly.",
           "You can see it works very well.", "Ask me anything in the comments.", "我自己也在用。")
#: sentences the recogniser splits in two without a pause: the first half must never end a clip.
_SPLIT = (("And the motor is", "really quiet, even at full speed."), ("No,", "it does not get hot at all."),
          ("这个颜色呢", "是今年最流行的。"), ("If you order tonight you", "get a free gift too."))


@dataclass(frozen=True)
class PlantedMoment:
    """A planted moment: the scene cut that started it and what happens around it.

    ``cue`` is what the host says at the cut: ``"call_to_action"`` (a flash sale: it sells), ``"reveal"``
    (the product's name, no sale) or ``"none"``. ``orders_s`` is when its order surge starts (None: it sells
    nothing) and ``moved_on_s`` when the host went on to another product.
    """

    t_s: float
    sku: str | None
    cue: str
    lag_s: float
    plateau_s: float = 30.0
    orders_s: float | None = None
    moved_on_s: float | None = None
    aftershock_s: float | None = None


@dataclass(frozen=True)
class SyntheticStream:
    """Per-second truth of one synthetic stream."""

    duration_s: int
    moments: tuple[float, ...]
    decoys: tuple[float, ...]
    cuts: tuple[float, ...]
    lowlight_s: float
    per_second: dict[str, np.ndarray]
    comments: tuple[Comment, ...]
    transcript: Transcript
    planted: tuple[PlantedMoment, ...] = ()
    products: tuple[Product, ...] = ()
    #: the size of the visual change at each cut (as a content detector scores it), by cut time.
    cut_change: dict[float, float] | None = None
    #: the pitches as scripted: ``(start_s, end_s, product)``.
    script: tuple[tuple[float, float, Product], ...] = ()

    @property
    def scenes(self) -> tuple[Scene, ...]:
        edges = [0.0, *self.cuts, float(self.duration_s)]
        return tuple(Scene(a, b) for a, b in itertools.pairwise(edges))

    @property
    def selling(self) -> tuple[PlantedMoment, ...]:
        """The planted moments followed by an order surge."""
        return tuple(m for m in self.planted if m.orders_s is not None)


def _surge(n: int, start: float, plateau_s: float, decay_s: float) -> np.ndarray:
    """A surge shape on a 1 s grid: 0 before ``start``, 1 for ``plateau_s``, then an exponential decay."""
    t = np.arange(n, dtype=float) + 0.5
    shape = np.where((t >= start) & (t < start + plateau_s), 1.0, 0.0)
    tail = t >= start + plateau_s
    shape[tail] = np.exp(-(t[tail] - start - plateau_s) / decay_s)
    return shape


def _spaced(rng: random.Random, count: int, low: float, high: float, gap: float, avoid: list[float],
            avoid_s: float) -> list[float]:
    chosen: list[float] = []
    tries = 0
    while len(chosen) < count:
        t = round(rng.uniform(low, high), 2)
        tries += 1
        if tries % 2000 == 0:  # no room left: keep the draws going with less room between them
            avoid_s *= 0.8
            gap *= 0.9
        if all(abs(t - c) >= gap for c in chosen) and all(abs(t - a) >= avoid_s for a in avoid):
            chosen.append(t)
    return sorted(chosen)


def _fill(text: str, product: Product, number: int, other: Product | None = None) -> str:
    return text.format(p=product.name, q=other.name if other else "", n=number, price=f"{product.price:.0f}")


def _script(rng: random.Random, duration_s: int, planted: list[PlantedMoment], products: tuple[Product, ...],
            cuts: list[float]) -> tuple[list[tuple[float, str]], list[tuple[float, float, Product]]]:
    """The host's forced sentences ``(start_s, text)`` and the pitches ``(start_s, end_s, product)``.

    Each planted moment sits in a pitch of its product that began 30–120 s before it and ends when the host
    moves on; the time between is filled with ordinary pitches of other products, which sell nothing but may
    have calls to action and passing mentions of their own.
    """
    forced: list[tuple[float, str]] = []
    pitches: list[tuple[float, float, Product]] = []
    cursor = 0.0
    last: Product | None = None
    links = itertools.count(1)

    def at_cut(t: float) -> float:
        """Hosts often start a new product as the camera switches: a cut within 10 s takes the opening."""
        near = [c for c in cuts if abs(c - t) <= 10]
        return min(near, key=lambda c: abs(c - t)) if near and rng.random() < 0.6 else t

    def ordinary(start: float, end: float) -> None:
        nonlocal last
        t = start
        while end - t >= 40:
            length = end - t if end - t < 200 else rng.uniform(60, 160)
            product = rng.choice([p for p in products if p is not last])
            pitches.append((t, t + length, product))
            forced.append((at_cut(t + 0.5) + rng.uniform(0.0, 1.0), _fill(rng.choice(_OPENINGS), product, 0)))
            if rng.random() < 0.5 and length > 60:  # an idle call to action: sells nothing
                at = rng.choice([c for c in cuts if t + 20 < c < t + length - 10] or [t + rng.uniform(20, length - 10)])
                forced.append((at + rng.uniform(0.0, 1.2), _fill(rng.choice(_IDLE_CALLS), product, next(links))))
            if rng.random() < 0.6 and length > 40:  # a passing mention of another product, often at a cut
                other = rng.choice([p for p in products if p is not product])
                at = rng.choice([c for c in cuts if t + 15 < c < t + length - 5] or [t + rng.uniform(15, length - 5)])
                forced.append((at + rng.uniform(0.0, 1.0), _fill(rng.choice(_PASSING), product, 0, other)))
            last = product
            t += length

    for moment in planted:
        product = next((p for p in products if p.sku == moment.sku), None) or rng.choice(
            [p for p in products if p is not last])
        begin = max(cursor, moment.t_s - rng.uniform(30, 120))
        ordinary(cursor, begin)
        end = moment.moved_on_s if moment.moved_on_s is not None else moment.t_s + rng.uniform(25, 75)
        pitches.append((begin, end, product))
        opening = at_cut(begin + 0.5)
        if opening < moment.t_s - 8:
            forced.append((opening + rng.uniform(0.0, 1.0), _fill(rng.choice(_OPENINGS), product, 0)))
        before = [c for c in cuts if max(begin, moment.t_s - 60) + 5 < c < moment.t_s - 8]
        if before and rng.random() < 0.5:  # the product's name, or another's, said at an earlier camera switch
            other = rng.choice([p for p in products if p is not product])
            text = _fill(rng.choice(_NAMED), product, 0) if rng.random() < 0.5 else _fill(
                rng.choice(_PASSING), product, 0, other)
            forced.append((rng.choice(before) + rng.uniform(0.0, 1.0), text))
        said = moment.t_s + rng.uniform(0.0, 1.2)
        if moment.cue == "call_to_action":
            forced.append((said, _fill(rng.choice(_CALLS), product, next(links))))
        elif moment.cue == "reveal":
            forced.append((said, _fill(rng.choice(_REVEALS), product, 0)))
        last = product
        cursor = end
    ordinary(cursor, duration_s - 5)
    return sorted(forced), pitches


def _transcript(rng: random.Random, duration_s: int, forced: list[tuple[float, str]],
                pitches: list[tuple[float, float, Product]]) -> Transcript:
    """Sentences of 2–6 s with 0.3–1.5 s pauses around the forced ones; a third of the ordinary sentences
    name the product on air, and some are split by the recogniser without a pause."""
    segments: list[Segment] = []
    queue = list(forced)
    t = 0.5
    while t < duration_s - 6:
        if queue and queue[0][0] <= t + 7:  # a forced sentence is due: pause until it starts
            start, text = queue.pop(0)
            start = max(start, t)
            length = rng.uniform(2.5, 5.0)
            segments.append(Segment(round(start, 2), round(start + length, 2), text))
            t = start + length + rng.uniform(0.3, 1.5)
            continue
        on_air = next((p for s, e, p in pitches if s <= t < e), None)
        roll = rng.random()
        if roll < 0.12:
            first, second = rng.choice(_SPLIT)
            middle = t + rng.uniform(1.5, 3.0)
            end = middle + rng.uniform(1.5, 3.0)
            segments.append(Segment(round(t, 2), round(middle, 2), first))
            segments.append(Segment(round(middle + 0.05, 2), round(end, 2), second))
            t = end + rng.uniform(0.3, 1.5)
            continue
        named = on_air is not None and roll < 0.35
        text = _fill(rng.choice(_NAMED), on_air, 0) if on_air is not None and named else rng.choice(_FILLER)
        length = rng.uniform(2, 6)
        segments.append(Segment(round(t, 2), round(t + length, 2), text))
        t += length + rng.uniform(0.3, 1.5)
    segments.sort(key=lambda s: s.start_s)
    return Transcript("zh", tuple(segments), float(duration_s))


def make_stream(seed: int, duration_s: int = 3600, moments: int = 8, decoys: int = 4,
                cue_shares: tuple[float, float] = (0.75, 0.15)) -> SyntheticStream:
    """A stream with ``moments`` planted moments and ``decoys`` decoy spikes.

    ``cue_shares``: the shares of moments with a call to action (which sell) and with a product reveal; the
    rest have no words that mark them.
    """
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    times = _spaced(rng, moments, 150, duration_s - 200, 300, [], 0)
    fakes = _spaced(rng, decoys, 150, duration_s - 150, 200, times, 180)
    lowlight = _spaced(rng, 1, 300, duration_s - 300, 0, [*times, *fakes], 150)[0]
    products = CATALOGUE
    planted: list[PlantedMoment] = []
    previous: str | None = None
    for m in times:
        roll = rng.random()
        cue = "call_to_action" if roll < cue_shares[0] else "reveal" if roll < sum(cue_shares) else "none"
        product = rng.choice([p for p in products if p.sku != previous])
        previous = product.sku
        lag, plateau = rng.uniform(3, 12), rng.uniform(20, 40)
        planted.append(PlantedMoment(
            t_s=m, sku=product.sku if cue != "none" else None, cue=cue, lag_s=lag, plateau_s=plateau,
            orders_s=m + rng.uniform(20, 90) if cue == "call_to_action" else None,
            moved_on_s=m + rng.uniform(25, 75),
            # while the first burst is still fading
            aftershock_s=m + lag + plateau + rng.uniform(20, 35) if rng.random() < 0.8 else None,
        ))
    # background camera switches everywhere, except around a decoy (a decoy is a spike with no cause on screen)
    # and within 4 s of a planted cut (detectors merge cuts that close)
    cuts = list(times)
    t = rng.uniform(20, 60)
    while t < duration_s - 10:
        if all(abs(t - m) >= 4 for m in times) and all(not -80 <= t - d <= 40 for d in fakes):
            cuts.append(round(t, 2))
        t += rng.uniform(35, 75)
    cuts.sort()
    change = {c: round(rng.uniform(25, 60) if c in times else rng.uniform(12, 45), 1) for c in cuts}
    n = duration_s
    clock = np.arange(n, dtype=float)
    drift = (1 + 0.3 * np.sin(2 * np.pi * clock / 1500 + rng.uniform(0, 6)) + 0.15 * clock / n)
    warm_up = 0.4 + 0.6 * np.clip(clock / min(900.0, n / 2), 0, 1)  # the room fills during the first minutes
    # a coupon stretch (全场满减) of 15–25 minutes that triples the ordinary orders
    coupon_start = rng.uniform(0, max(1.0, n - 1500))
    coupon = np.where((clock >= coupon_start) & (clock < coupon_start + rng.uniform(900, 1500)), 3.0, 1.0)
    rates = {"comments": 0.8 * drift, "likes": 3.0 * drift, "viewers_entered": 0.6 * drift,
             "orders": 0.08 * drift * warm_up * coupon}
    hype = np.zeros(n)
    link = np.zeros(n)
    bought = np.zeros(n)
    gmv_rate = rates["orders"] * float(np.mean([p.price for p in products]))
    for moment in planted:
        onset = moment.t_s + moment.lag_s
        plateau = moment.plateau_s
        strength = rng.uniform(3, 6)
        shape = _surge(n, onset, plateau, 15)
        if moment.aftershock_s is not None:  # a second, smaller burst: the price, the countdown
            shape = shape + rng.uniform(0.8, 1.5) * _surge(n, moment.aftershock_s, 15, 10)
        rates["comments"] = rates["comments"] + 0.8 * strength * shape
        rates["likes"] = rates["likes"] + 3.0 * strength * np.roll(shape, rng.randrange(0, 3))
        rates["viewers_entered"] = rates["viewers_entered"] + 0.6 * rng.uniform(1.5, 3) * _surge(
            n, onset + 5, plateau, 30)
        hype += shape
        if moment.cue == "call_to_action":
            link += shape
        if moment.orders_s is not None:
            price = next(p.price for p in products if p.sku == moment.sku) or 0.0
            order_shape = _surge(n, moment.orders_s, rng.uniform(30, 60), 30)
            extra = 0.04 * rng.uniform(8, 14) * order_shape
            rates["orders"] = rates["orders"] + extra
            gmv_rate = gmv_rate + extra * price
            bought += order_shape
    for index, d in enumerate(fakes):
        if index % 2 == 0:  # a like storm: one signal, short
            rates["likes"] = rates["likes"] + 3.0 * rng.uniform(4, 6) * _surge(n, d, 15, 5)
        else:  # a chatty minute with no scene change: comments and likes, moderately
            rates["comments"] = rates["comments"] + 0.8 * 1.5 * _surge(n, d, 30, 10)
            rates["likes"] = rates["likes"] + 3.0 * 1.5 * _surge(n, d, 30, 10)
    counts = {name: nrng.poisson(np.maximum(rate, 0)).astype(float) for name, rate in rates.items()}
    # GMV: each order at its product's price, or (background) at a typical price with some spread
    mean_price = np.where(rates["orders"] > 0, gmv_rate / np.maximum(rates["orders"], 1e-9), 0.0)
    counts["gmv"] = np.round(counts["orders"] * mean_price * nrng.uniform(0.9, 1.1, n), 2)
    # online viewers: arrivals minus a steady leaving rate, a slow wave, and a planted walk-out
    leaving = np.convolve(counts["viewers_entered"], np.ones(120) / 120, mode="same")
    online = 1500 + np.cumsum(counts["viewers_entered"] - leaving) + 150 * np.sin(2 * np.pi * clock / 2400)
    online -= 400 * np.clip((clock - lowlight) / 60, 0, 1)
    counts["online_viewers"] = np.round(online + nrng.normal(0, 5, n))
    comments: list[Comment] = []
    for second in range(n):
        for _ in range(int(counts["comments"][second])):
            excited = hype[second] / max(hype[second] + 0.3, 1e-9)
            roll = rng.random()
            if roll < 0.5 * excited:
                text = rng.choice(_LINK) if rng.random() < link[second] / max(hype[second], 1e-9) * 0.5 else \
                    rng.choice(_HYPE)
            elif roll < 0.5 * excited + 0.5 * bought[second]:
                text = rng.choice(_BOUGHT)
            else:
                text = rng.choice(_CHAT)
            comments.append(Comment(round(second + rng.random(), 3), f"u{rng.randrange(5000)}", text))
    forced, pitches = _script(rng, duration_s, planted, products, cuts)
    transcript = _transcript(rng, duration_s, forced, pitches)
    return SyntheticStream(
        duration_s, tuple(times), tuple(fakes), tuple(cuts), lowlight, counts, tuple(comments), transcript,
        tuple(planted), products, change, tuple(pitches),
    )


def export_metrics(stream: SyntheticStream, interval_s: int) -> Metrics:
    """The stream's metrics export at ``interval_s`` rows, as :func:`mediaops.inputs.metrics.load_metrics`
    reads a per-interval export: each row covers ``[t, t + interval_s)``; online viewers are sampled at the
    row start."""
    starts = range(0, stream.duration_s - interval_s + 1, interval_s)
    times = tuple(float(s) for s in starts)
    series = []
    for name in ("online_viewers", "viewers_entered", "comments", "likes", "orders", "gmv"):
        data = stream.per_second[name]
        if name == "online_viewers":
            values = tuple(float(data[s]) for s in starts)
            series.append(MetricSeries(name, times, values, float(interval_s), "level"))
        else:
            values = tuple(round(float(data[s : s + interval_s].sum()), 2) for s in starts)
            series.append(MetricSeries(name, times, values, float(interval_s)))
    return Metrics(tuple(series), float(interval_s))


def write_metrics(
    stream: SyntheticStream,
    path: Path,
    interval_s: int = 10,
    language: str = "en",
    start_time: datetime | None = None,
    cumulative: bool = False,
) -> Path:
    """Write the stream's metrics export as CSV (``.csv``), XLSX (``.xlsx``) or JSON (``.json``).

    Rows cover ``[time, time + interval_s)``. With ``start_time`` times are absolute date-times, otherwise
    ``HH:MM:SS`` offsets. With ``cumulative`` every counter is a running total.
    """
    headers = HEADERS[language]
    names = ("online_viewers", "viewers_entered", "comments", "likes", "orders", "gmv")
    rows = []
    running = dict.fromkeys(names, 0.0)
    for start in range(0, stream.duration_s - interval_s + 1, interval_s):
        span = slice(start, start + interval_s)
        if start_time is not None:
            when = (start_time + timedelta(seconds=start)).strftime("%Y-%m-%d %H:%M:%S")
        else:
            when = f"{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60:02d}"
        row: list[object] = [when]
        for name in names:
            if name == "online_viewers":
                row.append(float(stream.per_second[name][start]))
                continue
            value = float(stream.per_second[name][span].sum())
            running[name] += value
            row.append(round(running[name] if cumulative else value, 2))
        rows.append(row)
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(list(headers))
        for row in rows:
            sheet.append(row)
        book.save(path)
    elif path.suffix == ".json":
        path.write_text(json.dumps([dict(zip(headers, row, strict=True)) for row in rows], ensure_ascii=False),
                        encoding="utf-8")
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
    return path


@dataclass(frozen=True)
class Score:
    recall: float
    precision: float
    start_accuracy: float
    hits: int
    misses: tuple[float, ...]
    false_positives: tuple[tuple[float, float], ...]
    #: (planted moment, chosen start) of every hit whose start is off by more than the tolerance.
    off_starts: tuple[tuple[float, float], ...] = ()


def score_highlights(moments: tuple[float, ...], spans: list[tuple[float, float, float | None]],
                     tolerance_s: float = 0.5) -> Score:
    """Recall and precision of highlight spans ``(start_s, end_s, onset_s)`` against planted moments, and
    the share of hits whose start lies within ``tolerance_s`` of the planted scene change.

    A highlight matches a moment when its clip shows the moment (``start - 1 <= m < end``) or the audience
    reaction it was built on began within 90 s after it; each moment is matched at most once.
    """
    unmatched = list(moments)
    hits: list[tuple[float, float]] = []
    false_positives = []
    for start, end, onset in sorted(spans):
        match = next((m for m in unmatched if start - 1 <= m < end or (onset is not None and 0 <= onset - m <= 90)),
                     None)
        if match is None:
            false_positives.append((start, end))
        else:
            unmatched.remove(match)
            hits.append((match, start))
    off = tuple((m, start) for m, start in hits if abs(start - m) > tolerance_s)
    return Score(
        recall=len(hits) / len(moments) if moments else 1.0,
        precision=len(hits) / len(spans) if spans else 0.0,
        start_accuracy=(len(hits) - len(off)) / len(hits) if hits else 0.0,
        hits=len(hits),
        misses=tuple(unmatched),
        false_positives=tuple(false_positives),
        off_starts=off,
    )
