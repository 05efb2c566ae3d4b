"""Cutting clips with real ffmpeg: keyframe-snapped stream copies, frame-accurate re-encodes, covers."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import av
import numpy as np
import pytest

from mediaops.errors import MediaOpsError
from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.media.probe import probe
from mediaops.render.clips import ClipJob, render_clip
from mediaops.render.covers import best_frame, frame_score
from mediaops.render.keyframes import keyframes_near, snap_to_keyframes
from mediaops.render.options import RenderOptions
from tests.media import colour_scenes

FPS = 25
FRAME_S = 1 / FPS


@pytest.fixture(scope="module")
def scenes_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five 2 s colour scenes (red, green, blue, yellow, purple), a keyframe every second, a 440 Hz tone."""
    return colour_scenes(tmp_path_factory.mktemp("clips") / "scenes.mp4", [2, 2, 2, 2, 2], fps=FPS)


def _keyframes(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [float(p.pts * stream.time_base) for p in container.demux(stream) if p.is_keyframe and p.pts is not None]


def _streams(path: Path) -> dict[str, float]:
    """Start times of the first video and audio packets, the duration, and the decoded frame count."""
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        starts: dict[str, float] = {}
        for packet in container.demux(video, audio):
            if packet.pts is None:
                continue
            kind = packet.stream.type
            t = float(packet.pts * packet.stream.time_base)
            starts[kind] = min(starts.get(kind, t), t)
        container.seek(0)
        frames = sum(1 for _ in container.decode(video=0))  # raises if any frame fails to decode
        return {"video": starts["video"], "audio": starts["audio"], "duration": container.duration / 1e6,
                "frames": frames}


def _first_frame_rgb(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)


def test_keyframes_near_matches_a_full_scan(scenes_video: Path) -> None:
    keyframes = _keyframes(scenes_video)
    for t in (0.0, 0.5, 3.99, 4.0, 7.3, 9.9):
        window = keyframes_near(scenes_video, t)
        assert window.before_s == max(k for k in keyframes if k <= t + 5e-4)
        later = [k for k in keyframes if k > t + 5e-4]
        assert window.after_s == (min(later) if later else None)


def test_fast_clip_is_snapped_to_keyframes_in_sync_and_decodes(scenes_video: Path, tmp_path: Path) -> None:
    info = probe(scenes_video)
    job = ClipJob("fast", 4.3, 7.6)
    done = render_clip(scenes_video, info, job, None, tmp_path, RenderOptions(cut="fast"))
    start, end, width, height, cover = done.start_s, done.end_s, done.width, done.height, done.cover
    keyframes = _keyframes(scenes_video)
    assert start in keyframes and start <= 4.3
    assert end in keyframes or end == pytest.approx(info.duration_s)
    assert end >= 7.6
    got = _streams(tmp_path / "fast.mp4")
    gop_s = max(b - a for a, b in itertools.pairwise(keyframes))
    # within one GOP of what was asked, and within a frame of what the clip says it covers
    assert got["duration"] == pytest.approx(7.6 - 4.3, abs=gop_s + FRAME_S)
    assert got["duration"] == pytest.approx(end - start, abs=FRAME_S + 0.03)
    assert abs(got["video"] - got["audio"]) <= 0.040
    assert got["frames"] >= round((end - start) * FPS) - 1
    assert (width, height) == (info.width, info.height)
    assert cover is not None and cover.stat().st_size > 0
    assert (tmp_path / "fast.srt").is_file()


def test_exact_clip_is_frame_accurate_in_sync_and_decodes(scenes_video: Path, tmp_path: Path) -> None:
    info = probe(scenes_video)
    # one frame before the green→blue cut at 4 s: the first frame must still be green, the rest blue
    job = ClipJob("exact", 4.0 - FRAME_S, 7.0)
    done = render_clip(scenes_video, info, job, None, tmp_path, RenderOptions(cut="exact", covers=False))
    start, end = done.start_s, done.end_s
    assert (start, end) == (job.start_s, job.end_s)
    got = _streams(tmp_path / "exact.mp4")
    assert got["duration"] == pytest.approx(end - start, abs=FRAME_S + 0.03)
    assert abs(got["video"] - got["audio"]) <= 0.040
    assert abs(got["frames"] - round((end - start) * FPS)) <= 1
    red, green, blue = _first_frame_rgb(tmp_path / "exact.mp4")
    assert green > 100 and blue < 60, (red, green, blue)


@pytest.mark.slow
def test_fast_cut_costs_the_same_late_in_a_long_file(tmp_path: Path) -> None:
    long_video = tmp_path / "long.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x54:r=10:d=600", "-f", "lavfi", "-i", "sine=d=600",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "40", "-c:a", "aac", "-b:a", "32k", str(long_video)])
    info = probe(long_video)
    timings = {}
    for t in (12.0, 580.0):  # keyframes every 4 s
        began = time.perf_counter()
        start, end = snap_to_keyframes(long_video, t + 0.7, t + 10.2, info.duration_s)
        render_clip(long_video, info, ClipJob(f"at{int(t)}", t + 0.7, t + 10.2), None, tmp_path,
                    RenderOptions(cut="fast", covers=False))
        timings[t] = time.perf_counter() - began
        assert start == pytest.approx(t, abs=0.01) and end == pytest.approx(t + 12, abs=0.01)
    assert timings[580.0] < 1.0, timings


def test_cover_skips_black_frames(tmp_path: Path) -> None:
    video = tmp_path / "fade.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=320x180:r=25:d=2", "-f", "lavfi",
                "-i", "testsrc2=s=320x180:r=25:d=1", "-f", "lavfi", "-i", "color=c=black:s=320x180:r=25:d=2",
                "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]", "-map", "[v]", "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "12", "-pix_fmt", "yuv420p", str(video)])
    t_s, bgr = best_frame(video, 0.0, 5.0)
    assert 2.0 <= t_s < 3.0
    assert bgr.mean() > 40 and frame_score(bgr) > 0
    assert frame_score(np.zeros((90, 160, 3), np.uint8)) == 0.0


def test_bad_options_are_refused_with_a_clear_message() -> None:
    with pytest.raises(MediaOpsError, match="unknown aspect"):
        RenderOptions(aspect="4:3")
    with pytest.raises(MediaOpsError, match="x264 preset"):
        RenderOptions(preset="fastest")


def test_clips_render_in_parallel_and_come_back_in_order(scenes_video: Path, tmp_path: Path) -> None:
    from mediaops.render.batch import render_clips
    from mediaops.types import Highlight, Product

    info = probe(scenes_video)
    highlights = [Highlight(f"h{i}", 2.0 * i + 0.5, 2.0 * i + 1.5, 1.0, 2.0 * i + 1, product_sku="P") for i in range(4)]
    seen: list[float] = []
    clips = render_clips(scenes_video, info, highlights, None, tmp_path, RenderOptions(workers=2, cover_title=True),
                         lambda stage, fraction, message: seen.append(fraction), [Product("P", "破壁机", price=39)])
    assert [c.id for c in clips] == ["h0", "h1", "h2", "h3"]
    assert seen == [0.25, 0.5, 0.75, 1.0]
    for clip in clips:
        assert (tmp_path / clip.file).is_file() and (tmp_path / clip.cover).is_file()
        assert probe(tmp_path / clip.file).duration_s == pytest.approx(1.0, abs=FRAME_S + 0.03)
    assert not list((tmp_path / "clips").glob(".*partial*"))
