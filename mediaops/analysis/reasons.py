"""Why a clip was chosen: reasons as data (a code and its numbers), and their words in Chinese and English.

The analysis records each reason as a :class:`~mediaops.types.Reason`; ``timeline.json`` keeps them with their
numbers (``reason_records``), and every report, page and live event words them in its own language with
:func:`describe_reasons`, in plain words without statistics (no σ, no "baseline"). This module sits in the
analysis layer because the highlights are chosen here and everything that shows them (reports, live events,
the web pages) may import it.

Codes and their ``params`` (times in seconds from the start of the recording):

============================ ===========================================================================
``engagement_surge``         ``metric`` (a signal name), ``z`` (how far it stood out), ``ratio`` (its peak
                             over its usual level; absent where the usual level is zero)
``viewers_rising``           ``per_min`` (online viewers gained per minute), ``z``
``engagement_score``         ``score``: the combined score, where no single signal stood out
``scene_cut_before``         ``cut_s``, ``onset_s``, ``lead_s``: the picture changed ``lead_s`` before the
                             audience reacted
``scene_cut_before_row``     ``cut_s``, ``onset_low_s``, ``onset_high_s``, ``row_s``: the reaction is known only
                             to lie in one row of the export
``only_cut``                 (none): the only scene cut that could have caused the reaction
``chosen_over``              ``others_s`` (the other cuts), ``evidence`` (``transcript``, ``timing``,
                             ``row_structure``, ``visual``): what decided between them
``start_cue``                ``kind`` (``call_to_action``, ``pitch_start``, ``product``, ``presentation``),
                             ``text``, ``t_s``: what the host said at the cut
``no_scene_cut``             ``window_s``, ``onset_s``, ``start_s``, ``penalty``
``sentence_end``             ``end_s``, ``sentence``
``no_sentence_end``          ``low_s``, ``high_s``, ``end_s``
``product_pitch``            ``sku``, ``name``
``note``                     ``text``: a reason written as text by an older version, shown as it is
============================ ===========================================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from mediaops.types import Reason

LANGUAGES = ("zh", "en")

__all__ = [
    "LANGUAGES", "chosen_over", "describe_reasons", "engagement_score", "engagement_surge", "no_scene_cut",
    "no_sentence_end", "note", "only_cut", "parse_legacy_reasons", "product_pitch", "reasons_of", "reasons_text",
    "scene_cut_before", "scene_cut_before_row", "sentence_end", "start_cue", "viewers_rising",
]


# ---- the records ---------------------------------------------------------------------------------------------------

def engagement_surge(metric: str, z: float, ratio: float | None = None) -> Reason:
    """A signal stood out: ``ratio`` times its usual level (None where that level is zero), ``z`` noise units."""
    params: dict[str, Any] = {"metric": metric, "z": round(z, 2)}
    if ratio is not None:
        params["ratio"] = round(ratio, 2)
    return Reason("engagement_surge", params)


def viewers_rising(per_min: float, z: float) -> Reason:
    """Online viewers grew by ``per_min`` a minute."""
    return Reason("viewers_rising", {"per_min": round(per_min, 1), "z": round(z, 2)})


def engagement_score(score: float) -> Reason:
    """Only the combined score explains the peak (no single signal stood out)."""
    return Reason("engagement_score", {"score": round(score, 2)})


def scene_cut_before(cut_s: float, onset_s: float) -> Reason:
    """The clip starts at the scene cut ``cut_s``, ``onset_s - cut_s`` seconds before the audience reacted."""
    return Reason("scene_cut_before", {"cut_s": round(cut_s, 3), "onset_s": round(onset_s, 3),
                                       "lead_s": round(onset_s - cut_s, 2)})


def scene_cut_before_row(cut_s: float, onset_low_s: float, onset_high_s: float, row_s: float) -> Reason:
    """The clip starts at the scene cut ``cut_s``; the audience reacted within ``[onset_low_s, onset_high_s)``."""
    return Reason("scene_cut_before_row", {"cut_s": round(cut_s, 3), "onset_low_s": round(onset_low_s, 3),
                                           "onset_high_s": round(onset_high_s, 3), "row_s": round(row_s, 3)})


def only_cut() -> Reason:
    """The start was the only scene cut that could have caused the reaction."""
    return Reason("only_cut", {})


def chosen_over(others_s: Iterable[float], evidence: Iterable[str]) -> Reason:
    """The start was chosen over the cuts ``others_s`` by ``evidence``."""
    return Reason("chosen_over", {"others_s": tuple(round(t, 3) for t in others_s), "evidence": tuple(evidence)})


def start_cue(kind: str, text: str, t_s: float) -> Reason:
    """The host said ``text`` (a ``kind`` of cue) at the start."""
    return Reason("start_cue", {"kind": kind, "text": text, "t_s": round(t_s, 3)})


def no_scene_cut(window_s: float, onset_s: float, start_s: float, penalty: float) -> Reason:
    """No scene cut in the ``window_s`` before the reaction: the clip starts at ``start_s``, its score × ``penalty``."""
    return Reason("no_scene_cut", {"window_s": window_s, "onset_s": round(onset_s, 3), "start_s": round(start_s, 3),
                                   "penalty": penalty})


def sentence_end(end_s: float, sentence: str) -> Reason:
    """The clip ends when ``sentence`` ends, at ``end_s``."""
    return Reason("sentence_end", {"end_s": round(end_s, 3), "sentence": sentence})


def no_sentence_end(low_s: float, high_s: float, end_s: float) -> Reason:
    """No sentence ends within ``[low_s, high_s]``: the clip ends at ``end_s``."""
    return Reason("no_sentence_end", {"low_s": round(low_s, 3), "high_s": round(high_s, 3), "end_s": round(end_s, 3)})


def product_pitch(sku: str, name: str) -> Reason:
    """The clip shows the pitch of product ``name`` (``sku``)."""
    return Reason("product_pitch", {"sku": sku, "name": name})


def note(text: str) -> Reason:
    """A reason that is only text (written by an older version), shown as it is."""
    return Reason("note", {"text": text})


# ---- words ---------------------------------------------------------------------------------------------------------

#: which reasons are said together in one sentence: the audience's reaction, the start, the end, the product.
_GROUPS = {
    "engagement_surge": "reaction", "viewers_rising": "reaction", "engagement_score": "reaction",
    "scene_cut_before": "start", "scene_cut_before_row": "start", "only_cut": "start", "chosen_over": "start",
    "start_cue": "start", "no_scene_cut": "start",
    "sentence_end": "end", "no_sentence_end": "end",
    "product_pitch": "product",
}


def _float(value: Any, default: float = 0.0) -> float:
    """``value`` as a number; ``default`` where it is none (a hand-edited or damaged timeline)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _clock(value: Any) -> str:
    """``H:MM:SS`` of a time in seconds."""
    total = max(0, round(_float(value)))
    return f"{total // 3600:d}:{total // 60 % 60:02d}:{total % 60:02d}"


