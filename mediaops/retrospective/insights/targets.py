"""KPI targets: reading a targets file, attainment against the actual figures, and the moments that moved them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from mediaops.errors import PlanFormatError
from mediaops.retrospective.insights.files import normal_key, parse_amount, read_document
from mediaops.retrospective.insights.series import on_air
from mediaops.retrospective.insights.types import KpiMoment, Target, TargetResult
from mediaops.retrospective.kpis import INTERACTION_METRICS, compute_kpis, kpi_value
from mediaops.types import Metrics, MetricSeries, PitchSegment, Transcript

#: canonical target key -> spellings accepted in a targets file (compared after :func:`normal_key`).
TARGET_ALIASES: dict[str, tuple[str, ...]] = {
    "peak_online_viewers": ("peak_online_viewers", "peak_viewers", "peak_online", "max_viewers", "峰值在线",
                            "最高在线", "在线峰值", "峰值在线人数", "最高在线人数"),
    "avg_online_viewers": ("avg_online_viewers", "average_viewers", "avg_viewers", "average_online_viewers",
                           "平均在线", "平均在线人数"),
    "viewer_inflow": ("viewer_inflow", "viewers_entered", "views", "观看人次", "进房人数", "进入直播间人数",
                      "累计观看"),
    "interactions": ("interactions", "互动", "互动次数", "互动数"),
    "interactions_per_min": ("interactions_per_min", "interactions_per_minute", "每分钟互动", "每分钟互动次数"),
    "comments": ("comments", "评论", "评论数", "评论次数", "弹幕"),
    "likes": ("likes", "点赞", "点赞数", "点赞次数"),
    "shares": ("shares", "分享", "分享次数"),
    "gifts": ("gifts", "礼物", "打赏"),
    "follower_gain": ("follower_gain", "new_followers", "followers", "涨粉", "新增粉丝", "新增粉丝数", "新增关注"),
    "orders": ("orders", "订单", "订单数", "成交订单数"),
    "gmv": ("gmv", "sales", "revenue", "成交金额", "销售额"),
    "gmv_per_viewer": ("gmv_per_viewer", "uv_value", "uv价值"),
    "conversion_rate": ("conversion_rate", "conversion", "转化率", "成交转化率"),
    "avg_order_value": ("avg_order_value", "aov", "客单价"),
}
#: the metric series whose intervals move each KPI (levels rise, counts add).
_DRIVERS: dict[str, tuple[str, ...]] = {
    "peak_online_viewers": ("online_viewers",),
    "avg_online_viewers": ("online_viewers",),
    "viewer_inflow": ("viewers_entered",),
    "interactions": INTERACTION_METRICS,
    "interactions_per_min": INTERACTION_METRICS,
    "comments": ("comments",),
    "likes": ("likes",),
    "shares": ("shares",),
    "gifts": ("gifts",),
    "follower_gain": ("new_followers",),
    "orders": ("orders",),
    "gmv": ("gmv",),
    "gmv_per_viewer": ("gmv",),
    "conversion_rate": ("orders",),
    "avg_order_value": ("gmv",),
}
_LOOKUP = {normal_key(alias): key for key, aliases in TARGET_ALIASES.items() for alias in aliases}
_KEY_COLUMNS = ("kpi", "metric", "name", "key", "指标", "名称")
_VALUE_COLUMNS = ("target", "value", "goal", "目标", "目标值")


def _target(raw_key: object, raw_value: object, where: str) -> Target:
    key = _LOOKUP.get(normal_key(raw_key))
    if key is None:
        raise PlanFormatError(
            f"{where}: unknown KPI {str(raw_key)!r} — use one of: {', '.join(TARGET_ALIASES)}"
        )
    try:
        value = parse_amount(raw_value)
    except (TypeError, ValueError) as exc:
        raise PlanFormatError(f"{where}: target for {str(raw_key)!r} is not a number: {raw_value!r}") from exc
    if not math.isfinite(value) or value <= 0:
        raise PlanFormatError(f"{where}: target for {str(raw_key)!r} must be a positive number, not {raw_value!r}")
    return Target(key=key, value=value, label=str(raw_key).strip())


def parse_targets(document: object, where: str = "targets") -> list[Target]:
    """Targets from a parsed targets document, in the file's order.

    Accepted shapes: a mapping ``{kpi: target}`` (optionally under a top-level ``targets`` key), or a list of
    records ``{kpi: …, target: …}`` (also the rows of a CSV with columns ``kpi,target``).

    Raises:
        PlanFormatError: another shape, an unknown KPI, a repeated KPI, or a value that is not a positive number.
    """
    if isinstance(document, dict) and set(map(normal_key, document)) == {"targets"}:
        document = next(iter(document.values()))
    pairs: list[tuple[object, object, str]] = []
    if isinstance(document, dict):
        pairs = [(k, v, where) for k, v in document.items()]
    elif isinstance(document, list) and all(isinstance(r, dict) for r in document):
        for line, record in enumerate(document, start=1):
            fields = {normal_key(k): v for k, v in record.items()}
            unknown = set(fields) - set(_KEY_COLUMNS) - set(_VALUE_COLUMNS)
            key = next((fields[c] for c in _KEY_COLUMNS if fields.get(c) not in (None, "")), None)
            value = next((fields[c] for c in _VALUE_COLUMNS if fields.get(c) not in (None, "")), None)
            if unknown or key is None or value is None:
                raise PlanFormatError(
                    f"{where} row {line}: expected columns kpi,target (found: {', '.join(map(str, record))})"
                )
            pairs.append((key, value, f"{where} row {line}"))
    else:
        raise PlanFormatError(f"{where}: expected KPI: target pairs, e.g. 'gmv: 50000' — see the README's Insights")
    targets = [_target(k, v, w) for k, v, w in pairs]
    seen: set[str] = set()
    for target in targets:
        if target.key in seen:
            raise PlanFormatError(f"{where}: KPI {target.label!r} is given twice")
        seen.add(target.key)
    if not targets:
        raise PlanFormatError(f"{where}: no targets found — add lines such as 'gmv: 50000'")
    return targets


def load_targets(path: Path) -> list[Target]:
    """KPI targets from a YAML, JSON or CSV file (see :func:`parse_targets` for the shapes).

    Raises:
        InputFileError: missing or empty file.
        PlanFormatError: the file cannot be read as targets.
    """
    return parse_targets(read_document(path, "targets file"), path.name)


def actual_values(metrics: Metrics | None, duration_s: float | None = None) -> dict[str, float | None]:
    """The actual figure of every target key; ``None`` where the export lacks the columns it needs.

    The stream's KPI block (:func:`mediaops.retrospective.kpis.compute_kpis`) gives the shared figures, so that
    targets and the KPI block never disagree. Conversion rate is orders per 100 viewers who entered (a percentage).
    """
    kpis = compute_kpis(metrics, duration_s)
    values: dict[str, float | None] = {key: kpi_value(kpis, key) for key in TARGET_ALIASES}
    for name in ("comments", "likes", "shares", "gifts"):
        values[name] = _sum(metrics.get(name) if metrics else None)
    orders, gmv, inflow = values["orders"], values["gmv"], values["viewer_inflow"]
    values["conversion_rate"] = orders / inflow * 100 if orders is not None and inflow else None
    values["avg_order_value"] = gmv / orders if gmv is not None and orders else None
    return values


def _sum(series: MetricSeries | None) -> float | None:
    if series is None:
        return None
    finite = [v for v in series.values if math.isfinite(v)]
    return float(sum(finite)) if finite else None


def moments_for(
    key: str,
    metrics: Metrics | None,
    pitches: Sequence[PitchSegment] = (),
    transcript: Transcript | None = None,
    top: int = 3,
) -> tuple[KpiMoment, ...]:
    """The intervals that moved KPI ``key`` most, biggest first.

    For counts (orders, GMV, comments …) an interval's value is what it added and ``share_pct`` its share of the
    stream's total; for online viewers it is the rise since the previous reading. Each moment names the product on
    air and the first words said then.
    """
    if metrics is None:
        return ()
    drivers = [s for s in (metrics.get(n) for n in _DRIVERS.get(key, ())) if s is not None]
    if not drivers:
        return ()
    first = drivers[0]
    values = [sum(s.values[i] for s in drivers if i < len(s.values) and math.isfinite(s.values[i]))
              for i in range(len(first.t_s))]
    scored: list[tuple[float, float | None, int]]
    if first.kind == "level":
        scored = [(values[i] - values[i - 1], None, i) for i in range(1, len(values))]
    else:
        total = sum(values)
        scored = [(v, v / total * 100 if total > 0 else None, i) for i, v in enumerate(values)]
    best = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[2]))[:top]
    moments = []
    for value, share, i in best:
        start_s, end_s = first.t_s[i], first.t_s[i] + first.interval_s
        pitch = on_air(pitches, (start_s + end_s) / 2)
        said = transcript.text_between(start_s, end_s) if transcript else ""
        moments.append(KpiMoment(start_s=start_s, end_s=end_s, value=value,
                                 share_pct=round(share, 1) if share is not None else None,
                                 on_air=pitch.name if pitch else None,
                                 said=said if len(said) <= 80 else said[:79] + "…"))
    return tuple(moments)


def evaluate_targets(
    targets: Sequence[Target],
    metrics: Metrics | None,
    pitches: Sequence[PitchSegment] = (),
    transcript: Transcript | None = None,
    duration_s: float | None = None,
    top_moments: int = 3,
) -> list[TargetResult]:
    """Each target next to its actual figure and attainment (actual ÷ target, in percent), in the targets' order.

    A target whose actual is absent from the export stays in the list with ``actual``, ``attainment_pct`` and
    ``met`` all ``None``: nothing is estimated.
    """
    actuals = actual_values(metrics, duration_s)
    results = []
    for target in targets:
        actual = actuals.get(target.key)
        attainment = round(actual / target.value * 100, 1) if actual is not None else None
        results.append(TargetResult(
            key=target.key, label=target.label or target.key, target=target.value, actual=actual,
            attainment_pct=attainment, met=None if actual is None else actual >= target.value,
            moments=moments_for(target.key, metrics, pitches, transcript, top_moments) if actual is not None else (),
        ))
    return results
