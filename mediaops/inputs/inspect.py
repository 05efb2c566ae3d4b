"""How an export or a comment log will be read, before a long job: :func:`inspect_input`.

The report says which sheet and header row were used, which column gives which metric in which unit, how the
times were read and placed on the recording, the first and last rows, the totals that KPIs would count, every
warning, and — where the file would be refused — the one-line error a job would stop with. It never raises
for a file it cannot read: that is what it reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from mediaops.errors import InputFileError, MetricsFormatError
from mediaops.inputs.comments import read_comments
from mediaops.inputs.headers import LEVEL_METRICS
from mediaops.inputs.metrics import (
    ExportTable,
    MetricsOptions,
    MetricsReading,
    build_metrics,
    column_values,
    place,
    read_export,
)
from mediaops.inputs.placement import Placement

__all__ = ["ColumnReport", "InputReport", "RowPreview", "inspect_input"]

CREATION_TIME = "the recording's creation time"


@dataclass(frozen=True, slots=True)
class ColumnReport:
    """One column and how it is read.

    Attributes:
        header: as written in the file.
        name: the metric (or ``user``/``text`` in a comment log).
        unit: the unit from the header or cells, and its factor ("万元 ×10000", "US$"); empty for plain numbers.
        reading: "level" (a gauge), "per interval", "running total → change per interval", or "" (comment fields).
        total: what KPIs count from it inside the recording: the sum of a count, the peak of a level.
    """

    header: str
    name: str
    unit: str = ""
    reading: str = ""
    total: float | None = None


@dataclass(frozen=True, slots=True)
class RowPreview:
    """A row as written and as read: its line in the file, its time cell, its time on the recording (seconds;
    ``None`` where the times could not be placed) and its values (metric -> number, or user/text)."""

    line: int
    time: str
    t_s: float | None
    values: tuple[tuple[str, float | str | None], ...]


@dataclass(frozen=True, slots=True)
class InputReport:
    """How a metrics export or comment log is read (see :func:`inspect_input`).

    Attributes:
        path: the file.
        kind: ``"metrics"`` or ``"comments"``.
        source: the format and sheet ("XLSX sheet '分钟数据'", "CSV (GBK, ','-separated)").
        header_line: the line or row of the header (its last row for a two-row header).
        time_column: the time column's header.
        time_reading: how the time cells were read ("times of day", "day-first dates (…)").
        alignment: how the times were put on the recording ("" where they could not be).
        columns: the columns used.
        rows: data rows (comments for a log).
        rows_in_recording: the rows (intervals) kept inside the recording, when it is known.
        interval_s: the rows' interval (metrics).
        first_row, last_row: the first and last rows.
        range_s: first time and end of the last interval on the recording, after trimming.
        recording_s: the recording's length, when known.
        start_time: the wall-clock start times were measured from.
        warnings: what the reader chose or skipped.
        error: the one line a job would stop with; empty when the file reads.
    """

    path: str
    kind: str
    source: str = ""
    header_line: int | None = None
    time_column: str = ""
    time_reading: str = ""
    alignment: str = ""
    columns: tuple[ColumnReport, ...] = ()
    rows: int = 0
    rows_in_recording: int | None = None
    interval_s: float | None = None
    first_row: RowPreview | None = None
    last_row: RowPreview | None = None
    range_s: tuple[float, float] | None = None
    recording_s: float | None = None
    start_time: datetime | None = None
    warnings: tuple[str, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _unit(spec_unit: str, scale: float, currency: str, name: str) -> str:
    parts = []
    if spec_unit:
        parts.append(spec_unit)
    if scale != 1.0 and name != "time":
        parts.append(f"×{scale:g}")
    if currency and currency not in spec_unit:
        parts.append(currency)
    return " ".join(parts)


def _preview(table: ExportTable, index: int, placement: Placement | None, offset_s: float) -> RowPreview:
    values, _ = column_values(table)
    row_values = tuple((c.spec.name, None if math.isnan(c.values[index]) else c.values[index]) for c in values)
    t_s = placement.times_s[index] + offset_s if placement is not None else None
    return RowPreview(table.lines[index], str(table.rows[index][table.time.index]), t_s, row_values)


def _table_report(path: Path, kind: str, table: ExportTable, recording_s: float | None) -> InputReport:
    columns = tuple(ColumnReport(c.header, c.name, _unit(c.unit, c.scale, c.currency, c.name)) for c in table.columns)
    return InputReport(str(path), kind, table.source, table.header_line, table.time.header, "", "", columns,
                       len(table.rows), recording_s=recording_s, warnings=table.warnings)


def _metrics_report(path: Path, table: ExportTable, options: MetricsOptions, start_time: datetime | None,
                    start_source: str, duration_s: float | None) -> InputReport:
    base = _table_report(path, "metrics", table, duration_s)
    try:
        values, _ = column_values(table)
        first, last = _preview(table, 0, None, 0.0), _preview(table, len(table.rows) - 1, None, 0.0)
    except MetricsFormatError as exc:
        return _with(base, error=str(exc))
    base = _with(base, first_row=first, last_row=last)
    try:
        placement = place(table, options, start_time, start_source, duration_s)
    except MetricsFormatError as exc:
        return _with(base, error=str(exc))
    base = _with(base, time_reading=placement.reading.label, alignment=placement.method,
                 start_time=placement.start_time, warnings=(*table.warnings, *placement.warnings),
                 first_row=_preview(table, 0, placement, options.offset_s),
                 last_row=_preview(table, len(table.rows) - 1, placement, options.offset_s))
    try:
        reading = build_metrics(table, placement, options, duration_s, str(path))
    except MetricsFormatError as exc:
        return _with(base, error=str(exc))
    return _with(base, columns=_column_reports(reading, {c.spec.name: c.currency for c in values}),
                 alignment=reading.metrics.alignment, interval_s=reading.metrics.interval_s,
                 range_s=_range(reading), warnings=reading.metrics.warnings,
                 rows_in_recording=len(reading.metrics.series[0].t_s) if duration_s else None)


def _column_reports(reading: MetricsReading, currencies: dict[str, str]) -> tuple[ColumnReport, ...]:
    out = []
    specs = {c.name: c for c in reading.table.columns}
    for series in reading.metrics.series:
        spec = specs[series.name]
        finite = [v for v in series.values if not math.isnan(v)]
        level = series.name in LEVEL_METRICS
        total = (max(finite) if level else sum(finite)) if finite else None
        how = ("level" if level else "running total → change per interval" if series.name in reading.running_totals
               else "per interval")
        out.append(ColumnReport(spec.header, series.name, _unit(spec.unit, spec.scale, currencies.get(series.name, ""),
                                                                 series.name), how, total))
    return tuple(out)


def _range(reading: MetricsReading) -> tuple[float, float] | None:
    series = reading.metrics.series
    if not series or not series[0].t_s:
        return None
    return series[0].t_s[0], series[0].t_s[-1] + reading.metrics.interval_s


def _comments_report(path: Path, table: ExportTable, options: MetricsOptions, start_time: datetime | None,
                     start_source: str, duration_s: float | None) -> InputReport:
    base = _table_report(path, "comments", table, duration_s)
    text = next(c for c in table.columns if c.name == "text")
    user = next((c for c in table.columns if c.name == "user"), None)

    def row(index: int, t_s: float | None) -> RowPreview:
        cells = table.rows[index]
        values: tuple[tuple[str, float | str | None], ...] = (
            ("user", str(cells[user.index]) if user is not None and user.index < len(cells) else ""),
            ("text", str(cells[text.index]) if text.index < len(cells) else ""))
        return RowPreview(table.lines[index], str(cells[table.time.index]), t_s, values)

    base = _with(base, first_row=row(0, None), last_row=row(len(table.rows) - 1, None))
    try:
        log = read_comments(path, options, start_time, start_source, duration_s)
    except MetricsFormatError as exc:
        return _with(base, error=str(exc))
    placement = log.placement
    assert placement is not None
    order = sorted(range(len(table.rows)), key=lambda k: placement.times_s[k])
    first, last = order[0], order[-1]
    times = [c.t_s for c in log.comments]
    return _with(base, time_reading=placement.reading.label, alignment=placement.method,
                 start_time=placement.start_time, rows=len(log.comments), warnings=log.warnings,
                 rows_in_recording=len(log.comments) - log.outside if duration_s else None,
                 first_row=row(first, placement.times_s[first] + options.offset_s),
                 last_row=row(last, placement.times_s[last] + options.offset_s),
                 range_s=(min(times), max(times)) if times else None)


def _with(report: InputReport, **changes: object) -> InputReport:
    return replace(report, **changes)  # type: ignore[arg-type]


def inspect_input(
    path: Path,
    options: MetricsOptions = MetricsOptions(),
    *,
    recording: Path | None = None,
    start_time: datetime | None = None,
    duration_s: float | None = None,
    kind: str = "auto",
) -> InputReport:
    """How ``path`` (a metrics export or a comment log) will be read, checked against a recording.

    Args:
        path: the export or comment log.
        options: the reading options (mapping, zone, date order, ``--times``, ``--counts``, offset).
        recording: the recording, probed for its length and creation time (the start when ``start_time`` is
            not given).
        start_time: the recording's wall-clock start (``--start-time``).
        duration_s: the recording's length, when known without a recording to probe.
        kind: ``"metrics"``, ``"comments"`` or ``"auto"`` (a metrics export if it has metric columns, else a
            comment log).

    Raises:
        InputFileError: ``path`` or ``recording`` is missing or empty; InvalidMediaError: the recording cannot
            be probed. Everything wrong with the file itself is reported in :attr:`InputReport.error`.
    """
    start_source = "--start-time"
    if recording is not None:
        from mediaops.media.probe import probe

        info = probe(recording)
        duration_s = info.duration_s
        if start_time is None and info.creation_time is not None:
            start_time, start_source = info.creation_time, CREATION_TIME
    if not path.is_file():
        raise InputFileError(f"not found: {path} — check the path")
    kinds = ("metrics", "comments") if kind == "auto" else (kind,)
    first_error = ""
    for candidate in kinds:
        try:
            table = read_export(path, options, fields=candidate)
        except InputFileError:
            raise
        except MetricsFormatError as exc:
            first_error = first_error or str(exc)
            continue
        if candidate == "metrics":
            return _metrics_report(path, table, options, start_time, start_source, duration_s)
        return _comments_report(path, table, options, start_time, start_source, duration_s)
    return InputReport(str(path), kinds[0], recording_s=duration_s, error=first_error)
