"""Scene-change detection with PySceneDetect (OpenCV backend)."""

from __future__ import annotations

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
