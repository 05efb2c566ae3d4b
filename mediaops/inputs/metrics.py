"""Reading engagement metrics exports into per-interval series aligned to recording time.

An export (CSV, XLSX or JSON; :mod:`mediaops.inputs.metrics_formats`) has one row per interval (1 s to 5 min)
with a time column and metric columns whose headers are the platforms' own names in English and Chinese
(:data:`~mediaops.inputs.headers.HEADER_ALIASES`, with units such as 万元 or US$) or renamed by a user mapping.
Reading goes in three steps, each usable on its own (``mediaops inspect`` shows all three):

1. :func:`read_export` finds the sheet and the header (below preambles, over two rows), the columns and their
   units, and the data rows (skipping notes and total rows under the table);
2. the time column is read and placed on the recording's time (:mod:`mediaops.inputs.timeparse`,
   :mod:`mediaops.inputs.placement`);
3. :func:`build_metrics` puts the rows on an even grid, turns running totals into per-interval amounts, checks
   that the export lines up with the recording and trims it to the recording's span.

Where a file can be read two ways the reader takes the one the file itself decides, says so in a warning, or
stops with one line that names the flag that decides (``--times``, ``--day-first``, ``--counts``,
``--timezone``, ``--start-time``). It never publishes numbers from an export that does not line up.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mediaops.errors import MetricsFormatError
from mediaops.inputs.headers import (
    COMMENT_FIELDS,
    HEADER_ALIASES,
    LEVEL_METRICS,
    MONEY_METRICS,
    ColumnSpec,
    HeaderMatch,
    find_header,
    header_key,
)
from mediaops.inputs.metrics_formats import Grid, decode_text, read_grids
from mediaops.inputs.numbers import decimal_style, parse_number
from mediaops.inputs.placement import BEIJING, Placement, check_lines_up, clock, overlap_s, place_times
from mediaops.inputs.timeparse import TimeCell, TimeColumn, parse_offset, parse_time_cell, read_time_column
from mediaops.media.probe import check_input_file
from mediaops.types import Metrics, MetricSeries

__all__ = [
    "COUNT_READINGS", "DATE_ORDERS", "HEADER_ALIASES", "LEVEL_METRICS", "TIME_READINGS", "ExportTable",
    "MetricsOptions", "MetricsReading", "build_metrics", "load_mapping", "load_metrics", "parse_offset",
    "read_export", "read_metrics",
]

#: a mapping target that drops a column on purpose.
IGNORE = "ignore"
#: ``--day-first``/``--month-first``: the order of dates such as 05/11/2026.
DATE_ORDERS = ("auto", "day-first", "month-first")
#: ``--times``: how to read ``20:01``-style cells (auto: the reading that lines up with the recording).
TIME_READINGS = ("auto", "offsets", "clock")
#: ``--counts``: whether count columns are per-interval amounts or running totals.
COUNT_READINGS = ("auto", "per-interval", "running-total")
#: time cells of rows that are not data: totals, notes and sources under the table.
_FOOTER_WORDS = ("合计", "总计", "汇总", "total", "sum", "average", "平均", "注", "备注", "说明", "数据来源", "来源",
                 "note", "source", "*", "※")
#: no livestream runs this long; a longer span means a wrong date in the time column (and a huge grid).
_MAX_SPAN_H = 48
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EMPTY_FIX = {"metrics": "export the metrics with one row per interval",
              "comments": "export the comments with one row per comment"}


@dataclass(frozen=True, slots=True)
class MetricsOptions:
    """How to read a metrics export (and the times of a comment log).

    Attributes:
        offset_s: added to every time in the export (and the comment log), for exports whose clock is off.
        mapping: (header, name) pairs from a user mapping file; they win over the built-in aliases. Names are
            metrics, ``"time"``, the comment fields ``"user"``/``"text"``, or ``"ignore"`` to drop a column.
        timezone: the zone of times written without one (``"+08:00"``, ``"UTC"``, ``"Asia/Shanghai"``); empty:
            decided as :mod:`mediaops.inputs.placement` describes.
        date_order: ``"auto"``, ``"day-first"`` or ``"month-first"`` for dates such as ``05/11/2026``.
        times: ``"auto"``, ``"offsets"`` or ``"clock"``: whether ``20:01``-style cells count from the stream's
            start or are times of day.
        counts: ``"auto"``, ``"per-interval"`` or ``"running-total"`` for count columns whose header does not say.
    """

    offset_s: float = 0.0
    mapping: tuple[tuple[str, str], ...] = ()
    timezone: str = ""
    date_order: str = "auto"
    times: str = "auto"
    counts: str = "auto"


def _check_options(options: MetricsOptions) -> None:
    checks = ((options.date_order, DATE_ORDERS, "date order"), (options.times, TIME_READINGS, "--times"),
              (options.counts, COUNT_READINGS, "--counts"))
    for value, allowed, flag in checks:
        if value not in allowed:
            raise MetricsFormatError(f"{flag} {value!r} is not one of: {', '.join(allowed)}")


def load_mapping(path: Path) -> tuple[tuple[str, str], ...]:
    """A column mapping from JSON (``{"header": "metric"}``) or CSV/text lines (``header,metric``).

    Names are the keys of :data:`HEADER_ALIASES`, the comment-log fields ``user`` and ``text``, or ``"ignore"``.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: unreadable file or an unknown name.
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
    known = {*HEADER_ALIASES, *COMMENT_FIELDS, IGNORE}
    for header, name in pairs:
        if name.strip().lower() not in known:
            raise MetricsFormatError(
                f"{path.name}: {header!r} maps to unknown metric {name!r} — use one of: {', '.join(sorted(known))}"
            )
    return tuple((h.strip(), n.strip().lower()) for h, n in pairs)


