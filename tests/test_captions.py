"""Captions: short lines timed to the clip, burned in with libass in a font that really has Chinese glyphs."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.media.fonts import cjk_font
from mediaops.media.probe import probe
from mediaops.render.captions import CaptionLine, CaptionStyle, caption_lines, lines_to_ass, text_width, wrap_text
from mediaops.render.clips import ClipJob, escape_filter_value, render_clip
from mediaops.render.options import RenderOptions
from mediaops.types import Segment, Transcript, Word
from tests.media import colour_scenes

LONG_ZH = "欢迎来到直播间，今天给大家带来超级好用的破壁机，限时优惠只要九十九元，赶紧下单吧"


def test_lines_are_short_and_keep_the_text() -> None:
    lines = wrap_text(LONG_ZH, 12)
    assert len(lines) >= 4
    assert all(text_width(line) <= 12 for line in lines)
    assert "".join(lines).replace("，", "") == LONG_ZH.replace("，", "")
    english = wrap_text("Turbo Blender is on sale now, only thirty nine dollars for ten minutes", 12)
    assert all(text_width(line) <= 12 for line in english)
    assert " ".join(english).replace(",", "") == "Turbo Blender is on sale now only thirty nine dollars for ten minutes"


def test_caption_times_are_relative_to_the_clip_and_clamped() -> None:
    segments = (Segment(8.0, 12.0, "第一句话说完了"), Segment(12.5, 20.0, LONG_ZH), Segment(30.0, 31.0, "太晚了"))
    lines = caption_lines(segments, 10.0, 18.0, 12)
    assert lines[0] == CaptionLine(0.0, 2.0, "第一句话说完了")
    assert all(0.0 <= line.start_s < line.end_s <= 8.0 for line in lines)
    assert lines[1].start_s == pytest.approx(2.5)
    assert "太晚了" not in {line.text for line in lines}
    # word timings move line starts onto real word starts
    words = tuple(Word(12.5 + i * 0.5, 12.9 + i * 0.5, ch) for i, ch in enumerate("今天给大家带来好东西呀"))
    timed = caption_lines((Segment(12.5, 18.0, "今天给大家带来好东西呀", words),), 10.0, 20.0, 6)
    assert [line.start_s for line in timed] == [2.5, pytest.approx(5.5)]


def _render_text(tmp_path: Path, text: str, fonts_dir: Path, family: str, name: str) -> np.ndarray:
    style = CaptionStyle.for_frame(480, 270, family)
    ass = tmp_path / f"{name}.ass"
    ass.write_text(lines_to_ass([CaptionLine(0.0, 5.0, text)], style), "utf-8")
    png = tmp_path / f"{name}.png"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=480x270:d=1", "-vf",
                f"ass=filename={escape_filter_value(str(ass))}:fontsdir={escape_filter_value(str(fonts_dir))}",
                "-frames:v", "1", str(png)])
    with av.open(str(png)) as container:
        return next(container.decode(video=0)).to_ndarray(format="gray").astype(float)


def _differing(a: np.ndarray, b: np.ndarray) -> int:
    return int((np.abs(a - b) > 64).sum())


def test_chinese_renders_as_glyphs_not_boxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # hide the system's fonts from libass, as on a fresh machine: only the fontsdir counts
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    font = cjk_font()
    a = _render_text(tmp_path, "直播间限时优惠", font.folder, font.family, "cjk_a")
    b = _render_text(tmp_path, "破壁机只要九十", font.folder, font.family, "cjk_b")
    # the same number of different characters: real glyphs differ, where missing glyphs would all look alike
    assert (a > 128).sum() > 150 and (b > 128).sum() > 150
    assert _differing(a, b) > 200

    matplotlib = pytest.importorskip("matplotlib")
    latin_dir = tmp_path / "latin"
    latin_dir.mkdir()
    (latin_dir / "DejaVuSans.ttf").write_bytes(
        (Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf").read_bytes())
    c = _render_text(tmp_path, "直播间限时优惠", latin_dir, "DejaVu Sans", "latin_a")
    d = _render_text(tmp_path, "破壁机只要九十", latin_dir, "DejaVu Sans", "latin_b")
    # a font without CJK draws the two lines identically (boxes or nothing): the check above can fail
    assert _differing(c, d) < 20
    assert _differing(a, c) > 200


def test_burned_captions_show_at_their_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a fresh machine whose fontconfig knows only a Latin font: libass must still use the CJK font
    matplotlib = pytest.importorskip("matplotlib")
    conf = tmp_path / "latin-only.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{Path(matplotlib.get_data_path()) / "fonts" / "ttf"}'
                    f"</dir><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>\n")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    video = colour_scenes(tmp_path / "two_scenes.mp4", [3.0, 3.0], size="320x180")
    video_info = probe(video)
    transcript = Transcript("zh", (Segment(0.5, 1.5, "第一句"), Segment(3.5, 4.5, "第二句")), 6.0)
    options = RenderOptions(captions=True, covers=False)
    render_clip(video, video_info, ClipJob("captioned", 0.0, 6.0), transcript, tmp_path, options)
    srt = (tmp_path / "captioned.srt").read_text("utf-8")
    assert "00:00:00,500 --> 00:00:01,500\n第一句" in srt

    def white_pixels(frame: av.VideoFrame) -> int:
        rgb = frame.to_ndarray(format="rgb24")[100:, :, :].astype(int)  # the lower part, where captions go
        return int(((rgb > 200).all(axis=2)).sum())

    counts: dict[float, int] = {}
    with av.open(str(tmp_path / "captioned.mp4")) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            t = round(float(frame.pts * stream.time_base), 2)
            if t in (0.2, 1.0, 2.2, 4.0, 5.2):
                counts[t] = white_pixels(frame)
    assert counts[1.0] > 15 and counts[4.0] > 15, counts
    assert counts[0.2] == 0 and counts[2.2] == 0 and counts[5.2] == 0, counts
