"""Report labels in Chinese (the default) and English, and the formatting of figures for people."""

from __future__ import annotations

import math

LANGUAGES = ("zh", "en")

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "直播复盘",
        "recording": "录像",
        "duration": "时长",
        "generated": "生成时间",
        "started": "开播时间",
        "timezone": "时区",
        "loading_chart": "图表加载中…",
        "alignment": "指标对齐",
        "offset": "偏移",
        "kpis": "核心指标",
        "kpi": "指标",
        "value": "数值",
        "basis": "数据来源",
        "absent": "未提供",
        "absent_note": "导出数据中没有该列，未估算",
        "chart": "时间线",
        "chart_hint": "悬停查看当时的字幕；点击片段（橙色条）播放。",
        "transcript_at": "此刻字幕",
        "products": "商品表现",
        "product": "商品",
        "pitches": "讲解段",
        "on_air": "讲解时长",
        "orders_during": "讲解中订单",
        "gmv_during": "讲解中GMV",
        "orders_after": "讲解后订单",
        "gmv_after": "讲解后GMV",
        "avg_viewers": "平均在线",
        "orders_per_1k": "千人订单",
        "best_clip": "最佳片段",
        "no_products": "未识别到商品讲解：提供商品清单后，会找出每个商品的讲解时段。",
        "spikes": "成交高峰",
        "time": "时间",
        "metric": "指标",
        "baseline": "基线",
        "cause": "归因",
        "clip": "片段",
        "confidence": "置信度",
        "lag": "距讲解开始",
        "no_spikes": "未发现成交高峰。",
        "clips": "高光片段",
        "start": "开始",
        "end": "结束",
        "score": "得分",
        "reasons": "原因",
        "file": "文件",
        "play": "播放",
        "no_clips": "没有生成片段。",
        "scenes": "场景切换",
        "unattributed": "未归因",
        "attr_pitch_and_clip": "讲解+片段",
        "attr_pitch": "讲解",
        "attr_clip": "仅片段",
        "attr_unattributed": "未归因",
        "clip_shows_other": "{clip} 展示的是 {product}，未关联",
        "online_viewers": "在线人数",
        "viewers_entered": "进房人数",
        "comments": "评论",
        "likes": "点赞",
        "shares": "分享",
        "gifts": "礼物",
        "new_followers": "新增粉丝",
        "orders": "订单",
        "gmv": "GMV",
        "engagement": "互动",
        "sales": "成交",
        "scene_cut": "场景切换",
        "pitch": "商品讲解",
        "spike": "成交高峰",
        "kpi_duration_min": "直播时长（分钟）",
        "kpi_peak_online_viewers": "峰值在线",
        "kpi_avg_online_viewers": "平均在线",
        "kpi_interactions": "互动总数",
        "kpi_interactions_per_min": "每分钟互动",
        "kpi_viewer_inflow": "进房人数",
        "kpi_follower_gain": "新增粉丝",
        "kpi_orders": "订单数",
        "kpi_gmv": "GMV",
        "kpi_gmv_per_viewer": "UV价值（GMV/进房人数）",
        "compare_title": "多场对比",
        "stream": "场次",
        "top_clips": "热门片段",
        "product_results": "商品结果",
        "warnings": "数据提示",
    },
    "en": {
        "title": "Stream review",
        "recording": "Recording",
        "duration": "Duration",
        "generated": "Generated",
        "started": "Stream start",
        "timezone": "Time zone",
        "loading_chart": "Loading the chart…",
        "alignment": "Metrics alignment",
        "offset": "offset",
        "kpis": "Key figures",
        "kpi": "KPI",
        "value": "Value",
        "basis": "From",
        "absent": "absent",
        "absent_note": "not in the metrics export; not estimated",
        "chart": "Timeline",
        "chart_hint": "Hover to read the transcript at that moment; click a clip (orange bar) to play it.",
        "transcript_at": "Transcript here",
        "products": "Products",
        "product": "Product",
        "pitches": "Pitches",
        "on_air": "On air",
        "orders_during": "Orders during",
        "gmv_during": "GMV during",
        "orders_after": "Orders after",
        "gmv_after": "GMV after",
        "avg_viewers": "Avg viewers",
        "orders_per_1k": "Orders / 1k viewers",
        "best_clip": "Best clip",
        "no_products": "No product pitches found: provide a product list to find when each product was pitched.",
        "spikes": "Sales spikes",
        "time": "Time",
        "metric": "Metric",
        "baseline": "Baseline",
        "cause": "Cause",
        "clip": "Clip",
        "confidence": "Confidence",
        "lag": "After pitch start",
        "no_spikes": "No sales spikes found.",
        "clips": "Highlight clips",
        "start": "Start",
        "end": "End",
        "score": "Score",
        "reasons": "Why",
        "file": "File",
        "play": "Play",
        "no_clips": "No clips were made.",
        "scenes": "Scene changes",
        "unattributed": "unattributed",
        "attr_pitch_and_clip": "pitch + clip",
        "attr_pitch": "pitch",
        "attr_clip": "clip only",
        "attr_unattributed": "unattributed",
        "clip_shows_other": "{clip} shows {product}, not linked",
        "online_viewers": "Online viewers",
        "viewers_entered": "Viewers entered",
        "comments": "Comments",
        "likes": "Likes",
        "shares": "Shares",
        "gifts": "Gifts",
        "new_followers": "New followers",
        "orders": "Orders",
        "gmv": "GMV",
        "engagement": "Engagement",
        "sales": "Sales",
        "scene_cut": "Scene cut",
        "pitch": "Product pitch",
        "spike": "Sales spike",
        "kpi_duration_min": "Duration (min)",
        "kpi_peak_online_viewers": "Peak online viewers",
        "kpi_avg_online_viewers": "Average online viewers",
        "kpi_interactions": "Interactions",
        "kpi_interactions_per_min": "Interactions per minute",
        "kpi_viewer_inflow": "Viewer inflow",
        "kpi_follower_gain": "Follower gain",
        "kpi_orders": "Orders",
        "kpi_gmv": "GMV",
        "kpi_gmv_per_viewer": "GMV per viewer (GMV / inflow)",
        "compare_title": "Stream comparison",
        "stream": "Stream",
        "top_clips": "Top clips",
        "product_results": "Product results",
        "warnings": "Data notes",
    },
}