def mapping_keys(options: MetricsOptions) -> dict[str, str]:
    """The user mapping keyed like headers are compared."""
    return {header_key(h): n for h, n in options.mapping}


# --- step 1: the table --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportTable:
    """What step 1 found in a file: the sheet, header, columns and data rows (before any time is placed).

    Attributes:
        name: the file's name, for messages.
        source: the format as people read it ("CSV (UTF-8, ','-separated)", "XLSX sheet '分钟数据'").
        header_line: the line (CSV) or row (XLSX) of the header's last row.
        time: the time column.
        columns: the columns used (metrics, or the comment fields), one per name.
        rows: the data rows that have a time, in file order; ``lines`` their lines in the file.
        time_cells: each row's time cell, read on its own.
        decimal_comma: the file separates fields with ``;`` (a decimal comma country).
        warnings: what the reader skipped or chose.
    """

    name: str
    source: str
    header_line: int
    time: ColumnSpec
    columns: tuple[ColumnSpec, ...]
    rows: tuple[tuple[object, ...], ...]
    lines: tuple[int, ...]
    time_cells: tuple[TimeCell, ...]
    decimal_comma: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def first_time_text(self) -> str:
        return _text(self.rows[0][self.time.index]) if self.rows else ""

    @property
    def chinese(self) -> bool:
        """The headers are Chinese (a Chinese platform's export, whose clock is Beijing time)."""
        return any(_CJK.search(c.header) for c in (self.time, *self.columns))


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _usable(match: HeaderMatch | None, fields: str) -> bool:
    if match is None:
        return False
    names = {c.name for c in match.columns}
    if fields == "comments":
        return {"time", "text"} <= names
    return "time" in names and bool(names & set(HEADER_ALIASES) - {"time"})


def _pick_grid(grids: list[Grid], mapping: dict[str, str], fields: str) -> tuple[Grid, HeaderMatch, list[str]]:
    found = [(g, find_header(g.rows, mapping, fields)) for g in grids]
    usable = [(g, m) for g, m in found if m is not None and _usable(m, fields)]
    if not usable:
        grid, match = next(((g, m) for g, m in found if m is not None), found[0])
        raise _NoColumns(grid, match)
    grid, match = max(usable, key=lambda gm: len(gm[0].rows) - gm[1].row)
    notes = []
    if len(grids) > 1:
        others = [g.sheet for g in grids if g is not grid]
        notes.append(f"read sheet {grid.sheet!r} (the one with a time column and the most rows); skipped "
                     f"{', '.join(repr(s) for s in others)}")
    return grid, match, notes


