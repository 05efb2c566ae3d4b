"""Composed pictures with moviepy: title cards for the reel, and price stickers.

moviepy is used only where composition is the job (a few seconds of generated video); cutting and reframing
stay on plain ffmpeg for speed. Every moviepy clip is closed (``with``), so no ffmpeg reader or writer process
and no file handle outlives a call.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mediaops.media.fonts import cjk_font


def _font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    info = cjk_font()
    font = ImageFont.truetype(str(info.path), size, index=info.index)
    if bold:
        with contextlib.suppress(OSError, ValueError):  # a static font has no variations
            font.set_variation_by_name("Bold")
    return font


def card_image(width: int, height: int, title: str, subtitle: str = "", background: tuple[int, int, int] = (18, 18, 24),
               accent: tuple[int, int, int] = (230, 30, 50)) -> np.ndarray:
    """An RGB card: ``title`` centred in large type over an accent bar, ``subtitle`` below it."""
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    size = max(16, round(min(width, height) * 0.12))
    font = _font(size)
    box = draw.textbbox((0, 0), title, font=font)
    while box[2] - box[0] > width * 0.9 and size > 12:
        size = round(size * 0.9)
        font = _font(size)
        box = draw.textbbox((0, 0), title, font=font)
    x = (width - (box[2] - box[0])) / 2 - box[0]
    y = height * 0.42 - (box[3] - box[1]) / 2 - box[1]
    draw.text((x, y), title, font=font, fill=(255, 255, 255))
    bar_w = width * 0.18
    draw.rectangle([(width - bar_w) / 2, y + box[3] + size * 0.3, (width + bar_w) / 2, y + box[3] + size * 0.4],
                   fill=accent)
    if subtitle:
        small = _font(max(12, size // 2), bold=False)
        sbox = draw.textbbox((0, 0), subtitle, font=small)
        draw.text(((width - (sbox[2] - sbox[0])) / 2 - sbox[0], y + box[3] + size * 0.7), subtitle, font=small,
                  fill=(220, 220, 220))
    return np.asarray(image)


def sticker_image(text: str, height: int) -> Image.Image:
    """A red rounded price tag with ``text`` in white, ``height`` pixels tall, on a transparent background."""
    font = _font(max(10, round(height * 0.62)))
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    box = probe.textbbox((0, 0), text, font=font)
    pad = round(height * 0.3)
    width = round(box[2] - box[0]) + 2 * pad
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([0, 0, width - 1, height - 1], radius=height // 4, fill=(230, 30, 50, 235))
    draw.text((pad - box[0], (height - (box[3] - box[1])) / 2 - box[1]), text, font=font, fill=(255, 255, 255, 255))
    return image


def write_title_card(out: Path, width: int, height: int, fps: float, duration_s: float, title: str,
                     subtitle: str = "", fade_s: float = 0.3) -> Path:
    """Render a silent title card video with moviepy (fading in from and out to black), atomically."""
    from moviepy import ImageClip, vfx

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial.mp4")
    frame = card_image(width, height, title, subtitle)
    try:
        with ImageClip(frame, duration=duration_s) as still, \
                still.with_effects([vfx.FadeIn(fade_s), vfx.FadeOut(fade_s)]) as card:
            card.write_videofile(str(partial), fps=fps, codec="libx264", preset="ultrafast", audio=False,
                                 logger=None, ffmpeg_params=["-pix_fmt", "yuv420p"])
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out
