"""Finding the video keyframes around a time without decoding and without reading the whole file.

A stream copy can only start on a keyframe. The container's index (MP4/MKV) lets PyAV seek straight to the
keyframe at or before a time; from there a few packets are demuxed (not decoded) to see the next keyframes.
That costs the same at the start or at hour five of a recording. Without an index (MPEG-TS, most recorders' FLV)
a seek lands somewhere in a group of pictures, possibly after the keyframe wanted: the search then starts a
little further back, then further, instead of reading the whole file from its start.

Times are on the recording's timeline (from the container's start, as ffmpeg's ``-ss``; see
:mod:`mediaops.media.frames`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from mediaops.errors import InvalidMediaError
from mediaops.media.frames import origin_pts

#: how far past the requested time the packets are read looking for the next keyframe.
_LOOKAHEAD_S = 20.0
#: how much earlier each retry starts when a seek landed after the keyframe before the time.
_BACKOFF_S = (2.0, 8.0, 32.0, 128.0)


@dataclass(frozen=True, slots=True)
class KeyframeWindow:
    """The keyframes found near a time: the last one at or before it and the first one after it."""

    before_s: float | None
    after_s: float | None


def keyframes_near(source: Path, t_s: float, lookahead_s: float = _LOOKAHEAD_S) -> KeyframeWindow:
    """The video keyframes around ``t_s`` (seconds from the start of the file's timeline).

    Raises:
        InvalidMediaError: the file cannot be read or has no video stream.
    """
    try:
        container = av.open(str(source))
    except av.error.FFmpegError as exc:
        raise InvalidMediaError(f"cannot read {source.name} to find keyframes — is the recording intact?") from exc
    with container:
        if not container.streams.video:
            raise InvalidMediaError(f"no video stream in {source.name} — give the video recording")
        stream = container.streams.video[0]
        origin = origin_pts(container, stream)
        try:
            window = _scan(container, stream, origin, t_s, t_s, lookahead_s)
            for back_s in _BACKOFF_S:
                if window.before_s is not None or t_s <= 0:
                    break
                # the seek landed after the keyframe (a sparse or missing index): start further back
                window = _scan(container, stream, origin, max(0.0, t_s - back_s), t_s, lookahead_s)
            if window.before_s is None and t_s > 0:
                window = _scan(container, stream, origin, 0.0, t_s, lookahead_s)
        except av.error.FFmpegError as exc:
            raise InvalidMediaError(
                f"{source.name} cannot be read near {t_s:.1f} s ({exc.__class__.__name__}) — the file may be "
                "truncated; remux or re-upload it"
            ) from exc
        return window


def _scan(container, stream, origin: int, seek_s: float, t_s: float, lookahead_s: float) -> KeyframeWindow:
    time_base = stream.time_base
    try:
        container.seek(origin + int(max(0.0, seek_s) / time_base), stream=stream, backward=True, any_frame=False)
    except av.error.FFmpegError:
        container.seek(origin, stream=stream)
    before: float | None = None
    after: float | None = None
    limit = origin + int((t_s + lookahead_s) / time_base)
    for packet in container.demux(stream):
        if packet.pts is None:
            if packet.size == 0:
                break  # the flush packet at the end of the file
            continue
        if packet.pts > limit:
            break
        if not packet.is_keyframe:
            continue
        at_s = float((packet.pts - origin) * time_base)
        # half a millisecond of slack: a keyframe at 35.0 is "at" 34.9999 after float rounding
        if at_s <= t_s + 5e-4:
            before = at_s if before is None else max(before, at_s)
        else:
            after = at_s
            break
    return KeyframeWindow(before, after)


def split_seek(start_s: float, keyframe_s: float | None) -> tuple[float, float]:
    """``(seek_s, skip_s)``: seek the input to ``seek_s`` (``-ss`` before ``-i``), then drop ``skip_s`` seconds of
    decoded frames, to start exactly at ``start_s``.

    With ``keyframe_s`` (the keyframe at or before ``start_s``) the seek goes to that keyframe (half a millisecond
    past it, so rounding never lands on the one before) and the rest is dropped a millisecond short, so that the
    frame at ``start_s`` itself (a cut) survives millisecond time bases. Without one the seek goes to ``start_s``
    and the demuxer finds the keyframe, which MPEG-TS and index-less FLV do not do reliably.
    """
    if keyframe_s is None or not 0 <= keyframe_s < start_s - 2e-3:
        return start_s, 0.0
    seek_s = keyframe_s + 0.0005
    return seek_s, max(0.0, start_s - seek_s - 0.001)


def snap_to_keyframes(source: Path, start_s: float, end_s: float, duration_s: float) -> tuple[float, float]:
    """The span a stream copy of ``[start_s, end_s)`` really covers: from the keyframe at or before ``start_s``
    to the first keyframe at or after ``end_s`` (or the end of the file), so the clip decodes cleanly.

    A keyframe less than 50 ms after ``start_s`` is taken instead of the one before it."""
    window = keyframes_near(source, start_s)
    start = 0.0 if window.before_s is None else window.before_s
    if window.after_s is not None and window.after_s - start_s <= 0.05:
        start = window.after_s  # a keyframe just after the cut is closer than a whole GOP before it
    end_window = keyframes_near(source, end_s)
    if end_window.before_s is not None and abs(end_window.before_s - end_s) <= 5e-4:
        end = end_window.before_s
    elif end_window.after_s is not None:
        end = end_window.after_s
    else:
        end = duration_s
    end = min(end, duration_s)
    if end <= start:
        end = duration_s
    return round(start, 6), round(end, 6)
