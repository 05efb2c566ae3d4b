"""Reading the time column of metrics and comment exports: offsets or absolute date-times.

Exports give times either as offsets from the start of the stream (``HH:MM:SS``, ``MM:SS``, plain seconds)
or as wall-clock date-times (``2026-11-27 20:00:00``, ISO 8601, Unix epoch seconds or milliseconds, Excel
cells). :func:`parse_time_cell` tells them apart per cell; :func:`align_times` turns a column into seconds
from the start of the recording and says how it did so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

_OFFSET = re.compile(r"-?\d+(\.\d+)?")
_CLOCK_PART = re.compile(r"\d+(\.\d+)?")
#: numbers this large are Unix epoch times, not offsets (2001-09-09 in seconds; 1e12 and up are milliseconds).
_EPOCH_S_MIN = 1e9
_EPOCH_MS_MIN = 1e12
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
)


def parse_offset(text: str) -> float:
    """Seconds from ``HH:MM:SS(.f)``, ``MM:SS`` or a plain number of seconds.

    Raises:
        ValueError: ``text`` is none of these.
    """
    value = text.strip()
    if _OFFSET.fullmatch(value):
        return float(value)
    parts = value.split(":")
    if 2 <= len(parts) <= 3 and all(_CLOCK_PART.fullmatch(p) for p in parts):
        seconds = 0.0
        for part in parts:
            seconds = seconds * 60 + float(part)
        return seconds
    raise ValueError(value)


def parse_datetime(text: str) -> datetime:
    """A wall-clock date-time from ISO 8601 or the layouts Chinese and English exports use.

    Raises:
        ValueError: ``text`` is not a date-time.
    """
    value = text.strip().replace("Z", "+00:00")
    if not re.match(r"\d{4}[-/.年]|\d{1,2}/\d{1,2}/\d{4}", value):
        raise ValueError(text)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for layout in _DATETIME_FORMATS:
        try:
            return datetime.strptime(value, layout)
        except ValueError:
            continue
    raise ValueError(text)


def parse_time_cell(cell: object) -> float | datetime:
    """One time cell as an offset in seconds (float) or an absolute date-time.

    Accepts strings, numbers (epoch seconds/milliseconds when that large), and the ``datetime``, ``time`` and
    ``timedelta`` values spreadsheet readers produce.

    Raises:
        ValueError: the cell is empty or not a time.
    """
    if isinstance(cell, datetime):
        return cell
    if isinstance(cell, date):
        return datetime.combine(cell, time())
    if isinstance(cell, time):
        return cell.hour * 3600 + cell.minute * 60 + cell.second + cell.microsecond / 1e6
    if isinstance(cell, timedelta):
        return cell.total_seconds()
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int | float):
        number = float(cell)
    else:
        text = str(cell or "").strip()
        if not text:
            raise ValueError("empty time")
        try:
            number = parse_offset(text)
        except ValueError:
            return parse_datetime(text)
        if ":" in text:
            return number
    if number >= _EPOCH_MS_MIN:
        return datetime.fromtimestamp(number / 1000, UTC)
    if number >= _EPOCH_S_MIN:
        return datetime.fromtimestamp(number, UTC)
    return number


@dataclass(frozen=True, slots=True)
class Alignment:
    """How a time column was mapped onto recording time.

    Attributes:
        times_s: each row's time in seconds from the start of the recording (before any user offset).
        method: one line for people, e.g. "absolute times aligned with --start-time 2026-11-27T20:00:00+08:00".
        start_time: the wall-clock start the absolute times were measured from, if they were absolute.
        warnings: things the reader guessed and the user may want to check.
    """

    times_s: tuple[float, ...]
    method: str
    start_time: datetime | None = None
    warnings: tuple[str, ...] = ()


def _naive_zone_guess(first: datetime, reference: datetime) -> timezone:
    """The whole-hour UTC offset that puts a naive export's first row closest to an aware reference."""
    best = min(range(-12, 15), key=lambda h: abs((first - timedelta(hours=h)).replace(tzinfo=UTC) - reference))
    return timezone(timedelta(hours=best))


