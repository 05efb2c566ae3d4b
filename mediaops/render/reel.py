"""Replays: the condensed highlight reel and the full recording with chapters.

The reel is one ffmpeg run. Each highlight is read from its rendered clip where there is one, so the reel shows
what the clips show (the 9:16 or 1:1 crop, the blurred pad, the burnt-in captions) and takes their frame;
otherwise straight from the recording (input seeking to the keyframe before it, so only its span is decoded,
and MPEG-TS parts do not start a GOP late), trimmed. Each part is brought down to the reel's size and frame
rate first thing (a 4K60 recording makes a 1080p30 reel, so everything after the decoder works on an eighth of
the pixels), faded in and out, given a price sticker in its product's currency when its product has a price,
and concatenated after a moviepy title card; chapter metadata marks every highlight. Rotated phone videos are
turned upright by ffmpeg, and the reel takes the upright size. The full replay is a stream copy of the
recording with chapters for product pitches and highlights; ``chapters.vtt`` carries the same chapters for
web players.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mediaops.media.ffmpeg_tools import run_ffmpeg_into
from mediaops.render.chapters import Chapter, label, replay_chapters, to_ffmetadata, to_webvtt
from mediaops.render.compose import sticker_image, write_title_card
from mediaops.render.covers import format_price
from mediaops.render.keyframes import keyframes_near, split_seek
from mediaops.render.options import RenderOptions
from mediaops.serialize import write_text_atomic
from mediaops.types import Clip, MediaInfo, PitchSegment, Product


@dataclass(frozen=True, slots=True)
class ReelPart:
    """One highlight in the reel: its span of the recording, chapter name and optional price sticker text."""

    start_s: float
    end_s: float
    name: str
    sticker: str = ""
    #: the rendered clip of this span, read whole instead of the recording (``None``: the recording).
    file: Path | None = None


def reel_parts(clips: Sequence[Clip], products: dict[str, Product] | None = None, currency: str = "CNY",
               folder: Path | None = None) -> list[ReelPart]:
    """The reel's parts: the clips in recording order, named by title, product or id, with a price sticker in
    the product's currency (else ``currency``) and, where ``folder`` holds the clip's file, that file."""
    products = products or {}
    parts = []
    for clip in sorted(clips, key=lambda c: c.start_s):
        product = products.get(clip.product_sku or "")
        name = clip.title or (product.name if product else "") or clip.id
        sticker = format_price(product.price, product.currency or currency) if product else ""
        file = folder / clip.file if folder is not None and (folder / clip.file).is_file() else None
        parts.append(ReelPart(clip.start_s, clip.end_s, name, sticker, file))
    return parts


def reel_chapters(parts: Sequence[ReelPart], intro_s: float, labels: str = "zh") -> list[Chapter]:
    """Chapters of the reel: the title card, then one per part, back to back."""
    chapters = [Chapter(0.0, intro_s, label("intro", labels))] if intro_s > 0 else []
    t = intro_s
    for n, part in enumerate(parts, 1):
        length = part.end_s - part.start_s
        chapters.append(Chapter(round(t, 3), round(t + length, 3), label("reel_clip", labels, n=n, name=part.name)))
        t += length
    return chapters


def _fades(length_s: float, fade_s: float, audio: bool) -> str:
    fade = min(fade_s, length_s / 3)
    if fade <= 0:
        return ""
    name = "afade" if audio else "fade"
    return f",{name}=t=in:st=0:d={fade:.3f},{name}=t=out:st={length_s - fade:.3f}:d={fade:.3f}"


def reel_format(info: MediaInfo, options: RenderOptions, frame: tuple[int, int] | None = None,
                ) -> tuple[int, int, float]:
    """``(width, height, fps)`` of the reel: ``frame`` (the clips' size) or else the recording's upright picture,
    scaled down (never up) so its shorter side is at most ``options.reel_short_side_px``, even-sized, at the
    recording's frame rate capped at ``reel_max_fps``."""
    width, height = frame or (info.width or 1280, info.height or 720)
    scale = min(1.0, options.reel_short_side_px / min(width, height))
    width, height = max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)
    fps = min(float(info.fps) if info.fps else 25.0, options.reel_max_fps)
    return width, height, fps


