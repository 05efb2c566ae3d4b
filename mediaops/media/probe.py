"""Reading a recording's streams and duration (PyAV, which ships its own FFmpeg libraries)."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av

from mediaops.errors import InputFileError, InvalidMediaError
from mediaops.media.frames import display_width, rotation_deg, sample_aspect
from mediaops.types import MediaInfo


def check_input_file(path: Path, what: str = "input file") -> Path:
    """Return ``path`` if it is a readable, non-empty file; raise :class:`InputFileError` otherwise."""
    if not path.exists():
        raise InputFileError(f"{what} not found: {path} — check the path")
    if not path.is_file():
        raise InputFileError(f"{what} is not a file: {path}")
    if path.stat().st_size == 0:
        raise InputFileError(f"{what} is empty: {path} — was the export or upload finished?")
    return path


def _parse_creation_time(tags: dict[str, str]) -> datetime | None:
    raw = tags.get("creation_time")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _display_rotation(container: av.container.InputContainer, video: av.VideoStream) -> int:
    """The clockwise turn players give the video (its display matrix), read from its first keyframe: the stream's
    own side data is not exposed by PyAV, and only decoded frames carry it. 0 where nothing decodes."""
    video.codec_context.skip_frame = "NONKEY"
    try:
        for frame in container.decode(video):
            return rotation_deg(frame)
    except av.error.FFmpegError:
        return 0
    return 0


def probe(path: Path) -> MediaInfo:
    """Describe the recording at ``path``.

    ``width`` and ``height`` are the picture as players show it: a phone video stored 1920×1080 with a 90°
    display rotation is 1080×1920, ``rotation_deg`` 90 (how far the stored frames are turned clockwise to show
    them). Pixels that are not square are shown as players show them too: 1440×1080 stored with a sample aspect
    ratio of 4:3 is 1920×1080, ``sample_aspect_ratio`` 4/3. ``start_time_s`` is where the container's
    timestamps start (1.4 s in recorders' MPEG-TS); every other time in MediaOps counts from there.

    Raises:
        InputFileError: the file is missing or empty.
        InvalidMediaError: the file is not media FFmpeg can read, or has neither audio nor video.
    """
    check_input_file(path, "recording")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise InvalidMediaError(
            f"not a readable media file: {path.name} ({exc.__class__.__name__}) — upload the original recording"
        ) from exc
    with container:
        video = next((s for s in container.streams.video), None)
        audio = next((s for s in container.streams.audio), None)
        if video is None and audio is None:
            raise InvalidMediaError(f"no audio or video stream in {path.name} — is this a recording?")
        duration_s = container.duration / 1_000_000 if container.duration else 0.0
        if not duration_s:
            for stream in (video, audio):
                if stream is not None and stream.duration and stream.time_base:
                    duration_s = max(duration_s, float(stream.duration * stream.time_base))
        if duration_s <= 0:
            raise InvalidMediaError(f"cannot tell the duration of {path.name} — the file may be truncated; remux it")
        fps: Fraction | None = None
        sar = Fraction(1)
        rotation = 0
        width = height = None
        if video is not None:
            rate = video.average_rate or video.guessed_rate or video.base_rate
            nominal = video.base_rate or video.guessed_rate
            # a looped or remuxed file's average can be a hair off its nominal rate (829386240/27648707)
            if rate and nominal and abs(float(rate) / float(nominal) - 1) < 1e-3:
                rate = nominal
            fps = Fraction(rate) if rate else None
            sar = sample_aspect(video)
            width, height = display_width(video.codec_context.width, sar), video.codec_context.height
            rotation = _display_rotation(container, video)
            if rotation in (90, 270):
                width, height = height, width
                sar = 1 / sar  # the upright picture's pixels are the stored ones turned
        start_time_s = container.start_time / 1_000_000 if container.start_time else 0.0
        return MediaInfo(
            path=str(path),
            duration_s=duration_s,
            size_bytes=path.stat().st_size,
            container=container.format.name,
            has_video=video is not None,
            has_audio=audio is not None,
            width=width,
            height=height,
            fps=fps,
            video_codec=video.codec_context.name if video is not None else None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            sample_rate_hz=audio.codec_context.sample_rate if audio is not None else None,
            channels=audio.codec_context.channels if audio is not None else None,
            start_time_s=start_time_s,
            rotation_deg=rotation,
            sample_aspect_ratio=sar if sar != 1 else None,
            creation_time=_parse_creation_time(dict(container.metadata)),
        )
