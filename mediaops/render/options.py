"""Settings for rendering clips, covers and replays; the defaults live here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mediaops.errors import MediaOpsError
from mediaops.inputs.products import CURRENCIES, currency_known

CUT_MODES = ("fast", "exact")
ASPECTS = ("16:9", "9:16", "1:1")
#: what a reframed clip shows where no face is found (see :class:`RenderOptions`).
FALLBACKS = ("content", "center", "blur")
#: the width a reframed clip is made at instead of a larger asked one when the source's crop is smaller than
#: the asked frame: 720×1280 rather than 1080×1920 from a 640×360 or 1280×720 recording.
SMALL_SOURCE_WIDTH = 720
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render clips, covers and replays.

    Attributes:
        cut: ``"exact"`` re-encodes for frame-accurate cuts; ``"fast"`` copies streams and snaps the cut to the
            source's keyframes (the clip then reports the times it really covers). ``fast`` cannot reframe or
            burn captions; those settings are ignored with it (SRT sidecars are still written).
        aspect: ``"16:9"`` keeps the original frame; ``"9:16"`` and ``"1:1"`` reframe for short-video apps.
        width: output width for reframed clips: 1080 gives 1080×1920 (9:16) or 1080×1080 (1:1); 720 gives
            720×1280 or 720×720. Where the source's crop is smaller than the asked frame, a larger width than
            :data:`SMALL_SOURCE_WIDTH` gives way to it (the clip records why and how much it is enlarged).
            Original-aspect clips keep the source size.
        captions: burn the transcript into the picture (ASS styled, rendered by libass).
        caption_chars: longest caption line in CJK characters (Latin text gets about twice as many letters).
        preset: x264 preset for ``exact``; ``veryfast`` is ~2x faster than ``medium`` for ~10% larger files.
        crf: x264 quality (lower is better); 23 is x264's default.
        track_fps: how often the subject detector samples the clip when reframing.
        fallback: what a reframed clip shows where no face is found: ``"content"`` places the crop where the
            picture's detail is (text, the product), or fits the whole frame over a blurred copy of itself where
            that detail is wider than the crop; ``"center"`` crops the middle; ``"blur"`` always fits the whole
            frame over a blurred copy. Faces wider than the crop are shown that way too.
        currency: the currency of product prices whose products file does not say (``CNY``, ``USD``, …; see
            :mod:`mediaops.inputs.products`), for covers and reel stickers.
        covers: write a JPEG cover per clip.
        cover_title: draw the product name and price on the cover when the clip has a product.
        reel: also render ``reel.mp4``, the highlights in time order with short fades, chapters and an intro.
        replay: also write ``replay.mp4``, the whole recording (stream copy) with chapters; ``chapters.vtt`` is
            written either way.
        transition_s: length of the fades between reel clips.
        intro_s: length of the reel's title card (0 for none).
        clip_short_side_px: clips that keep the original frame are scaled down (never up) so that their shorter
            side is at most this: a 4K recording gives 1080p clips, what short-video apps show, for a quarter of the
            pixels to encode. Reframed clips have the size ``width`` gives.
        clip_max_fps: the frame rate of ``exact`` clips at most (a 60 fps recording gives 30 fps clips).
        reel_short_side_px: the reel is scaled down (never up) so that its shorter side is at most this: a 4K
            recording gives a 1080p reel, four times fewer pixels to filter and encode.
        reel_max_fps: the reel's frame rate at most (a 60 fps recording gives a 30 fps reel).
        labels: language of chapter titles and cards: ``"zh"`` or ``"en"``.
        workers: clips rendered at once; 0 means the number of CPU cores.
    """

    cut: str = "exact"
    aspect: str = "16:9"
    width: int = 1080
    captions: bool = False
    caption_chars: int = 14
    preset: str = "veryfast"
    crf: int = 23
    track_fps: float = 2.0
    fallback: str = "content"
    currency: str = "CNY"
    covers: bool = True
    cover_title: bool = True
    reel: bool = True
    replay: bool = True
    transition_s: float = 0.3
    intro_s: float = 2.0
    clip_short_side_px: int = 1080
    clip_max_fps: float = 30.0
    reel_short_side_px: int = 1080
    reel_max_fps: float = 30.0
    labels: str = "zh"
    workers: int = 0

    def __post_init__(self) -> None:
        if self.cut not in CUT_MODES:
            raise MediaOpsError(f"unknown cut mode {self.cut!r}: use one of {', '.join(CUT_MODES)}")
        if self.aspect not in ASPECTS:
            raise MediaOpsError(f"unknown aspect {self.aspect!r}: use one of {', '.join(ASPECTS)}")
        if self.preset not in X264_PRESETS:
            raise MediaOpsError(f"unknown x264 preset {self.preset!r}: use one of {', '.join(X264_PRESETS)}")
        if self.fallback not in FALLBACKS:
            raise MediaOpsError(f"unknown reframe fallback {self.fallback!r}: use one of {', '.join(FALLBACKS)}")
        if not currency_known(self.currency):
            raise MediaOpsError(f"unknown currency {self.currency!r}: use a code such as {', '.join(CURRENCIES)}")
        if self.width < 64 or self.width % 2:
            raise MediaOpsError(f"output width {self.width} must be an even number of pixels, at least 64")
        if self.clip_short_side_px < 64:
            raise MediaOpsError(f"clip size {self.clip_short_side_px} px is too small: use at least 64")
        if self.clip_max_fps <= 0:
            raise MediaOpsError(f"clip frame rate {self.clip_max_fps} must be positive")
        if self.reel_short_side_px < 64:
            raise MediaOpsError(f"reel size {self.reel_short_side_px} px is too small: use at least 64")
        if self.reel_max_fps <= 0:
            raise MediaOpsError(f"reel frame rate {self.reel_max_fps} must be positive")
        if self.labels not in ("zh", "en"):
            raise MediaOpsError(f"unknown label language {self.labels!r}: use zh or en")

    @property
    def small_source_size(self) -> tuple[int, int] | None:
        """``(width, height)`` of reframed clips whose source crop is smaller than :attr:`output_size` (the
        same where ``width`` is :data:`SMALL_SOURCE_WIDTH` or less)."""
        if self.width <= SMALL_SOURCE_WIDTH:
            return self.output_size
        return replace(self, width=SMALL_SOURCE_WIDTH).output_size

    @property
    def output_size(self) -> tuple[int, int] | None:
        """``(width, height)`` of reframed clips, or ``None`` when the source frame is kept."""
        if self.aspect == "9:16":
            return self.width, self.width * 16 // 9 // 2 * 2
        if self.aspect == "1:1":
            return self.width, self.width
        return None
