"""Comment / danmaku logs (JSONL, JSON, CSV or XLSX with time, user, text) and the signals made from them:
a comment-rate series at 1 s resolution and one series per keyword group (hype, purchases, link requests)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from mediaops.errors import MetricsFormatError
from mediaops.inputs.metrics_formats import read_table
from mediaops.inputs.timeparse import align_times, parse_offset, parse_time_cell
from mediaops.media.probe import check_input_file
from mediaops.types import Comment, MetricSeries

__all__ = ["DEFAULT_KEYWORDS", "CommentOptions", "comment_series", "load_comments", "parse_keywords", "parse_offset"]

_TIME_KEYS = ("t_s", "time", "timestamp", "offset", "ts", "created_at", "时间", "发送时间", "评论时间")
_USER_KEYS = ("user", "nickname", "username", "user_name", "用户", "昵称", "用户名")
_TEXT_KEYS = ("text", "content", "comment", "message", "msg", "内容", "评论", "评论内容", "弹幕")

#: keyword groups counted in comments: each becomes a signal named ``keyword_<group>``. Matching is a
#: case-insensitive substring test, so "666" also counts "6666" and "上链接" counts "快上链接".
DEFAULT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hype", ("666", "哈哈", "太美", "好看", "wow", "amazing", "lol")),
    ("bought", ("买了", "已拍", "已买", "拍了", "下单了", "bought", "ordered")),
    ("link", ("上链接", "求链接", "链接", "link")),
)


@dataclass(frozen=True, slots=True)
class CommentOptions:
    """How to turn a comment log into signals.

    Attributes:
        keywords: (group, words) pairs; see :data:`DEFAULT_KEYWORDS`.
        step_s: resolution of the comment-rate and keyword series (1 s: comments carry exact times).
    """

    keywords: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_KEYWORDS
    step_s: float = 1.0


def parse_keywords(specs: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Keyword groups from ``"group=w1,w2"`` or ``"w1,w2"`` (group ``keywords``) strings.

    Raises:
        ValueError: a spec has no words.
    """
    groups: dict[str, list[str]] = {}
    for spec in specs:
        group, _, words = spec.rpartition("=")
        found = [w.strip() for w in words.replace("，", ",").split(",") if w.strip()]
        if not found:
            raise ValueError(f"no keywords in {spec!r} — write e.g. bought=买了,已拍,bought")
        groups.setdefault(group.strip() or "keywords", []).extend(found)
    return tuple((g, tuple(dict.fromkeys(w))) for g, w in groups.items())


def _column(headers: tuple[str, ...], keys: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in headers]
    return next((lowered.index(k) for k in keys if k in lowered), None)


def load_comments(
    path: Path, offset_s: float = 0.0, start_time: datetime | None = None, start_source: str = "--start-time"
) -> list[Comment]:
    """Comments sorted by time on recording time; ``offset_s`` is added to every time.

    Times may be offsets or absolute date-times (measured from ``start_time``, see
    :func:`mediaops.inputs.timeparse.align_times`). Rows without text are skipped.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: not JSON/CSV/XLSX, no time or text column, or an unreadable time.
    """
    check_input_file(path, "comments file")
    table = read_table(path)
    time_col, text_col = _column(table.headers, _TIME_KEYS), _column(table.headers, _TEXT_KEYS)
    user_col = _column(table.headers, _USER_KEYS)
    if time_col is None or text_col is None:
        raise MetricsFormatError(
            f"{path.name}: a comment needs a time and a text field (found: {', '.join(table.headers) or 'none'}) — "
            "use columns time,user,text"
        )
    cells: list[float | datetime] = []
    kept: list[tuple[object, ...]] = []
    for line_no, row in enumerate(table.rows, start=2):
        text = row[text_col] if text_col < len(row) else ""
        if text in (None, ""):
            continue
        raw_time = row[time_col] if time_col < len(row) else ""
        try:
            cells.append(parse_time_cell(raw_time))
        except ValueError as exc:
            raise MetricsFormatError(f"{path.name} row {line_no}: cannot read time {raw_time!r}") from exc
        kept.append(row)
    if not kept:
        return []
    try:
        alignment = align_times(cells, start_time, start_source)
    except ValueError as exc:
        raise MetricsFormatError(f"{path.name}: {exc} — give every comment the same kind of time") from exc
    comments = [
        Comment(
            t_s=t + offset_s,
            user=str(row[user_col]) if user_col is not None and user_col < len(row) else "",
            text=str(row[text_col]),
        )
        for t, row in zip(alignment.times_s, kept, strict=True)
    ]
    return sorted(comments, key=lambda c: c.t_s)


def comment_series(
    comments: Sequence[Comment], duration_s: float, options: CommentOptions = CommentOptions()
) -> tuple[MetricSeries, ...]:
    """Per-``step_s`` counts from ``0`` to ``duration_s``: ``comment_rate`` and one ``keyword_<group>``
    series per keyword group that occurs at least once. Comments outside the recording are dropped."""
    n = max(1, math.ceil(duration_s / options.step_s))
    grid = tuple(float(k * options.step_s) for k in range(n))
    times = np.array([c.t_s for c in comments], dtype=float)
    inside = (times >= 0) & (times < n * options.step_s)
    bins = (times[inside] // options.step_s).astype(int)
    out = [MetricSeries("comment_rate", grid, tuple(np.bincount(bins, minlength=n).astype(float).tolist()),
                        options.step_s, "count", "comment log")]
    texts = [c.text.lower() for c, keep in zip(comments, inside, strict=True) if keep]
    for group, words in options.keywords:
        lowered = [w.lower() for w in words]
        hits = np.array([any(w in text for w in lowered) for text in texts], dtype=bool)
        if hits.any():
            counts = np.bincount(bins[hits], minlength=n).astype(float)
            out.append(MetricSeries(f"keyword_{group}", grid, tuple(counts.tolist()), options.step_s, "count",
                                    f"comments containing {', '.join(words)}"))
    return tuple(out)
