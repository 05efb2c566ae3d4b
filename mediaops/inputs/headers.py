"""Column headers of platform exports: which metric a header names, in which unit, and where the header row is.

The alias table (:data:`HEADER_ALIASES`) holds the names the platforms' own exports use — Douyin (巨量百应,
抖店罗盘), Kuaishou, Taobao 直播中控台, Xiaohongshu, WeChat 视频号 and TikTok LIVE Manager — each with a rank:
where two columns name the same metric (``实时在线人数`` and ``在线人数``, the minute's peak), the better-ranked
one is used and the other is named in a warning. Units come from the header: ``成交金额(万元)`` is ten
thousand yuan per unit, ``成交金额(分)`` a hundredth, ``GMV (US$)`` dollars, ``Time (UTC)`` a zone,
``分钟`` a minute index. A ``累计``/``cumulative`` header is a running total.

:func:`find_header` finds the header row below preambles (titles, date ranges, "单位：元" lines) and joins a
two-row grouped header (``流量`` over ``在线人数 | 进入人数``; merged cells).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo

__all__ = [
    "COMMENT_FIELDS", "HEADER_ALIASES", "LEVEL_METRICS", "MONEY_METRICS", "ColumnSpec", "HeaderMatch", "find_header",
    "header_key", "resolve_header",
]

#: canonical metric name -> header spellings, best first within each rank group: (alias, rank). Rank 0 is the
#: metric itself; higher ranks are used only when no better column is present (compared lower-cased, without
#: spaces, underscores, hyphens or bracketed units).
HEADER_ALIASES: dict[str, tuple[tuple[str, int], ...]] = {
    "time": tuple((a, 0) for a in (
        "time", "timestamp", "t", "t_s", "offset", "datetime", "date_time", "date & time", "date and time",
        "time_period", "time period", "minute", "min", "时间", "时间点", "时刻", "日期时间", "统计时间", "时间段",
        "时段", "分钟", "统计时段", "数据时间", "统计分钟", "开播时间点")),
    "online_viewers": (
        ("online_viewers", 0), ("实时在线人数", 0), ("当前在线人数", 0), ("实时在线", 0), ("concurrent_viewers", 0),
        ("concurrent viewers", 0), ("current viewers", 0), ("live viewers", 0), ("ccu", 0), ("pcu", 2),
        ("online", 1), ("viewers", 1), ("在线人数", 1), ("在线观众", 1), ("在线观众数", 1),
        ("平均在线人数", 2), ("平均在线", 2), ("average viewers", 2), ("avg viewers", 2),
        ("最高在线人数", 3), ("在线人数峰值", 3), ("峰值在线人数", 3), ("peak viewers", 3),
        ("peak concurrent viewers", 3)),
    "viewers_entered": (
        ("viewers_entered", 0), ("进入直播间人数", 0), ("进房人数", 0), ("进入人数", 0), ("entered", 0),
        ("entries", 0), ("enter_count", 0), ("直播间进入人数", 0), ("进入直播间人次", 1), ("观看人次", 1),
        ("观看次数", 1), ("views", 1),
        ("观看人数", 2), ("unique viewers", 2), ("直播间观看人数", 2), ("场观", 3)),
    "comments": (
        ("comments", 0), ("comment_count", 0), ("评论次数", 0), ("评论数", 0), ("评论条数", 0), ("弹幕数", 0),
        ("弹幕条数", 0), ("danmaku", 0), ("互动评论数", 1), ("评论人数", 2)),
    "likes": (
        ("likes", 0), ("like_count", 0), ("点赞次数", 0), ("点赞数", 0), ("喝彩次数", 1), ("喝彩数", 1),
        ("点赞人数", 2)),
    "gifts": (
        ("gifts", 0), ("gift_count", 0), ("礼物数", 0), ("送礼次数", 0), ("打赏次数", 0), ("礼物", 1), ("打赏", 1),
        ("送礼人数", 2), ("gifters", 2)),
    "shares": (
        ("shares", 0), ("share_count", 0), ("分享次数", 0), ("分享数", 0), ("转发次数", 1), ("分享人数", 2)),
    "new_followers": (
        ("new_followers", 0), ("new followers", 0), ("followers_gained", 0), ("follows", 0), ("new_fans", 0),
        ("新增粉丝数", 0), ("新增粉丝", 0), ("新增关注", 0), ("新增关注数", 0), ("新增关注人数", 0), ("涨粉数", 0),
        ("涨粉人数", 0), ("关注数", 1)),
    "orders": (
        ("orders", 0), ("order_count", 0), ("成交订单数", 0), ("直播间成交订单数", 0), ("引导成交笔数", 0),
        ("支付订单数", 0), ("直播间支付订单数", 0), ("成交笔数", 0), ("orders paid", 0), ("paid orders", 0),
        ("sku orders", 1), ("订单数", 1), ("下单数", 2), ("创建订单数", 2), ("成交件数", 3), ("items sold", 3),
        ("销量", 3)),
    "gmv": (
        ("gmv", 0), ("成交金额", 0), ("直播间成交金额", 0), ("引导成交金额", 0), ("支付金额", 0), ("直播间支付金额", 0),
        ("用户支付金额", 0), ("gross merchandise value", 0), ("gross revenue", 1), ("revenue", 1), ("sales", 1),
        ("销售额", 1), ("成交额", 1), ("下单金额", 2), ("创建订单金额", 2)),
}
#: gauges (a level at each instant); every other metric counts events per interval.
LEVEL_METRICS = frozenset({"online_viewers"})
#: metrics that are amounts of money (their header may carry a currency and 元/万元/分).
MONEY_METRICS = frozenset({"gmv"})
#: comment-log fields -> header spellings (JSON keys of crawler output are flattened as ``user.nickname``).
COMMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "time": ("t_s", "time", "timestamp", "offset", "ts", "created_at", "create_time", "createtime", "send_time",
             "sendtime", "event_time", "eventtime", "datetime", "date_time", "时间", "发送时间", "评论时间",
             "弹幕时间"),
    "user": ("nickname", "user.nickname", "user.nick_name", "user_nickname", "用户昵称", "昵称", "user", "username",
             "user_name", "uname", "user.name", "sender", "author", "用户", "用户名", "user.unique_id",
             "user.uniqueid"),
    "text": ("text", "content", "comment", "message", "msg", "danmaku", "内容", "评论", "评论内容", "弹幕",
             "弹幕内容"),
}
_RUNNING_TOTAL_CUES = ("累计", "cumulative", "accumulated", "runningtotal", "截至当前")
_BRACKETS = re.compile(r"[(（\[【](.*?)[)）\]】]")
_SEPARATORS = re.compile(r"[\s_\-]+")
#: money units: factor to yuan-or-dollar and the currency they imply.
_MONEY_UNITS = {
    "元": (1.0, "CNY"), "人民币": (1.0, "CNY"), "rmb": (1.0, "CNY"), "cny": (1.0, "CNY"), "¥": (1.0, "CNY"),
    "￥": (1.0, "CNY"), "万元": (1e4, "CNY"), "w元": (1e4, "CNY"), "千元": (1e3, "CNY"), "百万元": (1e6, "CNY"),
    "亿元": (1e8, "CNY"), "分": (0.01, "CNY"), "角": (0.1, "CNY"), "$": (1.0, "USD"), "us$": (1.0, "USD"),
    "usd": (1.0, "USD"), "美元": (1.0, "USD"), "€": (1.0, "EUR"), "eur": (1.0, "EUR"),
}
_COUNT_UNITS = {"万": 1e4, "w": 1e4, "万人": 1e4, "万次": 1e4, "千": 1e3, "k": 1e3, "人": 1.0, "次": 1.0, "个": 1.0,
                "单": 1.0, "笔": 1.0, "件": 1.0, "条": 1.0, "人次": 1.0, "%": 1.0}
_TIME_UNITS = {"s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0, "秒": 1.0, "ms": 0.001, "毫秒": 0.001,
               "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0, "分钟": 60.0, "分": 60.0, "h": 3600.0,
               "hour": 3600.0, "hours": 3600.0, "小时": 3600.0}
_ZONE = re.compile(r"^(?:utc|gmt)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?$")


def header_key(header: object) -> str:
    """A header compared with the alias table: lower-cased, bracketed units and separators removed."""
    text = str(header if header is not None else "").strip().lstrip("\ufeff").lower()
    return _SEPARATORS.sub("", _BRACKETS.sub("", text))


_ALIAS_KEYS: dict[str, tuple[str, int]] = {}
for _name, _aliases in HEADER_ALIASES.items():
    for _alias, _rank in _aliases:
        _ALIAS_KEYS.setdefault(header_key(_alias), (_name, _rank))
#: comment fields: header key -> (field, rank); a nickname ranks before an account id.
_COMMENT_KEYS = {header_key(a): (name, rank) for name, aliases in COMMENT_FIELDS.items()
                 for rank, a in enumerate(aliases)}
#: headers that mean a minute index when they are the whole time header.
_MINUTE_HEADERS = frozenset({"分钟", "minute", "min", "统计分钟"})


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of an export and how it is read.

    Attributes:
        index: the column's position in its row.
        header: the header as written (two-row headers joined with " / ").
        name: the metric, ``"time"`` or a comment field (``"user"``, ``"text"``).
        rank: 0 for the metric's own name; higher for stand-ins (see :data:`HEADER_ALIASES`).
        scale: factor from the column's unit (万元 → 10000, 分 → 0.01, minutes → 60 s).
        unit: the unit as people read it ("万元", "US$", "min"); empty when none was written.
        currency: "CNY", "USD", "EUR" when the header names one.
        running_total: True when the header says the column is cumulative (累计).
        zone: the time zone a time header names (``Time (UTC)``).
        from_mapping: the column was named by the user's mapping file.
    """

    index: int
    header: str
    name: str
    rank: int = 0
    scale: float = 1.0
    unit: str = ""
    currency: str = ""
    running_total: bool = False
    zone: tzinfo | None = None
    from_mapping: bool = False


