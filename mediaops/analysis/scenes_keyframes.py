"""The whole recording's scene list without decoding every frame: keyframes first, then only where they differ.

A live-stream recording has a keyframe every 1–4 s (encoders and platforms ask for it). A hard cut changes the
picture between the two keyframes around it, so:

1. coarse: decode only the keyframes (a fraction of the frames; no reference frames are needed), shrink each
   to PySceneDetect's working size and compare consecutive ones with ContentDetector's own score (mean change
   of hue, saturation and brightness);
2. fine: run real PySceneDetect, frame by frame, only between keyframes that differ by at least
   ``candidate_ratio`` of the cut threshold (and a second either side).

The cuts are PySceneDetect's, to the frame; what this cannot see is a cut that comes back to the same picture
before the next keyframe (A → B → A inside one group of pictures). Where keyframes are too sparse or too dense
for this to pay, the full pass runs instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from mediaops.analysis.scenes import SceneOptions, detect_scenes, detect_scenes_in_windows
from mediaops.analysis.signals import merge_spans
from mediaops.errors import InvalidMediaError
from mediaops.media.frames import ANALYSIS_SIDE_PX, analysis_size, decode_from, open_video, small_bgr
from mediaops.types import ProgressCallback, Scene, no_progress


@dataclass(frozen=True, slots=True)
class KeyframeScan:
    """What the coarse pass found: the spans between differing keyframes, and the keyframe spacing."""

    candidates: tuple[tuple[float, float], ...]
    keyframes: int
    median_gap_s: float
    duration_s: float
    #: one frame's duration (the stream's average rate).
    frame_s: float = 0.04


def _content_score(previous: np.ndarray, current: np.ndarray) -> float:
    """ContentDetector's score between two HSV frames: the mean absolute change of H, S and V, averaged."""
    delta = np.abs(current.astype(np.int16) - previous.astype(np.int16))
    return float(delta.reshape(-1, 3).mean(axis=0).mean())


def _keyframes(path: Path, container: av.container.InputContainer, stream: av.VideoStream,
               spans: Sequence[tuple[float, float]]) -> Iterator[tuple[int, float, np.ndarray]]:
    """``(span index, time_s, small HSV frame)`` for each keyframe of ``stream`` in each span, from the keyframe
    at or before the span's start to the first one after its end (times on the recording's timeline, frames at
    the analysis size of the fine pass)."""
    import cv2

    stream.codec_context.skip_frame = "NONKEY"
    stream.thread_type = "AUTO"
    width, height = analysis_size(stream.codec_context.width or ANALYSIS_SIDE_PX,
                                  stream.codec_context.height or ANALYSIS_SIDE_PX)
    try:
        for index, (start_s, end_s) in enumerate(spans):
            for time_s, frame in decode_from(container, stream, start_s):
                yield index, time_s, cv2.cvtColor(small_bgr(frame, width, height), cv2.COLOR_BGR2HSV)
                if time_s > end_s:
                    break
    except av.error.FFmpegError as exc:
        raise InvalidMediaError(f"the video of {path.name} is corrupt or truncated — re-export it") from exc


def scan_keyframes(path: Path, options: SceneOptions, duration_s: float,
                   on_progress: ProgressCallback = no_progress,
                   spans: Sequence[tuple[float, float]] | None = None) -> KeyframeScan:
    """The coarse pass over the whole recording (or only ``spans``): the spans between consecutive keyframes
    whose content score reaches the candidate level.

    Raises:
        InvalidMediaError: the file has no decodable video.
    """
    level = options.threshold * options.candidate_ratio
    wanted = list(spans) if spans is not None else [(0.0, math.inf)]
    candidates: list[tuple[float, float]] = []
    gaps: list[float] = []
    last: tuple[int, float, np.ndarray] | None = None
    count = 0
    reported = 0.0
    latest = 0.0
    with open_video(path) as (container, stream):
        rate = stream.average_rate or stream.guessed_rate
        frame_s = float(1 / rate) if rate else 0.04
        for index, time_s, frame in _keyframes(path, container, stream, wanted):
            count += 1
            latest = max(latest, time_s)
            if last is not None and last[0] == index and time_s > last[1]:
                gaps.append(time_s - last[1])
                if last[2].shape == frame.shape and _content_score(last[2], frame) >= level:
                    candidates.append((last[1], time_s))
            last = (index, time_s, frame)
            if spans is None and duration_s and time_s - reported >= duration_s / 20:
                reported = time_s
                on_progress("scenes", min(0.5, 0.5 * time_s / duration_s), f"keyframes to {time_s:.0f} s")
    median_gap = float(np.median(gaps)) if gaps else math.inf
    return KeyframeScan(tuple(dict.fromkeys(candidates)), count, median_gap, max(duration_s, latest), frame_s)


