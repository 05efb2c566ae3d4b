"""Script coverage: the run-of-show (planned segments, key lines) against what the transcript says was said."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

from mediaops.errors import PlanFormatError
from mediaops.inputs.metrics import parse_offset
from mediaops.retrospective.insights.files import normal_key, read_document
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.series import total_between, viewer_change
from mediaops.retrospective.insights.text import words
from mediaops.retrospective.insights.types import KeyPointResult, PlanSegment, ScriptSegmentResult, SegmentResponse
from mediaops.types import Comment, Metrics, PitchSegment, Transcript

#: run-of-show field -> accepted column / key spellings (compared after :func:`normal_key`).
PLAN_FIELDS: dict[str, tuple[str, ...]] = {
    "start": ("start", "planned_start", "start_time", "time", "开始", "开始时间", "计划开始", "时间"),
    "title": ("title", "segment", "name", "环节", "内容", "标题"),
    "sku": ("sku", "product", "商品", "商品id", "商品编号"),
    "key_points": ("key_points", "key_lines", "selling_points", "lines", "卖点", "话术", "关键话术"),
    "duration": ("duration", "planned_duration", "时长", "计划时长"),
}
_FIELD_OF = {normal_key(alias): name for name, aliases in PLAN_FIELDS.items() for alias in aliases}


def _seconds(value: object, where: str, what: str) -> float:
    try:
        seconds = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else \
            parse_offset(str(value))
    except ValueError as exc:
        raise PlanFormatError(f"{where}: {what} {value!r} is not a time — write HH:MM:SS, MM:SS or seconds") from exc
    if seconds < 0:
        raise PlanFormatError(f"{where}: {what} {value!r} is negative")
    return seconds


def _segment(record: object, where: str) -> PlanSegment:
    if not isinstance(record, dict):
        raise PlanFormatError(f"{where}: expected a segment with start, title, sku, key_points")
    fields: dict[str, object] = {}
    for key, value in record.items():
        name = _FIELD_OF.get(normal_key(key))
        if name is None:
            raise PlanFormatError(f"{where}: unknown field {str(key)!r} — use: {', '.join(PLAN_FIELDS)}")
        fields[name] = value
    if fields.get("start") in (None, ""):
        raise PlanFormatError(f"{where}: a segment needs a planned start time (column start)")
    raw_points = fields.get("key_points") or ()
    points = raw_points.split("|") if isinstance(raw_points, str) else raw_points
    if not isinstance(points, list | tuple):
        raise PlanFormatError(f"{where}: key_points must be a list or a '|'-separated text")
    duration = fields.get("duration")
    start_s = _seconds(fields["start"], where, "start")
    sku = str(fields.get("sku") or "").strip() or None
    return PlanSegment(
        title=str(fields.get("title") or sku or f"segment at {start_s:.0f} s").strip(),
        planned_start_s=start_s,
        sku=sku,
        key_points=tuple(str(p).strip() for p in points if str(p).strip()),
        planned_duration_s=_seconds(duration, where, "duration") if duration not in (None, "") else None,
    )


def parse_run_of_show(document: object, where: str = "run-of-show") -> list[PlanSegment]:
    """Planned segments from a parsed run-of-show: a list of records (or CSV rows), optionally under a top-level
    ``segments`` key, each with ``start`` and any of ``title``, ``sku``, ``key_points``, ``duration``.

    Raises:
        PlanFormatError: another shape, an unknown field, an unreadable time, or segments out of time order.
    """
    if isinstance(document, dict) and len(document) == 1 and normal_key(next(iter(document))) in (
            "segments", "run_of_show"):
        document = next(iter(document.values()))
    if not isinstance(document, list) or not document:
        raise PlanFormatError(f"{where}: expected a list of segments with start, title, sku, key_points")
    plan = [_segment(record, f"{where} segment {n}") for n, record in enumerate(document, start=1)]
    for n, (a, b) in enumerate(pairwise(plan), start=2):
        if b.planned_start_s < a.planned_start_s:
            raise PlanFormatError(f"{where} segment {n} starts before the one above it — list segments in time order")
    return plan


def load_run_of_show(path: Path) -> list[PlanSegment]:
    """The run-of-show from a YAML, JSON or CSV file (CSV: ``start,title,sku,key_points``, points ``|``-separated).

    Raises:
        InputFileError: missing or empty file.
        PlanFormatError: the file cannot be read as a run-of-show.
    """
    return parse_run_of_show(read_document(path, "run-of-show file"), path.name)


def planned_spans(plan: Sequence[PlanSegment], duration_s: float) -> list[tuple[PlanSegment, float, float]]:
    """Each segment with its planned start and end: its own duration, else up to the next segment's start, else
    to the end of the recording."""
    spans = []
    for i, segment in enumerate(plan):
        if segment.planned_duration_s is not None:
            end_s = segment.planned_start_s + segment.planned_duration_s
        elif i + 1 < len(plan):
            end_s = plan[i + 1].planned_start_s
        else:
            end_s = max(duration_s, segment.planned_start_s)
        spans.append((segment, segment.planned_start_s, end_s))
    return spans


def _windows(transcript: Transcript) -> list[tuple[float, set[str], str]]:
    """Time, words and text of every sentence and of every pair of neighbouring sentences, in time order.

    A pair is timed at its second sentence, where a line split across the two is completed, and comes after that
    sentence alone, so a line said within one sentence is timed at that sentence."""
    segments = [s for s in transcript.segments if s.text.strip()]
    said = [set(words(s.text)) for s in segments]
    windows = []
    for i, segment in enumerate(segments):
        windows.append((segment.start_s, said[i], segment.text.strip()))
        if i > 0:
            windows.append((segment.start_s, said[i - 1] | said[i],
                            f"{segments[i - 1].text.strip()} {segment.text.strip()}"))
    return windows


def _find_point(point: str, windows: list[tuple[float, set[str], str]], from_s: float,
                threshold: float) -> KeyPointResult:
    wanted = set(words(point))
    if not wanted:
        return KeyPointResult(point, False)
    # a price or a quantity is the point of a line that has one: "only 25 dollars" is not "only 39 dollars"
    figures = {w for w in wanted if w.isdigit()}
    for start_s, heard, text in windows:
        if start_s >= from_s and figures <= heard and len(wanted & heard) / len(wanted) >= threshold:
            return KeyPointResult(point, True, start_s, text if len(text) <= 120 else text[:119] + "…")
    return KeyPointResult(point, False)


def segment_response(
    metrics: Metrics | None, comments: Sequence[Comment], start_s: float, end_s: float
) -> SegmentResponse:
    """Viewer change and activity between ``start_s`` and ``end_s``; comments come from the export's column, else
    from the comment log."""
    before, after, change = viewer_change(metrics, start_s, end_s)
    series = metrics.get if metrics else (lambda _name: None)
    counted = total_between(series("comments"), start_s, end_s)
    if counted is None and comments:
        counted = float(sum(1 for c in comments if start_s <= c.t_s < end_s))
    minutes = (end_s - start_s) / 60

    def total(name: str) -> float | None:
        value = total_between(series(name), start_s, end_s)
        return round(value, 2) if value is not None else None

    return SegmentResponse(
        viewers_before=before, viewers_after=after, viewer_change_pct=change,
        comments=round(counted, 1) if counted is not None else None,
        comments_per_min=round(counted / minutes, 1) if counted is not None and minutes > 0 else None,
        likes=total("likes"), orders=total("orders"), gmv=total("gmv"),
    )


def compare_script(
    plan: Sequence[PlanSegment],
    transcript: Transcript,
    pitches: Sequence[PitchSegment] = (),
    duration_s: float = 0.0,
    metrics: Metrics | None = None,
    comments: Sequence[Comment] = (),
    options: InsightOptions = InsightOptions(),
) -> list[ScriptSegmentResult]:
    """Each planned segment against the transcript, in plan order.

    Segments are looked for in order, each from where the previous one was found (a product segment from shortly
    before its product's next pitch). A key line counts as said when
    ``key_point_match`` of its words are heard in one sentence or two neighbouring ones. A segment starts at its
    first key line heard or, for a product segment, its product's first pitch, whichever is earlier; it is late or
    early when that differs from the plan by more than ``late_tolerance_s``, skipped when nothing of it was heard,
    and ``not_checked`` when it has neither key lines nor a product. A segment done out of plan order shows as
    skipped.
    """
    windows = _windows(transcript)
    cursor = 0.0
    found: list[tuple[PlanSegment, float, float, float | None, tuple[KeyPointResult, ...]]] = []
    for segment, planned_start_s, planned_end_s in planned_spans(plan, duration_s):
        pitch = next((p for p in pitches if p.sku == segment.sku and p.end_s > cursor), None) if segment.sku else None
        # a product segment's lines are looked for around its pitch, so the lines of the product before it that
        # sound alike ("click the link below") are not taken for its own
        from_s = max(cursor, pitch.start_s - options.late_tolerance_s) if pitch else cursor
        points = tuple(_find_point(p, windows, from_s, options.key_point_match) for p in segment.key_points)
        starts = [p.t_s for p in points if p.t_s is not None] + ([pitch.start_s] if pitch else [])
        actual_start_s = min(starts) if starts else None
        if actual_start_s is not None:
            cursor = max(cursor, actual_start_s)
        found.append((segment, planned_start_s, planned_end_s, actual_start_s, points))
    results = []
    for i, (segment, planned_start_s, planned_end_s, actual_start_s, points) in enumerate(found):
        said_count = sum(1 for p in points if p.said)
        if actual_start_s is None:
            status = "skipped" if segment.key_points or segment.sku else "not_checked"
            results.append(ScriptSegmentResult(segment.title, segment.sku, planned_start_s, planned_end_s, status,
                                               key_points=points, said_count=said_count))
            continue
        later = [f[3] for f in found[i + 1:] if f[3] is not None and f[3] > actual_start_s]
        actual_end_s = later[0] if later else max(duration_s, actual_start_s)
        delay_s = round(actual_start_s - planned_start_s, 1)
        status = "late" if delay_s > options.late_tolerance_s else \
            "early" if delay_s < -options.late_tolerance_s else "on_time"
        results.append(ScriptSegmentResult(
            segment.title, segment.sku, planned_start_s, planned_end_s, status, actual_start_s, actual_end_s,
            delay_s, points, said_count, segment_response(metrics, comments, actual_start_s, actual_end_s),
        ))
    return results
