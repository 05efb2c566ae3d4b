"""Replays: the highlight reel and the full replay carry chapters that match their content; editor exports."""

from __future__ import annotations

import itertools
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import av
import pytest

from mediaops.media.probe import probe
from mediaops.render.batch import render_extras
from mediaops.render.chapters import Chapter, replay_chapters, to_ffmetadata, to_webvtt
from mediaops.render.compose import write_title_card
from mediaops.render.export import timecode, to_edl, to_fcpxml
from mediaops.render.options import RenderOptions
from mediaops.types import Clip, PitchSegment, Product
from tests.media import colour_scenes


@pytest.fixture(scope="module")
def scenes_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return colour_scenes(tmp_path_factory.mktemp("reel") / "scenes.mp4", [2, 2, 2, 2], fps=25)


def _chapters(path: Path) -> list[tuple[float, float, str]]:
    with av.open(str(path)) as container:
        return [(float(c["start"] * c["time_base"]), float(c["end"] * c["time_base"]), c["metadata"].get("title", ""))
                for c in container.chapters()]


CLIPS = [
    Clip("h2", 4.5, 6.0, 1.0, "clips/h2.mp4", product_sku="B"),
    Clip("h1", 0.5, 2.0, 2.0, "clips/h1.mp4", title="开场福利"),
]
PITCHES = [PitchSegment("B", "Cozy Blanket", 4.0, 8.0)]
PRODUCTS = [Product("B", "Cozy Blanket", price=59.9)]


def test_replay_chapters_cover_the_recording_back_to_back() -> None:
    chapters = replay_chapters(8.0, CLIPS, PITCHES)
    assert chapters[0].start_s == 0.0 and chapters[-1].end_s == 8.0
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(chapters))
    # pieces under a second (0–0.5 s of live time, 4–4.5 s of pitch) join a neighbour
    assert [(c.start_s, c.end_s, c.title) for c in chapters] == [
        (0.0, 2.0, "高光：开场福利"), (2.0, 4.5, "直播"), (4.5, 6.0, "高光：B"), (6.0, 8.0, "讲解：Cozy Blanket")]
    assert "TIMEBASE=1/1000\nSTART=0\nEND=2000\ntitle=高光：开场福利" in to_ffmetadata(chapters)
    assert "00:00:00.000 --> 00:00:02.000\n高光：开场福利" in to_webvtt(chapters)


def test_reel_and_replay_chapters_match_their_clips(scenes_video: Path, tmp_path: Path) -> None:
    info = probe(scenes_video)
    options = RenderOptions(intro_s=1.0, transition_s=0.2, labels="en")
    written = render_extras(scenes_video, info, CLIPS, PITCHES, tmp_path, options, PRODUCTS, "Demo")
    assert set(written) == {"chapters", "replay", "reel", "reel_chapters", "edl", "fcpxml", "products"}

    reel = _chapters(tmp_path / "reel.mp4")
    assert [title for *_, title in reel] == ["Intro", "Highlight 1: 开场福利", "Highlight 2: Cozy Blanket"]
    expected = [(0.0, 1.0), (1.0, 2.5), (2.5, 4.0)]
    for (start, end, _), (want_start, want_end) in zip(reel, expected, strict=True):
        assert start == pytest.approx(want_start, abs=0.01) and end == pytest.approx(want_end, abs=0.01)
    with av.open(str(tmp_path / "reel.mp4")) as container:
        assert container.duration / 1e6 == pytest.approx(4.0, abs=0.1)
        assert sum(1 for _ in container.decode(video=0)) == pytest.approx(100, abs=2)
    assert (tmp_path / "reel.vtt").read_text("utf-8").count("-->") == 3

    replay = _chapters(tmp_path / "replay.mp4")
    assert replay[0][0] == 0.0 and replay[-1][1] == pytest.approx(8.0, abs=0.05)
    titles = [t for *_, t in replay]
    assert "Highlight: Cozy Blanket" in titles and "Pitch: Cozy Blanket" in titles
    assert all(a[1] == pytest.approx(b[0], abs=0.002) for a, b in itertools.pairwise(replay))
    assert probe(tmp_path / "replay.mp4").duration_s == pytest.approx(info.duration_s, abs=0.1)


def test_editor_exports_point_at_the_recording(scenes_video: Path) -> None:
    info = probe(scenes_video)
    edl = to_edl(CLIPS, info)
    assert "001  AX       AA/V  C        00:00:00:12 00:00:02:00 00:00:00:00 00:00:01:13" in edl
    assert "002  AX       AA/V  C        00:00:04:12 00:00:06:00 00:00:01:13 00:00:03:01" in edl
    root = ET.fromstring(to_fcpxml(CLIPS, info))
    clips = root.findall(".//spine/asset-clip")
    # times are whole frames at 25 fps: 0.5 s is frame 12, 4.5 s frame 112
    assert [c.get("start") for c in clips] == ["12/25s", "112/25s"]
    assert [c.get("offset") for c in clips] == ["0s", "38/25s"]
    assert root.find(".//format").get("frameDuration") == "1/25s"
    assert timecode(25 * 3600 + 30, info.fps) == "01:00:01:05"


def _children() -> set[int]:
    pid = os.getpid()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to count handles")
def test_moviepy_card_leaks_no_process_or_file_handle(tmp_path: Path) -> None:
    write_title_card(tmp_path / "warmup.mp4", 160, 90, 25, 0.4, "预热")  # imports and font loading
    fds_before = len(os.listdir("/proc/self/fd"))
    children_before = _children()
    for n in range(3):
        out = write_title_card(tmp_path / f"card{n}.mp4", 320, 180, 25, 1.0, "高光合集", "subtitle")
        assert probe(out).duration_s == pytest.approx(1.0, abs=0.1)
    assert _children() <= children_before
    assert len(os.listdir("/proc/self/fd")) <= fds_before
    assert not list(tmp_path.glob(".*partial*"))


def test_chapter_type_is_plain_data() -> None:
    assert Chapter(0.0, 1.0, "x") == Chapter(0.0, 1.0, "x")
