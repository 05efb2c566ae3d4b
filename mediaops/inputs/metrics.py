"""Reading engagement metrics exports into per-interval series aligned to recording time.

An export (CSV, XLSX or JSON; see :mod:`mediaops.inputs.metrics_formats`) has one row per interval (1 s to 5 min)
with a time column and metric columns whose headers are recognised in English and Chinese
(:data:`HEADER_ALIASES`) or renamed by a user mapping. Times are offsets or absolute date-times
(:mod:`mediaops.inputs.timeparse`). Cumulative counters are detected and turned into per-interval amounts;
unsorted, duplicated and missing rows are repaired where that is safe, each with a warning.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mediaops.errors import MetricsFormatError
from mediaops.inputs.metrics_formats import RawTable, decode_text, read_table
from mediaops.inputs.timeparse import align_times, clock_times, parse_offset, parse_time_cell
from mediaops.media.probe import check_input_file
from mediaops.types import Metrics, MetricSeries

__all__ = ["HEADER_ALIASES", "LEVEL_METRICS", "MetricsOptions", "load_mapping", "load_metrics", "parse_offset"]

#: canonical metric name -> header spellings seen in English and Chinese platform exports (compared lower-cased,
#: without spaces, underscores or brackets-with-units such as "(人)").
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "t", "t_s", "offset", "datetime", "date_time", "时间", "时间点", "时刻", "日期时间",
             "统计时间", "分钟"),
    "online_viewers": ("online_viewers", "online", "viewers", "concurrent_viewers", "ccu", "在线人数", "实时在线人数",
                       "在线观众", "当前在线人数"),
    "viewers_entered": ("viewers_entered", "entered", "entries", "enter_count", "views", "进入直播间人数", "进房人数",
                        "进入人数", "观看人次"),
    "comments": ("comments", "comment_count", "danmaku", "评论次数", "评论数", "弹幕数"),
    "likes": ("likes", "like_count", "点赞次数", "点赞数"),
    "gifts": ("gifts", "gift_count", "礼物", "打赏", "礼物数", "打赏次数"),
    "shares": ("shares", "share_count", "分享次数", "分享数"),
    "new_followers": ("new_followers", "follows", "followers_gained", "new_fans", "新增粉丝数", "新增关注", "新增粉丝",
                      "关注数"),
    "orders": ("orders", "order_count", "成交订单数", "订单数", "成交件数"),
    "gmv": ("gmv", "sales", "revenue", "成交金额", "销售额", "成交额"),
}
#: gauges (a level at each instant); every other metric counts events per interval.
LEVEL_METRICS = frozenset({"online_viewers"})
#: a mapping target that drops a column on purpose.
IGNORE = "ignore"
_NORMALISE = re.compile(r"[\s_\-]+|[(（\[【].*?[)）\]】]")
_MISSING = frozenset({"", "-", "--", "—", "n/a", "na", "null", "none", "nan"})
_FOOTER_WORDS = ("合计", "总计", "汇总", "total", "sum", "average", "平均")
#: no livestream runs this long; a longer span means a wrong date in the time column (and a huge grid).
_MAX_SPAN_H = 48


@dataclass(frozen=True, slots=True)
class MetricsOptions:
    """How to read a metrics export.

    Attributes:
        offset_s: added to every time in the export (and the comment log), for exports whose clock is off.
        mapping: (header, metric name) pairs from a user mapping file; they win over the built-in aliases.
            A metric name of ``"ignore"`` drops that column without a warning.
    """

    offset_s: float = 0.0
    mapping: tuple[tuple[str, str], ...] = ()


def _key(header: str) -> str:
    return _NORMALISE.sub("", header.strip().lstrip("\ufeff").lower())


_ALIAS_KEYS = {_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def load_mapping(path: Path) -> tuple[tuple[str, str], ...]:
    """A column mapping from JSON (``{"header": "metric"}``) or CSV/text lines (``header,metric``).

    Metric names are the keys of :data:`HEADER_ALIASES` or ``"ignore"``.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: unreadable file or an unknown metric name.
    """
    check_input_file(path, "mapping file")
    text, _ = decode_text(path.read_bytes(), path.name)
    pairs: list[tuple[str, str]] = []
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MetricsFormatError(
                f"{path.name} is not valid JSON — write {{\"export header\": \"metric\"}}"
            ) from exc
        pairs = [(str(k), str(v)) for k, v in doc.items()]
    else:
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = re.split(r"\s*[,=\t:]\s*", line.strip(), maxsplit=1)
            if len(parts) != 2:
                raise MetricsFormatError(f"{path.name} line {line_no}: expected 'export header,metric'")
            pairs.append((parts[0], parts[1]))
    known = {*HEADER_ALIASES, IGNORE}
    for header, name in pairs:
        if name.strip().lower() not in known:
            raise MetricsFormatError(
                f"{path.name}: {header!r} maps to unknown metric {name!r} — use one of: {', '.join(sorted(known))}"
            )
    return tuple((h.strip(), n.strip().lower()) for h, n in pairs)


def _number(cell: object) -> float:
    """A cell as a number; ``nan`` for empty/placeholder cells. Understands 1,234 / ¥12.5 / 1.2万 / 3亿 / 45%."""
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace(",", "").replace("，", "")
    if text.lower() in _MISSING:
        return math.nan
    text = text.lstrip("¥￥$").rstrip("元")
    scale = 1.0
    if text.endswith("万"):
        scale, text = 1e4, text[:-1]
    elif text.endswith("亿"):
        scale, text = 1e8, text[:-1]
    elif text.endswith("%"):
        scale, text = 0.01, text[:-1]
    elif text[-1:] in ("k", "K"):
        scale, text = 1e3, text[:-1]
    return float(text) * scale


def _columns(table: RawTable, options: MetricsOptions, name: str) -> tuple[int, dict[int, str], list[str]]:
    mapping = {_key(h): n for h, n in options.mapping}
    warnings: list[str] = []
    time_index: int | None = None
    metric_columns: dict[int, str] = {}
    for index, header in enumerate(table.headers):
        canonical = mapping.get(_key(header)) or _ALIAS_KEYS.get(_key(header))
        if canonical == IGNORE:
            continue
        if canonical is None:
            if header:
                warnings.append(f"ignored unknown column {header!r} (rename it with a --mapping file to use it)")
            continue
        if canonical == "time":
            if time_index is None:
                time_index = index
            continue
        if canonical in metric_columns.values():
            warnings.append(f"ignored column {header!r}: another column already gives {canonical}")
            continue
        metric_columns[index] = canonical
    if time_index is None or not metric_columns:
        known = ", ".join(n for n in HEADER_ALIASES if n != "time")
        found = ", ".join(h for h in table.headers if h) or "none"
        lacking = "a time column" if time_index is None else "a known metric column"
        raise MetricsFormatError(
            f"{name} has no usable columns (lacks {lacking}; found: {found}) — it needs a time column and at least "
            f"one of: {known}; rename columns with a --mapping file"
        )
    return time_index, metric_columns, warnings


def _skip_title_rows(table: RawTable, options: MetricsOptions) -> RawTable:
    """The table whose header is the first of its first rows that names a time column (exports often put a
    title such as "直播数据导出" and a date range above the header)."""
    mapping = {_key(h): n for h, n in options.mapping}

    def names_time(cells: tuple[object, ...]) -> bool:
        return any((mapping.get(_key(str(c))) or _ALIAS_KEYS.get(_key(str(c)))) == "time" for c in cells)

    if names_time(table.headers):
        return table
    for index, row in enumerate(table.rows[:5]):
        if names_time(row):
            headers = tuple(str(c).strip() for c in row)
            skipped = f"skipped {index + 1} title row(s) above the header"
            return RawTable(headers, table.rows[index + 1 :], (*table.warnings, skipped))
    return table


def _is_cumulative(values: list[float]) -> bool:
    """True for running totals: never falling (one reset to near zero allowed) and growing overall."""
    finite = [v for v in values if not math.isnan(v)]
    if len(finite) < 3 or max(finite) <= finite[0]:
        return False
    falls = [(a, b) for a, b in itertools.pairwise(finite) if b < a]
    resets = [(a, b) for a, b in falls if b <= 0.2 * a]
    return len(falls) == len(resets) <= 1 and max(finite) > 2 * max(1.0, min(v for v in finite if v >= 0))


def _difference(values: list[float]) -> list[float]:
    """Per-interval amounts of a running total; a gap's growth is shared evenly by its intervals, and a
    fall (a counter reset) starts a new total."""
    out = [math.nan] * len(values)
    last: int | None = None
    for index, value in enumerate(values):
        if math.isnan(value):
            continue
        if last is None:
            out[index] = value
        else:
            delta = value - values[last] if value >= values[last] else value
            share = delta / (index - last)
            for k in range(last + 1, index + 1):
                out[k] = share
        last = index
    return out


def _clock(t_s: float) -> str:
    sign, t = ("-" if t_s < 0 else ""), abs(round(t_s))
    return f"{sign}{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


def _grid(times: list[float], name: str, warnings: list[str]) -> tuple[float, list[int]]:
    """The export's interval and each row's slot on an even grid from the first row."""
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    if not steps:
        return 60.0, [0] * len(times)
    interval_s = steps[len(steps) // 2]
    if interval_s >= 1:
        interval_s = float(round(interval_s))
    if interval_s > 300:
        warnings.append(f"{name} has one row per {interval_s:.0f} s; highlights need 5 min or finer to be precise")
    slots = [round((t - times[0]) / interval_s) for t in times]
    return interval_s, slots


def load_metrics(
    path: Path,
    options: MetricsOptions = MetricsOptions(),
    start_time: datetime | None = None,
    start_source: str = "--start-time",
) -> Metrics:
    """Read a metrics export (CSV, XLSX or JSON) into per-interval series on an even grid.

    Absolute times are measured from ``start_time`` (described as ``start_source`` in the alignment note);
    ``options.offset_s`` is then added to every time. Missing intervals become ``nan``.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: no time column, no known metric column, no data rows, unreadable times or values.
    """
    check_input_file(path, "metrics file")
    table = _skip_title_rows(read_table(path), options)
    name = path.name
    if not table.rows:
        raise MetricsFormatError(f"{name} has no data rows — export the metrics with one row per interval")
    time_index, metric_columns, column_warnings = _columns(table, options, name)
    warnings = [*table.warnings, *column_warnings]

    cells: list[float | datetime] = []
    rows: list[tuple[object, ...]] = []
    skipped: list[int] = []
    for line_no, row in enumerate(table.rows, start=2):
        raw_time = row[time_index] if time_index < len(row) else ""
        try:
            cells.append(parse_time_cell(raw_time))
            rows.append(row)
        except ValueError as exc:
            if str(raw_time).strip().lower().startswith(_FOOTER_WORDS) or not str(raw_time).strip():
                skipped.append(line_no)
                continue
            raise MetricsFormatError(
                f"{name} line {line_no}: cannot read time {raw_time!r} — use HH:MM:SS, seconds or a date-time"
            ) from exc
    if skipped:
        warnings.append(f"skipped {len(skipped)} row(s) without a time (line {skipped[0]}{', …' * (len(skipped) > 1)})")
    if not rows:
        raise MetricsFormatError(f"{name} has no rows with a time — check the time column")
    try:
        raw_times = [row[time_index] for row in rows]
        alignment = clock_times(raw_times, start_time, start_source) or align_times(cells, start_time, start_source)
    except ValueError as exc:
        raise MetricsFormatError(f"{name}: {exc} — give every row the same kind of time") from exc
    warnings += alignment.warnings
    times = [t + options.offset_s for t in alignment.times_s]

    table_values: dict[int, list[float]] = {i: [] for i in metric_columns}
    bad_cells: dict[int, int] = dict.fromkeys(metric_columns, 0)
    for row in rows:
        for i in metric_columns:
            try:
                value = _number(row[i]) if i < len(row) else math.nan
            except ValueError:
                value = math.nan
                bad_cells[i] += 1
            table_values[i].append(value)

    order = sorted(range(len(times)), key=lambda k: times[k])
    if order != list(range(len(times))):
        warnings.append(f"{name} rows were not in time order; sorted them")
    times = [times[k] for k in order]
    for i in metric_columns:
        table_values[i] = [table_values[i][k] for k in order]

    span_h = (times[-1] - times[0]) / 3600
    if span_h > _MAX_SPAN_H:
        raise MetricsFormatError(
            f"{name} spans {span_h:.0f} hours ({_clock(times[0])} to {_clock(times[-1])}) — a stream export covers "
            "one stream; check the time column for a wrong date"
        )
    interval_s, slots = _grid(times, name, warnings)
    n = slots[-1] + 1
    duplicates = len(slots) - len(set(slots))
    if duplicates:
        conflicting = sum(
            1 for a, b in itertools.pairwise(range(len(slots)))
            if slots[a] == slots[b] and any(
                table_values[i][a] != table_values[i][b] and not (math.isnan(table_values[i][a])
                                                                  and math.isnan(table_values[i][b]))
                for i in metric_columns
            )
        )
        what = f"{conflicting} with different values; kept the last of each" if conflicting else "identical; dropped"
        warnings.append(f"{name} has {duplicates} duplicated time(s) ({what})")
    first_s = times[0]
    grid_t = tuple(first_s + interval_s * k for k in range(n))
    missing = n - len(set(slots))
    if missing:
        first_gap = next(k for k in range(n) if k not in set(slots))
        warnings.append(
            f"{name} is missing {missing} of {n} intervals (first at {_clock(grid_t[first_gap])}); treated as unknown"
        )

    series: list[MetricSeries] = []
    for i, metric in metric_columns.items():
        header = table.headers[i]
        values = [math.nan] * n
        for slot, value in zip(slots, table_values[i], strict=True):
            values[slot] = value
        finite = [v for v in values if not math.isnan(v)]
        if not finite:
            warnings.append(f"column {header!r} has no numbers; ignored it")
            continue
        if bad_cells[i]:
            warnings.append(f"column {header!r} has {bad_cells[i]} cell(s) that are not numbers; treated as unknown")
        kind = "level" if metric in LEVEL_METRICS else "count"
        if kind == "count" and _is_cumulative(values):
            warnings.append(f"column {header!r} is a running total; using the change per interval")
            values = _difference(values)
        series.append(MetricSeries(metric, grid_t, tuple(values), interval_s, kind, header))
    if not series:
        raise MetricsFormatError(f"{name} has no metric column with numbers — check the export")
    method = alignment.method + (f", shifted by {options.offset_s:+g} s (--metrics-offset)" if options.offset_s else "")
    return Metrics(
        tuple(series), interval_s, options.offset_s, str(path), tuple(warnings),
        alignment=method, start_time=alignment.start_time,
    )