def _refine_windows(scan: KeyframeScan, options: SceneOptions, searched_s: float) -> list[tuple[float, float]] | None:
    """The spans to decode frame by frame (each differing keyframe pair ± ``refine_margin_s``), or ``None``
    where the keyframes do not narrow the search: too few, too sparse, too dense, or the spans would cover
    more than half of the ``searched_s`` seconds.

    The margin before a pair is at least ``min_scene_len_frames`` and one frame: the detector ignores a cut
    closer than that to where it starts, and a cut just after the pair's first keyframe must not be one."""
    margin = max(options.refine_margin_s, (options.min_scene_len_frames + 1) * scan.frame_s)
    refine = merge_spans((max(0.0, a - margin), b + options.refine_margin_s) for a, b in scan.candidates)
    spaced = options.min_keyframe_gap_s <= scan.median_gap_s <= options.max_keyframe_gap_s
    if scan.keyframes < 2 or not spaced or sum(b - a for a, b in refine) > 0.5 * searched_s:
        return None
    return refine


def detect_scenes_by_keyframes(
    path: Path,
    options: SceneOptions = SceneOptions(),
    duration_s: float = 0.0,
    on_progress: ProgressCallback = no_progress,
) -> list[Scene]:
    """The scenes of the whole recording, as :func:`mediaops.analysis.scenes.detect_scenes` finds them, decoding every
    frame only around keyframes that differ (see the module's notes); falls back to the full pass where the
    keyframes are too sparse (over ``options.max_keyframe_gap_s`` apart) or too dense to save anything.

    Raises:
        InvalidMediaError: the file has no decodable video.
    """
    scan = scan_keyframes(path, options, duration_s, on_progress)
    windows = _refine_windows(scan, options, scan.duration_s)

    def progress(stage: str, fraction: float, message: str) -> None:
        on_progress(stage, 0.5 + 0.5 * fraction, message)

    if windows is None:
        on_progress("scenes", 0.5, "keyframes do not narrow the search: decoding every frame")
        return detect_scenes(path, options, on_progress=progress)
    cuts = [s.start_s for s in detect_scenes_in_windows(path, windows, options, progress)]
    bounds = [0.0, *(c for c in cuts if 0.0 < c < scan.duration_s), scan.duration_s]
    return [Scene(start_s=a, end_s=b) for a, b in itertools.pairwise(bounds) if b > a]


def detect_scenes_in_windows_by_keyframes(
    path: Path,
    windows: Sequence[tuple[float, float]],
    options: SceneOptions = SceneOptions(),
    on_progress: ProgressCallback = no_progress,
) -> list[Scene]:
    """What :func:`mediaops.analysis.scenes.detect_scenes_in_windows` returns (the scenes that start at a real
    cut inside one of the windows), decoding every frame only between differing keyframes inside the windows; falls back
    to decoding the windows whole as :func:`detect_scenes_by_keyframes` does.

    Raises:
        InvalidMediaError: the file has no decodable video.
    """
    merged = merge_spans(windows)
    if not merged:
        return []
    scan = scan_keyframes(path, options, 0.0, on_progress, spans=merged)
    refine = _refine_windows(scan, options, sum(b - a for a, b in merged))
    if refine is None:
        return detect_scenes_in_windows(path, merged, options, on_progress)
    cuts = sorted({s.start_s for s in detect_scenes_in_windows(path, refine, options, on_progress)})
    scenes: list[Scene] = []
    for start_s, end_s in merged:
        # a window may hold no cut at all: its differing keyframes were motion, or it had no candidates
        inside = [c for c in cuts if start_s < c < end_s]
        scenes += [Scene(a, b) for a, b in itertools.pairwise([*inside, end_s])]
    return scenes
