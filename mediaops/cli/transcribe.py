"""``mediaops transcribe``: a recording's transcript as JSON, SRT, WebVTT or plain text."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from mediaops.cli.progress import TerminalProgress
from mediaops.errors import InputFileError
from mediaops.inputs.products import load_products
from mediaops.media.probe import probe
from mediaops.serialize import write_text_atomic
from mediaops.transcribe import FORMATS, TranscribeOptions, render_transcript, transcribe, transcript_from_jsonable
from mediaops.transcribe.options import DEVICES, ENGINES


def default_transcript_cache() -> Path:
    """Where the command line keeps transcripts: ``$MEDIAOPS_CACHE/transcripts`` or ``~/.cache/mediaops/...``."""
    root = os.environ.get("MEDIAOPS_CACHE")
    return Path(root).expanduser() / "transcripts" if root else Path.home() / ".cache" / "mediaops" / "transcripts"


def add_asr_arguments(parser: argparse.ArgumentParser) -> None:
    """The speech-recognition flags shared by ``transcribe`` and ``process``: --asr, --device, --compute-type,
    --asr-workers, --audio-track, --no-cache."""
    defaults = TranscribeOptions()
    parser.add_argument("--asr", choices=ENGINES, default=defaults.engine,
                        help=f"speech engine (default: {defaults.engine}; openai-whisper needs the extra)")
    parser.add_argument("--device", choices=DEVICES, default=defaults.device,
                        help=f"where the model runs (default: {defaults.device})")
    parser.add_argument("--compute-type", default=defaults.compute_type,
                        help="int8, float16, float32, … (default: auto = int8 on CPU, float16 on CUDA)")
    parser.add_argument("--asr-workers", type=int, default=defaults.workers, metavar="N",
                        help="stretches of audio recognised at once by one model (default: 0 = one per CPU core, "
                             "at most 4, each single-threaded; 1 on a GPU)")
    parser.add_argument("--audio-track", type=int, default=defaults.audio_track, metavar="N",
                        help="audio track to transcribe, from 0 (default: the one with the most speech; a warning "
                             "names it when the recording has several different tracks)")
    parser.add_argument("--no-cache", action="store_true",
                        help="recognise again even if a cached transcript exists (cache: "
                             "$MEDIAOPS_CACHE/transcripts, else ~/.cache/mediaops/transcripts)")


def asr_options_from(args: argparse.Namespace, base: TranscribeOptions) -> TranscribeOptions:
    """``base`` with the model, language, engine, device, compute type and cache the flags chose."""
    return replace(
        base,
        engine=args.asr,
        model=args.model or os.environ.get("MEDIAOPS_MODEL") or base.model,
        language=args.language,
        device=args.device,
        compute_type=args.compute_type,
        workers=max(0, args.asr_workers),
        audio_track=args.audio_track,
        cache_dir=None if args.no_cache else default_transcript_cache(),
    )


def print_transcript_warnings(published: Path) -> None:
    """The warnings of the transcript published at ``published`` (several audio tracks, the one used), on stderr;
    nothing where it cannot be read."""
    try:
        transcript = transcript_from_jsonable(json.loads(published.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return
    for warning in transcript.warnings:
        print(f"mediaops: warning: {warning}", file=sys.stderr)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("transcribe", help="transcript of a recording (json with words, srt, vtt or txt)")
    p.add_argument("recording", type=Path, help="any audio or video file")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from --out's extension, else json)")
    p.add_argument("--out", type=Path, help="write here (atomically) instead of to standard output")
    p.add_argument("--model", default=None,
                   help="model name or local model folder/.pt file (default: $MEDIAOPS_MODEL or 'base')")
    p.add_argument("--language", default="auto", help="spoken language: auto, zh, en, … (default: auto)")
    add_asr_arguments(p)
    p.add_argument("--products", type=Path,
                   help="product list (CSV: sku, name, aliases, price); names and aliases are written as listed "
                        "where the speech says them")
    p.add_argument("--hotword", action="append", default=[], metavar="WORD",
                   help="a name to recognise as written (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not args.recording.is_file():
        raise InputFileError(f"recording not found: {args.recording} — check the path")
    fmt = args.format
    if fmt is None:
        suffix = args.out.suffix.lstrip(".").lower() if args.out else ""
        fmt = suffix if suffix in FORMATS else "json"
    hotwords = list(args.hotword)
    if args.products:
        hotwords += [n for p in load_products(args.products) for n in (p.name, *p.aliases)]
    options = asr_options_from(args, TranscribeOptions(hotwords=tuple(hotwords)))
    progress = TerminalProgress(quiet=args.quiet)
    try:
        duration_s = probe(args.recording).duration_s
        transcript = transcribe(args.recording, options, duration_s, progress)
    finally:
        progress.close()
    for warning in transcript.warnings:
        print(f"mediaops: warning: {warning}", file=sys.stderr)
    text = render_transcript(transcript, fmt)
    if args.out:
        write_text_atomic(args.out, text)
        if not args.quiet:
            print(f"{len(transcript.segments)} segments ({transcript.language}) → {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
