"""Decoding video frames by time, on the recording's timeline and the right way up (PyAV).

Every time in MediaOps counts from the start of the recording as ffmpeg's ``-ss`` does: from the container's
start time, not from zero timestamps. Recorders' MPEG-TS files start at 1.4 s, phones' MP4s at 0, a remux
anywhere; each decoder here subtracts the container's start, so a scene cut, a keyframe and a clip's ``-ss``
agree on every file.

Seeking is only as good as the container's index. MP4 and MKV land on the keyframe at or before the target;
MPEG-TS and index-less FLV land on a byte offset somewhere in a group of pictures, and the decoder then drops
everything up to the next keyframe, up to a whole GOP (4 s and more in recorders) after the target.
:func:`decode_from` checks where decoding really started and seeks further back until it starts at or before
the target.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from mediaops.errors import InvalidMediaError

#: analysis frames (scene detection) are scaled so that their longer side is this many pixels, as
#: PySceneDetect's auto-downscale does; swscale shrinks them while converting, so a 4K frame never exists as RGB.
ANALYSIS_SIDE_PX = 256
#: how much further back each retry of a seek that landed after its target starts, in seconds.
_SEEK_BACKOFF_S = (1.0, 4.0, 16.0, 64.0)


@contextmanager
def open_video(path: Path, what: str = "decode") -> Iterator[tuple[av.container.InputContainer, av.VideoStream]]:
    """The opened container of ``path`` and its first video stream (closed on exit).

    Raises:
        InvalidMediaError: the file cannot be opened or has no video stream.
    """
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, OSError) as exc:
        raise InvalidMediaError(f"cannot {what} the video of {path.name} — is it a video recording?") from exc
    with container:
        if not container.streams.video:
            raise InvalidMediaError(f"no video stream in {path.name} — give the video recording, not only its audio")
        yield container, container.streams.video[0]


def origin_pts(container: av.container.InputContainer, stream: av.VideoStream) -> int:
    """The container's start time in ``stream``'s time base: the pts that is 0 s on the recording's timeline."""
    if container.start_time is None or not stream.time_base:
        return stream.start_time or 0
    return round(container.start_time / 1_000_000 / stream.time_base)


def frame_time_s(frame: av.VideoFrame, origin: int) -> float | None:
    """``frame``'s time on the recording's timeline (``None`` for a frame without a timestamp)."""
    if frame.pts is None or not frame.time_base:
        return None
    return float((frame.pts - origin) * frame.time_base)


def decode_from(container: av.container.InputContainer, stream: av.VideoStream, start_s: float,
                origin: int | None = None) -> Iterator[tuple[float, av.VideoFrame]]:
    """``(t_s, frame)`` for each decoded frame from the keyframe at or before ``start_s`` to the end.

    Set ``stream.codec_context.skip_frame`` first to get only keyframes. Where the seek lands after
    ``start_s`` (MPEG-TS, FLV without an index) it is retried further back until decoding starts at or before
    it (or at the first frame).

    Raises:
        av.error.FFmpegError: the file cannot be decoded (callers say what it means for them).
    """
    origin = origin_pts(container, stream) if origin is None else origin
    time_base = stream.time_base
    backoff = iter(_SEEK_BACKOFF_S)
    target_s = start_s
    while True:
        at_start = target_s <= 0 or time_base is None
        container.seek(origin + (0 if at_start or time_base is None else int(target_s / time_base)), stream=stream,
                       backward=True)
        frames = _timed(container.decode(stream), origin)
        first = next(frames, None)
        if first is None:
            return
        if at_start or first[0] <= start_s + 1e-3:
            yield first
            yield from frames
            return
        frames.close()
        step = next(backoff, None)
        target_s = 0.0 if step is None else start_s - step


def _timed(frames: Iterator[av.VideoFrame], origin: int) -> Generator[tuple[float, av.VideoFrame], None, None]:
    for frame in frames:
        t_s = frame_time_s(frame, origin)
        if t_s is not None:
            yield t_s, frame


def rotation_deg(frame: av.VideoFrame) -> int:
    """How far players turn ``frame`` clockwise to show it (its display matrix): 0, 90, 180 or 270."""
    try:
        anticlockwise = frame.rotation or 0
    except (AttributeError, TypeError, ValueError):
        return 0
    return round(-anticlockwise / 90) % 4 * 90


def upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """``image`` (rows × columns × …) turned ``rotation`` degrees clockwise, as players show it."""
    turns = rotation // 90 % 4
    return np.ascontiguousarray(np.rot90(image, k=-turns)) if turns else image


def upright_bgr(frame: av.VideoFrame, width: int | None = None, height: int | None = None) -> np.ndarray:
    """``frame`` as a BGR image the right way up, scaled on the way (in the stored orientation) to
    ``width`` × ``height`` when given."""
    if width and height:
        image = frame.reformat(width=width, height=height, format="bgr24").to_ndarray()
    else:
        image = frame.to_ndarray(format="bgr24")
    return upright(image, rotation_deg(frame))


def sample_aspect(stream: av.VideoStream) -> Fraction:
    """How wide ``stream``'s stored pixels are shown, as a ratio to their height: 4/3 for 1440×1080 HDV shown at
    1920×1080, 16/15 for 720×576 PAL shown 4:3; 1 for square pixels and where the file does not say."""
    for ratio in (stream.sample_aspect_ratio, stream.codec_context.sample_aspect_ratio):
        if ratio is not None and ratio > 0:
            return Fraction(ratio)
    return Fraction(1)


def display_width(width: int, sar: Fraction) -> int:
    """The width ``width`` stored pixels of sample aspect ``sar`` take on screen in square pixels: the width
    players show (even, as encoders want)."""
    if sar == 1:
        return width
    return max(2, round(width * sar / 2) * 2)


def display_bgr(frame: av.VideoFrame, sar: Fraction) -> np.ndarray:
    """``frame`` as a BGR image the right way up in square pixels (its width stretched by ``sar``, the stream's
    :func:`sample_aspect`), as players show it."""
    width = display_width(frame.width, sar)
    return upright_bgr(frame, width, frame.height) if width != frame.width else upright_bgr(frame)


def analysis_size(width: int, height: int, side_px: int = ANALYSIS_SIDE_PX) -> tuple[int, int]:
    """The size frames of ``width`` × ``height`` are analysed at: the longer side ``side_px`` at most."""
    scale = min(1.0, side_px / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def small_bgr(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """``frame`` shrunk to ``width`` × ``height`` as BGR, in its stored orientation.

    The shrinking happens in YUV (4:4:4, so colour keeps the small picture's resolution) and only the small
    picture is converted, by swscale's unscaled path as OpenCV converts: swscale's scaled YUV→RGB path adds
    colour noise to near-black pixels that swings their hue enough to look like a cut in every fade to black.
    Area averaging reads each source pixel once: on a 4K frame it costs a quarter of bilinear (whose filter
    grows with the shrink factor) and less than converting the frame to RGB at full size.
    """
    small = frame.reformat(width=width, height=height, format="yuv444p", interpolation="AREA")
    return small.reformat(format="bgr24").to_ndarray()
