"""Reading the time column of metrics exports and comment logs.

A cell (:func:`parse_time_cell`) is an offset from the start of the stream (``00:01:05``, ``65``), a time of day
(``08:00 PM``, an Excel time cell), a date-time (ISO 8601, ``2026年11月20日 20:00``, Unix epoch seconds or
milliseconds, an Excel date cell), or a date whose day/month order is open (``05/11/2026``). Time ranges
(``20:00-20:01``) stand for their start; Excel text guards (``="2026-11-20 20:00:00"``) are unwrapped.

A column (:func:`read_time_column`) is read in one way for all its rows. Where the cells fit more than one
reading — ``20:01`` is a time of day or 20 min 1 s; ``05/11/2026`` is 5 November or May 11 — the column keeps
every candidate and :mod:`mediaops.inputs.placement` picks the one that fits the recording, or stops and names
the flag that decides. Numbers are read by the column: Unix epochs, Excel serial date numbers (``46346.8333``),
Excel time-of-day fractions (``0.8333``), or seconds (minutes under a ``分钟`` header).
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

__all__ = ["TimeCell", "TimeColumn", "TimeReading", "parse_offset", "parse_time_cell", "read_time_column"]

_OFFSET = re.compile(r"-?\d+(\.\d+)?")
_CLOCK_PART = re.compile(r"\d+(\.\d+)?")
#: numbers this large are Unix epoch times, not offsets (2001-09-09 in seconds; 1e12 and up are milliseconds).
_EPOCH_S_MIN = 1e9
_EPOCH_MS_MIN = 1e12
#: Excel serial day numbers between 1970 and 2100.
_EXCEL_SERIAL = (25569.0, 73051.0)
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_GUARD = re.compile(r'^=\s*"(.*)"$', re.S)
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?"
_ZONE_SUFFIX = r"\s*(Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?"
_YEAR_FIRST = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT,]*" + _TIME + r")?" + _ZONE_SUFFIX, re.I)
_YEAR_LAST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?:[\sT,]*" + _TIME + r")?" + _ZONE_SUFFIX, re.I)
_COLON = re.compile(_TIME)
_AMPM = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?\s*[Mm]\.?")
_CN_HALF_DAY = re.compile(r"^(上午|凌晨|早上|中午|下午|晚上)\s*")
#: a range such as 20:00-20:01, 20:00~20:01 or 2026-11-20 20:00:00 至 2026-11-20 20:01:00: its start.
_RANGE = re.compile(r"^(.+?\d:\d{2}(?::\d{2})?)\s*(?:-|~|～|—|–|至|to)\s*\S.*$")


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


@dataclass(frozen=True, slots=True)
class TimeCell:
    """One time cell, read without looking at its column.

    Attributes:
        kind: ``"number"`` (a bare number: seconds, epoch or Excel serial, decided by the column), ``"offset"``
            (a duration cell), ``"colon"`` (``20:01``/``20:01:30``: an offset or a time of day), ``"clock"`` (a time
            of day only: ``08:00 PM``, an Excel time cell), ``"datetime"``, or ``"date"`` (``05/11/2026``: day and
            month order open).
        value: the number; the offset reading in seconds (``colon``: ``MM:SS`` or ``HH:MM:SS``); seconds of the
            day (``clock``); the date-time (``datetime``).
        clock_s: ``colon`` cells: seconds of the day when the cell is a valid time of day.
        parts: ``date`` cells: (first number, second number, year, seconds of the day, zone).
        ranged: the cell was a range; its start was taken.
        short: a ``colon`` cell of two parts (``20:01``: MM:SS as an offset, HH:MM as a time of day).
    """

    kind: str
    value: float | datetime
    clock_s: float | None = None
    parts: tuple[int, int, int, float, tzinfo | None] | None = None
    ranged: bool = False
    short: bool = False


def _zone(text: str | None) -> tzinfo | None:
    if not text:
        return None
    text = text.strip().upper()
    if text == "Z":
        return UTC
    match = re.fullmatch(r"(?:UTC|GMT)?\s*(?:([+-])(\d{1,2}):?(\d{2})?)?", text)
    if not match:
        return None
    if not match[1]:
        return UTC
    minutes = int(match[2]) * 60 + int(match[3] or 0)
    return timezone(timedelta(minutes=minutes if match[1] == "+" else -minutes))


def _seconds(hours: str | None, minutes: str | None, seconds: str | None) -> float:
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def _to_24h(text: str) -> tuple[str, bool]:
    """``text`` with a 12-hour time (``08:00 PM``, ``下午8:00``) written as 24-hour, and whether it had one."""
    half = _CN_HALF_DAY.match(text)
    if half:
        rest = text[half.end():]
        match = _COLON.match(rest)
        if match:
            hour = int(match[1])
            if half[1] in ("下午", "晚上"):
                hour = hour % 12 + 12
            elif half[1] == "中午":
                hour = hour if hour >= 11 else hour + 12
            else:
                hour %= 12
            return f"{hour:02d}:{match[2]}{':' + match[3] if match[3] else ''}{rest[match.end():]}", True
    match = _AMPM.search(text)
    if not match:
        return text, False
    hour = int(match[1]) % 12 + (12 if match[4].lower() == "p" else 0)
    clock = f"{hour:02d}:{match[2]}" + (f":{match[3]}" if match[3] else "")
    return text[: match.start()] + clock + text[match.end():], True


def _is_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _clean(text: str) -> tuple[str, bool]:
    text = text.strip().replace("：", ":").replace("\u00a0", " ")
    guard = _EXCEL_GUARD.match(text)
    if guard:
        text = guard[1].strip()
    text = text.lstrip("'").strip()
    ranged = _RANGE.match(text)
    if ranged and not _is_iso(text):  # 2026-11-20T20:00:00-05:00 is a zone, not a range
        return ranged[1].strip(), True
    return text, False


def parse_time_cell(cell: object) -> TimeCell:
    """One time cell read on its own (see :class:`TimeCell`). Accepts strings, numbers, and the ``datetime``,
    ``time`` and ``timedelta`` values spreadsheet readers produce.

    Raises:
        ValueError: the cell is empty or not a time.
    """
    if isinstance(cell, datetime):
        return TimeCell("datetime", cell)
    if isinstance(cell, date):
        return TimeCell("datetime", datetime.combine(cell, time()))
    if isinstance(cell, time):
        return TimeCell("clock", cell.hour * 3600 + cell.minute * 60 + cell.second + cell.microsecond / 1e6)
    if isinstance(cell, timedelta):
        return TimeCell("offset", cell.total_seconds())
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int | float):
        return TimeCell("number", float(cell))
    text, ranged = _clean(str(cell or ""))
    if not text:
        raise ValueError("empty time")
    text, twelve_hour = _to_24h(text)
    if _OFFSET.fullmatch(text):
        return TimeCell("number", float(text), ranged=ranged)
    colon = _COLON.fullmatch(text)
    if colon:
        a, b, c = int(colon[1]), int(colon[2]), colon[3]
        offset = _seconds(colon[1], colon[2], c) if c is not None else a * 60 + b
        valid_clock = a <= 23 and b <= 59 and (c is None or float(c) < 60)
        clock = _seconds(colon[1], colon[2], c) if valid_clock else None
        if twelve_hour:
            return TimeCell("clock", _seconds(colon[1], colon[2], c), ranged=ranged)
        return TimeCell("colon", offset, clock, ranged=ranged, short=c is None)
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        seconds = _seconds(match[4], match[5], match[6])
        day = datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=_zone(match[7]))
        return TimeCell("datetime", day + timedelta(seconds=seconds), ranged=ranged)
    match = _YEAR_LAST.fullmatch(text)
    if match:
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        seconds = _seconds(match[5], match[6], match[7])
        if not (1 <= first <= 31 and 1 <= second <= 31) or (first > 12 and second > 12):
            raise ValueError(text)
        return TimeCell("date", 0.0, parts=(first, second, year, seconds, _zone(match[8])), ranged=ranged)
    try:
        return TimeCell("datetime", datetime.fromisoformat(text.replace("Z", "+00:00")), ranged=ranged)
    except ValueError:
        raise ValueError(text) from None


@dataclass(frozen=True, slots=True)
class TimeReading:
    """One way to read a whole time column.

    Attributes:
        kind: ``"offset"`` (seconds from the start of the stream), ``"absolute"`` (date-times) or ``"clock"``
            (seconds of the day; the date comes from the recording's start).
        values: per row: seconds (offset, clock) or date-times (absolute).
        label: how the cells were read, for people ("HH:MM:SS offsets", "day-first dates (05/11/2026 = 5 Nov)").
        flag: the option that selects this reading where the column is ambiguous ("--times offsets", "--day-first").
    """

    kind: str
    values: tuple[float | datetime, ...]
    label: str
    flag: str = ""


@dataclass(frozen=True, slots=True)
class TimeColumn:
    """A time column read: one reading, or the candidates of an ambiguous column (the preferred one first).

    Attributes:
        readings: the candidate readings.
        zone: the zone the header names (``Time (UTC)``), for times written without one.
        notes: what the reader did that people may want to know ("time ranges: used the start of each").
        first_cell: the first row's cell as written, for messages.
    """

    readings: tuple[TimeReading, ...]
    zone: tzinfo | None = None
    notes: tuple[str, ...] = ()
    first_cell: str = ""


def _median_step(values: list[float]) -> float:
    steps = sorted(b - a for a, b in itertools.pairwise(values) if b != a)
    return abs(statistics.median(steps)) if steps else 0.0


def _numbers(values: list[float], unit_s: float, unit: str) -> tuple[TimeReading, str]:
    """A column of bare numbers: epoch, Excel serial dates, Excel day fractions, or offsets in the header's unit."""
    low, high = min(values), max(values)
    if unit:
        return TimeReading("offset", tuple(v * unit_s for v in values), f"offsets in {unit}"), ""
    if low >= _EPOCH_MS_MIN:
        return TimeReading("absolute", tuple(datetime.fromtimestamp(v / 1000, UTC) for v in values),
                           "Unix epoch milliseconds (UTC)"), ""
    if low >= _EPOCH_S_MIN:
        return TimeReading("absolute", tuple(datetime.fromtimestamp(v, UTC) for v in values),
                           "Unix epoch seconds (UTC)"), ""
    fractional = any(not float(v).is_integer() for v in values)
    step = _median_step(values)
    if _EXCEL_SERIAL[0] <= low and high < _EXCEL_SERIAL[1] and fractional and (len(values) == 1 or step < 1):
        dates = tuple(_EXCEL_EPOCH + timedelta(days=v) for v in values)
        rounded = tuple(d.replace(microsecond=0) + timedelta(seconds=round(d.microsecond / 1e6)) for d in dates)
        return (TimeReading("absolute", rounded, "Excel serial date numbers"),
                f"read the time column as Excel date numbers ({values[0]:g} = {rounded[0]:%Y-%m-%d %H:%M:%S})")
    if low >= 0 and high < 1 and len(values) >= 2 and step * 86400 >= 0.5:
        clocks = tuple(round(v * 86400, 3) for v in values)
        first = int(clocks[0])
        return (TimeReading("clock", clocks, "Excel time-of-day numbers"),
                f"read the time column as Excel times of day ({values[0]:g} = "
                f"{first // 3600:02d}:{first // 60 % 60:02d}:{first % 60:02d})")
    return TimeReading("offset", tuple(values), "seconds from the start of the stream"), ""


def _dates(cells: list[TimeCell], date_order: str) -> list[TimeReading]:
    """Readings of ``date`` cells (year last): decided by a cell whose day is above 12, by ``date_order``, or
    left open as two candidates."""
    day_first_seen = next((c for c in cells if c.kind == "date" and c.parts and c.parts[0] > 12), None)
    month_first_seen = next((c for c in cells if c.kind == "date" and c.parts and c.parts[1] > 12), None)
    if day_first_seen and month_first_seen:
        raise ValueError("the dates mix day-first and month-first orders (e.g. "
                         f"{_shown(day_first_seen)} and {_shown(month_first_seen)}) — export one date format")

    def build(day_first: bool) -> tuple[datetime, ...]:
        out = []
        for cell in cells:
            if cell.kind == "datetime":
                assert isinstance(cell.value, datetime)
                out.append(cell.value)
                continue
            assert cell.parts is not None
            first, second, year, seconds, zone = cell.parts
            day, month = (first, second) if day_first else (second, first)
            try:
                out.append(datetime(year, month, day, tzinfo=zone) + timedelta(seconds=seconds))
            except ValueError as exc:
                order = "day-first" if day_first else "month-first"
                raise ValueError(f"{_shown(cell)} is not a {order} date") from exc
        return tuple(out)

    example = next(c for c in cells if c.kind == "date")
    assert example.parts is not None
    a, b = example.parts[:2]

    def reading(day_first: bool) -> TimeReading:
        day, month = (a, b) if day_first else (b, a)
        order = "day-first" if day_first else "month-first"
        shown = f"{day} {_MONTHS[month - 1]}" if day_first else f"{_MONTHS[month - 1]} {day}"
        return TimeReading("absolute", build(day_first), f"{order} dates ({_shown(example)} = {shown})", f"--{order}")

    if date_order == "day-first" or (date_order == "auto" and day_first_seen):
        return [reading(True)]
    if date_order == "month-first" or (date_order == "auto" and month_first_seen):
        return [reading(False)]
    return [reading(True), reading(False)]


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _shown(cell: TimeCell) -> str:
    if cell.parts is None:
        return str(cell.value)
    first, second, year = cell.parts[:3]
    return f"{first:02d}/{second:02d}/{year}"


def read_time_column(
    cells: list[TimeCell], unit_s: float = 1.0, unit: str = "", zone: tzinfo | None = None,
    date_order: str = "auto", first_cell: str = "",
) -> TimeColumn:
    """The readings of a time column (cells from :func:`parse_time_cell`).

    ``unit_s``/``unit``: the unit of bare numbers from the header (``分钟`` → 60 s). ``zone``: the header's zone.
    ``date_order``: ``"auto"``, ``"day-first"`` or ``"month-first"`` for dates such as ``05/11/2026``.

    Raises:
        ValueError: the column mixes offsets with date-times, or day-first with month-first dates.
    """
    kinds = {c.kind for c in cells}
    notes: list[str] = []
    if any(c.ranged for c in cells):
        notes.append("the time column holds ranges (20:00-20:01); used the start of each")
    readings: list[TimeReading]
    if kinds <= {"number"}:
        reading, note = _numbers([float(c.value) for c in cells], unit_s, unit)  # type: ignore[arg-type]
        readings = [reading]
        notes += [note] if note else []
    elif kinds <= {"offset", "number"}:
        readings = [TimeReading("offset", tuple(float(c.value) for c in cells),  # type: ignore[arg-type]
                                "durations from the start of the stream")]
    elif kinds <= {"colon", "clock"}:
        clocks = [c.clock_s if c.kind == "colon" else c.value for c in cells]
        clock_ok = all(v is not None for v in clocks)
        clock = TimeReading("clock", tuple(float(v) for v in clocks if v is not None), "times of day",  # type: ignore[arg-type]
                            "--times clock")
        if "clock" in kinds:
            if not clock_ok:
                raise ValueError("the time column mixes times of day with offsets past 24 hours")
            readings = [clock]
        else:
            two_part = any(c.short for c in cells)
            offsets = TimeReading("offset", tuple(float(c.value) for c in cells),  # type: ignore[arg-type]
                                  "MM:SS offsets" if two_part else "HH:MM:SS offsets", "--times offsets")
            readings = [offsets, clock] if clock_ok else [offsets]
    elif kinds <= {"datetime", "date"}:
        if "date" in kinds:
            readings = _dates(cells, date_order)
        else:
            readings = [TimeReading("absolute", tuple(c.value for c in cells), "date-times")]
    else:
        raise ValueError("the time column mixes offsets and date-times")
    return TimeColumn(tuple(readings), zone, tuple(notes), first_cell)
