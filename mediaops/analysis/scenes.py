"""Scene-change detection with PySceneDetect (OpenCV backend)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mediaops.errors import InvalidMediaError
from mediaops.types import ProgressCallback, Scene, no_progress


@dataclass(frozen=True, slots=True)
class SceneOptions:
    """How to find cuts.

    Attributes:
        threshold: ContentDetector threshold (PySceneDetect's default, 27, suits hard cuts in stream footage).
        min_scene_len_frames: shortest scene, in frames (PySceneDetect's default).
        downscale: 0 lets PySceneDetect pick a factor from the frame width (faster, same cuts on hard edits).
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


def detect_scenes(
    path: Path,
    options: SceneOptions = SceneOptions(),
    start_s: float | None = None,
    end_s: float | None = None,
    on_progress: ProgressCallback = no_progress,
) -> list[Scene]:
    """Scenes of ``path`` (optionally only within ``[start_s, end_s)``), in order, covering that span.

    Raises:
        InvalidMediaError: the file has no decodable video.
    """
    from scenedetect import ContentDetector, SceneManager, open_video
    from scenedetect.video_stream import VideoOpenFailure

    try:
        video = open_video(str(path), backend="opencv")
    except (VideoOpenFailure, OSError) as exc:
        raise InvalidMediaError(f"cannot decode the video of {path.name} — is it a video recording?") from exc
    manager = SceneManager()
    manager.add_detector(ContentDetector(threshold=options.threshold, min_scene_len=options.min_scene_len_frames))
    if options.downscale:
        manager.downscale = options.downscale
    else:
        manager.auto_downscale = True
    if start_s:
        video.seek(float(start_s))
    manager.detect_scenes(video=video, end_time=None if end_s is None else float(end_s), show_progress=False)
    on_progress("scenes", 1.0, "scene detection done")
    scene_list = manager.get_scene_list(start_in_scene=True)
    return [Scene(start_s=float(a.seconds), end_s=float(b.seconds)) for a, b in scene_list]


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
    total = sum(max(0.0, b - a) for a, b in windows) or 1.0
    done = 0.0
    for start_s, end_s in sorted(windows):
        if end_s <= start_s:
            continue
        found = detect_scenes(path, options, start_s=start_s, end_s=end_s)
        scenes += [s for s in found[1:] if not scenes or s.start_s > scenes[-1].start_s]
        done += end_s - start_s
        on_progress("scenes", done / total, f"window {start_s:.0f}–{end_s:.0f} s")
    return scenes
