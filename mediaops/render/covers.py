"""Cover images: the sharpest well-lit frame of a clip, cropped like the clip, with an optional product title.

Candidates are the clip's keyframes (decoded alone, so a 30 s clip costs a dozen decodes, and keyframes are the
encoder's best-quality pictures), shown in square pixels as players show them (an anamorphic 1440×1080 frame
becomes 1920×1080). Each is scored by the variance of its Laplacian (sharpness) times a
brightness factor that rules out black, washed-out and fading frames. Frames are turned upright (a phone video's
display rotation) before anything else, so a cover shows what the clip shows.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mediaops.errors import InvalidMediaError
from mediaops.inputs.products import CURRENCIES
from mediaops.media.fonts import cjk_font
from mediaops.media.frames import decode_from, display_bgr, open_video, sample_aspect
from mediaops.render.reframe import CropPlan

_MAX_CANDIDATES = 24


def frame_score(bgr: np.ndarray) -> float:
    """Sharpness × exposure: 0 for black or blown-out frames, higher for detailed, mid-bright ones."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    brightness = float(gray.mean())
    if brightness < 25 or brightness > 235:
        return 0.0
    exposure = 1.0 - abs(brightness - 128) / 128
    sharpness = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    return sharpness * (0.25 + exposure)


def _decode_keyframes(source: Path, start_s: float, end_s: float) -> list[tuple[float, np.ndarray]]:
    frames: list[tuple[float, np.ndarray]] = []
    with open_video(source, "read a cover from") as (container, stream):
        stream.codec_context.skip_frame = "NONKEY"
        sar = sample_aspect(stream)
        for t_s, frame in decode_from(container, stream, start_s):
            if t_s >= end_s or len(frames) >= _MAX_CANDIDATES:
                break
            if t_s >= start_s - 1e-3:
                frames.append((t_s, display_bgr(frame, sar)))
    return frames


def _decode_at(source: Path, t_s: float) -> list[tuple[float, np.ndarray]]:
    with open_video(source, "read a cover from") as (container, stream):
        sar = sample_aspect(stream)
        for at_s, frame in decode_from(container, stream, t_s):
            if at_s >= t_s - 1e-3:
                return [(at_s, display_bgr(frame, sar))]
    return []


def best_frame(source: Path, start_s: float, end_s: float) -> tuple[float, np.ndarray]:
    """The best-scoring candidate frame of ``[start_s, end_s)`` and its time.

    Raises:
        InvalidMediaError: no frame could be decoded there.
    """
    try:
        candidates = _decode_keyframes(source, start_s, end_s)
        if len(candidates) < 3:
            for fraction in (0.25, 0.5, 0.75):
                candidates += _decode_at(source, start_s + (end_s - start_s) * fraction)
    except av.error.FFmpegError as exc:
        raise InvalidMediaError(f"cannot decode {source.name} for a cover near {start_s:.1f} s") from exc
    if not candidates:
        raise InvalidMediaError(f"no picture in {source.name} between {start_s:.1f} and {end_s:.1f} s for a cover")
    return max(candidates, key=lambda c: frame_score(c[1]))


def reframe_image(bgr: np.ndarray, plan: CropPlan | None, t_rel_s: float) -> np.ndarray:
    """The frame as the clip shows it at ``t_rel_s`` (crop and scale, or fit over a blurred fill)."""
    if plan is None:
        return bgr
    height, width = bgr.shape[:2]
    if plan.mode == "blur":
        fill = cv2.resize(bgr, (plan.out_w // 8, plan.out_h // 8), interpolation=cv2.INTER_AREA)
        fill = cv2.resize(cv2.GaussianBlur(fill, (0, 0), 4), (plan.out_w, plan.out_h))
        scale = min(plan.out_w / width, plan.out_h / height)
        fg = cv2.resize(bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        y = (plan.out_h - fg.shape[0]) // 2
        x = (plan.out_w - fg.shape[1]) // 2
        fill[y:y + fg.shape[0], x:x + fg.shape[1]] = fg
        return fill
    x = round(plan.x_at(t_rel_s)) if plan.points else (width - plan.crop_w) // 2
    x = min(max(0, x), width - plan.crop_w)
    crop = bgr[plan.y_px:plan.y_px + plan.crop_h, x:x + plan.crop_w]
    return cv2.resize(crop, (plan.out_w, plan.out_h), interpolation=cv2.INTER_AREA)


def draw_title(image: Image.Image, title: str, price: str = "") -> Image.Image:
    """``title`` (and ``price`` in a red tag) in a dark band across the lower third of ``image``."""
    font_info = cjk_font()
    width, height = image.size
    size = max(14, round(min(width, height) * 0.075))
    font = ImageFont.truetype(str(font_info.path), size, index=font_info.index)
    with contextlib.suppress(OSError, ValueError):  # a static font has no variations: use it as it is
        font.set_variation_by_name("Bold")
    band_h = round(size * (2.9 if price else 1.7))
    top = round(height * 0.68)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle([0, top, width, top + band_h], fill=(0, 0, 0, 150))
    margin = round(width * 0.05)
    draw.text((margin, top + size * 0.3), title, font=font, fill=(255, 255, 255, 255))
    if price:
        y = top + size * 1.5
        box = draw.textbbox((margin, y), price, font=font)
        draw.rounded_rectangle([box[0] - 8, box[1] - 6, box[2] + 8, box[3] + 6], radius=8, fill=(230, 30, 50, 255))
        draw.text((margin, y), price, font=font, fill=(255, 255, 255, 255))
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def write_cover_image(bgr: np.ndarray, out: Path, title: str = "", price: str = "", max_width: int = 1080) -> Path:
    """Write ``bgr`` (with the title, if any) as a JPEG at ``out`` atomically."""
    image = Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    if image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)), Image.Resampling.LANCZOS)
    if title:
        image = draw_title(image, title, price)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial.jpg")
    try:
        image.save(partial, "JPEG", quality=88)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def format_price(price: float | None, currency: str = "CNY") -> str:
    """``¥99`` / ``¥99.90`` / ``$39`` / ``HK$120``: the amount after the sign of ``currency`` (a code of
    :data:`mediaops.inputs.products.CURRENCIES`; an unknown one is written out before the amount); empty when the
    price is unknown."""
    if price is None:
        return ""
    amount = f"{price:.0f}" if float(price).is_integer() else f"{price:.2f}"
    sign = CURRENCIES.get(currency)
    return f"{sign}{amount}" if sign else f"{currency} {amount}".strip()
