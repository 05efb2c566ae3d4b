"""The highlights as edit decisions for an editor to refine: CMX3600 EDL and FCPXML 1.9.

Both refer to the original recording (not the rendered clips), so the editor can lengthen a cut. Times are
converted to frames with :class:`fractions.Fraction` at the recording's frame rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import quoteattr

from mediaops.types import Clip, MediaInfo


def _rate(info: MediaInfo) -> Fraction:
    return Fraction(info.fps).limit_denominator(1001) if info.fps else Fraction(25)


def _frames(t_s: float, rate: Fraction) -> int:
    return round(Fraction(t_s).limit_denominator(100_000) * rate)


def timecode(frames: int, rate: Fraction) -> str:
    """Non-drop-frame ``HH:MM:SS:FF`` at the nominal (rounded) frame rate."""
    nominal = math.ceil(rate)
    ff = frames % nominal
    seconds = frames // nominal
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


def to_edl(clips: Sequence[Clip], info: MediaInfo, title: str = "MediaOps highlights") -> str:
    """A CMX3600 EDL: one video + stereo audio event per clip, laid end to end on the record side."""
    rate = _rate(info)
    reel = "AX"
    source_name = Path(info.path).name
    lines = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    record = 0
    for number, clip in enumerate(sorted(clips, key=lambda c: c.start_s), 1):
        src_in, src_out = _frames(clip.start_s, rate), _frames(clip.end_s, rate)
        rec_in, rec_out = record, record + (src_out - src_in)
        tcs = f"{timecode(src_in, rate)} {timecode(src_out, rate)} {timecode(rec_in, rate)} {timecode(rec_out, rate)}"
        lines.append(f"{number:03d}  {reel:<8} AA/V  C        {tcs}")
        lines.append(f"* FROM CLIP NAME: {source_name}")
        lines.append(f"* COMMENT: {clip.id} {clip.title}".rstrip())
        lines.append("")
        record = rec_out
    return "\n".join(lines)


def _rt(frames: int, rate: Fraction) -> str:
    """An FCPXML rational time (``1001/30000s``) for a number of frames."""
    value = Fraction(frames) / rate
    return f"{value.numerator}/{value.denominator}s" if value.denominator != 1 else f"{value.numerator}s"


def to_fcpxml(clips: Sequence[Clip], info: MediaInfo, title: str = "MediaOps highlights") -> str:
    """An FCPXML 1.9 project: the recording as one asset and each highlight as an asset-clip on the spine."""
    rate = _rate(info)
    frame = Fraction(1) / rate
    width, height = info.width or 1920, info.height or 1080
    total = _frames(info.duration_s, rate)
    uri = Path(info.path).resolve().as_uri()
    ordered = sorted(clips, key=lambda c: c.start_s)
    spine = []
    offset = 0
    for clip in ordered:
        start, end = _frames(clip.start_s, rate), _frames(clip.end_s, rate)
        name = quoteattr(f"{clip.id} {clip.title}".strip())
        spine.append(f'            <asset-clip ref="r2" name={name} offset="{_rt(offset, rate)}" '
                     f'start="{_rt(start, rate)}" duration="{_rt(end - start, rate)}" format="r1"/>')
        offset += end - start
    frame_duration = f"{frame.numerator}/{frame.denominator}s"
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!DOCTYPE fcpxml>",
        '<fcpxml version="1.9">',
        "  <resources>",
        f'    <format id="r1" frameDuration="{frame_duration}" width="{width}" height="{height}"/>',
        f'    <asset id="r2" name={quoteattr(Path(info.path).name)} start="0s" duration="{_rt(total, rate)}" '
        f'hasVideo="1" hasAudio="{int(info.has_audio)}" format="r1">',
        f'      <media-rep kind="original-media" src={quoteattr(uri)}/>',
        "    </asset>",
        "  </resources>",
        "  <library>",
        f"    <event name={quoteattr(title)}>",
        f"      <project name={quoteattr(title)}>",
        f'        <sequence format="r1" duration="{_rt(offset, rate)}" tcStart="0s" tcFormat="NDF">',
        "          <spine>" if spine else "          <spine/>",
        *spine,
        *(["          </spine>"] if spine else []),
        "        </sequence>",
        "      </project>",
        "    </event>",
        "  </library>",
        "</fcpxml>",
        "",
    ])

