"""Chapters for the full replay and the highlight reel: as MP4 chapter metadata (ffmetadata) and WebVTT."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from mediaops.types import Clip, PitchSegment

_LABELS = {
    "zh": {"live": "直播", "intro": "开场", "pitch": "讲解：{name}", "highlight": "高光：{name}",
           "reel_clip": "高光 {n}：{name}", "reel_title": "高光合集",
           "size_smaller": "录像画面较小：{n} 个片段输出为 {width}×{height}（最多放大 {upscale:.1f} 倍）",
           "size_enlarged": "录像画面较小：{n} 个片段由录像放大而成（最多 {upscale:.1f} 倍）"},
    "en": {"live": "Live", "intro": "Intro", "pitch": "Pitch: {name}", "highlight": "Highlight: {name}",
           "reel_clip": "Highlight {n}: {name}", "reel_title": "Highlights",
           "size_smaller": "small recording: {n} clip(s) made at {width}×{height} (enlarged up to {upscale:.1f}×)",
           "size_enlarged": "small recording: {n} clip(s) enlarged from the recording (up to {upscale:.1f}×)"},
}


@dataclass(frozen=True, slots=True)
class Chapter:
    start_s: float
    end_s: float
    title: str


def label(key: str, labels: str = "zh", **values: object) -> str:
    """A chapter or card title, or a note for the operator, in the chosen language."""
    return _LABELS.get(labels, _LABELS["zh"])[key].format(**values)


def _clip_name(clip: Clip) -> str:
    return clip.title or clip.product_sku or clip.id


def replay_chapters(duration_s: float, clips: Sequence[Clip], pitches: Sequence[PitchSegment],
                    labels: str = "zh", min_s: float = 1.0) -> list[Chapter]:
    """Back-to-back chapters covering ``[0, duration_s)``: highlights win over the pitches they sit in, pitches
    over plain live time; pieces shorter than ``min_s`` join the chapter before them."""
    events: list[tuple[float, float, int, str]] = []
    events += [(p.start_s, p.end_s, 1, label("pitch", labels, name=p.name)) for p in pitches]
    events += [(c.start_s, c.end_s, 2, label("highlight", labels, name=_clip_name(c))) for c in clips]
    bounds = sorted({0.0, duration_s, *(min(max(e[0], 0.0), duration_s) for e in events),
                     *(min(max(e[1], 0.0), duration_s) for e in events)})
    pieces: list[Chapter] = []
    for start, end in itertools.pairwise(bounds):
        if end <= start:
            continue
        active = [e for e in events if e[0] <= start and e[1] >= end]
        title = max(active, key=lambda e: (e[2], e[0]))[3] if active else label("live", labels)
        if pieces and (pieces[-1].title == title or end - start < min_s):
            pieces[-1] = Chapter(pieces[-1].start_s, end, pieces[-1].title)
        else:
            pieces.append(Chapter(start, end, title))
    if len(pieces) > 1 and pieces[0].end_s - pieces[0].start_s < min_s:
        pieces[1] = Chapter(0.0, pieces[1].end_s, pieces[1].title)
        pieces.pop(0)
    return [Chapter(round(c.start_s, 3), round(c.end_s, 3), c.title) for c in pieces]


def _escape_meta(text: str) -> str:
    for ch in "\\=;#\n":
        text = text.replace(ch, "\\" + ch)
    return text


def to_ffmetadata(chapters: Sequence[Chapter], title: str = "") -> str:
    """An ffmetadata file that gives an MP4 these chapters (``-i file -map_chapters N``)."""
    out = [";FFMETADATA1"]
    if title:
        out.append(f"title={_escape_meta(title)}")
    for chapter in chapters:
        out += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(chapter.start_s * 1000)}",
                f"END={round(chapter.end_s * 1000)}", f"title={_escape_meta(chapter.title)}"]
    return "\n".join(out) + "\n"


def _vtt_time(t_s: float) -> str:
    ms = max(0, round(t_s * 1000))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def to_webvtt(chapters: Sequence[Chapter]) -> str:
    """A WebVTT chapters track (``<track kind="chapters">``)."""
    cues = [f"{i}\n{_vtt_time(c.start_s)} --> {_vtt_time(c.end_s)}\n{c.title}\n" for i, c in enumerate(chapters, 1)]
    return "WEBVTT\n\n" + "\n".join(cues)
