"""Rendering one clip: cut, reframe and captions in a single ffmpeg run, plus its SRT sidecar and cover.

``fast`` copies the streams between two keyframes (found through the container index, so it costs the same
anywhere in a long file) and reports those keyframe times. ``exact`` seeks the input to the keyframe at or before
the cut, decodes from there and drops frames up to the cut (an output ``-ss``), and re-encodes with x264, so the
clip starts on the requested frame. Seeking to the keyframe itself, rather than to the cut and letting the
demuxer find the keyframe, matters for MPEG-TS and index-less FLV: their seek lands inside a group of pictures,
the decoder waits for the next keyframe, and the clip's video would start up to a GOP late (a player holds its
first picture meanwhile).

Phone videos with a display rotation come out upright: ffmpeg turns the frames before the filters (so sizes
in the filters are the upright ones :func:`mediaops.media.probe.probe` reports), covers are turned the same way.
Sources with non-square pixels (anamorphic 1440×1080 shown 16:9) are first scaled to their display size in
square pixels, so crops, captions and covers are in display pixels and every clip has a sample aspect ratio of 1.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import ffmpeg

from mediaops.media.ffmpeg_tools import run_ffmpeg_into
from mediaops.media.fonts import cjk_font, private_fontconfig
from mediaops.media.probe import probe
from mediaops.render.captions import CaptionStyle, caption_lines, lines_to_ass, lines_to_srt
from mediaops.render.covers import best_frame, format_price, reframe_image, write_cover_image
from mediaops.render.keyframes import keyframes_near, snap_to_keyframes, split_seek
from mediaops.render.options import RenderOptions
from mediaops.render.reframe import (
    CropPlan,
    frame_rate_filter,
    join_filters,
    original_frame_filter,
    original_size,
    output_size,
    plan_crop,
    reframe_filter,
    sample_faces,
    square_pixels_filter,
)
from mediaops.serialize import write_text_atomic
from mediaops.types import Clip, Highlight, MediaInfo, Product, Transcript


@dataclass(frozen=True, slots=True)
class ClipJob:
    """What to render: a span of the source, and what to write it as (``name`` + ``.mp4``/``.srt``/``.jpg``)."""

    name: str
    start_s: float
    end_s: float
    title: str = ""
    price: float | None = None
    #: the price's currency code; empty: ``RenderOptions.currency``.
    currency: str = ""


@dataclass(frozen=True, slots=True)
class RenderedClip:
    """What :func:`render_clip` wrote: the span the clip really covers (keyframe-snapped in ``fast`` mode),
    its frame size and its files, and for a reframed clip how it was fitted (:class:`CropPlan`)."""

    start_s: float
    end_s: float
    width: int | None
    height: int | None
    file: Path
    subtitles: Path
    cover: Path | None = None
    reframe: str = "none"
    upscale: float | None = None
    size_reason: str = ""


def escape_filter_value(value: str) -> str:
    """Escape a filter option value for both levels of ffmpeg's filter-graph parsing (paths with ``:`` etc.)."""
    level1 = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    for ch in "\\'[],;":
        level1 = level1.replace(ch, "\\" + ch)
    return level1


def fast_command(source: Path, start_s: float, end_s: float, out: Path, audio: bool = True) -> list[str]:
    """Stream copy of ``[start_s, end_s)`` (built with ffmpeg-python); ``start_s`` must be a keyframe time."""
    # seek half a millisecond past the keyframe so float rounding never lands on the one before it
    clip = ffmpeg.input(str(source), ss=f"{start_s + 0.0005:.6f}")
    streams = [clip["v:0"], clip["a:0"]] if audio else [clip["v:0"]]
    return ffmpeg.output(*streams, str(out), t=f"{end_s - start_s:.6f}", c="copy", avoid_negative_ts="make_zero",
                         movflags="+faststart", format="mp4").get_args()


def exact_command(source: Path, start_s: float, end_s: float, out: Path, options: RenderOptions,
                  video_filter: str = "", threads: int = 0, keyframe_s: float | None = None) -> list[str]:
    """Re-encode ``[start_s, end_s)`` frame-accurately through ``video_filter`` (a single-input filter chain),
    decoding from ``keyframe_s`` (the keyframe at or before ``start_s``, see
    :func:`mediaops.render.keyframes.split_seek`)."""
    seek_s, skip_s = split_seek(start_s, keyframe_s)
    args = ["-ss", f"{seek_s:.6f}", "-i", str(source), *(["-ss", f"{skip_s:.6f}"] if skip_s else []),
            "-t", f"{end_s - start_s:.6f}"]
    if video_filter:
        args += ["-filter_complex", f"[0:v:0]{video_filter}[vout]", "-map", "[vout]"]
    else:
        args += ["-map", "0:v:0"]
    args += ["-map", "0:a:0?", "-c:v", "libx264", "-preset", options.preset, "-crf", str(options.crf),
             "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart"]
    if threads:
        args += ["-threads", str(threads)]
    return [*args, "-f", "mp4", str(out)]


def plan_reframe(source: Path, info: MediaInfo, start_s: float, end_s: float,
                 options: RenderOptions) -> CropPlan | None:
    """The crop path of a clip at the size :func:`~mediaops.render.reframe.output_size` chooses, or ``None`` when
    the original frame is kept."""
    if not info.width or not info.height:
        return None
    size = output_size(info.width, info.height, options)
    if size is None:
        return None
    out_w, out_h, reason = size
    samples = sample_faces(source, start_s, end_s, options.track_fps)
    return replace(plan_crop(samples, info.width, info.height, out_w, out_h, options.fallback), size_reason=reason)


