"""Cutting one clip with ffmpeg (command built with ffmpeg-python, run as an argument list)."""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg

from mediaops.ffmpeg_tools import ffmpeg_exe, run_ffmpeg
from mediaops.render.options import RenderOptions


def clip_command(source: Path, start_s: float, end_s: float, out: Path, options: RenderOptions) -> list[str]:
    """The ffmpeg argument list (without the executable) that renders ``[start_s, end_s)`` of ``source``."""
    duration_s = end_s - start_s
    stream = ffmpeg.input(str(source), ss=f"{start_s:.3f}")
    if options.cut == "fast":
        output = stream.output(str(out), t=f"{duration_s:.3f}", c="copy", avoid_negative_ts="make_zero",
                               movflags="+faststart", f="mp4")
    else:
        output = stream.output(
            str(out), t=f"{duration_s:.3f}", vcodec="libx264", preset=options.preset, crf=options.crf,
            pix_fmt="yuv420p", acodec="aac", audio_bitrate="128k", movflags="+faststart", f="mp4",
        )
    return output.compile(cmd=ffmpeg_exe())[1:]


def cut_clip(source: Path, start_s: float, end_s: float, out: Path, options: RenderOptions = RenderOptions()) -> Path:
    """Render ``[start_s, end_s)`` of ``source`` to ``out`` atomically (a partial file is never left at ``out``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial.mp4")
    try:
        run_ffmpeg(clip_command(source, start_s, end_s, partial, options), f"rendering {out.name} failed")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def write_cover(source: Path, t_s: float, out: Path, width: int = 640) -> Path:
    """Write a JPEG frame of ``source`` at ``t_s`` to ``out`` atomically."""
    partial = out.with_name(f".{out.stem}.partial.jpg")
    args = ["-ss", f"{t_s:.3f}", "-i", str(source), "-frames:v", "1", "-vf", f"scale={width}:-2", "-q:v", "3",
            "-f", "image2", str(partial)]
    try:
        run_ffmpeg(args, f"writing cover {out.name} failed")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out