class _NoColumns(Exception):
    def __init__(self, grid: Grid, match: HeaderMatch | None) -> None:
        super().__init__()
        self.grid, self.match = grid, match


def _no_columns_message(name: str, error: _NoColumns, fields: str) -> str:
    grid, match = error.grid, error.match
    if fields == "comments":
        found = ", ".join(_text(c) for c in (grid.rows[0] if grid.rows else ()) if _text(c)) or "none"
        return (f"{name}: a comment needs a time and a text field (found: {found}) — use columns time,user,text "
                "or name them with a --mapping file")
    if match is not None:
        lacking = "a known metric column"
        found = ", ".join([c.header for c in match.columns] + list(match.unknown)) or "none"
    else:
        lacking = "a time column"
        best = max(grid.rows[:30], key=lambda r: sum(1 for c in r if _text(c)), default=())
        found = ", ".join(_text(c) for c in best if _text(c)) or "none"
        if len(found) > 200:
            found = found[:200] + "…"
    known = ", ".join(n for n in HEADER_ALIASES if n != "time")
    return (f"{name} has no usable columns (lacks {lacking}; found: {found}) — it needs a time column and at least "
            f"one of: {known}; rename columns with a --mapping file")


def _choose_columns(match: HeaderMatch, name: str, report_unknown: bool = True
                    ) -> tuple[ColumnSpec, list[ColumnSpec], list[str]]:
    """One column per name: the best-ranked (a mapped column first, then the file's order); the others are named
    in warnings (and, with ``report_unknown``, the columns nothing recognised: a comment log's extra fields are
    not worth a warning)."""
    warnings = [f"ignored unknown column {h!r} (rename it with a --mapping file to use it)" for h in match.unknown
                if report_unknown]
    by_name: dict[str, list[ColumnSpec]] = {}
    for spec in match.columns:
        if spec.name != IGNORE:
            by_name.setdefault(spec.name, []).append(spec)
    chosen: dict[str, ColumnSpec] = {}
    for metric, specs in by_name.items():
        ordered = sorted(specs, key=lambda s: (not s.from_mapping, s.rank))
        chosen[metric] = ordered[0]
        for other in ordered[1:]:
            if metric in ("time", "user", "text"):
                warnings.append(f"ignored column {other.header!r}: {ordered[0].header!r} gives the {metric}")
                continue
            why = "the platform's own name for it" if other.rank > ordered[0].rank else "the first of them"
            warnings.append(f"ignored column {other.header!r}: {ordered[0].header!r} gives {metric} ({why}; "
                            "choose another with a --mapping file)")
    time = chosen.pop("time")
    return time, sorted(chosen.values(), key=lambda s: s.index), warnings


def _footer(text: str) -> bool:
    lowered = text.lower()
    return lowered.startswith(_FOOTER_WORDS)


