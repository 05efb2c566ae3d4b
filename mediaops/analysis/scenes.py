"""Scene-change detection: PySceneDetect's ContentDetector on frames PyAV decodes and shrinks at once.

PySceneDetect's own backends hand it full-size frames and shrink them afterwards: on a 4K recording every frame
is converted to 25 MB of RGB first. Here each decoded frame is shrunk in YUV straight to the small size the
detector works at (:data:`mediaops.media.frames.ANALYSIS_SIDE_PX`, PySceneDetect's auto-downscale size), so the
cost follows the decoding alone. Times are on the recording's timeline (see :mod:`mediaops.media.frames`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from mediaops.errors import InvalidMediaError
from mediaops.media.frames import analysis_size, decode_from, open_video, small_bgr
from mediaops.types import ProgressCallback, Scene, no_progress

#: scene windows decoded at once (:func:`detect_scenes_in_windows`): one per core of the machines MediaOps is
#: built for; more only share the same cores.
WINDOW_DECODERS = 2


@dataclass(frozen=True, slots=True)
class SceneOptions:
    """How to find cuts.

    Attributes:
        threshold: ContentDetector threshold (PySceneDetect's default, 27, suits hard cuts in stream footage).
        min_scene_len_frames: shortest scene, in frames (PySceneDetect's default).
        downscale: 0 scores frames whose longer side is 256 pixels (PySceneDetect's auto-downscale); ``n`` divides
            the stored frame size by ``n`` instead.
    """

    threshold: float = 27.0
    min_scene_len_frames: int = 15
    downscale: int = 0
    #: "keyframes" finds the whole recording's cuts by comparing keyframes first and decoding every frame only
    #: between keyframes that differ (mediaops.analysis.scenes_keyframes; the same cuts as "full" on stream footage,
    #: several times faster); "full" decodes every frame of the recording; "windowed" decodes only the spans
    #: around candidate engagement peaks (enough for choosing clips; the report's scene list is then partial).
    mode: str = "keyframes"
    #: keyframe pass: candidates differ by at least this share of ``threshold`` (well below a cut's score).
    candidate_ratio: float = 0.5
    #: keyframe pass: seconds decoded frame by frame either side of each pair of differing keyframes.
    refine_margin_s: float = 1.0
    #: keyframe pass: keyframes further apart than this (median) make it pointless: every frame is decoded.
    max_keyframe_gap_s: float = 10.0
    #: keyframe pass: keyframes closer than this (median) save nothing either.
    min_keyframe_gap_s: float = 0.5


def _frame_rate(stream) -> Fraction:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return Fraction(rate) if rate and rate > 0 else Fraction(25)


def detect_scenes(
    path: Path,
    options: SceneOptions = SceneOptions(),
    start_s: float | None = None,
    end_s: float | None = None,
    on_progress: ProgressCallback = no_progress,
) -> list[Scene]:
    """Scenes of ``path`` (optionally only within ``[start_s, end_s)``), in order, covering that span.

    Every frame of the span is decoded (from the keyframe before it) and scored at the analysis size; a cut is
    the time of the first frame of its new scene.

    Raises:
        InvalidMediaError: the file has no decodable video.
    """
    from scenedetect import ContentDetector, FrameTimecode

    detector = ContentDetector(threshold=options.threshold, min_scene_len=options.min_scene_len_frames)
    begin = float(start_s or 0.0)
    cuts: list[float] = []
    last_s: float | None = None
    with open_video(path) as (container, stream):
        stream.thread_type = "AUTO"
        fps = _frame_rate(stream)
        coded_w, coded_h = stream.codec_context.width or 1, stream.codec_context.height or 1
        if options.downscale >= 1:
            width, height = analysis_size(coded_w, coded_h, max(coded_w, coded_h) // options.downscale)
        else:
            width, height = analysis_size(coded_w, coded_h)
        span_s = (float(end_s) if end_s is not None else
                  (container.duration or 0) / 1_000_000) - begin
        # the detector counts frames (min_scene_len is in frames, as with PySceneDetect's own backends);
        # the times of the frames it may still report a cut at are kept beside the count
        times: dict[int, float] = {}
        keep = detector.event_buffer_length + 2
        count = 0
        reported_s = begin
        try:
            for t_s, frame in decode_from(container, stream, begin):
                if t_s < begin - 1e-3:
                    continue
                if end_s is not None and t_s >= end_s:
                    break
                count += 1
                times[count] = t_s
                times.pop(count - keep, None)
                small = small_bgr(frame, width, height)
                cuts += [times[c.frame_num] for c in detector.process_frame(FrameTimecode(count, fps), small)
                         if c.frame_num in times]
                last_s = t_s
                if span_s > 0 and t_s - reported_s >= span_s / 20:
                    reported_s = t_s
                    on_progress("scenes", min(1.0, (t_s - begin) / span_s), f"scenes to {t_s:.0f} s")
            if count:
                cuts += [times[c.frame_num] for c in detector.post_process(FrameTimecode(count, fps))
                         if c.frame_num in times]
        except av.error.FFmpegError as exc:
            raise InvalidMediaError(f"the video of {path.name} is corrupt or truncated — re-export it") from exc
    on_progress("scenes", 1.0, "scene detection done")
    if last_s is None:
        return []
    stop_s = last_s + float(1 / fps)
    if end_s is not None:
        stop_s = min(stop_s, float(end_s))
    bounds = [begin, *sorted(c for c in set(cuts) if begin < c < stop_s), stop_s]
    return [Scene(start_s=a, end_s=b) for a, b in itertools.pairwise(bounds) if b > a]


def detect_scenes_in_windows(
    path: Path,
    windows: Sequence[tuple[float, float]],
    options: SceneOptions = SceneOptions(),
    on_progress: ProgressCallback = no_progress,
) -> list[Scene]:
    """The scenes that start at a real cut inside one of the ``(start_s, end_s)`` windows, in time order.

    Each window is decoded on its own (seek, detect, stop), so the cost grows with the windows' total
    length, not the recording's. A window's first scene starts where decoding started, which is not a cut,
    so it is left out; a scene's end is the next cut or its window's end.

    Raises:
        InvalidMediaError: the file has no decodable video.
    """
    scenes: list[Scene] = []
    spans = [(a, b) for a, b in sorted(windows) if b > a]
    total = sum(b - a for a, b in spans) or 1.0
    done = 0.0
    # windows are independent: two decoders at once (decoding and OpenCV work outside the GIL), results in order
    with ThreadPoolExecutor(max_workers=max(1, min(WINDOW_DECODERS, os.cpu_count() or 1, len(spans)))) as pool:
        results = pool.map(lambda span: detect_scenes(path, options, start_s=span[0], end_s=span[1]), spans)
        for (start_s, end_s), found in zip(spans, results, strict=True):
            scenes += [s for s in found[1:] if not scenes or s.start_s > scenes[-1].start_s]
            done += end_s - start_s
            on_progress("scenes", done / total, f"window {start_s:.0f}–{end_s:.0f} s")
    return scenes
