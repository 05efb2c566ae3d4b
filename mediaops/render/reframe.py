"""Vertical and square reframing that follows the host, or keeps the text and the product in frame.

The clip is sampled sparsely (``track_fps``), faces are found in each sample, and the crop window's centre
follows them like a camera operator: still while the face stays near the middle (a dead zone), then a centred
moving average (the whole clip is known, so smoothing adds no lag), before being turned into a piecewise-linear
ffmpeg expression. A still window is also cheaper for x264 than a panning one. Where the faces are wider than
the crop, the whole frame is shown over a blurred copy of itself.

Without a face (a product close-up, a price card) the same samples say where the picture's detail is: the share
of edge pixels in each column (Canny), less the level of the plainest columns so that an evenly textured
background counts for nothing. The crop stands still where it keeps the most of that detail; where no window
keeps :data:`KEEP_SHARE` of it (a price on the left, the product on the right) the whole frame is fitted over a
blurred copy instead, so nothing is cut off. Frames without detail keep the centre crop.

Sizes are in display pixels (square: :func:`mediaops.media.probe.probe` widens anamorphic sources). A clip is
not made larger than its source allows without saying so: where the crop is smaller than the asked frame, the
frame falls to :data:`mediaops.render.options.SMALL_SOURCE_WIDTH` wide and the plan records why and by how much
the picture is still enlarged.
"""

from __future__ import annotations

import itertools
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from mediaops.errors import InvalidMediaError
from mediaops.media.frames import decode_from, open_video, sample_aspect, upright_bgr
from mediaops.render.faces import FaceBox, FaceDetector, shared_detector
from mediaops.render.options import RenderOptions
from mediaops.types import MediaInfo

#: height the frames are scaled to before face detection (faces of the host are large; this is plenty).
ANALYSIS_HEIGHT = 360
#: width of the centred moving average applied to the crop centre.
SMOOTHING_S = 1.5
#: how far (as a share of the crop width) the face may drift from the window centre before the window follows.
DEAD_ZONE = 0.25
#: columns of the detail profile of a sample (each a slice of the frame's width).
DETAIL_BINS = 160
#: the share of the picture's detail a crop without a face must keep; below it the whole frame is fitted instead.
KEEP_SHARE = 0.75
#: mean edge share per column below which a clip has no detail worth placing the crop by (a plain picture).
MIN_DETAIL = 0.002
#: windows that keep this close (share of all detail) to the best are equally good; of them, the one whose detail
#: sits nearest its middle is taken (margins on both sides of the product).
_TIE_SHARE = 0.02


@dataclass(frozen=True, slots=True)
class FaceSample:
    """The faces seen at ``t_s`` seconds after the clip start, in display pixels, and the picture's ``detail``:
    the share of edge pixels in each of :data:`DETAIL_BINS` equal slices of its width, left to right."""

    t_s: float
    faces: tuple[FaceBox, ...]
    detail: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class CropPlan:
    """How a clip is reframed.

    ``mode`` is ``"track"`` (crop follows ``points``), ``"content"`` (a still crop where the picture's detail is),
    ``"center"`` (fixed centre crop) or ``"blur"`` (whole frame over a blurred fill). ``points`` are ``(t_s, x_px)``
    of the crop's left edge, relative to the clip start, in display pixels. ``upscale`` is how much the source's
    pixels are enlarged (1 or less: not at all); ``size_reason`` is ``"source_smaller"`` where the frame was made
    smaller than asked because the crop is, ``""`` otherwise. ``kept_share`` is the share of the picture's detail
    a ``content`` crop keeps (the best window's, for ``blur`` chosen over it).
    """

    mode: str
    crop_w: int
    crop_h: int
    out_w: int
    out_h: int
    points: tuple[tuple[float, float], ...] = ()
    y_px: int = 0
    faces_found: int = 0
    samples: int = 0
    upscale: float = 1.0
    size_reason: str = ""
    kept_share: float | None = None

    def x_at(self, t_s: float) -> float:
        """The crop's left edge at ``t_s`` (linear between the points)."""
        if not self.points:
            return 0.0
        ts = [p[0] for p in self.points]
        xs = [p[1] for p in self.points]
        return float(np.interp(t_s, ts, xs))