def read_export(path: Path, options: MetricsOptions = MetricsOptions(), fields: str = "metrics") -> ExportTable:
    """Step 1: the sheet, header, columns and data rows of a metrics export (``fields="metrics"``) or comment log
    (``fields="comments"``).

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: unreadable file, no header with a time column and a metric (or text) column, no data
            rows, or a time cell that cannot be read in the middle of the table.
    """
    _check_options(options)
    what = "metrics file" if fields == "metrics" else "comments file"
    check_input_file(path, what)
    name = path.name
    grids = read_grids(path)
    if fields == "metrics" and grids[0].source.startswith("Bilibili danmaku"):
        raise MetricsFormatError(f"{name} is a Bilibili danmaku file (a comment log), not a metrics export — pass it "
                                 "with --comments")
    if not any(g.rows for g in grids):
        raise MetricsFormatError(f"{name} has no data rows — {_EMPTY_FIX[fields]}")
    try:
        grid, match, notes = _pick_grid(grids, mapping_keys(options), fields)
    except _NoColumns as exc:
        raise MetricsFormatError(_no_columns_message(name, exc, fields)) from None
    time, columns, warnings = _choose_columns(match, name, report_unknown=fields == "metrics")
    warnings = [*grid.notes, *notes, *warnings]
    if match.row > match.height - 1:
        warnings.append(f"skipped {match.row - match.height + 1} title row(s) above the header")
    if match.height == 2:
        warnings.append("read a two-row header (group names over column names)")

    kept, lines, cells = [], [], []
    failed: list[tuple[int, object]] = []
    skipped: list[int] = []
    time_keys = {header_key(a) for a, _ in HEADER_ALIASES["time"]}
    for row, line in zip(grid.rows[match.row + 1:], grid.lines[match.row + 1:], strict=True):
        raw = row[time.index] if time.index < len(row) else ""
        text = _text(raw)
        if not text or header_key(text) in time_keys:  # a blank time, or the header repeated on a new page
            skipped.append(line)
            continue
        try:
            cell = parse_time_cell(raw)
        except ValueError:
            if _footer(text):
                skipped.append(line)
            else:
                failed.append((line, raw))
            continue
        if failed:  # a row that cannot be read, followed by readable ones: not a note under the table
            line_no, bad = failed[0]
            raise MetricsFormatError(
                f"{name} line {line_no}: cannot read time {bad!r} — use HH:MM:SS, seconds or a date-time"
            )
        kept.append(row)
        lines.append(line)
        cells.append(cell)
    skipped += [line for line, _ in failed]  # notes under the table
    if skipped:
        warnings.append(f"skipped {len(skipped)} row(s) without a time (line {skipped[0]}{', …' * (len(skipped) > 1)})")
    if not kept:
        if failed:
            line_no, bad = failed[0]
            raise MetricsFormatError(
                f"{name} line {line_no}: cannot read time {bad!r} — use HH:MM:SS, seconds or a date-time"
            )
        raise MetricsFormatError(f"{name} has no data rows — {_EMPTY_FIX[fields]}")
    header_line = grid.lines[match.row] if match.row < len(grid.lines) else 1
    return ExportTable(name, grid.source, header_line, time, tuple(columns), tuple(kept), tuple(lines),
                       tuple(cells), grid.decimal_comma, tuple(warnings))


def time_column(table: ExportTable, options: MetricsOptions) -> TimeColumn:
    """The readings of the table's time column.

    Raises:
        MetricsFormatError: the column mixes kinds of time (offsets and dates, day-first and month-first dates).
    """
    spec = table.time
    try:
        return read_time_column(list(table.time_cells), spec.scale, spec.unit if spec.zone is None else "", spec.zone,
                                options.date_order, table.first_time_text)
    except ValueError as exc:
        raise MetricsFormatError(f"{table.name}: {exc} — give every row the same kind of time") from exc


def place(table: ExportTable, options: MetricsOptions, start_time: datetime | None, start_source: str,
          duration_s: float | None, what: str = "metrics") -> Placement:
    """Step 2: the table's rows on the recording's time (before ``options.offset_s``)."""
    return place_times(
        time_column(table, options), table.name, what, start_time=start_time, start_source=start_source,
        times=options.times, timezone_text=options.timezone, local_zone=BEIJING if table.chinese else None,
        duration_s=duration_s,
    )


# --- step 3: series ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnValues:
    """A metric column's numbers as read (unit applied), with the currency its cells or header gave."""

    spec: ColumnSpec
    values: tuple[float, ...]
    currency: str = ""
    bad_cells: int = 0
    decimal_comma: bool = False


