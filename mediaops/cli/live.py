"""``mediaops live``: clips and alerts while the stream is on air, the retrospective when it ends."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any

from mediaops.cli.highlight_args import (
    add_highlight_arguments,
    positive_seconds,
    print_metrics_notes,
)
from mediaops.cli.process import _iso_datetime, check_side_files, clip_count, process_options_from
from mediaops.cli.progress import TerminalProgress
from mediaops.cli.render import add_render_arguments
from mediaops.cli.transcribe import add_asr_arguments
from mediaops.errors import InputFileError
from mediaops.jobs.options import ProcessOptions, StreamInputs
from mediaops.live import LiveOptions, run_live
from mediaops.live.source import is_url
from mediaops.report.i18n import LANGUAGES


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        value = 0.0
    if not 0 < value < 100:
        raise argparse.ArgumentTypeError(f"not a percentage between 0 and 100: {text!r} (e.g. 20)")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    live = LiveOptions()
    p = subparsers.add_parser(
        "live", help="clips and alerts while a stream is on air; the retrospective when it ends",
        description="Watch a recording that is still being written (.ts, .flv, .mkv) or record a stream URL "
                    "(rtmp://, HTTP-FLV, .m3u8, srt://) into OUT/recording.ts, and publish clips into OUT/clips and "
                    "events into OUT/live.jsonl as they happen. When the recording stops growing for --idle-s "
                    "seconds (or the URL ends), write timeline.json and the reports into OUT and exit. Run again "
                    "with the same arguments to resume after a crash.")
    p.add_argument("source", metavar="SOURCE", help="the growing recording, or a stream URL to record")
    p.add_argument("--metrics", type=Path, required=True,
                   help="metrics export that grows while the stream runs (CSV best; same formats as process)")
    p.add_argument("--comments", type=Path, help="comment / danmaku log that grows while the stream runs (JSONL, CSV)")
    p.add_argument("--products", type=Path, help="product list (CSV: sku, name, aliases, price)")
    p.add_argument("--start-time", type=_iso_datetime,
                   help="wall-clock start of the recording (ISO 8601; default: estimated when the recording is "
                        "first seen)")
    p.add_argument("--metrics-offset", type=float, default=0.0, metavar="SECONDS",
                   help="shift every metrics and comment time by this many seconds")
    p.add_argument("--out", type=Path, required=True, help="output folder (clips, live.jsonl, then the retrospective)")
    p.add_argument("--idle-s", type=positive_seconds, default=live.idle_s, metavar="SECONDS",
                   help=f"the stream is over once the recording has not grown this long (default: {live.idle_s:g})")
    p.add_argument("--webhook", metavar="URL", help="also POST every event to this URL as JSON (failures are logged)")
    p.add_argument("--run-of-show", type=Path, metavar="FILE",
                   help="the stream's script (CSV, YAML or JSON: start,title,sku,key_points): pitch_overrun alerts")
    p.add_argument("--targets", type=Path, metavar="FILE", help="KPI targets for the retrospective (YAML, JSON, CSV)")
    p.add_argument("--dead-air-gap", type=positive_seconds, default=None, metavar="SECONDS",
                   help="alert after this long without speech (default: 10)")
    p.add_argument("--viewers-drop", type=_percent, default=live.viewers_drop_pct, metavar="PERCENT",
                   help=f"alert when online viewers fall this many percent within {live.viewers_window_s:g} s "
                        f"(default: {live.viewers_drop_pct:g})")
    p.add_argument("--model", default=None,
                   help="Whisper model name or local folder (default: $MEDIAOPS_MODEL or 'base')")
    p.add_argument("--language", default="auto", help="spoken language: auto, zh, en, … (default: auto)")
    add_asr_arguments(p)
    p.add_argument("--clips", type=clip_count, default=ProcessOptions().highlights.max_clips, metavar="N",
                   help="most clips to publish (default: %(default)s)")
    p.add_argument("--lang", choices=LANGUAGES, default="zh", help="report language: zh or en (default: zh)")
    p.add_argument("--quiet", action="store_true", help="no event lines on the terminal")
    add_highlight_arguments(p)
    add_render_arguments(p)
    p.set_defaults(handler=handle)


def _describe(event: dict[str, Any]) -> str:
    kind = event.get("event")
    if kind == "clip":
        outranks = event.get("outranks") or []
        rank = (" (chosen for the retrospective)" if event.get("after_end")
                else " (over --clips" + (f", stronger than {', '.join(outranks)}" if outranks else "") + ")"
                if event.get("over_budget") else "")
        return f"clip {event['id']}: {event['start_s']:.1f}–{event['end_s']:.1f} s → {event['file']}{rank}"
    if kind == "alert":
        return f"alert {event['kind']}: {event['message']}"
    if kind == "start":
        return (f"{'resumed' if event.get('resumed') else 'watching'} {event['source']}"
                + (f" ({len(event['clips'])} clips already published)" if event.get("clips") else ""))
    if kind == "end":
        return f"stream over: {len(event['clips'])} clips, {event['timeline']}"
    return f"{kind}: {event.get('message', '')}"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops like Ctrl-C: the recorder is stopped and the state kept


def handle(args: argparse.Namespace) -> int:
    check_side_files(args)
    if not is_url(args.source) and not Path(args.source).is_file():
        raise InputFileError(f"recording not found: {args.source} — start the recorder first, or give a stream URL")
    options = process_options_from(args)
    live = replace(LiveOptions(), idle_s=args.idle_s, viewers_drop_pct=args.viewers_drop)
    inputs = StreamInputs(args.metrics, args.comments, args.products, args.start_time, targets=args.targets,
                          run_of_show=args.run_of_show)
    source = args.source if is_url(args.source) else str(Path(args.source).absolute())

    def show(event: dict[str, Any]) -> None:
        if not args.quiet:
            print(f"[{event['wall_time'][11:19]}] {_describe(event)}", file=sys.stderr, flush=True)

    progress = TerminalProgress(quiet=args.quiet)
    started = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        timeline = run_live(source, inputs, args.out, options, live, args.webhook, show, progress)
    finally:
        signal.signal(signal.SIGTERM, previous)
        progress.close()
    print_metrics_notes(timeline.metrics, args.quiet)
    if not args.quiet:
        print(f"{len(timeline.clips)} clips in {time.monotonic() - started:.0f} s → {args.out / 'timeline.json'}, "
              f"{args.out / 'report.html'}", file=sys.stderr)
    return 0
