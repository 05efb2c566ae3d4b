"""Putting a time column on the recording's time, and refusing what does not line up with the recording.

Offsets are kept. Date-times and times of day are measured from the recording's start time (``--start-time``
or the recording's creation time); a time of day takes its date from that start. Times written without a zone
are read in, by priority: the zone the header names (``Time (UTC)``), ``--timezone``, the zone of a
``--start-time`` the operator gave, Beijing time for a Chinese platform's export, or the one whole-hour zone
that lines the export up with the recording best (with a warning; several equally good stop the job).

Where a column fits two readings (:class:`~mediaops.inputs.timeparse.TimeColumn`), the one that lines up with
the recording is taken and named in a warning; where both or neither do, the reader stops and names the flag
that decides (``--times``, ``--day-first``/``--month-first``).

:func:`check_lines_up` is the rule that cannot pass silently: a series that overlaps the recording by less than
half (of the shorter of the two) stops with both ranges and the flags that fix it.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from mediaops.errors import MetricsFormatError
from mediaops.inputs.timeparse import TimeColumn, TimeReading

__all__ = ["BEIJING", "Placement", "check_lines_up", "clock", "parse_timezone", "place_times"]

BEIJING = timezone(timedelta(hours=8), "UTC+08:00")
#: without a recording to compare with: offsets start within this of the stream's start, times of day within
#: this of the start time.
_OFFSET_START_MAX_S = 600.0
_CLOCK_NEAR_S = 3 * 3600.0
_DATE_NEAR_S = 36 * 3600.0


def parse_timezone(text: str) -> tzinfo:
    """A zone from ``UTC``, ``Z``, ``+08:00``, ``+8``, ``UTC+8``, ``GMT-05:00`` or an IANA name (``Asia/Shanghai``).

    Raises:
        ValueError: none of these.
    """
    value = text.strip()
    upper = value.upper().replace(" ", "")
    if upper in ("UTC", "Z", "GMT"):
        return UTC
    for prefix in ("UTC", "GMT", ""):
        rest = upper[len(prefix):] if upper.startswith(prefix) else None
        if rest and rest[0] in "+-":
            hours, _, minutes = rest[1:].partition(":")
            if len(hours) == 4 and not minutes:
                hours, minutes = hours[:2], hours[2:]
            if hours.isdigit() and (not minutes or minutes.isdigit()) and int(hours) <= 14:
                total = int(hours) * 60 + int(minutes or 0)
                sign = 1 if rest[0] == "+" else -1
                return timezone(timedelta(minutes=sign * total))
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(value)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError for malformed keys
        raise ValueError(f"unknown time zone {text!r} — write e.g. +08:00, UTC or Asia/Shanghai") from exc


def clock(t_s: float) -> str:
    """``HH:MM:SS`` (negative with a sign) for seconds."""
    sign, t = ("-" if t_s < 0 else ""), abs(round(t_s))
    return f"{sign}{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


@dataclass(frozen=True, slots=True)
class Placement:
    """A time column on the recording's time.

    Attributes:
        times_s: each row's seconds from the recording's start (before ``--metrics-offset``).
        reading: the reading that was used.
        method: one line for people ("absolute times aligned with --start-time 2026-11-20T20:00:00+08:00").
        start_time: the wall-clock start the times were measured from (``None`` for offsets).
        warnings: choices the operator may want to check.
        zone: the zone the export's times were read in (for showing wall-clock times as the export writes them).
        basis: ``method`` as data, for reports in other languages: ``times`` (``offset``, ``clock`` or
            ``absolute``), and for clock and absolute times ``start_from`` (``start_time``: --start-time, or
            ``creation_time``: the recording's) and ``zone_from`` (``times``: the times carry their zone;
            ``header``, ``option`` (--timezone), ``start_time``, ``beijing`` (the platforms' clock) or ``assumed``
            (the zone that lines the rows up); empty where neither the times nor the start have a zone).
    """

    times_s: tuple[float, ...]
    reading: TimeReading
    method: str
    start_time: datetime | None = None
    warnings: tuple[str, ...] = ()
    zone: tzinfo | None = None
    basis: dict[str, str] = field(default_factory=dict)


class _NeedsStart(Exception):
    pass


def _step(times: tuple[float, ...]) -> float:
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    return statistics.median(steps) if steps else 0.0


def _span(times: tuple[float, ...], interval_s: float | None) -> tuple[float, float]:
    """First time and the end of the last row's interval."""
    first, last = min(times), max(times)
    return first, last + (interval_s if interval_s is not None else _step(times))


def overlap_s(first: float, end: float, duration_s: float) -> float:
    return max(0.0, min(end, duration_s) - max(first, 0.0))


def lines_up(first: float, end: float, duration_s: float) -> bool:
    """True when ``[first, end)`` overlaps ``[0, duration_s)`` by at least half of the shorter of the two (a single
    instant counts when it lies inside)."""
    if end <= first:
        return 0 <= first <= duration_s
    return overlap_s(first, end, duration_s) >= 0.5 * min(end - first, duration_s) > 0


def _wall(start: datetime | None, t_s: float) -> str:
    if start is None:
        return ""
    moment = start + timedelta(seconds=t_s)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if abs(t_s) >= 86400 else moment.strftime("%H:%M:%S")


def _range(first: float, end: float, start: datetime | None, zone: tzinfo | None = None) -> str:
    shown = f"{clock(first)}–{clock(end)}"
    if start is not None:
        if zone is not None and start.tzinfo is not None:
            start = start.astimezone(zone)
        offset = start.strftime("%z")
        offset = f" {offset[:3]}:{offset[3:]}" if offset else ""
        shown += f" (wall clock {_wall(start, first)}–{_wall(start, end)}{offset})"
    return shown


def check_lines_up(
    name: str, what: str, placement: Placement, times_s: tuple[float, ...], duration_s: float,
    interval_s: float | None = None,
) -> None:
    """Stop when ``times_s`` (rows on recording time, offset included) overlap the recording by less than half.

    Raises:
        MetricsFormatError: one line with both ranges and the flags that fix the alignment.
    """
    first, end = _span(times_s, interval_s)
    if lines_up(first, end, duration_s):
        return
    start = placement.start_time
    if placement.reading.kind == "offset":
        fix = ("check the time column's unit, or shift it with --metrics-offset" if what == "metrics"
               else "shift it with --metrics-offset")
    else:
        fix = "check --start-time and --timezone, or shift it with --metrics-offset"
    raise MetricsFormatError(
        f"{name} does not line up with the recording: its {what} run {_range(first, end, start, placement.zone)} but "
        f"the recording runs {_range(0.0, duration_s, start, placement.zone)} — {fix}"
    )


def _aware(values: tuple[datetime, ...], zone: tzinfo | None) -> list[datetime]:
    return [v if v.tzinfo is not None or zone is None else v.replace(tzinfo=zone) for v in values]


def _clock_datetimes(seconds: tuple[float, ...], start: datetime, zone: tzinfo | None) -> list[datetime]:
    """Times of day as date-times on the start's day (in ``zone``); rows past midnight on the next day."""
    local = start.astimezone(zone) if zone is not None and start.tzinfo is not None else start
    first = seconds[0]
    midnight = datetime(local.year, local.month, local.day, tzinfo=local.tzinfo if zone is None else zone)
    # the day that puts the first row nearest to the start (a stream that began just before midnight)
    day = min((midnight + timedelta(days=d) for d in (-1, 0, 1)),
              key=lambda m: abs((m + timedelta(seconds=first) - local).total_seconds()))
    out = []
    for value in seconds:
        delta = value - first
        if delta < -6 * 3600:  # past midnight
            delta += 86400
        out.append(day + timedelta(seconds=first + delta))
    return out


@dataclass(frozen=True, slots=True)
class _Context:
    name: str
    what: str
    start_time: datetime | None
    start_source: str
    zone_option: tzinfo | None
    zone_option_text: str
    local_zone: tzinfo | None
    duration_s: float | None
    interval_s: float | None


def _plausible(ctx: _Context, placement: Placement) -> bool:
    if ctx.duration_s is not None and ctx.duration_s > 0:
        first, end = _span(placement.times_s, ctx.interval_s)
        # a metrics export must also cover most of the recording (build_metrics refuses less)
        covers = ctx.what != "metrics" or overlap_s(first, end, ctx.duration_s) >= 0.5 * ctx.duration_s
        return lines_up(first, end, ctx.duration_s) and covers
    first = min(placement.times_s)
    if placement.reading.kind == "offset":
        return -_OFFSET_START_MAX_S <= first < _OFFSET_START_MAX_S
    limit = _DATE_NEAR_S if placement.reading.flag in ("--day-first", "--month-first") else _CLOCK_NEAR_S
    return abs(first) <= limit


def _seconds_from(start: datetime, moments: list[datetime]) -> tuple[float, ...]:
    return tuple((m - start).total_seconds() for m in moments)


def _place_wall(ctx: _Context, reading: TimeReading, column: TimeColumn) -> Placement:
    """Date-times or times of day measured from the start time, in the zone chosen by the module's rules."""
    start = ctx.start_time
    if start is None:
        raise _NeedsStart
    word = "times of day" if reading.kind == "clock" else "absolute times"
    naive = reading.kind == "clock" or any(v.tzinfo is None for v in reading.values)  # type: ignore[union-attr]
    warnings: list[str] = []
    basis = {"times": reading.kind, "start_from": "start_time" if ctx.start_source == "--start-time" else
             "creation_time"}

    def moments(zone: tzinfo | None) -> list[datetime]:
        if reading.kind == "clock":
            return _clock_datetimes(reading.values, start, zone)  # type: ignore[arg-type]
        return _aware(reading.values, zone)  # type: ignore[arg-type]

    if not naive:
        reference = start
        if start.tzinfo is None:
            export_zone = ctx.zone_option or reading.values[0].tzinfo  # type: ignore[union-attr]
            reference = start.replace(tzinfo=export_zone)
            if ctx.zone_option is None:
                warnings.append(f"{ctx.start_source} has no time zone; read it in the export's zone ({export_zone}) "
                                "— add a zone to --start-time to be exact")
        return Placement(_seconds_from(reference, moments(None)), reading,
                         f"{word} aligned with {ctx.start_source} {reference.isoformat()}", reference, tuple(warnings),
                         basis={**basis, "zone_from": "times"})
    if start.tzinfo is None and column.zone is None and ctx.zone_option is None:
        return Placement(_seconds_from(start, moments(None)), reading,
                         f"{word} aligned with {ctx.start_source} {start.isoformat()}", start,
                         basis={**basis, "zone_from": ""})
    note = ""
    if column.zone is not None:
        zone: tzinfo | None = column.zone
        note = f"; the header gives the zone {column.zone}"
        basis["zone_from"] = "header"
    elif ctx.zone_option is not None:
        zone = ctx.zone_option
        note = f"; the export's times read in {ctx.zone_option_text} (--timezone)"
        basis["zone_from"] = "option"
    elif ctx.start_source == "--start-time" and start.tzinfo is not None:
        zone = start.tzinfo
        basis["zone_from"] = "start_time"
    elif ctx.local_zone is not None:
        zone = ctx.local_zone
        note = f"; the export's times have no zone, read as Beijing time ({zone})"
        basis["zone_from"] = "beijing"
        warnings.append(f"{ctx.what} times have no time zone; read them as Beijing time ({zone}), the Chinese "
                        "platforms' clock — pass --timezone if they are in another zone")
    else:
        zone, note, warning = _guess_zone(ctx, reading, moments)
        warnings.append(warning)
        basis["zone_from"] = "assumed"
    reference = start if start.tzinfo is not None else start.replace(tzinfo=zone)
    return Placement(_seconds_from(reference, moments(zone)), reading,
                     f"{word} aligned with {ctx.start_source} {reference.isoformat()}{note}", reference,
                     tuple(warnings), zone, basis)


def _guess_zone(ctx: _Context, reading: TimeReading, moments) -> tuple[tzinfo, str, str]:
    """The whole-hour zone that lines the rows up with the recording (or, without one, puts the first row
    nearest the start); stops when several fit equally well."""
    start = ctx.start_time
    assert start is not None
    reference = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
    scored = []
    for hours in range(-12, 15):
        zone = timezone(timedelta(hours=hours))
        times = _seconds_from(reference, moments(zone))
        first, end = _span(times, ctx.interval_s)
        if ctx.duration_s:
            score = overlap_s(first, end, ctx.duration_s) if lines_up(first, end, ctx.duration_s) else -1.0
        else:
            score = -abs(first)
        scored.append((score, zone))
    best = max(s for s, _ in scored)
    winners = [z for s, z in scored if s == best]
    if ctx.duration_s and best >= 0 and len(winners) > 1:
        raise MetricsFormatError(
            f"{ctx.name}: its {ctx.what} times have no time zone and several zones "
            f"({', '.join(str(z) for z in winners[:3])}{', …' if len(winners) > 3 else ''}) line them up with the "
            "recording — pass --timezone (e.g. --timezone +08:00)"
        )
    zone = winners[0] if best >= 0 or not ctx.duration_s else min(scored, key=lambda s: abs(s[0]))[1]
    return (zone, f"; the export's times have no zone, assumed {zone}",
            f"{ctx.what} times have no time zone; assumed {zone} to match the recording's clock — pass --timezone "
            "(or --start-time with a zone) to be exact")


def _needs_start_message(ctx: _Context, column: TimeColumn, reading: TimeReading, offsets_too: bool) -> str:
    kind = "times of day" if reading.kind == "clock" else "dates and times"
    extra = ", or --times offsets if they count from the stream's start" if offsets_too else ""
    return (f"{ctx.name}: the {ctx.what} times are {kind} (first {column.first_cell!r}) but the recording's start "
            f"time is unknown — pass --start-time, e.g. 2026-11-20T20:00:00+08:00{extra}")


def place_times(
    column: TimeColumn,
    name: str,
    what: str = "metrics",
    *,
    start_time: datetime | None = None,
    start_source: str = "--start-time",
    times: str = "auto",
    timezone_text: str = "",
    local_zone: tzinfo | None = None,
    duration_s: float | None = None,
    interval_s: float | None = None,
) -> Placement:
    """The rows of ``column`` in seconds from the recording's start.

    Args:
        column: the time column's readings.
        name, what: the file's name and "metrics" or "comments", for messages.
        start_time, start_source: the recording's wall-clock start and where it came from ("--start-time" or
            "the recording's creation time"; only the latter lets the zone be guessed).
        times: ``"auto"``, ``"offsets"`` or ``"clock"`` (``--times``): which reading of ``20:01`` to take.
        timezone_text: ``--timezone`` for times without a zone ("" when not given).
        local_zone: the platform's clock (Beijing time for Chinese platforms), used before guessing.
        duration_s, interval_s: the recording's length and the rows' interval, to choose between readings.

    Raises:
        MetricsFormatError: a time needs a start time that is unknown; an ambiguous column that the recording
            does not decide (the message names the flag); an unknown ``--timezone``.
    """
    try:
        zone_option = parse_timezone(timezone_text) if timezone_text else None
    except ValueError as exc:
        raise MetricsFormatError(f"--timezone: {exc}") from exc
    ctx = _Context(name, what, start_time, start_source, zone_option, timezone_text, local_zone, duration_s,
                   interval_s)
    readings = list(column.readings)
    if times == "offsets":
        readings = [r for r in readings if r.kind == "offset"]
    elif times == "clock":
        readings = [r for r in readings if r.kind != "offset"]
    if not readings:
        raise MetricsFormatError(
            f"{name}: --times {times} does not fit its time column (first {column.first_cell!r} reads as "
            f"{column.readings[0].label}) — leave --times out"
        )
    placed: list[Placement] = []
    for reading in readings:
        if reading.kind == "offset":
            placed.append(Placement(tuple(float(v) for v in reading.values), reading,  # type: ignore[arg-type]
                                    _offset_method(reading), basis={"times": "offset"}))
            continue
        try:
            placed.append(_place_wall(ctx, reading, column))
        except _NeedsStart:
            continue
    if len(readings) == 1:
        if not placed:
            raise MetricsFormatError(_needs_start_message(ctx, column, readings[0], False))
        return _noted(placed[0], column)
    flags = " or ".join(r.flag for r in readings)
    if readings[0].kind == "offset":
        return _noted(_offsets_or_clock(ctx, column, placed, readings), column)
    # day-first or month-first
    if not placed:
        raise MetricsFormatError(
            f"{name}: dates such as {column.first_cell!r} can be day-first or month-first and the recording's start "
            f"time is unknown — pass {flags}"
        )
    fitting = [p for p in placed if _plausible(ctx, p)]
    if len(fitting) == 1:
        chosen = fitting[0]
        other = next(r for r in readings if r is not chosen.reading)
        return _noted(replace(chosen, warnings=(*chosen.warnings, f"read the dates as {chosen.reading.label}: only "
                      f"that reading lines up with the recording — pass {other.flag} if that is wrong")), column)
    if len(fitting) == 2 and fitting[0].times_s == fitting[1].times_s:
        return _noted(fitting[0], column)
    raise MetricsFormatError(
        f"{name}: dates such as {column.first_cell!r} can be day-first or month-first and "
        f"{'both readings' if fitting else 'neither reading'} line up with the recording — pass {flags}"
    )


def _offset_method(reading: TimeReading) -> str:
    if reading.label.startswith("offsets in "):
        return f"offset times ({reading.label[len('offsets in '):]} from the start of the stream)"
    if reading.label.startswith("MM:SS"):
        return "offset times (MM:SS from the start of the stream)"
    return "offset times (seconds from the start of the stream)"


def _offsets_or_clock(ctx: _Context, column: TimeColumn, placed: list[Placement],
                      readings: list[TimeReading]) -> Placement:
    """``20:01``-style cells: offsets (MM:SS or HH:MM:SS from the stream's start) or times of day."""
    offsets = placed[0]
    first_offset = min(offsets.times_s)
    clock_placed = placed[1] if len(placed) > 1 else None
    if clock_placed is None:  # no start time: only offsets can be placed
        if -_OFFSET_START_MAX_S <= first_offset < _OFFSET_START_MAX_S:
            if first_offset >= 60:
                return replace(offsets, warnings=(
                    f"read the {ctx.what} times as {offsets.reading.label} ({column.first_cell!r} = "
                    f"{clock(first_offset)} after the start) — pass --start-time if they are times of day",))
            return offsets
        raise MetricsFormatError(_needs_start_message(ctx, column, readings[1], True))
    offsets_fit, clock_fits = _plausible(ctx, offsets), _plausible(ctx, clock_placed)
    if offsets_fit and clock_fits:
        if first_offset < 60 and abs(first_offset - min(clock_placed.times_s)) > 1:
            chosen, other = offsets, "--times clock"
        else:
            chosen, other = clock_placed, "--times offsets"
        if chosen.times_s == (offsets if chosen is clock_placed else clock_placed).times_s:
            return chosen
        return replace(chosen, warnings=(*chosen.warnings, f"read the {ctx.what} times as {chosen.reading.label} "
                       f"({column.first_cell!r} = {clock(min(chosen.times_s))} on the recording); both readings fit "
                       f"— pass {other} if that is wrong"))
    if offsets_fit:
        return offsets
    # the times of day line up (or neither reading does: then the start time given is what the line-up check
    # reports against)
    return clock_placed


def _noted(placement: Placement, column: TimeColumn) -> Placement:
    if not column.notes:
        return placement
    return replace(placement, warnings=(*column.notes, *placement.warnings))