def column_values(table: ExportTable) -> tuple[list[ColumnValues], list[str]]:
    """Each metric column's numbers, in row order.

    Raises:
        MetricsFormatError: a column mixes number styles or currencies.
    """
    out, warnings = [], []
    for spec in table.columns:
        cells = [row[spec.index] if spec.index < len(row) else "" for row in table.rows]
        try:
            comma = decimal_style(cells, table.decimal_comma)
        except ValueError as exc:
            raise MetricsFormatError(f"{table.name}: column {spec.header!r} {exc} — export one number format") from exc
        values, currencies, bad = [], set(), 0
        for cell in cells:
            try:
                number = parse_number(cell, comma)
            except ValueError:
                values.append(math.nan)
                bad += 1
                continue
            values.append(number.value * spec.scale)
            if number.currency:
                currencies.add(number.currency)
        if spec.currency:
            currencies.add(spec.currency)
        if len(currencies) > 1:
            raise MetricsFormatError(
                f"{table.name}: column {spec.header!r} mixes currencies ({', '.join(sorted(currencies))}) — export "
                "one currency"
            )
        currency = next(iter(currencies), "")
        if comma and any(isinstance(c, str) and "," in c for c in cells):
            warnings.append(f"column {spec.header!r} writes decimal commas; read 4325,00 as 4325.00")
        out.append(ColumnValues(spec, tuple(values), currency, bad, comma))
    return out, warnings


def _never_falls_and_grows(values: list[float]) -> bool:
    """True for running totals: never falling and growing overall. One reset to near zero is allowed when the
    total rose at least twice before it and goes on after it (a counter restarted mid-stream)."""
    finite = [v for v in values if not math.isnan(v)]
    if len(finite) < 3 or max(finite) <= finite[0]:
        return False
    falls = [k for k, (a, b) in enumerate(itertools.pairwise(finite)) if b < a]
    if len(falls) > 1:
        return False
    if falls:
        k = falls[0]
        rises_before = sum(1 for a, b in itertools.pairwise(finite[: k + 1]) if b > a)
        if finite[k + 1] > 0.2 * finite[k] or rises_before < 2 or k + 2 >= len(finite):
            return False
    return max(finite) > 2 * max(1.0, min(v for v in finite if v >= 0))


def _falls(values: list[float]) -> bool:
    finite = [v for v in values if not math.isnan(v)]
    return any(b < a for a, b in itertools.pairwise(finite))


def _starts_low(values: list[float]) -> bool:
    """A running total that starts with the stream begins at about one interval's amount."""
    finite = [v for v in values if not math.isnan(v)]
    increments = [b - a for a, b in itertools.pairwise(finite) if b > a]
    return bool(increments) and finite[0] <= max(1.0, 2 * statistics.median(increments))


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


def running_totals(name: str, columns: dict[str, tuple[ColumnSpec, list[float]]], counts: str
                   ) -> tuple[set[str], list[str]]:
    """Which count columns are running totals, and why.

    A ``累计``/cumulative header decides; so does ``counts`` (``--counts``). Otherwise a column that never
    falls is a running total when it starts at about one interval's amount and no other count column falls
    (an export with falling per-interval counts has no running totals without saying so).

    Raises:
        MetricsFormatError: a column that never falls and starts high: a running total or a rising per-interval
            count, which ``--counts`` decides.
    """
    counted = {m: (s, v) for m, (s, v) in columns.items() if m not in LEVEL_METRICS}
    if counts == "per-interval":
        return set(), []
    if counts == "running-total":
        return set(counted), ["read every count column as a running total (--counts running-total)"]
    totals, warnings = set(), []
    falling = [s.header for m, (s, v) in counted.items() if not s.running_total and _falls(v)
               and not _never_falls_and_grows(v)]
    for metric, (spec, values) in counted.items():
        if spec.running_total:
            totals.add(metric)
            warnings.append(f"column {spec.header!r} is a running total (its header says so); using the change per "
                            "interval")
            continue
        if not _never_falls_and_grows(values):
            continue
        if falling:
            warnings.append(f"column {spec.header!r} never falls, but {falling[0]!r} does, as per-interval counts do: "
                            "read it as per-interval counts too — pass --counts running-total if it is a running total")
        elif _starts_low(values):
            totals.add(metric)
            warnings.append(f"column {spec.header!r} is a running total (it never falls); using the change per "
                            "interval — pass --counts per-interval if each row is that interval's own count")
        else:
            first = next(v for v in values if not math.isnan(v))
            raise MetricsFormatError(
                f"{name}: column {spec.header!r} never falls but starts at {first:g} — a running total or a "
                "per-interval count that keeps rising? Pass --counts running-total or --counts per-interval"
            )
    return totals, warnings


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


