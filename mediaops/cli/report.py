"""``mediaops report``: re-render the reports of an output folder without re-running the pipeline."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mediaops.cli.highlight_args import timezone_arg
from mediaops.report import FORMATS, ReportOptions, render_reports
from mediaops.report.i18n import LANGUAGES


def formats_arg(text: str) -> tuple[str, ...]:
    """``html,md,csv,pdf`` → a tuple of known formats (argparse type)."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format(s) {', '.join(unknown) or text!r}; use any of "
                                         f"{','.join(FORMATS)}")
    return chosen


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help="re-render the review reports of an output folder")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="a folder written by `mediaops process`")
    p.add_argument("--lang", choices=LANGUAGES, default="zh", help="report language (default: zh)")
    p.add_argument("--formats", type=formats_arg, default=FORMATS, metavar="LIST",
                   help=f"comma-separated formats to write (default: {','.join(FORMATS)})")
    p.add_argument("--font", type=Path, help="font file with Chinese glyphs for the PDF (default: found)")
    p.add_argument("--title", default="", metavar="NAME",
                   help="the stream's name, the reports' title (default: the one the run used)")
    p.add_argument("--timezone", type=timezone_arg, default=None, metavar="ZONE",
                   help="zone of the reports' wall-clock times, e.g. +08:00, UTC, Asia/Shanghai (default: the one "
                        "the run used, else the export's, else UTC+08:00)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    started = time.monotonic()
    written = render_reports(args.out_dir, ReportOptions(lang=args.lang, formats=args.formats, font=args.font,
                                                         title=args.title, timezone=args.timezone or ""))
    if not args.quiet:
        names = ", ".join(p.name for p in written)
        print(f"{names} in {args.out_dir} ({time.monotonic() - started:.1f} s)", file=sys.stderr)
    return 0
