"""Command-line options of highlight detection (metrics mapping, clip bounds, keywords, weights, scene mode),
shared by every subcommand that runs the pipeline."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaops.errors import MediaOpsError
from mediaops.inputs.comments import parse_keywords
from mediaops.inputs.metrics import MetricsOptions, load_mapping
from mediaops.inputs.placement import parse_timezone

if TYPE_CHECKING:
    from mediaops.jobs.pipeline import ProcessOptions
    from mediaops.types import Metrics


def _weight(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    try:
        return name.strip(), float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not NAME=WEIGHT: {text!r} (e.g. likes=0.5)") from exc


def positive_seconds(text: str) -> float:
    """argparse type: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r} (e.g. 30)")
    return value


def _keywords(text: str) -> str:
    try:
        parse_keywords([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def timezone_arg(text: str) -> str:
    try:
        parse_timezone(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def add_reading_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options that decide how metrics exports and comment logs are read (``process``, ``inspect``)."""
    g = p.add_argument_group("reading exports and comment logs")
    g.add_argument("--mapping", type=Path, metavar="FILE",
                   help="rename columns: JSON {\"export header\": \"metric\"} or lines 'header,metric' (metrics, "
                        "time, or the comment fields user and text)")
    g.add_argument("--timezone", type=timezone_arg, default=None, metavar="ZONE",
                   help="zone of export times written without one, e.g. +08:00, UTC, Asia/Shanghai (default: the "
                        "header's, the --start-time zone, Beijing time for Chinese platforms); the reports show "
                        "wall-clock times in it too (default there: the export's zone, else UTC+08:00)")
    order = g.add_mutually_exclusive_group()
    order.add_argument("--day-first", dest="date_order", action="store_const", const="day-first",
                       help="dates such as 05/11/2026 are day first (5 November)")
    order.add_argument("--month-first", dest="date_order", action="store_const", const="month-first",
                       help="dates such as 05/11/2026 are month first (May 11)")
    g.add_argument("--times", choices=("offsets", "clock"), default=None,
                   help="read 20:01-style times as offsets from the stream's start or as times of day (default: "
                        "the reading that lines up with the recording)")
    g.add_argument("--counts", choices=("per-interval", "running-total"), default=None,
                   help="count columns are each interval's own amount or running totals (default: from the header "
                        "and the numbers)")


def apply_reading_arguments(args: argparse.Namespace, metrics: MetricsOptions) -> MetricsOptions:
    """``metrics`` with the reading options given on the command line.

    Raises:
        InputFileError / MetricsFormatError: unreadable mapping file.
    """
    changes: dict[str, Any] = {}
    if args.mapping is not None:
        changes["mapping"] = load_mapping(args.mapping)
    for name in ("timezone", "date_order", "times", "counts"):
        if getattr(args, name, None):
            changes[name] = getattr(args, name)
    return replace(metrics, **changes)


def add_highlight_arguments(p: argparse.ArgumentParser) -> None:
    """Add the highlight options (and the reading options) to a subcommand's parser."""
    add_reading_arguments(p)
    g = p.add_argument_group("highlight detection")
    g.add_argument("--min-duration", type=positive_seconds, default=None, metavar="SECONDS",
                   help="shortest clip (default: 15)")
    g.add_argument("--max-duration", type=positive_seconds, default=None, metavar="SECONDS",
                   help="longest clip (default: 60)")
    g.add_argument("--keywords", action="append", type=_keywords, default=None, metavar="[GROUP=]WORD,WORD",
                   help="comment keywords to count, e.g. bought=买了,已拍 (repeatable; replaces the defaults)")
    g.add_argument("--weight", action="append", type=_weight, default=None, metavar="SIGNAL=WEIGHT",
                   help="weight of a signal in the engagement score, e.g. likes=0.5 (repeatable; 0 drops it)")
    g.add_argument("--scenes", choices=("keyframes", "full", "windowed"), default=None,
                   help="keyframes: the whole recording, decoding every frame only between keyframes that differ "
                        "(default); full: decode every frame; windowed: only around engagement peaks (fastest)")


def apply_highlight_arguments(args: argparse.Namespace, options: ProcessOptions) -> ProcessOptions:
    """``options`` with the highlight and reading options given on the command line.

    Raises:
        InputFileError / MetricsFormatError: unreadable mapping file.
        MediaOpsError: clip duration bounds that contradict each other.
    """
    metrics = apply_reading_arguments(args, options.metrics)
    highlights = options.highlights
    bounds = {k: v for k, v in (("min_duration_s", args.min_duration), ("max_duration_s", args.max_duration))
              if v is not None}
    if bounds:
        highlights = replace(highlights, **bounds)
        if highlights.min_duration_s > highlights.max_duration_s:
            raise MediaOpsError(
                f"--min-duration {highlights.min_duration_s:g} is longer than --max-duration "
                f"{highlights.max_duration_s:g} — give a shorter minimum or a longer maximum"
            )
        target = min(max(highlights.target_duration_s, highlights.min_duration_s), highlights.max_duration_s)
        highlights = replace(highlights, target_duration_s=target)
    if args.weight:
        highlights = replace(highlights, weights={**highlights.weights, **dict(args.weight)})
    comments = options.comments
    if args.keywords:
        keywords = parse_keywords(args.keywords)
        comments = replace(comments, keywords=keywords)
        # user-defined groups join the score like the default keyword groups
        extra = {f"keyword_{group}": 0.5 for group, _ in keywords if f"keyword_{group}" not in highlights.weights}
        highlights = replace(highlights, weights={**highlights.weights, **extra})
    scenes = replace(options.scenes, mode=args.scenes) if args.scenes else options.scenes
    return replace(options, metrics=metrics, highlights=highlights, comments=comments, scenes=scenes)


def print_metrics_notes(metrics: Metrics | None, quiet: bool) -> None:
    """Warnings from reading the metrics (always) and how their times were aligned (unless quiet), on stderr."""
    if metrics is None:
        return
    for warning in metrics.warnings:
        print(f"mediaops: warning: {warning}", file=sys.stderr)
    if not quiet and metrics.alignment:
        print(f"metrics alignment: {metrics.alignment}", file=sys.stderr)