def _zone(text: str) -> tzinfo | None:
    match = _ZONE.match(text.strip().lower())
    if match:
        if not match[1]:
            return UTC
        minutes = int(match[2]) * 60 + int(match[3] or 0)
        return timezone(timedelta(minutes=minutes if match[1] == "+" else -minutes))
    if text.strip() in ("北京时间", "beijing time", "china standard time"):
        return timezone(timedelta(hours=8))
    return None


def _units(header: str) -> list[str]:
    """Unit words of a header: its bracketed parts ("单位：万元" → "万元") and a trailing currency mark."""
    found = [m.split("：")[-1].split(":")[-1].strip() for m in _BRACKETS.findall(header)]
    bare = _BRACKETS.sub("", header).strip()
    for mark in ("us$", "$", "¥", "￥", "€"):
        if bare.lower().endswith(mark) and len(bare) > len(mark):
            found.append(mark)
            break
    return [u for u in found if u]


def _apply_units(spec: ColumnSpec, header: str) -> ColumnSpec:
    scale, unit, currency, zone = 1.0, "", "", None
    for word in _units(header):
        lowered = word.lower().replace(" ", "")
        if spec.name in MONEY_METRICS and lowered in _MONEY_UNITS:
            scale, currency = _MONEY_UNITS[lowered]
            unit = word
        elif spec.name == "time" and lowered in _TIME_UNITS:
            scale, unit = _TIME_UNITS[lowered], word
        elif spec.name == "time" and _zone(word) is not None:
            zone, unit = _zone(word), word
        elif spec.name not in MONEY_METRICS and spec.name != "time" and lowered in _COUNT_UNITS:
            scale, unit = _COUNT_UNITS[lowered], word
    if spec.name == "time" and header_key(header) in _MINUTE_HEADERS and not unit:
        scale, unit = 60.0, "min"
    return ColumnSpec(spec.index, spec.header, spec.name, spec.rank, scale, unit, currency, spec.running_total, zone,
                      spec.from_mapping)


