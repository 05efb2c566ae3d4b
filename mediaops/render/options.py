"""Settings for rendering clips; the defaults live here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render clips.

    Attributes:
        cut: ``"exact"`` re-encodes for frame-accurate cuts; ``"fast"`` copies streams, snapped to keyframes.
        aspect: ``"16:9"`` keeps the original frame; ``"9:16"`` and ``"1:1"`` reframe for short-video apps.
        captions: burn the transcript into the picture.
        preset: x264 preset for ``exact``; ``veryfast`` is ~2x faster than ``medium`` for ~10% larger files.
        crf: x264 quality (lower is better); 23 is x264's default.
        covers: write a JPEG cover per clip.
        workers: clips rendered at once; 0 means the number of CPU cores.
    """

    cut: str = "exact"
    aspect: str = "16:9"
    captions: bool = False
    preset: str = "veryfast"
    crf: int = 23
    covers: bool = True
    workers: int = 0
