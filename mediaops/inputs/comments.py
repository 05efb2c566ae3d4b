"""Comment / danmaku logs and the signals made from them: a comment-rate series at 1 s resolution and one series
per keyword group (hype, purchases, link requests).

A log is JSON or JSON Lines (crawler output such as Douyin's ``content``/``nickname``/``create_time`` or
TikTok's ``comment``/``user.nickname``/``createTime``, nested objects included), CSV/XLSX with time, user and
text columns, or Bilibili danmaku XML (``<d p="12.3,…">text</d>``, the time from the recording's start). Its
times are read and checked against the recording exactly like a metrics export's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from mediaops.errors import MetricsFormatError
from mediaops.inputs.metrics import MetricsOptions, place, read_export
from mediaops.inputs.placement import Placement, clock
from mediaops.inputs.timeparse import parse_offset
from mediaops.types import Comment, MetricSeries

__all__ = [
    "DEFAULT_KEYWORDS", "CommentLog", "CommentOptions", "comment_series", "load_comments", "parse_keywords",
    "parse_offset", "read_comments",
]

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


@dataclass(frozen=True, slots=True)
class CommentLog:
    """A comment log read: the comments on recording time and how their times were placed (for ``inspect``).

    Attributes:
        comments: sorted by time; those outside the recording are kept (the signals drop them).
        placement: how the times were read and placed.
        source: the format ("JSON Lines", "Bilibili danmaku XML", …).
        outside: comments before the start or after the end of the recording (when its length is known).
        warnings: what the reader chose or skipped.
    """

    comments: tuple[Comment, ...]
    placement: Placement | None
    source: str = ""
    outside: int = 0
    warnings: tuple[str, ...] = ()


def read_comments(
    path: Path,
    options: MetricsOptions = MetricsOptions(),
    start_time: datetime | None = None,
    start_source: str = "--start-time",
    duration_s: float | None = None,
) -> CommentLog:
    """Read a comment log (JSON, JSON Lines — crawler output included —, CSV, XLSX or Bilibili danmaku XML).

    Times are read like a metrics export's (offsets, date-times, epoch seconds, times of day; see
    :mod:`mediaops.inputs.placement`) and ``options.offset_s`` is added; ``options.mapping`` may name the
    ``time``, ``user`` and ``text`` columns. With ``duration_s`` at least half of the comments must fall inside
    the recording. Rows without text are skipped.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: no time or text column, an unreadable time, date-times without a start time, or
            comments that do not line up with the recording (the message names the flag that fixes it).
    """
    table = read_export(path, options, fields="comments")
    text_col = next(c for c in table.columns if c.name == "text")
    user_col = next((c for c in table.columns if c.name == "user"), None)
    placement = place(table, options, start_time, start_source, duration_s, what="comments")
    comments = []
    for t_s, row in zip(placement.times_s, table.rows, strict=True):
        text = row[text_col.index] if text_col.index < len(row) else ""
        if text in (None, ""):
            continue
        user = row[user_col.index] if user_col is not None and user_col.index < len(row) else ""
        comments.append(Comment(t_s=t_s + options.offset_s, user="" if user is None else str(user), text=str(text)))
    comments.sort(key=lambda c: c.t_s)
    warnings = [*table.warnings, *placement.warnings]
    outside = 0
    if duration_s is not None and duration_s > 0 and comments:
        outside = sum(1 for c in comments if not 0 <= c.t_s <= duration_s)
        if outside > len(comments) / 2:
            first, last = comments[0].t_s, comments[-1].t_s
            fix = ("shift it with --metrics-offset" if placement.reading.kind == "offset"
                   else "check --start-time and --timezone, or shift it with --metrics-offset")
            raise MetricsFormatError(
                f"{table.name} does not line up with the recording: {outside} of {len(comments)} comments fall "
                f"outside it (comments run {clock(first)}–{clock(last)}, the recording 00:00:00–{clock(duration_s)}) "
                f"— {fix}"
            )
        if outside:
            warnings.append(f"{outside} of {len(comments)} comments fall outside the recording; they are not counted")
    return CommentLog(tuple(comments), placement, table.source, outside, tuple(dict.fromkeys(warnings)))


def load_comments(
    path: Path,
    offset_s: float = 0.0,
    start_time: datetime | None = None,
    start_source: str = "--start-time",
    *,
    options: MetricsOptions | None = None,
    duration_s: float | None = None,
) -> list[Comment]:
    """Comments sorted by time on recording time; ``offset_s`` is added to every time (it replaces
    ``options.offset_s``). See :func:`read_comments`.

    Raises:
        InputFileError, MetricsFormatError: see :func:`read_comments`.
    """
    chosen = replace(options or MetricsOptions(), offset_s=offset_s)
    return list(read_comments(path, chosen, start_time, start_source, duration_s).comments)


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