#: KPIs shown without decimals (counts of people or events).
_WHOLE_KPIS = frozenset({"peak_online_viewers", "viewer_inflow", "follower_gain", "orders", "interactions"})


def labels(lang: str) -> dict[str, str]:
    """The label table of ``lang`` (``zh`` or ``en``).

    Raises:
        ValueError: an unknown language.
    """
    if lang not in _LABELS:
        raise ValueError(f"unknown report language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return _LABELS[lang]


def clock(t_s: float | None) -> str:
    """``H:MM:SS`` of a time in seconds; an em dash for ``None``."""
    if t_s is None or not math.isfinite(t_s):
        return "—"
    total = round(t_s)
    return f"{total // 3600:d}:{total // 60 % 60:02d}:{total % 60:02d}"


def number(value: float | None, decimals: int = 0, absent: str = "—") -> str:
    """A figure with thousands separators; ``absent`` for ``None`` or a non-finite value."""
    if value is None or not math.isfinite(value):
        return absent
    return f"{value:,.{decimals}f}"


def kpi_text(key: str, value: float | None, absent: str) -> str:
    """A KPI value for display: whole numbers for counts, two decimals for money and rates."""
    if value is None:
        return absent
    if key in _WHOLE_KPIS:
        return number(value, 0)
    return number(value, 1 if key in ("duration_min", "avg_online_viewers", "interactions_per_min") else 2)