def align_times(
    cells: list[float | datetime], start_time: datetime | None = None, start_source: str = "--start-time"
) -> Alignment:
    """Seconds from the recording's start for a column of parsed time cells.

    Offsets are kept as they are. Absolute date-times are measured from ``start_time`` (named
    ``start_source`` in the method text); with no start time they are measured from the first row, with a
    warning. A naive export compared with an aware start time is assumed to be in the start time's zone, or,
    when the start time is UTC (a file's creation time), in the whole-hour zone that fits best.

    Raises:
        ValueError: the column mixes offsets and date-times.
    """
    absolute = [c for c in cells if isinstance(c, datetime)]
    if not absolute:
        return Alignment(tuple(float(c) for c in cells), "offset times (seconds from the start of the stream)")
    if len(absolute) != len(cells):
        raise ValueError("the time column mixes offsets and date-times")
    warnings: list[str] = []
    first = min(absolute)
    if start_time is None:
        warnings.append(
            "times are absolute but the recording's start time is unknown: assumed the export starts with the "
            "recording — pass --start-time to align them exactly"
        )
        return Alignment(
            tuple((c - first).total_seconds() for c in absolute),
            "absolute times measured from the export's first row (no start time known)",
            None,
            tuple(warnings),
        )
    reference = start_time
    zone_note = ""
    if first.tzinfo is None and reference.tzinfo is not None:
        zone = reference.tzinfo
        if reference.utcoffset() == timedelta(0):
            zone = _naive_zone_guess(first, reference)
            if zone.utcoffset(None) != timedelta(0):
                zone_note = f"; the export's times have no zone, assumed {zone}"
                warnings.append(
                    f"metrics times have no time zone; assumed {zone} to match the recording's clock — "
                    "pass --start-time with a zone to be exact"
                )
        absolute = [c.replace(tzinfo=zone) for c in absolute]
    elif first.tzinfo is not None and reference.tzinfo is None:
        reference = reference.replace(tzinfo=first.tzinfo)
    times = tuple((c - reference).total_seconds() for c in absolute)
    return Alignment(
        times, f"absolute times aligned with {start_source} {reference.isoformat()}{zone_note}", reference,
        tuple(warnings),
    )


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?")


def clock_times(
    cells: list[object], start_time: datetime | None, start_source: str = "--start-time"
) -> Alignment | None:
    """The column read as times of day (``20:01`` or ``20:01:30``) on the start time's clock, when that fits.

    Exports often give per-minute rows as a bare time of day. Read as offsets, ``20:01`` would be 20 minutes
    in; read as a time of day, it is one minute after a 20:00 start. The time-of-day reading is chosen only
    when a start time is known, every cell looks like a clock, the offset reading does not start near zero
    (10 min or later) and the time-of-day reading puts the first row within 30 min of the start.
    """
    if start_time is None or not cells:
        return None
    matches = [_CLOCK.fullmatch(str(c).strip()) if isinstance(c, str) else None for c in cells]
    if not all(matches):
        return None
    first_as_offset = parse_offset(str(cells[0]))
    start_of_day = start_time.hour * 3600 + start_time.minute * 60 + start_time.second + start_time.microsecond / 1e6
    times = []
    for match in matches:
        assert match is not None
        hours, minutes, seconds = int(match[1]), int(match[2]), float(match[3] or 0)
        offset = hours * 3600 + minutes * 60 + seconds - start_of_day
        if offset < -6 * 3600:  # past midnight
            offset += 86400
        times.append(offset)
    if first_as_offset < 600 or not -1800 <= times[0] <= 1800:
        return None
    return Alignment(
        tuple(times), f"times of day aligned with {start_source} {start_time.isoformat()}", start_time,
        (f"read the time column as times of day ({cells[0]} = {times[0]:+.0f} s from the start)",),
    )
