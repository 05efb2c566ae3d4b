"""``mediaops process``: the whole pipeline on one recording."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from mediaops.cli.highlight_args import (
    add_highlight_arguments,
    apply_highlight_arguments,
    positive_seconds,
    print_metrics_notes,
)
from mediaops.cli.progress import TerminalProgress
from mediaops.cli.render import add_render_arguments, render_options_from
from mediaops.cli.transcribe import add_asr_arguments, asr_options_from, print_transcript_warnings
from mediaops.errors import InputFileError
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs, run_pipeline
from mediaops.report import report_failures
from mediaops.report.i18n import LANGUAGES


def _iso_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date-time: {text!r} (e.g. 2026-11-27T20:00:00+08:00)"
        ) from exc


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("process", help="clips, timeline and report from a recording and its metrics")
    p.add_argument("recording", type=Path, help="the stream recording (mp4, mkv, flv, ts, …)")
    p.add_argument("--metrics", type=Path, required=True,
                   help="metrics export (CSV, XLSX or JSON) with a time column")
    p.add_argument("--comments", type=Path,
                   help="comment / danmaku log (JSON/JSONL incl. crawler output, CSV, XLSX or Bilibili danmaku XML)")
    p.add_argument("--products", type=Path, help="product list (CSV: sku, name, aliases, price)")
    p.add_argument("--start-time", type=_iso_datetime,
                   help="wall-clock start of the recording (ISO 8601; default: the recording's creation time)")
    p.add_argument("--metrics-offset", type=float, default=0.0, metavar="SECONDS",
                   help="shift every metrics and comment time by this many seconds")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.add_argument("--model", default=None,
                   help="Whisper model name or local folder (default: $MEDIAOPS_MODEL or 'base')")
    p.add_argument("--language", default="auto", help="spoken language: auto, zh, en, … (default: auto)")
    add_asr_arguments(p)
    p.add_argument("--clips", type=clip_count, default=ProcessOptions().highlights.max_clips, metavar="N",
                   help="number of clips, 1 or more (default: %(default)s)")
    p.add_argument("--lang", choices=LANGUAGES, default="zh", help="report language: zh or en (default: zh)")
    p.add_argument("--title", default="", metavar="NAME",
                   help="the stream's name, the reports' title (default: the recording's file name)")
    p.add_argument("--spike-lag-min", type=float, default=None, metavar="SECONDS",
                   help="earliest a sales spike may follow the pitch or clip it is credited to (default: 0)")
    p.add_argument("--spike-lag-max", type=float, default=None, metavar="SECONDS",
                   help="latest a sales spike may follow the pitch or clip it is credited to (default: 180)")
    p.add_argument("--targets", type=Path, metavar="FILE",
                   help="KPI targets (YAML, JSON or CSV: kpi,target) to compare the stream against")
    p.add_argument("--run-of-show", type=Path, metavar="FILE",
                   help="the stream's script (CSV, YAML or JSON: start,title,sku,key_points) to check coverage")
    p.add_argument("--dead-air-gap", type=positive_seconds, default=None, metavar="SECONDS",
                   help="silence at least this long counts as dead air (default: 10)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    add_highlight_arguments(p)
    add_render_arguments(p)
    p.add_argument("--first-clips", action=argparse.BooleanOptionalAction, default=True,
                   help="render the clips first, from the peaks and only the spans they need; the full transcript "
                        "and scene pass for the report follow (default: on)")
    p.set_defaults(handler=handle)


def clip_count(text: str) -> int:
    """``--clips``: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} — at least 1 clip")
    return value


def check_side_files(args: argparse.Namespace) -> None:
    """One clear line for a side file that is not there (the recording is checked by its command)."""
    for label, path in (("metrics file", args.metrics), ("comments file", args.comments),
                        ("products file", args.products), ("targets file", args.targets),
                        ("run-of-show file", args.run_of_show)):
        if path is not None and not path.is_file():
            raise InputFileError(f"{label} not found: {path} — check the path")


def process_options_from(args: argparse.Namespace) -> ProcessOptions:
    """The job's options from the arguments ``process`` and ``live`` share (defaults from the dataclasses)."""
    defaults = ProcessOptions()
    spike_lags = (("lag_min_s", getattr(args, "spike_lag_min", None)),
                  ("lag_max_s", getattr(args, "spike_lag_max", None)))
    options = replace(
        defaults,
        transcribe=asr_options_from(args, defaults.transcribe),
        metrics=replace(defaults.metrics, offset_s=args.metrics_offset),
        highlights=replace(defaults.highlights, max_clips=args.clips),
        render=render_options_from(args, defaults.render),
        spikes=replace(defaults.spikes, **{k: v for k, v in spike_lags if v is not None}),
        report=replace(defaults.report, lang=args.lang, title=getattr(args, "title", "") or "",
                       timezone=getattr(args, "timezone", None) or ""),
        insights=replace(defaults.insights, **({"dead_air_gap_s": args.dead_air_gap} if args.dead_air_gap else {})),
        first_clips=getattr(args, "first_clips", defaults.first_clips),
    )
    return apply_highlight_arguments(args, options)


def handle(args: argparse.Namespace) -> int:
    if not args.recording.is_file():
        raise InputFileError(f"recording not found: {args.recording} — check the path")
    check_side_files(args)
    options = process_options_from(args)
    inputs = StreamInputs(args.metrics, args.comments, args.products, args.start_time, targets=args.targets,
                          run_of_show=args.run_of_show)
    progress = TerminalProgress(quiet=args.quiet)
    started = time.monotonic()
    try:
        timeline = run_pipeline(args.recording, inputs, args.out, options, progress)
    finally:
        progress.close()
    print_metrics_notes(timeline.metrics, args.quiet)
    print_transcript_warnings(args.out / "transcript.json")
    for failure in report_failures(timeline.extras):  # the clips and the other reports are written
        print(f"mediaops: warning: {failure['message']} (`mediaops report {args.out} --formats {failure['format']}` "
              "tries again)", file=sys.stderr)
    if not args.quiet:
        print(
            f"{len(timeline.clips)} clips, {len(timeline.sales_spikes)} sales spikes, {len(timeline.scenes)} scenes "
            f"in {time.monotonic() - started:.1f} s → {args.out / 'timeline.json'}, {args.out / 'report.html'}",
            file=sys.stderr,
        )
    return 0
