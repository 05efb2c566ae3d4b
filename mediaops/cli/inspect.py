"""``mediaops inspect``: how a metrics export or comment log will be read, before a long job."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from mediaops.cli.highlight_args import add_reading_arguments, apply_reading_arguments
from mediaops.cli.process import _iso_datetime
from mediaops.inputs.inspect import InputReport, RowPreview, inspect_input
from mediaops.inputs.metrics import MetricsOptions
from mediaops.inputs.placement import clock
from mediaops.serialize import to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("inspect", help="show how a metrics export or comment log will be read")
    p.add_argument("file", type=Path, help="metrics export (CSV, XLSX, JSON) or comment log (JSON, CSV, XML)")
    p.add_argument("--recording", type=Path, metavar="REC",
                   help="the recording: its length and creation time are checked against the file")
    p.add_argument("--start-time", type=_iso_datetime,
                   help="wall-clock start of the recording (ISO 8601; default: the recording's creation time)")
    p.add_argument("--metrics-offset", type=float, default=0.0, metavar="SECONDS",
                   help="shift every time in the file by this many seconds")
    p.add_argument("--kind", choices=("auto", "metrics", "comments"), default="auto",
                   help="what the file is (default: a metrics export if it has metric columns, else a comment log)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_reading_arguments(p)
    p.set_defaults(handler=handle)


def _number(value: float | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    return f"{value:,.2f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{value:,.0f}"


def _row(label: str, row: RowPreview) -> str:
    at = f" = {clock(row.t_s)} on the recording" if row.t_s is not None else ""
    values = ", ".join(f"{name} {_number(value)}" for name, value in row.values)
    return f"{label:<13}line {row.line}: {row.time!r}{at}; {values}"


def format_report(report: InputReport) -> list[str]:
    """The report as lines for a terminal."""
    kind = "metrics export" if report.kind == "metrics" else "comment log"
    lines = [f"{'file':<13}{report.path} ({kind}{', ' + report.source if report.source else ''}"
             f"{f', header on line {report.header_line}' if report.header_line else ''})"]
    if report.time_column:
        how = f" read as {report.time_reading}" if report.time_reading else ""
        lines.append(f"{'time':<13}{report.time_column!r}{how}")
    if report.alignment:
        lines.append(f"{'alignment':<13}{report.alignment}")
    if report.rows:
        span = (f": {clock(report.range_s[0])}–{clock(report.range_s[1])} on the recording"
                if report.range_s else "")
        every = f", one per {report.interval_s:g} s" if report.interval_s else ""
        inside = (f"; {report.rows_in_recording} inside the recording"
                  if report.rows_in_recording is not None and report.rows_in_recording != report.rows else "")
        recording = f" (recording {clock(report.recording_s)})" if report.recording_s else ""
        lines.append(f"{'rows':<13}{report.rows}{every}{inside}{span}{recording}")
    for index, column in enumerate(report.columns):
        unit = f" [{column.unit}]" if column.unit else ""
        how = f" ({column.reading})" if column.reading else ""
        total = ""
        if column.total is not None:
            total = f"  {'peak' if column.reading == 'level' else 'total'} {_number(column.total)}"
        lines.append(f"{'columns' if index == 0 else '':<13}{column.header!r} → {column.name}{unit}{how}{total}")
    if report.first_row is not None:
        lines.append(_row("first row", report.first_row))
    if report.last_row is not None and report.last_row != report.first_row:
        lines.append(_row("last row", report.last_row))
    for index, warning in enumerate(report.warnings):
        lines.append(f"{'warnings' if index == 0 else '':<13}{warning}")
    lines.append(f"{'result':<13}" + (f"refused: {report.error}" if report.error else "reads right"))
    return lines


def handle(args: argparse.Namespace) -> int:
    options = apply_reading_arguments(args, replace(MetricsOptions(), offset_s=args.metrics_offset))
    report = inspect_input(args.file, options, recording=args.recording, start_time=args.start_time, kind=args.kind)
    if args.json:
        print(json.dumps({**to_jsonable(report), "ok": report.ok}, ensure_ascii=False, indent=2))
    else:
        print("\n".join(format_report(report)))
    return 0 if report.ok else 2