def render_clip(source: Path, info: MediaInfo, job: ClipJob, transcript: Transcript | None, folder: Path,
                options: RenderOptions, threads: int = 0) -> RenderedClip:
    """Render ``job`` into ``folder`` as ``name.mp4`` (+ ``.srt`` and, with covers on, ``.jpg``) atomically.

    Raises:
        FFmpegError: ffmpeg failed. InvalidMediaError: the source cannot be decoded there.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{job.name}.mp4"
    start_s, end_s = job.start_s, job.end_s
    plan: CropPlan | None = None
    if options.cut == "fast":
        start_s, end_s = snap_to_keyframes(source, start_s, end_s, info.duration_s)
        width, height = info.width, info.height
    else:
        plan = plan_reframe(source, info, start_s, end_s, options)
        width, height = (plan.out_w, plan.out_h) if plan else original_size(info, options)
    segments = transcript.segments if transcript else ()
    style = None
    if width and height:
        style = CaptionStyle.for_frame(width, height, "", options.caption_chars)
    lines = caption_lines(segments, start_s, end_s, style.max_width if style else 14)
    srt = folder / f"{job.name}.srt"
    write_text_atomic(srt, lines_to_srt(lines))

    partial = out.with_name(f".{out.stem}.partial.mp4")
    with tempfile.TemporaryDirectory(prefix="mediaops-clip-") as tmp:
        env: dict[str, str] | None = None
        if options.cut == "fast":
            args = fast_command(source, start_s, end_s, partial, info.has_audio)
        else:
            framing = (join_filters(square_pixels_filter(info), reframe_filter(plan, info.width or 0, info.height or 0))
                       if plan else original_frame_filter(info, options))
            chain = join_filters(framing, frame_rate_filter(info, options))
            if options.captions and lines and style is not None and width and height:
                font = cjk_font()
                ass = Path(tmp) / "captions.ass"
                ass.write_text(lines_to_ass(lines, CaptionStyle.for_frame(
                    width, height, font.family, options.caption_chars)), "utf-8")
                subtitles = (f"ass=filename={escape_filter_value(str(ass))}"
                             f":fontsdir={escape_filter_value(str(font.folder))}")
                chain = f"{chain},{subtitles}" if chain else subtitles
                env = private_fontconfig(font, Path(tmp))
            args = exact_command(source, start_s, end_s, partial, options, chain, threads,
                                 keyframes_near(source, start_s).before_s)
        run_ffmpeg_into(args, partial, out, f"rendering clip {out.name} failed", env)

    cover = None
    if options.covers:
        t_s, bgr = best_frame(source, start_s, end_s)
        image = reframe_image(bgr, plan, t_s - start_s)
        title = job.title if options.cover_title else ""
        price = format_price(job.price, job.currency or options.currency) if options.cover_title else ""
        cover = write_cover_image(image, folder / f"{job.name}.jpg", title, price)
    return RenderedClip(start_s, end_s, width, height, out, srt, cover, plan.mode if plan else "none",
                        plan.upscale if plan else None, plan.size_reason if plan else "")


def render_highlight(source: Path, info: MediaInfo, highlight: Highlight, transcript: Transcript | None,
                     work: Path, options: RenderOptions, products: dict[str, Product] | None = None,
                     threads: int = 0) -> Clip:
    """Render one highlight into ``work/clips`` and describe it as a :class:`Clip` (paths relative to ``work``)."""
    product = (products or {}).get(highlight.product_sku or "")
    title = product.name if product else ""
    job = ClipJob(highlight.id, highlight.start_s, highlight.end_s, title, product.price if product else None,
                  product.currency if product else "")
    clip_dir = work / "clips"
    done = render_clip(source, info, job, transcript, clip_dir, options, threads)
    return Clip(
        id=highlight.id,
        start_s=done.start_s,
        end_s=done.end_s,
        score=highlight.score,
        file=f"clips/{highlight.id}.mp4",
        reasons=highlight.reasons,
        reason_records=highlight.reason_records,
        cover=str(done.cover.relative_to(work)) if done.cover else None,
        subtitles=f"clips/{highlight.id}.srt",
        product_sku=highlight.product_sku,
        title=highlight.title,
        width=done.width,
        height=done.height,
        reframe=done.reframe if done.reframe != "none" else "",
        upscale=done.upscale,
        size_reason=done.size_reason,
    )


def cut_clip(source: Path, start_s: float, end_s: float, out: Path, options: RenderOptions = RenderOptions()) -> Path:
    """Render only the video of ``[start_s, end_s)`` to ``out`` atomically (cut mode and aspect from ``options``).

    Kept for callers that want the file alone; :func:`render_highlight` also gives captions, SRT, cover and the
    snapped times.
    """
    info = probe(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial.mp4")
    if options.cut == "fast":
        start_s, end_s = snap_to_keyframes(source, start_s, end_s, info.duration_s)
        args = fast_command(source, start_s, end_s, partial, info.has_audio)
    else:
        plan = plan_reframe(source, info, start_s, end_s, options)
        chain = join_filters(square_pixels_filter(info),
                             reframe_filter(plan, info.width or 0, info.height or 0) if plan else "")
        args = exact_command(source, start_s, end_s, partial, options, chain,
                             keyframe_s=keyframes_near(source, start_s).before_s)
    run_ffmpeg_into(args, partial, out, f"rendering {out.name} failed")
    return out


def write_cover(source: Path, t_s: float, out: Path, width: int = 640, span_s: float = 4.0) -> Path:
    """Write the best frame within ``span_s`` around ``t_s`` as a JPEG ``width`` pixels wide, atomically."""
    _, bgr = best_frame(source, max(0.0, t_s - span_s / 2), t_s + span_s / 2)
    return write_cover_image(bgr, out, max_width=width)