def resolve_header(index: int, header: str, mapping: dict[str, str], fields: str = "metrics") -> ColumnSpec | None:
    """What column ``header`` holds: a metric (``fields="metrics"``) or a comment field (``fields="comments"``),
    with its unit; ``None`` for an unknown header. ``mapping`` (header key -> name) wins over the aliases; a
    mapped name of ``"ignore"`` is returned as such."""
    key = header_key(header)
    if not key:
        return None
    mapped = mapping.get(key) or mapping.get(str(header).strip().lower())
    if mapped:
        return _apply_units(ColumnSpec(index, header, mapped, from_mapping=True), header)
    running = False
    for cue in _RUNNING_TOTAL_CUES:
        if key.startswith(cue) and len(key) > len(cue):
            key, running = key[len(cue):], True
            break
    if fields == "comments":
        found = _COMMENT_KEYS.get(key)
        return _apply_units(ColumnSpec(index, header, found[0], found[1]), header) if found else None
    found = _ALIAS_KEYS.get(key)
    if found is None:
        return None
    return _apply_units(ColumnSpec(index, header, found[0], found[1], running_total=running), header)


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """The header found in a grid of rows.

    Attributes:
        row: index (0-based) of the last header row in the grid; data starts below it.
        height: 1, or 2 for a grouped two-row header.
        columns: the recognised columns (time, metrics or comment fields, and ``ignore``d ones).
        unknown: headers of columns nothing recognised.
    """

    row: int
    height: int
    columns: tuple[ColumnSpec, ...]
    unknown: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def score(self) -> tuple[int, int]:
        """(names a time column, number of different names): a data row read as a second header row adds none."""
        named = {c.name for c in self.columns} - {"ignore"}
        return (int("time" in named), len(named))


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _match_row(index: int, row: Sequence[object], mapping: dict[str, str], fields: str) -> HeaderMatch:
    columns, unknown = [], []
    for col, cell in enumerate(row):
        header = _text(cell)
        if not header:
            continue
        spec = resolve_header(col, header, mapping, fields)
        if spec is None:
            unknown.append(header)
        else:
            columns.append(spec)
    return HeaderMatch(index, 1, tuple(columns), tuple(unknown))