@dataclass(frozen=True, slots=True)
class MetricsReading:
    """Everything reading an export found out: the table, its placement and the series (for ``inspect``).

    Attributes:
        running_totals: the metrics whose column was a running total (differenced).
        currencies: metric -> currency ("CNY", "USD", …) where the header or cells name one.
        trimmed: rows dropped (before, after) the recording.
    """

    table: ExportTable
    placement: Placement
    metrics: Metrics
    running_totals: frozenset[str] = frozenset()
    currencies: dict[str, str] = field(default_factory=dict)
    trimmed: tuple[int, int] = (0, 0)


def build_metrics(table: ExportTable, placement: Placement, options: MetricsOptions = MetricsOptions(),
                  duration_s: float | None = None, path: str = "") -> MetricsReading:
    """Step 3: per-interval series on an even grid; running totals differenced; with ``duration_s`` (the
    recording's length) checked against the recording and trimmed to it.

    Raises:
        MetricsFormatError: no numbers, a span over 48 hours, an ambiguous rising column (``--counts``), or rows
            that do not line up with the recording.
    """
    name = table.name
    values_by_column, warnings = column_values(table)
    warnings = [*table.warnings, *placement.warnings, *warnings]
    times = [t + options.offset_s for t in placement.times_s]
    order = sorted(range(len(times)), key=lambda k: times[k])
    if order != list(range(len(times))):
        warnings.append(f"{name} rows were not in time order; sorted them")
    times = [times[k] for k in order]
    span_h = (times[-1] - times[0]) / 3600
    if span_h > _MAX_SPAN_H:
        raise MetricsFormatError(
            f"{name} spans {span_h:.0f} hours ({clock(times[0])} to {clock(times[-1])}) — a stream export covers "
            "one stream; check the time column for a wrong date"
        )
    interval_s, slots = _grid(times, name, warnings)
    n = slots[-1] + 1
    sorted_values = {c.spec.name: [c.values[k] for k in order] for c in values_by_column}
    duplicates = len(slots) - len(set(slots))
    if duplicates:
        conflicting = sum(
            1 for a, b in itertools.pairwise(range(len(slots)))
            if slots[a] == slots[b] and any(
                v[a] != v[b] and not (math.isnan(v[a]) and math.isnan(v[b])) for v in sorted_values.values())
        )
        what = f"{conflicting} with different values; kept the last of each" if conflicting else "identical; dropped"
        warnings.append(f"{name} has {duplicates} duplicated time(s) ({what})")
    first_s = times[0]
    grid_t = [first_s + interval_s * k for k in range(n)]
    missing = n - len(set(slots))
    if missing:
        first_gap = next(k for k in range(n) if k not in set(slots))
        warnings.append(
            f"{name} is missing {missing} of {n} intervals (first at {clock(grid_t[first_gap])}); treated as unknown"
        )

    gridded: dict[str, tuple[ColumnSpec, list[float]]] = {}
    currencies: dict[str, str] = {}
    for column in values_by_column:
        spec = column.spec
        values = [math.nan] * n
        for slot, value in zip(slots, sorted_values[spec.name], strict=True):
            values[slot] = value
        if all(math.isnan(v) for v in values):
            warnings.append(f"column {spec.header!r} has no numbers; ignored it")
            continue
        if column.bad_cells:
            warnings.append(f"column {spec.header!r} has {column.bad_cells} cell(s) that are not numbers; treated as "
                            "unknown")
        if column.currency:
            currencies[spec.name] = column.currency
            if spec.name in MONEY_METRICS and column.currency != "CNY":
                warnings.append(f"{spec.name} is in {column.currency} (column {spec.header!r}); amounts are kept in "
                                f"{column.currency}")
        gridded[spec.name] = (spec, values)
    if not gridded:
        raise MetricsFormatError(f"{name} has no metric column with numbers — check the export")
    totals, total_warnings = running_totals(name, gridded, options.counts)
    warnings += total_warnings

    trimmed = (0, 0)
    keep = range(n)
    if duration_s is not None and duration_s > 0:
        check_lines_up(name, "rows", placement, tuple(grid_t), duration_s, interval_s)
        covered = overlap_s(grid_t[0], grid_t[-1] + interval_s, duration_s)
        if covered < 0.5 * duration_s:
            fix = ("check the time column's unit (minutes read as seconds?) and --start-time"
                   if not placement.reading.label.startswith("MM:SS") else
                   f"{table.first_time_text!r} was read as minutes:seconds; pass --start-time if the times are times "
                   "of day")
            raise MetricsFormatError(
                f"{name} covers only {clock(covered)} of the {clock(duration_s)} recording (rows "
                f"{clock(grid_t[0])}–{clock(grid_t[-1] + interval_s)}) — KPIs would count a part of the stream; {fix}"
            )
        inside = [k for k in range(n) if 0 <= grid_t[k] + interval_s / 2 <= duration_s]
        keep = range(inside[0], inside[-1] + 1)
        trimmed = (keep.start, n - keep.stop)
        if trimmed != (0, 0):
            warnings.append(
                f"the export runs {clock(grid_t[0])}–{clock(grid_t[-1] + interval_s)}, wider than the "
                f"{clock(duration_s)} recording: dropped {trimmed[0]} row(s) before and {trimmed[1]} after it; KPIs "
                "count only the recording's span"
            )

    series: list[MetricSeries] = []
    for metric, (spec, values) in gridded.items():
        kind = "level" if metric in LEVEL_METRICS else "count"
        if metric in totals:
            values = _difference(values)
        kept = [values[k] for k in keep]
        series.append(MetricSeries(metric, tuple(grid_t[k] for k in keep), tuple(kept), interval_s, kind,
                                   spec.header))
    method = placement.method + (f", shifted by {options.offset_s:+g} s (--metrics-offset)" if options.offset_s
                                 else "")
    metrics = Metrics(tuple(series), interval_s, options.offset_s, path, tuple(dict.fromkeys(warnings)),
                      alignment=method, start_time=placement.start_time,
                      zone=str(placement.zone) if placement.zone is not None else "",
                      alignment_basis=dict(placement.basis))
    return MetricsReading(table, placement, metrics, frozenset(totals), currencies, trimmed)


