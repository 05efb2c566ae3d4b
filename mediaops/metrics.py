"""Reading engagement metrics exports into per-interval series aligned to recording time."""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from mediaops.errors import MetricsFormatError
from mediaops.probe import check_input_file
from mediaops.types import Metrics, MetricSeries

#: canonical metric name -> header spellings seen in English and Chinese platform exports (compared lower-cased).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "t", "t_s", "offset", "时间", "时间点", "时刻"),
    "online_viewers": ("online_viewers", "online", "viewers", "concurrent_viewers", "在线人数", "实时在线人数"),
    "viewers_entered": ("viewers_entered", "entered", "entries", "进入直播间人数", "进房人数"),
    "comments": ("comments", "comment_count", "danmaku", "评论次数", "评论数"),
    "likes": ("likes", "like_count", "点赞次数", "点赞数"),
    "gifts": ("gifts", "gift_count", "礼物", "打赏"),
    "shares": ("shares", "share_count", "分享次数"),
    "new_followers": ("new_followers", "follows", "followers_gained", "新增粉丝数", "新增关注"),
    "orders": ("orders", "order_count", "成交订单数", "订单数"),
    "gmv": ("gmv", "sales", "revenue", "成交金额", "销售额"),
}
#: gauges (a level at each instant); every other metric counts events per interval.
LEVEL_METRICS = frozenset({"online_viewers"})


@dataclass(frozen=True, slots=True)
class MetricsOptions:
    """How to read a metrics export.

    Attributes:
        offset_s: added to every time in the export, for exports whose clock is off.
    """

    offset_s: float = 0.0


def parse_offset(text: str) -> float:
    """Seconds from ``HH:MM:SS(.f)``, ``MM:SS`` or a plain number of seconds."""
    value = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    parts = value.split(":")
    if 2 <= len(parts) <= 3 and all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        seconds = 0.0
        for part in parts:
            seconds = seconds * 60 + float(part)
        return seconds
    raise ValueError(value)


def _canonical(header: str) -> str | None:
    key = header.strip().lower().lstrip("\ufeff")
    return next((name for name, aliases in HEADER_ALIASES.items() if key in aliases), None)


def _number(text: str) -> float:
    cleaned = text.strip().replace(",", "").replace("¥", "").replace("￥", "").replace("$", "")
    return float(cleaned) if cleaned else float("nan")


def _is_cumulative(values: list[float]) -> bool:
    finite = [v for v in values if v == v]
    return len(finite) >= 3 and all(b >= a for a, b in itertools.pairwise(finite)) and finite[-1] > finite[0]


def load_metrics(path: Path, options: MetricsOptions = MetricsOptions()) -> Metrics:
    """Read a CSV metrics export.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: no time column, no known metric column, or unreadable values.
    """
    check_input_file(path, "metrics file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetricsFormatError(f"{path.name} is not UTF-8 text — save the export as CSV UTF-8") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise MetricsFormatError(f"{path.name} has no data rows — export the metrics with one row per interval")
    header = rows[0]
    columns = {index: _canonical(name) for index, name in enumerate(header)}
    time_index = next((i for i, name in columns.items() if name == "time"), None)
    metric_columns = {i: name for i, name in columns.items() if name not in (None, "time")}
    if time_index is None or not metric_columns:
        known = ", ".join(n for n in HEADER_ALIASES if n != "time")
        raise MetricsFormatError(
            f"{path.name} has no usable columns (found: {', '.join(h.strip() for h in header)}) — "
            f"it needs a time column and at least one of: {known}"
        )
    warnings = [f"ignored unknown column {header[i]!r}" for i, name in columns.items() if name is None]
    times: list[float] = []
    table: dict[int, list[float]] = {i: [] for i in metric_columns}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            times.append(parse_offset(row[time_index]) + options.offset_s)
            for i in metric_columns:
                table[i].append(_number(row[i]) if i < len(row) else float("nan"))
        except (ValueError, IndexError) as exc:
            raise MetricsFormatError(f"{path.name} line {line_no}: cannot read {row!r} as numbers") from exc
    order = sorted(range(len(times)), key=times.__getitem__)
    times = [times[i] for i in order]
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    interval_s = steps[len(steps) // 2] if steps else 60.0
    series = []
    for i, name in metric_columns.items():
        values = [table[i][k] for k in order]
        if name not in LEVEL_METRICS and _is_cumulative(values):
            warnings.append(f"column {header[i]!r} is cumulative; using the change per interval")
            values = [values[0], *(b - a for a, b in itertools.pairwise(values))]
        kind = "level" if name in LEVEL_METRICS else "count"
        series.append(MetricSeries(name, tuple(times), tuple(values), interval_s, kind, header[i].strip()))
    return Metrics(tuple(series), interval_s, options.offset_s, str(path), tuple(warnings))
