"""The header of the review reports: the stream's name, its recording by file name (never a folder of the server),
its length, and its wall-clock times in the stream's own time zone, which the header names.

Operators read a report in the time of the stream (Beijing time for most of them); ``timeline.json`` keeps UTC.
The zone is, in order: the one asked for (``--timezone``, or the server's ``MEDIAOPS_TIMEZONE``), the zone the
metrics export's times were read in, the zone of a ``--start-time`` given with an offset other than UTC, else
:data:`DEFAULT_TIMEZONE`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from mediaops.inputs.placement import parse_timezone
from mediaops.report.alignment import alignment_text
from mediaops.report.i18n import clock, labels
from mediaops.retrospective.document import Retrospective
from mediaops.types import Timeline

#: the zone of a report when nothing names one: Beijing time, where the platforms' exports and operators are.
DEFAULT_TIMEZONE = "UTC+08:00"


def _moment(value: object) -> datetime | None:
    """A date-time from a ``datetime`` or an ISO 8601 string (as ``timeline.json`` keeps them); one without a
    zone is a wall-clock time already (a ``--start-time`` written without one)."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime) else None


def stream_start(timeline: Timeline) -> datetime | None:
    """When the stream started on the wall clock: the ``--start-time`` given to the insights, else the start the
    metrics export's times were measured from; ``None`` where neither is known."""
    given = timeline.insights.start_time if timeline.insights else None
    return _moment(given) or _moment(timeline.metrics.start_time if timeline.metrics else None)


def choose_zone(wanted: str = "", export_zone: str = "", start: datetime | None = None) -> tzinfo:
    """The zone of a stream's wall-clock times: ``wanted``, else ``export_zone`` (the metrics export's), else the
    zone of ``start`` where it is not UTC, else :data:`DEFAULT_TIMEZONE`.

    Raises:
        ValueError: ``wanted`` names no zone.
    """
    if wanted:
        return parse_timezone(wanted)
    if export_zone:
        try:
            return parse_timezone(export_zone)
        except ValueError:
            pass  # a zone this Python lacks (an older tz database): fall through
    if start is not None and start.tzinfo is not None and start.utcoffset():
        return start.tzinfo
    return parse_timezone(DEFAULT_TIMEZONE)


def report_zone(timeline: Timeline, wanted: str = "") -> tzinfo:
    """The zone the report of ``timeline`` shows wall-clock times in (see the module's docstring).

    Raises:
        ValueError: ``wanted`` names no zone.
    """
    return choose_zone(wanted, timeline.metrics.zone if timeline.metrics else "", stream_start(timeline))


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` on the wall clock of ``zone`` (one without a zone is left as it is: it is wall-clock already)."""
    return moment.astimezone(zone) if moment.tzinfo is not None else moment


def zone_name(zone: tzinfo, at: datetime | None = None) -> str:
    """``UTC+08:00`` for a fixed offset, ``Asia/Shanghai (UTC+08:00)`` for a named zone, ``UTC`` for UTC."""
    offset = (at or datetime.now(UTC)).astimezone(zone).utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    utc = "UTC" if minutes == 0 else f"UTC{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    key = getattr(zone, "key", "")
    return f"{key} ({utc})" if key and key != "UTC" else utc


def local_time(value: object, zone: tzinfo, seconds: bool = True) -> str:
    """``2026-11-20 20:00:00`` in ``zone`` of a date-time or an ISO 8601 string; ``""`` where it is neither."""
    moment = _moment(value)
    if moment is None:
        return ""
    return in_zone(moment, zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def file_name(path: str) -> str:
    """The last part of a path, whichever system wrote it: the report names the recording, never its folder."""
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] or path


def header_rows(retro: Retrospective, lang: str) -> tuple[tuple[str, str], ...]:
    """The header's ``(label, value)`` pairs, shared by the HTML, Markdown and PDF reports."""
    t = labels(lang)
    timeline = retro.timeline
    zone = report_zone(timeline, retro.timezone)
    start = stream_start(timeline)
    rows = [(t["recording"], file_name(timeline.recording.path)),
            (t["duration"], clock(timeline.recording.duration_s))]
    if start is not None:
        rows.append((t["started"], local_time(start, zone)))
    if timeline.created_at:
        rows.append((t["generated"], local_time(timeline.created_at, zone, seconds=False) or timeline.created_at))
    rows.append((t["timezone"], zone_name(zone, start)))
    if timeline.metrics and alignment_text(timeline.metrics, lang):
        rows.append((t["alignment"], alignment_text(timeline.metrics, lang)))
    return tuple(rows)