def _match_pair(index: int, top: Sequence[object], bottom: Sequence[object], mapping: dict[str, str],
                fields: str) -> HeaderMatch:
    """A grouped header: ``top`` labels groups (merged cells, forward-filled across the group) over ``bottom``."""
    filled: list[str] = []
    last = ""
    for col in range(max(len(top), len(bottom))):
        cell = _text(top[col]) if col < len(top) else ""
        below = _text(bottom[col]) if col < len(bottom) else ""
        last = cell or (last if below else "")
        filled.append(last)
    columns, unknown = [], []
    for col, upper in enumerate(filled):
        lower = _text(bottom[col]) if col < len(bottom) else ""
        choices = [lower, upper + lower] if lower else [upper]
        if lower and upper and upper != lower:
            choices.append(upper)  # "时间" merged down over an empty cell, or a group name that is itself a metric
        spec = None
        for text in choices:
            if text and (spec := resolve_header(col, text, mapping, fields)) is not None:
                break
        shown = f"{upper} / {lower}" if upper and lower and upper != lower else (lower or upper)
        if spec is None:
            if shown:
                unknown.append(shown)
            continue
        columns.append(ColumnSpec(spec.index, shown, spec.name, spec.rank, spec.scale, spec.unit, spec.currency,
                                  spec.running_total, spec.zone, spec.from_mapping))
    return HeaderMatch(index + 1, 2, tuple(columns), tuple(unknown))


def find_header(rows: Sequence[Sequence[object]], mapping: dict[str, str], fields: str = "metrics",
                search_rows: int = 30) -> HeaderMatch | None:
    """The header among the first ``search_rows`` rows: the row (or grouped pair of rows) that names a time column
    and the most other known columns. ``None`` when no row names a time column."""
    best: HeaderMatch | None = None
    limit = min(len(rows), search_rows)
    for index in range(limit):
        candidates = [_match_row(index, rows[index], mapping, fields)]
        if index + 1 < len(rows):
            candidates.append(_match_pair(index, rows[index], rows[index + 1], mapping, fields))
        for candidate in candidates:
            # a single row wins a tie: a title line over the header is not a group name
            if candidate.score[0] and (best is None or (*candidate.score, -candidate.height) >
                                       (*best.score, -best.height)):
                best = candidate
    return best