def read_metrics(
    path: Path,
    options: MetricsOptions = MetricsOptions(),
    start_time: datetime | None = None,
    start_source: str = "--start-time",
    duration_s: float | None = None,
) -> MetricsReading:
    """All three steps, keeping what each found (see :class:`MetricsReading`); :func:`load_metrics` returns only
    the series."""
    table = read_export(path, options)
    placement = place(table, options, start_time, start_source, duration_s)
    return build_metrics(table, placement, options, duration_s, str(path))


def load_metrics(
    path: Path,
    options: MetricsOptions = MetricsOptions(),
    start_time: datetime | None = None,
    start_source: str = "--start-time",
    duration_s: float | None = None,
) -> Metrics:
    """Read a metrics export (CSV, XLSX or JSON) into per-interval series on an even grid.

    Absolute times and times of day are measured from ``start_time`` (described as ``start_source`` in the
    alignment note; without it they stop with a message asking for ``--start-time``); ``options.offset_s`` is
    then added to every time. Missing intervals become ``nan``. With ``duration_s`` (the recording's length) the
    export must line up with the recording, and rows outside it are dropped with a warning.

    Raises:
        InputFileError: missing or empty file.
        MetricsFormatError: no time column, no known metric column, no data rows, unreadable or ambiguous times
            or values, or an export that does not line up with the recording; the message names the fix.
    """
    return read_metrics(path, options, start_time, start_source, duration_s).metrics