def _times(ratio: Any) -> str:
    """A ratio for people: whole from 3 up (10.4 → 10), one decimal below (2.4)."""
    value = _float(ratio)
    return f"{value:.0f}" if value >= 3 else f"{value:.1f}".removesuffix(".0")


def _num(params: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    """A number of ``params`` (``default`` where it is missing or no number)."""
    return _float(params.get(key, default), default)


def _seconds(value: Any) -> str:
    return f"{max(0, round(_float(value)))}"


def _known_signal(metric: str, nouns: Mapping[str, str], keyword: str) -> str:
    """The noun for a signal: the catalogue's, or for a keyword group of the operator's own, ``keyword`` with the
    group's name."""
    if metric in nouns:
        return nouns[metric]
    if metric.startswith("keyword_"):
        return keyword.format(group=metric.removeprefix("keyword_"))
    return metric


_ZH_SIGNALS = {
    "comments": "评论", "comment_rate": "评论", "likes": "点赞", "gifts": "礼物", "shares": "分享",
    "new_followers": "新增粉丝", "viewers_entered": "进房人数", "online_viewers": "在线人数", "orders": "订单",
    "gmv": "成交额", "keyword_hype": "“666”“哈哈”这类评论", "keyword_link": "求链接的评论",
    "keyword_bought": "“已拍”这类评论", "keyword_keywords": "含关键词的评论",
}
_ZH_CUES = {"call_to_action": "催单", "pitch_start": "开始讲解商品", "product": "提到商品", "presentation": "展示商品"}
_ZH_EVIDENCE = {"transcript": "主播说的话", "timing": "反应时间", "row_structure": "数据上涨的时段",
                "visual": "画面变化的大小"}


def _zh(reason: Reason, first_in_group: bool) -> str:
    """One reason in Chinese (``first_in_group``: the first of its sentence)."""
    p = reason.params
    code = reason.code
    if code == "engagement_surge":
        noun = _known_signal(str(p.get("metric", "")), _ZH_SIGNALS, "含“{group}”的评论")
        if "ratio" in p:
            return f"{noun}是平时的 {_times(p['ratio'])} 倍" if first_in_group else f"{noun}是 {_times(p['ratio'])} 倍"
        return f"{noun}明显增多"
    if code == "viewers_rising":
        change = _num(p, "per_min", 0)
        return f"在线人数每分钟{'增加' if change >= 0 else '减少'} {abs(change):.0f} 人"
    if code == "engagement_score":
        return f"互动综合得分 {_num(p, 'score', 0):.1f}"
    if code == "scene_cut_before":
        return f"画面在观众反应前 {_seconds(p.get('lead_s', 0))} 秒切换"
    if code == "scene_cut_before_row":
        return (f"画面在 {_clock(p.get('cut_s', 0))} 切换，观众在 {_clock(p.get('onset_low_s', 0))} 到 "
                f"{_clock(p.get('onset_high_s', 0))} 之间有了反应")
    if code == "only_cut":
        return "反应前只有这一次画面切换"
    if code == "chosen_over":
        others = "、".join(_clock(t) for t in _seq(p.get("others_s")))
        why = "和".join(_ZH_EVIDENCE[str(e)] for e in _seq(p.get("evidence")) if str(e) in _ZH_EVIDENCE)
        return f"没有选 {others} 的切换，依据是{why}" if why else f"没有选 {others} 的切换"
    if code == "start_cue":
        kind = _ZH_CUES.get(str(p.get("kind")), "")
        return f"主播此时说“{p.get('text', '')}”" + (f"（{kind}）" if kind else "")
    if code == "no_scene_cut":
        return (f"观众反应前 {_seconds(p.get('window_s', 0))} 秒内画面没有切换，从 {_clock(p.get('start_s', 0))} "
                f"开始（得分乘以 {_num(p, 'penalty', 1):g}）")
    if code == "sentence_end":
        return f"在“{p.get('sentence', '')}”这句话说完时结束"
    if code == "no_sentence_end":
        return (f"{_clock(p.get('low_s', 0))} 到 {_clock(p.get('high_s', 0))} 之间没有说完的句子，在 "
                f"{_clock(p.get('end_s', 0))} 结束")
    if code == "product_pitch":
        return f"当时在讲解“{p.get('name', '')}”"
    if code == "note":
        return str(p.get("text", ""))
    return ""  # a code from a newer version: nothing rather than a code name


_EN_SIGNALS = {
    "comments": "comments", "comment_rate": "comments", "likes": "likes", "gifts": "gifts", "shares": "shares",
    "new_followers": "new followers", "viewers_entered": "viewers coming in", "online_viewers": "online viewers",
    "orders": "orders", "gmv": "sales", "keyword_hype": "hype comments (666, lol)",
    "keyword_link": "requests for the link", "keyword_bought": "“bought it” comments",
    "keyword_keywords": "comments with keywords",
}
_EN_CUES = {"call_to_action": "a call to buy", "pitch_start": "the start of a pitch", "product": "the product's name",
            "presentation": "presenting the product"}
_EN_EVIDENCE = {"transcript": "what the host said", "timing": "the reaction time",
                "row_structure": "when the figures began to rise", "visual": "how much the picture changed"}


def _en(reason: Reason, first_in_group: bool) -> str:
    """One reason in English (``first_in_group``: the first of its sentence)."""
    p = reason.params
    code = reason.code
    if code == "engagement_surge":
        noun = _known_signal(str(p.get("metric", "")), _EN_SIGNALS, "comments with “{group}” words")
        if "ratio" in p:
            return f"{noun} {_times(p['ratio'])}× their usual level" if first_in_group else \
                f"{noun} {_times(p['ratio'])}×"
        return f"far more {noun} than usual"
    if code == "viewers_rising":
        change = _num(p, "per_min", 0)
        return f"online viewers {'grew' if change >= 0 else 'fell'} by {abs(change):.0f} a minute"
    if code == "engagement_score":
        return f"overall engagement score {_num(p, 'score', 0):.1f}"
    if code == "scene_cut_before":
        return f"the picture changed {_seconds(p.get('lead_s', 0))} s before viewers reacted"
    if code == "scene_cut_before_row":
        return (f"the picture changed at {_clock(p.get('cut_s', 0))} and viewers reacted between "
                f"{_clock(p.get('onset_low_s', 0))} and {_clock(p.get('onset_high_s', 0))}")
    if code == "only_cut":
        return "the only picture change shortly before"
    if code == "chosen_over":
        times = [_clock(t) for t in _seq(p.get("others_s"))]
        why = _and([_EN_EVIDENCE[str(e)] for e in _seq(p.get("evidence")) if str(e) in _EN_EVIDENCE])
        return (f"chosen over the change{'s' if len(times) > 1 else ''} at {_and(times)}"
                + (f" by {why}" if why else ""))
    if code == "start_cue":
        kind = _EN_CUES.get(str(p.get("kind")), "")
        return f"the host said “{p.get('text', '')}”" + (f" ({kind})" if kind else "")
    if code == "no_scene_cut":
        return (f"the picture did not change in the {_seconds(p.get('window_s', 0))} s before viewers reacted, so "
                f"it starts at {_clock(p.get('start_s', 0))} (score ×{_num(p, 'penalty', 1):g})")
    if code == "sentence_end":
        return f"ends when the host finishes “{p.get('sentence', '')}”"
    if code == "no_sentence_end":
        return (f"no sentence ends between {_clock(p.get('low_s', 0))} and {_clock(p.get('high_s', 0))}, so it ends "
                f"at {_clock(p.get('end_s', 0))}")
    if code == "product_pitch":
        return f"during the pitch of {p.get('name', '')}"
    if code == "note":
        return str(p.get("text", ""))
    return ""  # a code from a newer version: nothing rather than a code name


def _seq(value: Any) -> tuple[Any, ...]:
    if isinstance(value, list | tuple):
        return tuple(value)
    return () if value is None else (value,)


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


#: per language: how one reason is worded, and how the reasons of one sentence and the sentences are joined.
_WORDING: dict[str, tuple[Callable[[Reason, bool], str], str]] = {"zh": (_zh, "，"), "en": (_en, ", ")}
_SENTENCE_JOINERS = {"zh": "；", "en": "; "}
#: signals that measure the same thing (the export's comments and the comment log's rate): said once.
_SAME_SIGNAL = {"comment_rate": "comments"}


def describe_reasons(reasons: Iterable[Reason], lang: str = "en") -> tuple[str, ...]:
    """The reasons in plain words in ``lang`` (``zh`` or ``en``): one sentence for the audience's reaction, one for
    the start, one for the end and one for the product, e.g. ``评论是平时的 6 倍，点赞是 10 倍`` and
    ``画面在观众反应前 8 秒切换``. A signal measured twice (the export's comments and the comment log) is said
    once; reasons of codes this version does not know are left out.

    Raises:
        ValueError: an unknown language.
    """
    if lang not in _WORDING:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    word, joiner = _WORDING[lang]
    sentences: list[list[str]] = []
    group_of_last: str | None = None
    said: set[str] = set()
    for reason in reasons:
        group = _GROUPS.get(reason.code, reason.code)
        if reason.code == "engagement_surge":
            metric = str(reason.params.get("metric", ""))
            if _SAME_SIGNAL.get(metric, metric) in said:
                continue
            said.add(_SAME_SIGNAL.get(metric, metric))
        first = group != group_of_last or group == "note"
        text = word(reason, first)
        if not text:
            continue
        if first:
            sentences.append([text])
        else:
            sentences[-1].append(text)
        group_of_last = group
    return tuple(joiner.join(parts) for parts in sentences)


def reasons_text(reasons: Iterable[Reason], lang: str = "en") -> str:
    """:func:`describe_reasons` as one line (sentences joined by ``；`` in Chinese, ``; `` in English)."""
    return _SENTENCE_JOINERS.get(lang, "; ").join(describe_reasons(reasons, lang))


# ---- reading back --------------------------------------------------------------------------------------------------

def _reason_from_dict(data: object) -> Reason | None:
    if isinstance(data, Reason):
        return data
    if not isinstance(data, Mapping) or not isinstance(data.get("code"), str):
        return None
    params = data.get("params")
    return Reason(data["code"], dict(params) if isinstance(params, Mapping) else {})


def reasons_of(item: object) -> tuple[Reason, ...]:
    """The reasons of a clip or highlight (a :class:`~mediaops.types.Clip`, a
    :class:`~mediaops.types.Highlight` or their ``timeline.json`` object): its ``reason_records``, or for a timeline
    written before they existed, its ``reasons`` texts read back with :func:`parse_legacy_reasons`."""
    if isinstance(item, Mapping):
        records, texts = item.get("reason_records"), item.get("reasons")
    else:
        records, texts = getattr(item, "reason_records", None), getattr(item, "reasons", None)
    if records:
        return tuple(r for r in (_reason_from_dict(d) for d in records) if r is not None)
    return tuple(r for t in texts or () if str(t).strip() for r in parse_legacy_reasons(str(t)))


_CLOCK = r"\d+:\d{2}:\d{2}(?:\.\d+)?"
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_EVIDENCE_WORDS = {"the transcript": "transcript", "the reaction timing": "timing",
                   "the row structure": "row_structure", "the size of the visual change": "visual"}
_CUE_WORDS = {"call to action": "call_to_action", "start of a pitch": "pitch_start", "product name": "product",
              "presenting words": "presentation"}
_LEGACY_START = re.compile(
    rf"starts at the scene cut at (?P<cut>{_CLOCK}), (?:(?P<lead>{_NUMBER}) s before the audience reacted at "
    rf"(?P<onset>{_CLOCK})|before the audience reacted between (?P<low>{_CLOCK}) and (?P<high>{_CLOCK}) "
    rf"\((?P<row>{_NUMBER}) s rows\))(?:; (?P<only>the only cut in the reaction window)|; chosen over "
    rf"(?P<others>.+?) by (?P<evidence>.+?)(?: \((?P<kind>{'|'.join(_CUE_WORDS)}) “(?P<cue>.*)” at "
    rf"(?P<cue_t>{_CLOCK})\))?)?")


def _seconds_of(clock: str) -> float:
    h, m, s = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def _legacy_metric(label: str) -> str:
    return label.replace("keywords: ", "keyword_").replace(" ", "_")


def _legacy_start(m: re.Match[str]) -> list[Reason]:
    cut = _seconds_of(m["cut"])
    if m["onset"]:
        out = [scene_cut_before(cut, _seconds_of(m["onset"]))]
    else:
        out = [scene_cut_before_row(cut, _seconds_of(m["low"]), _seconds_of(m["high"]), float(m["row"]))]
    if m["only"]:
        out.append(only_cut())
    elif m["others"]:
        words = re.split(r", | and ", m["evidence"])
        out.append(chosen_over([_seconds_of(c) for c in re.findall(_CLOCK, m["others"])],
                               [_EVIDENCE_WORDS.get(w, w) for w in words]))
        if m["kind"]:
            out.append(start_cue(_CUE_WORDS[m["kind"]], m["cue"], _seconds_of(m["cue_t"])))
    return out


_LEGACY: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Reason]]], ...] = (
    (re.compile(rf"online viewers (?P<n>{_NUMBER})/min \(\+(?P<z>{_NUMBER})σ\)"),
     lambda m: [viewers_rising(float(m["n"]), float(m["z"]))]),
    (re.compile(rf"(?P<label>.+?) ×(?P<ratio>{_NUMBER}) its baseline \(\+(?P<z>{_NUMBER})σ\)"),
     lambda m: [engagement_surge(_legacy_metric(m["label"]), float(m["z"]), float(m["ratio"]))]),
    (re.compile(rf"(?P<label>.+?) rose \+(?P<z>{_NUMBER})σ above its baseline"),
     lambda m: [engagement_surge(_legacy_metric(m["label"]), float(m["z"]))]),
    (re.compile(rf"engagement score (?P<score>{_NUMBER})"), lambda m: [engagement_score(float(m["score"]))]),
    (_LEGACY_START, _legacy_start),
    (re.compile(rf"no scene change within (?P<w>{_NUMBER}) s before the audience reacted at (?P<onset>{_CLOCK}); "
                rf"starts at (?P<start>{_CLOCK}) \(score ×(?P<p>{_NUMBER})\)"),
     lambda m: [no_scene_cut(float(m["w"]), _seconds_of(m["onset"]), _seconds_of(m["start"]), float(m["p"]))]),
    (re.compile(rf"ends after the sentence “(?P<s>.*)” at (?P<end>{_CLOCK})"),
     lambda m: [sentence_end(_seconds_of(m["end"]), m["s"])]),
    (re.compile(rf"no sentence ends between (?P<low>{_CLOCK}) and (?P<high>{_CLOCK}); ends at (?P<end>{_CLOCK})"),
     lambda m: [no_sentence_end(_seconds_of(m["low"]), _seconds_of(m["high"]), _seconds_of(m["end"]))]),
    (re.compile(r"during the pitch of (?P<name>.*) \((?P<sku>[^()]*)\)"),
     lambda m: [product_pitch(m["sku"], m["name"])]),
)


def parse_legacy_reasons(text: str) -> list[Reason]:
    """The reasons in one text written by versions before ``reason_records`` (English with σ figures, e.g.
    ``likes ×10.0 its baseline (+10.4σ)``); a text in no known form is one :func:`note`."""
    text = text.strip()
    for pattern, build in _LEGACY:
        match = pattern.fullmatch(text)
        if match:
            return build(match)
    return [note(text)]