def crop_size(src_w: int, src_h: int, out_w: int, out_h: int) -> tuple[int, int]:
    """The largest even-sized window of the output's aspect ratio that fits in the source frame."""
    w: float
    h: float
    if src_w * out_h >= src_h * out_w:
        h = src_h
        w = src_h * out_w / out_h
    else:
        w = src_w
        h = src_w * out_h / out_w
    return int(w) // 2 * 2, int(h) // 2 * 2


def output_size(src_w: int, src_h: int, options: RenderOptions) -> tuple[int, int, str] | None:
    """``(width, height, size_reason)`` of a reframed clip of a ``src_w`` × ``src_h`` (display pixels) source:
    the asked :attr:`~RenderOptions.output_size`, or :attr:`~RenderOptions.small_source_size` with reason
    ``"source_smaller"`` where the source's crop is shorter than the asked frame; ``None`` for the original
    frame."""
    asked = options.output_size
    if asked is None:
        return None
    _, crop_h = crop_size(src_w, src_h, *asked)
    small = options.small_source_size
    if crop_h < asked[1] and small is not None and small != asked:
        return small[0], small[1], "source_smaller"
    return asked[0], asked[1], ""


def detail_profile(image: np.ndarray, bins: int = DETAIL_BINS) -> tuple[float, ...]:
    """The share of edge pixels (Canny) in each of ``bins`` equal slices of ``image``'s width (BGR)."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    columns = cv2.Canny(gray, 80, 200).mean(axis=0) / 255.0
    edges = np.linspace(0, len(columns), bins + 1)
    total = np.concatenate([[0.0], np.cumsum(columns)])
    sums = np.diff(np.interp(edges, np.arange(len(total)), total))
    return tuple(np.round(sums / (len(columns) / bins), 5).tolist())


def sample_faces(source: Path, start_s: float, end_s: float, fps: float,
                 detector: FaceDetector | None = None) -> list[FaceSample]:
    """Faces in frames of ``[start_s, end_s)`` taken every ``1/fps`` seconds (decoded once, in order), in the
    upright picture's display pixels (square, as :func:`mediaops.media.probe.probe` sizes it).

    Raises:
        InvalidMediaError: the recording cannot be decoded there.
    """
    detector = detector or shared_detector()
    pending: list[tuple[float, float, tuple[float, ...], Future[list[FaceBox]]]] = []
    step = 1.0 / fps
    # detection (ONNX Runtime, outside the GIL) runs on a second thread while the next frames decode
    with open_video(source, "follow the host in") as (container, stream), ThreadPoolExecutor(max_workers=1) as pool:
        stream.thread_type = "AUTO"
        # frames no other frame refers to (most B-frames) are not needed for 2-4 samples a second: about half
        # the decoding work of a typical stream
        stream.codec_context.skip_frame = "NONREF"
        sar = sample_aspect(stream)
        next_t = start_s
        try:
            for t_s, frame in decode_from(container, stream, start_s):
                if t_s >= end_s:
                    break
                if t_s + 1e-3 < next_t:
                    continue
                height = min(ANALYSIS_HEIGHT, frame.height)
                scale = frame.height / height
                width = round(frame.width * sar / scale) // 2 * 2
                # turned upright like the clip (ffmpeg turns it before the crop), in square pixels (display
                # pixels, like the crop), at the same scale both ways
                image = upright_bgr(frame, width, height)
                pending.append((round(t_s - start_s, 3), scale, detail_profile(image),
                                pool.submit(detector.detect, image)))
                next_t += step
                while next_t <= t_s:
                    next_t += step
        except av.error.FFmpegError as exc:
            raise InvalidMediaError(
                f"{source.name} cannot be decoded near {start_s:.1f} s — the file may be damaged"
            ) from exc
        return [
            FaceSample(t_rel, tuple(FaceBox(f.x * k, f.y * k, f.w * k, f.h * k, f.score) for f in future.result()),
                       detail)
            for t_rel, k, detail, future in pending
        ]


def plan_crop(samples: list[FaceSample], src_w: int, src_h: int, out_w: int, out_h: int,
              fallback: str = "content") -> CropPlan:
    """Turn face samples into a smooth crop path, or without faces a crop placed by the detail (``fallback``
    ``"content"``), the centre crop or the blurred pad (pure: no media needed). Sizes are display pixels."""
    crop_w, crop_h = crop_size(src_w, src_h, out_w, out_h)
    y_px = (src_h - crop_h) // 2
    found = [s for s in samples if s.faces]

    def plan(mode: str, points: tuple[tuple[float, float], ...], upscale: float,
             kept_share: float | None = None) -> CropPlan:
        return CropPlan(mode, crop_w, crop_h, out_w, out_h, points, y_px, len(found), len(samples), upscale,
                        kept_share=kept_share)

    cropped = round(out_h / crop_h, 3) if crop_h else 1.0
    fitted = round(min(out_w / src_w, out_h / src_h), 3)
    centre = ((0.0, (src_w - crop_w) / 2),)
    if crop_w >= src_w:
        return plan("center", ((0.0, 0.0),), cropped)
    if not samples or len(found) < max(1, len(samples) // 3):
        if fallback == "blur":
            return plan("blur", centre, fitted)
        placed = _place_by_detail(samples, src_w, crop_w) if fallback == "content" else None
        if placed is None:
            return plan("center", centre, cropped)
        left, kept = placed
        if kept < KEEP_SHARE:
            return plan("blur", centre, fitted, round(kept, 3))
        return plan("content", ((0.0, round(left, 1)),), cropped, round(kept, 3))
    # the subject is the main face and any face near its size; if they span wider than the crop, pad instead
    too_wide = 0
    for sample in found:
        main = sample.faces[0]
        group = [f for f in sample.faces if f.w * f.h >= 0.5 * main.w * main.h]
        span = max(f.x + f.w for f in group) - min(f.x for f in group)
        too_wide += span > crop_w * 0.9
    if too_wide > len(found) / 2:
        return plan("blur", centre, fitted)

    times = np.array([s.t_s for s in samples])
    known = np.array([bool(s.faces) for s in samples])
    centres = np.array([s.faces[0].cx if s.faces else np.nan for s in samples])
    centres = np.interp(times, times[known], centres[known])  # hold/interpolate across missed detections
    step = float(np.median(np.diff(times))) if len(times) > 1 else 1.0
    half = max(0, round(SMOOTHING_S / step / 2))
    lo, hi = crop_w / 2, src_w - crop_w / 2
    steady = _dead_zone(_centred_median_mean(centres, 0), DEAD_ZONE * crop_w, lo, hi)
    smooth = _centred_median_mean(steady, half)
    smooth = np.clip(smooth, lo, hi)
    # keep every believable face inside the window where smoothing cuts a corner of a fast move; a detection
    # far from the smoothed path is a false one the median already dropped
    for pass_index in range(2):
        for i, sample in enumerate(samples):
            if not sample.faces or abs(sample.faces[0].cx - smooth[i]) > crop_w / 2 + sample.faces[0].w:
                continue
            face = sample.faces[0]
            left = smooth[i] - crop_w / 2
            if face.x < left:
                smooth[i] = face.x + crop_w / 2
            elif face.x + face.w > left + crop_w:
                smooth[i] = face.x + face.w - crop_w / 2
        smooth = np.clip(smooth, lo, hi)
        if pass_index == 0:
            smooth = _centred_median_mean(smooth, 1)
    lefts = smooth - crop_w / 2
    points = _simplify(list(zip(times.tolist(), lefts.tolist(), strict=True)), tolerance_px=2.0)
    return plan("track", tuple((round(t, 3), round(x, 1)) for t, x in points), cropped)


def _place_by_detail(samples: list[FaceSample], src_w: int, crop_w: int) -> tuple[float, float] | None:
    """``(left_px, kept_share)``: the still window of ``crop_w`` that keeps the most of the samples' detail (the
    most central of equally good ones) and the share of the detail it keeps; ``None`` where the picture has no
    detail to go by."""
    profiles = [np.asarray(s.detail, dtype=float) for s in samples if s.detail]
    if not profiles or len({len(p) for p in profiles}) != 1:
        return None
    mean = np.mean(profiles, axis=0)
    # an evenly textured background (a wall, noise, a crowd) lifts every column alike: only what rises above
    # the plainest columns is content
    detail = np.clip(mean - np.percentile(mean, 20), 0.0, None)
    if detail.mean() < MIN_DETAIL:
        return None
    bins = len(detail)
    width = crop_w / src_w * bins
    grid = np.arange(bins + 1)
    mass = np.concatenate([[0.0], np.cumsum(detail)])
    moment = np.concatenate([[0.0], np.cumsum(detail * (np.arange(bins) + 0.5))])

    def inside(cumulative: np.ndarray, lefts: np.ndarray) -> np.ndarray:
        return np.interp(lefts + width, grid, cumulative) - np.interp(lefts, grid, cumulative)

    lefts = np.linspace(0.0, bins - width, 4 * bins + 1)
    kept = inside(mass, lefts) / mass[-1]
    good = lefts[kept >= kept.max() - _TIE_SHARE]
    # of the windows that keep as much, the one with what it keeps nearest its middle (margins on both sides)
    centroids = inside(moment, good) / np.maximum(inside(mass, good), 1e-12)
    best = good[np.argmin(np.abs(good + width / 2 - centroids))]
    share = float(inside(mass, np.array([best]))[0] / mass[-1])
    return float(best) / bins * src_w, share


def _dead_zone(centres: np.ndarray, slack_px: float, lo: float, hi: float) -> np.ndarray:
    """A camera that holds still while the subject stays within ``slack_px`` of the window centre and re-centres
    on it when it strays further (the moving average after this turns each jump into a short pan). A host
    swaying in place gives a still picture; one walking across gives holds and brief pans, which also cost x264
    far less than a window that never stops moving."""
    out = np.empty_like(centres, dtype=float)
    camera = float(np.clip(np.median(centres[: max(1, len(centres) // 4)]), lo, hi))
    for i, target in enumerate(centres):
        if abs(target - camera) > slack_px:
            camera = float(np.clip(target, lo, hi))
        out[i] = camera
    return out


def _centred_median_mean(values: np.ndarray, half: int) -> np.ndarray:
    """A median of 3 (drops single-sample detector glitches), then a centred moving average of ``2*half+1``."""
    if len(values) >= 3:
        padded = np.concatenate([values[:1], values, values[-1:]])
        values = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
    if half == 0:
        return values.astype(float)
    padded = np.concatenate([np.full(half, values[0]), values, np.full(half, values[-1])])
    kernel = np.ones(2 * half + 1) / (2 * half + 1)
    return np.convolve(padded, kernel, mode="valid")


def _simplify(points: list[tuple[float, float]], tolerance_px: float) -> list[tuple[float, float]]:
    """Drop points that linear interpolation between their neighbours reproduces within ``tolerance_px``."""
    if len(points) <= 2:
        return points
    kept = [points[0]]
    for i in range(1, len(points) - 1):
        t0, x0 = kept[-1]
        t2, x2 = points[i + 1]
        t1, x1 = points[i]
        expected = x0 + (x2 - x0) * (t1 - t0) / (t2 - t0) if t2 > t0 else x0
        if abs(expected - x1) > tolerance_px:
            kept.append(points[i])
    kept.append(points[-1])
    return kept


def x_expression(points: tuple[tuple[float, float], ...]) -> str:
    """An ffmpeg expression of ``t`` that interpolates ``points`` linearly (held before the first, after the last)."""
    if len(points) == 1:
        return f"{points[0][1]:.1f}"
    expr = f"{points[-1][1]:.1f}"
    for (t0, x0), (t1, x1) in reversed(list(itertools.pairwise(points))):
        slope = (x1 - x0) / (t1 - t0) if t1 > t0 else 0.0
        expr = f"if(lt(t,{t1:.3f}),{x0:.1f}+({slope:.4f})*(t-{t0:.3f}),{expr})"
    return f"if(lt(t,{points[0][0]:.3f}),{points[0][1]:.1f},{expr})"


def square_pixels_filter(info: MediaInfo) -> str:
    """The filter that shows a source with non-square pixels at its display size in square ones (``scale`` to
    :func:`mediaops.media.probe.probe`'s width and height, ``setsar=1``), so that every later size, crop and
    caption is in display pixels and players show the output as the source; empty for square pixels."""
    if not info.sample_aspect_ratio or info.sample_aspect_ratio == 1 or not info.width or not info.height:
        return ""
    return f"scale={info.width}:{info.height},setsar=1"


def original_size(info: MediaInfo, options: RenderOptions) -> tuple[int, int]:
    """``(width, height)`` of a clip that keeps the original frame: the display size scaled down (never up) so that
    its shorter side is at most ``options.clip_short_side_px``, even-sized; ``(0, 0)`` when the size is unknown."""
    width, height = info.width or 0, info.height or 0
    if not width or not height:
        return 0, 0
    scale = options.clip_short_side_px / min(width, height)
    if scale >= 1.0:
        return width, height
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def original_frame_filter(info: MediaInfo, options: RenderOptions) -> str:
    """The filter for a clip that keeps the original frame: scaled to :func:`original_size` in square pixels, or
    just :func:`square_pixels_filter` when the size is kept."""
    width, height = original_size(info, options)
    if (width, height) == (info.width or 0, info.height or 0):
        return square_pixels_filter(info)
    return f"scale={width}:{height},setsar=1"


def frame_rate_filter(info: MediaInfo, options: RenderOptions) -> str:
    """``fps=…`` where the recording's frame rate is above ``options.clip_max_fps``; empty otherwise."""
    if info.fps and float(info.fps) > options.clip_max_fps + 0.01:
        return f"fps={options.clip_max_fps:g}"
    return ""


def join_filters(*chains: str) -> str:
    """Filter chains one after the other (empty ones left out)."""
    return ",".join(c for c in chains if c)


def reframe_filter(plan: CropPlan, src_w: int, src_h: int) -> str:
    """The filter chain (one input, one output, no labels) that turns the source frame into the output frame."""
    w, h = plan.out_w, plan.out_h
    if plan.mode == "blur":
        small_w, small_h = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
        return (
            f"split=2[rf_bg][rf_fg];"
            f"[rf_bg]scale={small_w}:{small_h}:force_original_aspect_ratio=increase,crop={small_w}:{small_h},"
            f"boxblur=8:2,scale={w}:{h}[rf_bgs];"
            f"[rf_fg]scale={w}:{h}:force_original_aspect_ratio=decrease,setsar=1[rf_fgs];"
            f"[rf_bgs][rf_fgs]overlay=(W-w)/2:(H-h)/2,setsar=1"
        )
    if plan.mode != "track" or len(plan.points) <= 1:
        x = round(plan.points[0][1]) if plan.points else (src_w - plan.crop_w) // 2
        return f"crop={plan.crop_w}:{plan.crop_h}:{x}:{plan.y_px},scale={w}:{h},setsar=1"
    # commas inside an expression must be escaped inside a filter graph
    expr = x_expression(plan.points).replace(",", "\\,")
    return f"crop={plan.crop_w}:{plan.crop_h}:{expr}:{plan.y_px},scale={w}:{h},setsar=1"