def render_reel(source: Path, info: MediaInfo, parts: Sequence[ReelPart], out: Path, options: RenderOptions,
                title: str = "", subtitle: str = "", frame: tuple[int, int] | None = None) -> list[Chapter]:
    """Render the highlight reel to ``out`` (MP4 with chapters) atomically and return its chapters; ``frame`` is
    the clips' size where the parts are rendered clips (see :func:`reel_format`).

    Raises:
        FFmpegError: ffmpeg failed.
    """
    if not parts:
        raise ValueError("a reel needs at least one part")
    width, height, fps = reel_format(info, options, frame)
    rate = info.sample_rate_hz or 48000
    intro_s = options.intro_s
    chapters = reel_chapters(parts, intro_s, options.labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial.mp4")
    # the process id in the name lets the next job remove it if this process is killed (jobs/outdir.py)
    with tempfile.TemporaryDirectory(prefix=f"mediaops-reel-{os.getpid()}-") as tmp:
        args: list[str] = []
        graph: list[str] = []
        concat: list[str] = []
        index = 0
        if intro_s > 0:
            card = write_title_card(Path(tmp) / "intro.mp4", width, height, fps, intro_s,
                                    title or label("reel_title", options.labels), subtitle)
            args += ["-i", str(card), "-f", "lavfi", "-t", f"{intro_s:.3f}", "-i", f"anullsrc=r={rate}:cl=stereo"]
            graph.append(f"[0:v]fps={fps:.6f},scale={width}:{height},setsar=1,format=yuv420p[v0]")
            graph.append(f"[1:a]aformat=sample_rates={rate}:channel_layouts=stereo[a0]")
            concat.append("[v0][a0]")
            index = 2
        for n, part in enumerate(parts, 1):
            length = part.end_s - part.start_s
            if part.file is not None:
                # a rendered clip: already cut, cropped and captioned; fitted (not stretched) into the reel's frame
                lead_s = 0.0
                args += ["-t", f"{length:.6f}", "-i", str(part.file)]
                fit = (f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
                       f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2")
            else:
                seek_s, lead_s = split_seek(part.start_s, keyframes_near(source, part.start_s).before_s)
                args += ["-ss", f"{seek_s:.6f}", "-t", f"{lead_s + length:.6f}", "-i", str(source)]
                # the recording's display size, square pixels (anamorphic sources are widened)
                fit = f"scale={width}:{height}"
            # input timestamps count from the seek point: the frames before the part's start are trimmed off
            video = (f"[{index}:v:0]trim=start={lead_s:.6f},setpts=PTS-STARTPTS,fps={fps:.6f},"
                     f"{fit},setsar=1,format=yuv420p{_fades(length, options.transition_s, False)}")
            audio = (f"[{index}:a:0]atrim=start={lead_s:.6f},asetpts=PTS-STARTPTS,"
                     f"aformat=sample_rates={rate}:channel_layouts=stereo,"
                     f"apad,atrim=0:{length:.6f}{_fades(length, options.transition_s, True)}[a{n}]")
            index += 1
            if part.sticker:
                sticker = Path(tmp) / f"sticker{n}.png"
                sticker_image(part.sticker, max(16, round(height * 0.09))).save(sticker)
                args += ["-i", str(sticker)]
                margin = round(height * 0.04)
                graph.append(f"{video}[b{n}]")
                # top right, below where streams put their clock and "LIVE" badges
                graph.append(f"[b{n}][{index}:v]overlay=W-w-{margin}:H*0.14:eof_action=repeat[v{n}]")
                index += 1
            else:
                graph.append(f"{video}[v{n}]")
            graph.append(audio)
            concat.append(f"[v{n}][a{n}]")
        graph.append(f"{''.join(concat)}concat=n={len(concat)}:v=1:a=1[vout][aout]")
        meta = Path(tmp) / "chapters.txt"
        meta.write_text(to_ffmetadata(chapters, title), "utf-8")
        args += ["-f", "ffmetadata", "-i", str(meta), "-filter_complex", ";".join(graph),
                 "-map", "[vout]", "-map", "[aout]", "-map_chapters", str(index), "-map_metadata", str(index),
                 "-c:v", "libx264", "-preset", options.preset, "-crf", str(options.crf), "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4", str(partial)]
        run_ffmpeg_into(args, partial, out, f"rendering the highlight reel {out.name} failed")
    return chapters


def write_replay(source: Path, chapters: Sequence[Chapter], out: Path, title: str = "") -> Path:
    """Copy the recording's streams to ``out`` (MP4) with ``chapters``, atomically; nothing is re-encoded."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial.mp4")
    with tempfile.TemporaryDirectory(prefix="mediaops-replay-") as tmp:
        meta = Path(tmp) / "chapters.txt"
        meta.write_text(to_ffmetadata(chapters, title), "utf-8")
        args = ["-i", str(source), "-f", "ffmetadata", "-i", str(meta), "-map", "0:v:0", "-map", "0:a?",
                "-map_chapters", "1", "-map_metadata", "1", "-c", "copy", "-movflags", "+faststart",
                "-f", "mp4", str(partial)]
        run_ffmpeg_into(args, partial, out, f"writing the replay {out.name} failed")
    return out


def _titled(clips: Sequence[Clip], products: dict[str, Product]) -> list[Clip]:
    """``clips``, those without a title named after their product."""
    return [c if c.title or (c.product_sku or "") not in products
            else replace(c, title=products[c.product_sku or ""].name) for c in clips]


def write_reel(source: Path, info: MediaInfo, clips: Sequence[Clip], work: Path, options: RenderOptions,
               products: dict[str, Product] | None = None, title: str = "") -> dict[str, str]:
    """Write ``reel.mp4`` + ``reel.vtt`` into ``work`` from ``clips`` (read from their rendered files in ``work``
    where they are there, else from ``source``). It needs nothing but the clips, so a job renders it beside its
    full transcript. Returns the files by kind, relative to ``work``.

    Raises:
        FFmpegError: ffmpeg failed.
    """
    clips = _titled(clips, products or {})
    parts = reel_parts(clips, products, options.currency, work)
    # rendered clips give the reel their frame (a 9:16 crop makes a 9:16 reel)
    sizes = {(c.width, c.height) for c in clips if c.width and c.height and (work / c.file).is_file()}
    frame = sizes.pop() if len(sizes) == 1 and all(p.file for p in parts) else None
    reel = render_reel(source, info, parts, work / "reel.mp4", options, title, frame=frame)
    write_text_atomic(work / "reel.vtt", to_webvtt(reel))
    return {"reel": "reel.mp4", "reel_chapters": "reel.vtt"}


def write_replays(source: Path, info: MediaInfo, clips: Sequence[Clip], pitches: Sequence[PitchSegment],
                  work: Path, options: RenderOptions, products: dict[str, Product] | None = None,
                  title: str = "", reel: Mapping[str, str] | None = None) -> dict[str, str]:
    """Write ``chapters.vtt`` (always), ``replay.mp4`` and ``reel.mp4`` + ``reel.vtt`` (as ``options`` say).

    ``reel``: the reel's files (:func:`write_reel`), already in ``work``: it is not rendered again.
    Returns the written files by kind, relative to ``work`` (for the timeline's ``extras``).
    """
    written: dict[str, str] = {}
    clips = _titled(clips, products or {})
    chapters = replay_chapters(info.duration_s, clips, pitches, options.labels)
    write_text_atomic(work / "chapters.vtt", to_webvtt(chapters))
    written["chapters"] = "chapters.vtt"
    if options.replay:
        write_replay(source, chapters, work / "replay.mp4", title)
        written["replay"] = "replay.mp4"
    if reel is not None:
        written.update(reel)
    elif options.reel and clips:
        written.update(write_reel(source, info, clips, work, options, products, title))
    return written
