"""``mediaops render``: re-render the clips (and replays) of an existing output folder with other settings.

Nothing is re-analysed: the highlights, transcript and pitches come from the folder's ``timeline.json`` and
``transcript.json``. The new files are made in a hidden sibling folder and swapped in only when all are done.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

from mediaops.cli.progress import TerminalProgress
from mediaops.inputs.products import CURRENCIES
from mediaops.jobs.rerender import rerender
from mediaops.render import RenderOptions
from mediaops.render.chapters import label
from mediaops.render.options import ASPECTS, CUT_MODES, FALLBACKS, SMALL_SOURCE_WIDTH, X264_PRESETS
from mediaops.types import Clip

_FLAGS = ("cut", "aspect", "width", "captions", "preset", "crf", "covers", "reel", "replay", "workers", "fallback",
          "labels", "currency")


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    """The clip settings shared by ``process`` and ``render`` (unset flags keep :class:`RenderOptions` defaults)."""
    defaults = RenderOptions()
    group = parser.add_argument_group("clips")
    group.add_argument("--cut", choices=CUT_MODES, default=None,
                       help=f"exact: frame-accurate re-encode; fast: stream copy snapped to keyframes "
                            f"(default: {defaults.cut})")
    group.add_argument("--aspect", choices=ASPECTS, default=None,
                       help=f"16:9 keeps the frame; 9:16 and 1:1 follow the host (default: {defaults.aspect})")
    group.add_argument("--width", type=int, default=None, metavar="PX",
                       help=f"width of 9:16 / 1:1 clips: 1080 or 720; {SMALL_SOURCE_WIDTH} where the recording is too "
                            f"small for more (default: {defaults.width})")
    group.add_argument("--captions", action=argparse.BooleanOptionalAction, default=None,
                       help=f"burn captions into the clips (default: {'on' if defaults.captions else 'off'})")
    group.add_argument("--preset", choices=X264_PRESETS, default=None,
                       help=f"x264 preset for exact cuts (default: {defaults.preset})")
    group.add_argument("--crf", type=int, default=None, help=f"x264 quality, lower is better (default: {defaults.crf})")
    group.add_argument("--covers", action=argparse.BooleanOptionalAction, default=None,
                       help="write a JPEG cover per clip (default: on)")
    group.add_argument("--reel", action=argparse.BooleanOptionalAction, default=None,
                       help="render reel.mp4, the highlights back to back with chapters (default: on)")
    group.add_argument("--replay", action=argparse.BooleanOptionalAction, default=None,
                       help="write replay.mp4, the whole recording with chapters (default: on)")
    group.add_argument("--fallback", choices=FALLBACKS, default=None,
                       help="reframing without a visible host: content (crop where the text and product are, or "
                            "the whole frame over a blurred copy where they are wider), center or blur "
                            f"(default: {defaults.fallback})")
    group.add_argument("--currency", choices=tuple(CURRENCIES), type=str.upper, default=None,
                       help="currency of prices the products file does not give one for, on covers and reel "
                            f"stickers (default: {defaults.currency})")
    group.add_argument("--labels", choices=("zh", "en"), default=None,
                       help="language of chapter titles and title cards (default: zh)")
    group.add_argument("--workers", type=int, default=None, metavar="N",
                       help="clips rendered at once (default: number of CPU cores)")


def render_options_from(args: argparse.Namespace, base: RenderOptions | None = None) -> RenderOptions:
    """``base`` with every clip flag the user gave applied (raises MediaOpsError on a bad combination)."""
    base = base or RenderOptions()
    given = {name: getattr(args, name) for name in _FLAGS if getattr(args, name, None) is not None}
    known = {f.name for f in fields(RenderOptions)}
    return replace(base, **{k: v for k, v in given.items() if k in known})


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("render", help="re-render the clips of an output folder with other settings")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="a folder written by `mediaops process`")
    p.add_argument("--recording", type=Path, default=None,
                   help="the recording, if it moved since it was processed (default: the path in timeline.json)")
    p.add_argument("--products", type=Path, default=None, help="product list (CSV), for prices on covers")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    add_render_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    options = render_options_from(args)
    progress = TerminalProgress(quiet=args.quiet)
    started = time.monotonic()
    try:
        clips = rerender(args.out_dir, options, recording=args.recording, products_file=args.products,
                         on_progress=progress)
    finally:
        progress.close()
    if not args.quiet:
        print(f"{len(clips)} clips ({options.cut}, {options.aspect}) in {time.monotonic() - started:.1f} s "
              f"→ {args.out_dir / 'clips'}", file=sys.stderr)
    note = size_note(clips, options.labels)
    if note:
        print(note, file=sys.stderr)
    return 0


def size_note(clips: list[Clip], labels: str) -> str:
    """One line for the operator where clips are smaller than asked or enlarged from a small recording."""
    smaller = [c for c in clips if c.size_reason == "source_smaller"]
    enlarged = [c for c in clips if c.upscale and c.upscale > 1.01]
    if not smaller and not enlarged:
        return ""
    clip = (smaller or enlarged)[0]
    key = "size_smaller" if smaller else "size_enlarged"
    return label(key, labels, n=len(smaller or enlarged), width=clip.width, height=clip.height,
                 upscale=max(c.upscale or 1.0 for c in clips))
