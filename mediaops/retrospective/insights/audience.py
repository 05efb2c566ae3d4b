"""The audience's voice from the comment log: questions, keywords per product, reaction trend, unanswered surges.

Everything here is rule-based and explainable: fixed Chinese and English patterns and small lexicons, no model.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.text import has_cjk, words
from mediaops.retrospective.insights.types import Keyword, QuestionBurst, QuestionGroup, ReactionPoint, SegmentVoice
from mediaops.types import Comment, PitchSegment, Transcript

#: question kind -> (what a viewer asking it writes, what a host answering it says), Chinese and English.
QUESTION_KINDS: dict[str, tuple[str, str]] = {
    "price": (
        r"多少钱|价格|价钱|几块|多少米|什么价|啥价|how much|price|cost",
        r"\d+\s*(元|块|米|dollars?|bucks|usd|rmb)|[¥￥$]\s*\d|价格|[0-9一二三四五六七八九十百]+块|price|costs?\b",
    ),
    "how_to_buy": (
        r"怎么买|怎么拍|怎么下单|在哪买|哪里买|链接|小黄车|how (do i|to|can i) (buy|order)|where (to|can i|do i) buy|"
        r"\blink\b",
        r"链接|小黄车|购物车|下单|拍|点击|\blink\b|\bcart\b|click|\btap\b|buy now|order now",
    ),
    "coupon": (
        r"优惠券|优惠|券|折扣|打折|便宜点|满减|coupon|discount|on sale|\bsale\b|promo|\bcode\b|\bdeal\b",
        r"优惠|券|折|满减|立减|送|活动价|coupon|discount|\bsave\b|\boff\b|\bfree\b|\bsale\b|\bdeal\b|"
        r"special price|half|only during|only today|限时|直播间价|今天.{0,4}价",
    ),
    "size": (
        r"尺码|尺寸|多大|码数|大小|几码|\bsizes?\b|\bfit\b|how big|dimensions?",
        r"尺码|尺寸|码|大小|厘米|\bcm\b|\bsizes?\b|\bfits?\b|queen|king|inch",
    ),
    "colour": (
        r"颜色|色号|什么色|几个色|colou?rs?\b",
        r"颜色|色|colou?rs?|\bred\b|black|white|blue|pink|green|grey|gray",
    ),
    "shipping": (
        r"发货|快递|包邮|运费|几天到|什么时候到|shipping|delivery|deliver|\bship\b",
        r"发货|快递|包邮|运费|天|shipping|delivery|deliver|\bdays?\b",
    ),
    "stock": (
        r"还有货|有货吗|库存|没货|补货|in stock|sold out|restock|still available",
        r"库存|有货|补货|\bstock\b|\bleft\b|available|sold out",
    ),
}
_ASK = {kind: re.compile(ask, re.IGNORECASE) for kind, (ask, _) in QUESTION_KINDS.items()}
_ANSWER = {kind: re.compile(answer, re.IGNORECASE) for kind, (_, answer) in QUESTION_KINDS.items()}
_QUESTION_MARK = re.compile(r"[?？]|[吗呢么][\s!！。~～]*$")

POSITIVE = re.compile(
    r"好看|好用|喜欢|爱了|太棒|真棒|棒|赞|不错|划算|便宜|666|哈哈|绝了|冲|已下单|已拍|已买|买了|拍了|"
    r"\bnice\b|great|love|wow|\bgood\b|amazing|awesome|\bcool\b|want it|bought|ordered|\bpaid\b|cute|beautiful|"
    r"❤|👍|😍",
    re.IGNORECASE,
)
NEGATIVE = re.compile(
    r"太贵|贵了|好贵|质量差|太差|假货|骗|退货|退款|不好|难看|失望|卡了|卡顿|没货|垃圾|无聊|坑|"
    r"expensive|\bbad\b|fake|scam|refund|boring|\blag|sold out|worst|terrible|disappointed|pricey|👎",
    re.IGNORECASE,
)


def question_kind(text: str) -> str | None:
    """The kind of question a comment asks (``"other"`` for a question of no known kind), ``None`` if none."""
    kind = next((k for k, pattern in _ASK.items() if pattern.search(text)), None)
    if kind is None and _QUESTION_MARK.search(text.strip()):
        return "other"
    return kind


def _densest(times: Sequence[float], window_s: float) -> tuple[float, int]:
    """Start and size of the ``window_s`` window holding the most of the sorted ``times``."""
    best_start, best_count, j = times[0], 0, 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + window_s:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    return best_start, best_count


def group_questions(comments: Sequence[Comment], options: InsightOptions = InsightOptions()) -> list[QuestionGroup]:
    """Questions grouped by kind, most asked first, each with its peak time and its commonest wordings."""
    by_kind: dict[str, list[Comment]] = {}
    for comment in comments:
        kind = question_kind(comment.text)
        if kind is not None:
            by_kind.setdefault(kind, []).append(comment)
    groups = []
    for kind, asked in by_kind.items():
        times = sorted(c.t_s for c in asked)
        peak_t_s, peak_count = _densest(times, options.question_window_s)
        examples = tuple(text for text, _ in Counter(c.text.strip() for c in asked).most_common(3))
        groups.append(QuestionGroup(kind, len(asked), peak_t_s, peak_count, times[0], times[-1], examples))
    return sorted(groups, key=lambda g: (-g.count, g.category))


def _answers(transcript: Transcript | None, kind: str) -> list[tuple[float, float, str]]:
    """``(end_s, start_s, text)`` of every sentence that answers ``kind``, by end time."""
    if transcript is None:
        return []
    pattern = _ANSWER[kind]
    return sorted((s.end_s, s.start_s, s.text.strip()) for s in transcript.segments if pattern.search(s.text))


def _answer_after(answers: list[tuple[float, float, str]], start_s: float) -> tuple[float, str] | None:
    """The first answering sentence still running at or starting after ``start_s``."""
    index = bisect.bisect_right(answers, (start_s, float("inf"), ""))
    if index == len(answers):
        return None
    _, answer_start_s, text = answers[index]
    return max(answer_start_s, start_s), text


def find_question_bursts(
    comments: Sequence[Comment], transcript: Transcript | None, options: InsightOptions = InsightOptions(),
    duration_s: float | None = None,
) -> list[QuestionBurst]:
    """Surges of one known kind of question and whether the host answered each in time, in time order.

    A surge is at least ``burst_min_questions`` questions of one kind within ``question_window_s`` of the first,
    and at least ``surge_ratio`` times as many as that kind's average would put in such a window (over
    ``duration_s``, else the transcript's duration, else up to the last comment), so a busy stream's steady trickle
    is no surge. The next surge of that kind is looked for after it. It is answered when a sentence that answers
    its kind (a price for price questions, the link for how-to-buy …) is heard within ``answer_window_s`` of its
    start.
    """
    bursts: list[QuestionBurst] = []
    asked: dict[str, list[float]] = {}
    for comment in comments:
        asked.setdefault(question_kind(comment.text) or "", []).append(comment.t_s)
    if duration_s is None:
        duration_s = transcript.duration_s if transcript else max((c.t_s for c in comments), default=0.0)
    for kind in QUESTION_KINDS:
        times = sorted(asked.get(kind, ()))
        average = len(times) * options.question_window_s / duration_s if duration_s > 0 else 0.0
        needed = max(options.burst_min_questions, options.surge_ratio * average)
        answers = _answers(transcript, kind) if times else []
        i = j = 0
        while i < len(times):  # two pointers: the window's end never moves back, so this is linear
            j = max(j, i)
            while j < len(times) and times[j] < times[i] + options.question_window_s:
                j += 1
            if j - i < needed:
                i += 1
                continue
            start_s, end_s = times[i], times[j - 1]
            answer = _answer_after(answers, start_s)
            wait_s = round(answer[0] - start_s, 1) if answer else None
            bursts.append(QuestionBurst(
                category=kind, start_s=start_s, end_s=end_s, count=j - i,
                answered=wait_s is not None and wait_s <= options.answer_window_s,
                answer_t_s=answer[0] if answer else None, wait_s=wait_s, answer_text=answer[1] if answer else "",
            ))
            i = j
    return sorted(bursts, key=lambda b: (b.start_s, b.category))


def _keywords_of(texts: Sequence[str], top: int) -> tuple[tuple[Keyword, ...], tuple[Keyword, ...]]:
    terms: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    for text in texts:
        found = [w for w in words(text) if (len(w) >= 2 if has_cjk(w) else len(w) >= 3)]
        terms.update(set(found))
        phrases.update({(a + b) if has_cjk(a + b) else f"{a} {b}" for a, b in pairwise(found)})
    keywords = tuple(Keyword(t, n) for t, n in sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
    common = tuple(Keyword(t, n) for t, n in sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2)
    return keywords, common[:top]


def segment_voices(
    comments: Sequence[Comment],
    pitches: Sequence[PitchSegment],
    duration_s: float,
    options: InsightOptions = InsightOptions(),
) -> list[SegmentVoice]:
    """Keywords and recurring phrases of the comments written during each product pitch (Chinese split with jieba).

    Without pitches the whole stream is one segment with ``sku=None``. A word counts once per comment, so one
    viewer repeating it does not make it a keyword.
    """
    spans: list[tuple[str | None, str, float, float]] = [(p.sku, p.name, p.start_s, p.end_s) for p in pitches]
    spans = spans or [(None, "", 0.0, duration_s)]
    ordered = sorted(comments, key=lambda c: c.t_s)
    times = [c.t_s for c in ordered]
    voices = []
    for sku, name, start_s, end_s in spans:
        texts = [c.text for c in ordered[bisect.bisect_left(times, start_s):bisect.bisect_left(times, end_s)]]
        keywords, phrases = _keywords_of(texts, options.top_keywords)
        voices.append(SegmentVoice(sku, name, start_s, end_s, len(texts), keywords, phrases))
    return voices


def reaction_trend(
    comments: Sequence[Comment], duration_s: float, options: InsightOptions = InsightOptions()
) -> list[ReactionPoint]:
    """Positive and negative comments per ``trend_window_s`` window over the whole recording."""
    width = options.trend_window_s
    count = max(1, -int(-duration_s // width))
    buckets: list[list[str]] = [[] for _ in range(count)]
    for comment in comments:
        if comment.t_s >= 0:
            buckets[min(count - 1, int(comment.t_s // width))].append(comment.text)
    points = []
    for k, inside in enumerate(buckets):
        start_s, end_s = k * width, min(duration_s, (k + 1) * width)
        positive = sum(1 for t in inside if POSITIVE.search(t))
        negative = sum(1 for t in inside if NEGATIVE.search(t))
        score = (positive - negative) / (positive + negative) if positive + negative else 0.0
        points.append(ReactionPoint(start_s, end_s, len(inside), positive, negative, round(score, 2)))
    return points
