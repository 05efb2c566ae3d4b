"""Captions for a clip: the transcript cut into short lines for phones, as ASS (burned in by libass) and SRT.

Times are relative to the clip start. A line holds at most ``max_width`` units, where a CJK character counts 1
and a Latin letter or space ½; lines break after punctuation where they can, and a segment's time is shared
among its lines by word timings when the transcript has them, by length otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mediaops.transcribe.formats import segments_to_srt
from mediaops.types import Segment

_BREAK_AFTER = set("，。！？；、,.!?;:：…")
_STRIP = "，。、,. "
#: libass sizes a font by its line height; a CJK glyph of Noto Sans CJK is about 0.75 of that.
_EM_PER_SIZE = 0.75
_TOKEN = re.compile(r"[A-Za-z0-9'’%$¥￥.\-+]+|\s+|.", re.S)


@dataclass(frozen=True, slots=True)
class CaptionLine:
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True, slots=True)
class CaptionStyle:
    """Where and how big captions are drawn on a ``width``×``height`` frame."""

    width: int
    height: int
    font_family: str
    font_size: int
    max_width: float
    margin_v: int

    @classmethod
    def for_frame(cls, width: int, height: int, font_family: str, chars_per_line: int = 14) -> CaptionStyle:
        """Landscape frames get text 6.5% of the height; tall ones as big as ``chars_per_line`` CJK allow."""
        usable = width * 0.88
        em = min(height * 0.055, usable / chars_per_line) if width >= height else usable / chars_per_line
        em = max(10.0, em)
        # short-video apps cover the bottom fifth of a vertical frame with buttons and descriptions
        margin = round(height * (0.22 if height > width * 1.2 else 0.07))
        return cls(width, height, font_family, round(em / _EM_PER_SIZE), usable / em, margin)


def text_width(text: str) -> float:
    """Display width in CJK character units (wide characters 1, others ½)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def wrap_text(text: str, max_width: float) -> list[str]:
    """Split ``text`` into lines no wider than ``max_width``, preferring breaks after punctuation or spaces."""
    tokens = _TOKEN.findall(" ".join(text.split()))
    lines: list[str] = []
    current = ""
    for token in tokens:
        if current and text_width(current + token.rstrip()) > max_width:
            cut = _last_break(current, 0.3 * max_width)
            lines.append(current[:cut])
            current = current[cut:].lstrip() + ("" if token.isspace() else token)
            continue
        current += token
        if token in _BREAK_AFTER and text_width(current) >= 0.4 * max_width:
            lines.append(current)
            current = ""
    if current.strip():
        lines.append(current)
    cleaned = [line.strip().strip(_STRIP) or line.strip() for line in lines]
    return [line for line in cleaned if line]


def _last_break(line: str, min_width: float) -> int:
    """Where to split an overfull ``line``: after its last punctuation or space past ``min_width``, else the end."""
    for index in range(len(line) - 1, 0, -1):
        if (line[index - 1] in _BREAK_AFTER or line[index - 1].isspace()) and text_width(line[:index]) >= min_width:
            return index
    return len(line)


def _line_times(segment: Segment, lines: list[str]) -> list[tuple[float, float]]:
    total = sum(max(text_width(line), 0.5) for line in lines)
    span = max(0.0, segment.end_s - segment.start_s)
    times = []
    t = segment.start_s
    for line in lines:
        share = span * max(text_width(line), 0.5) / total
        times.append((t, t + share))
        t += share
    if segment.words and len(segment.words) >= len(lines):
        # align line starts with the word nearest to the proportional estimate
        starts = [w.start_s for w in segment.words]
        aligned = [_nearest(starts, est) for est, _ in times]
        aligned[0] = segment.start_s
        aligned = [max(a, aligned[i - 1]) if i else a for i, a in enumerate(aligned)]
        times = [(a, aligned[i + 1] if i + 1 < len(aligned) else segment.end_s) for i, a in enumerate(aligned)]
    return times


def caption_lines(segments: list[Segment] | tuple[Segment, ...], start_s: float, end_s: float,
                  max_width: float) -> list[CaptionLine]:
    """The caption lines of ``[start_s, end_s)``, timed from the clip start and clamped to the clip."""
    duration = end_s - start_s
    out: list[CaptionLine] = []
    for segment in segments:
        if segment.end_s <= start_s or segment.start_s >= end_s or not segment.text.strip():
            continue
        lines = wrap_text(segment.text, max_width)
        for (a, b), text in zip(_line_times(segment, lines), lines, strict=True):
            a, b = max(0.0, a - start_s), min(duration, b - start_s)
            if b - a >= 0.05:
                out.append(CaptionLine(round(a, 3), round(b, 3), text))
    return out


def _ass_time(t_s: float) -> str:
    cs = max(0, round(t_s * 100))
    hours, rest = divmod(cs, 360_000)
    minutes, rest = divmod(rest, 6000)
    seconds, cents = divmod(rest, 100)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{cents:02d}"


def _ass_text(text: str) -> str:
    return text.replace("\\", "＼").replace("{", "｛").replace("}", "｝").replace("\n", " ")


def lines_to_ass(lines: list[CaptionLine], style: CaptionStyle) -> str:
    """An ASS script drawing ``lines`` bottom-centre in white with a black outline, at the frame's resolution."""
    outline = max(1, round(style.font_size * 0.08))
    header = (
        "[Script Info]\nScriptType: v4.00+\n"
        f"PlayResX: {style.width}\nPlayResY: {style.height}\nWrapStyle: 2\nScaledBorderAndShadow: yes\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"Style: Caption,{style.font_family},{style.font_size},&H00FFFFFF,&H000000FF,&H00000000,&H64000000,"
        f"-1,0,0,0,100,100,0,0,1,{outline},0,2,{round(style.width * 0.06)},{round(style.width * 0.06)},"
        f"{style.margin_v},1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    events = [
        f"Dialogue: 0,{_ass_time(line.start_s)},{_ass_time(line.end_s)},Caption,,0,0,0,,{_ass_text(line.text)}\n"
        for line in lines
    ]
    return header + "".join(events)


def lines_to_srt(lines: list[CaptionLine]) -> str:
    """SubRip text of ``lines`` (already relative to the clip)."""
    return segments_to_srt([Segment(line.start_s, line.end_s, line.text) for line in lines])


def _nearest(values: list[float], target: float) -> float:
    """The value in ``values`` closest to ``target``."""
    return min(values, key=lambda v: abs(v - target))
