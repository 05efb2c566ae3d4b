"""Recordings as recorders and phones write them, through the real pipeline in its default mode.

MPEG-TS (timestamps from 1.4 s, a keyframe every 4 s, the cut half a second after one), FLV, Matroska, a
portrait video, a portrait phone video stored landscape with a 90° display matrix, two audio tracks, and a short
4K60 file: each made from the sample stream with a red band across the top of its upright picture (orientation
can be read from pixels) and a marker that moves 7 px every frame in a black band at the bottom (a frame's place
in time can be read from pixels too).

Wrong implementations these tests reject:
- zip over a window's cuts and their ends with ``strict=True``: a window whose keyframes differ without a cut
  (a fade, motion) crashes the default mode (``test_window_without_a_cut_is_no_scene``, every pipeline case);
- keyframe times taken from the decoder's timestamps (1.4 s late in MPEG-TS) while the frame-by-frame pass counts
  from the first frame: the refine window starts too late, the cut half a second after a keyframe is lost and
  the window has no cut (``test_default_mode_clips_start_on_the_cut[mpegts]``); scene times counted from the
  first video frame while ffmpeg's ``-ss`` counts from the container's start
  (``test_mpegts_cuts_are_on_the_recordings_timeline``);
- a clip cut with ``-ss`` before ``-i`` only: an MPEG-TS seek lands inside a group of pictures, the decoder
  waits for the next keyframe and the clip opens on a held picture up to a GOP long
  (``test_exact_clip_from_mpegts_starts_on_time``, ``test_clips_open_on_a_moving_picture``);
- rotation read from a stream attribute PyAV does not have (always 0), or width and height left as stored: the
  timeline says 640x360 and rotation 0 for a portrait phone video, and the reel is stretched into the stored
  frame (``test_pictures_are_upright[rotated]``, ``test_probe_reads_the_display_rotation``);
- covers decoded with PyAV and not turned: the cover of an upright clip lies on its side
  (``test_cover_of_a_rotated_video_is_upright``, ``test_pictures_are_upright``);
- scene detection converting every full-size frame to RGB before shrinking it, and a reel at the source's 4K60:
  the 4K case's analysis must only ever see small frames, its reel must be 1080p30
  (``test_4k60_runs_in_the_default_mode_on_small_analysis_frames``, ``test_4k60_reel_is_1080p30_and_upright``);
- frames shrunk by swscale's scaled YUV→RGB path: its colour noise in black frames turns every fade to black into
  cuts (covered by ``tests/test_scenes_keyframes.py`` on ``fades.mp4``, which must have none).
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from mediaops.analysis.scenes import SceneOptions, detect_scenes
from mediaops.analysis.scenes_keyframes import detect_scenes_by_keyframes, detect_scenes_in_windows_by_keyframes
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs, run_pipeline
from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.media.probe import probe
from mediaops.render.clips import ClipJob, render_clip
from mediaops.render.covers import best_frame
from mediaops.render.keyframes import split_seek
from mediaops.render.options import RenderOptions
from mediaops.render.reel import ReelPart, reel_format, render_reel
from mediaops.render.reframe import frame_rate_filter, original_frame_filter, original_size
from mediaops.timeline import read_timeline
from mediaops.types import MediaInfo, Timeline
from tests.media import COLOURS, MARKER_STEP_PX, RED_TOP, colour_scenes, marker_x, sample_recording

#: the sample stream's first product reveal: a hard cut.
SAMPLE_CUT_S = 35.0


#: kind -> (file name, start in the sample, length, sample_recording's options, upright size, rotation)
KINDS: dict[str, tuple[str, float, float, dict, tuple[int, int], int]] = {
    # 4 s GOPs from 0.023 s: the cut at 16.5 s comes 0.48 s after the keyframe at 16.02 s
    "mpegts": ("rec.ts", 18.5, 34.0, {"keyint_s": 4.0}, (640, 360), 0),
    "flv": ("rec.flv", 20.0, 33.0, {}, (640, 360), 0),
    "matroska": ("rec.mkv", 20.0, 33.0, {}, (640, 360), 0),
    "portrait": ("portrait.mp4", 20.0, 33.0, {"size": "360x640"}, (360, 640), 0),
    "rotated": ("phone.mp4", 20.0, 33.0, {"size": "360x640", "rotate_deg": 90}, (360, 640), 90),
    "two-audio": ("two_tracks.mp4", 20.0, 33.0, {"second_audio": True}, (640, 360), 0),
}


def _sidecars(recording: Path) -> StreamInputs:
    stem = recording.with_suffix("")
    return StreamInputs(stem.with_name(f"{stem.name}.metrics.csv"), stem.with_name(f"{stem.name}.comments.jsonl"),
                        stem.with_name(f"{stem.name}.products.csv"))


def _default_options(model: str) -> ProcessOptions:
    """The defaults (first clips on, exact clips, covers, reel, replay) with a real Whisper model."""
    defaults = ProcessOptions()
    return replace(defaults, transcribe=replace(defaults.transcribe, model=model, cache_dir=None))


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Each kind's recording, made on first use."""
    folder = tmp_path_factory.mktemp("recordings")

    @functools.cache
    def make(kind: str) -> Path:
        name, start_s, length_s, extra, _size, _rotation = KINDS[kind]
        (folder / kind).mkdir()
        return sample_recording(folder / kind / name, start_s, length_s, **extra)

    return make


@pytest.fixture(scope="module")
def runs(recordings: Callable[[str], Path], whisper_model: str) -> Callable[[str], tuple[Timeline, Path]]:
    """Each kind through ``run_pipeline`` in the default mode, run on first use: its timeline and output folder."""

    @functools.cache
    def run(kind: str) -> tuple[Timeline, Path]:
        recording = recordings(kind)
        out = recording.parent / "out"
        return run_pipeline(recording, _sidecars(recording), out, _default_options(whisper_model)), out

    return run


def _iter_frames(path: Path, rotation: int = 0) -> Iterator[tuple[float, np.ndarray]]:
    """``(t_s, upright BGR)`` of ``path``'s frames in order, times from the container's start (decoded from the
    beginning, no seeking; turned by the rotation the file was made with, not by the code under test)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        origin = (container.start_time or 0) / 1e6
        for frame in container.decode(stream):
            image = frame.to_ndarray(format="bgr24")
            yield float(frame.time) - origin, np.ascontiguousarray(np.rot90(image, k=-(rotation // 90)))


def _frames(path: Path, rotation: int = 0, limit: int | None = None) -> list[tuple[float, np.ndarray]]:
    return list(itertools.islice(_iter_frames(path, rotation), limit))


def _is_red(rows: np.ndarray) -> bool:
    blue, green, red = rows.reshape(-1, 3).mean(axis=0)
    return red > 170 and green < 70 and blue < 70


def _upright(image: np.ndarray) -> bool:
    """The red band is along the top, and neither along the bottom nor down a side."""
    height, width = image.shape[:2]
    return (_is_red(image[: round(height * RED_TOP * 0.8)])
            and not _is_red(image[round(height * 0.45):round(height * 0.55)])
            and not _is_red(image[:, : round(width * 0.1)]))


# --- the pipeline in its default mode on each kind of recording -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_default_mode_clips_start_on_the_cut(kind: str, runs: Callable[[str], tuple[Timeline, Path]]) -> None:
    timeline, out = runs(kind)
    _name, start_s, _length, _extra, _size, _rotation = KINDS[kind]
    cut_s = SAMPLE_CUT_S - start_s
    assert any(abs(s.start_s - cut_s) <= 0.08 for s in timeline.scenes), timeline.scenes
    assert timeline.clips, "no clip in the default mode"
    clip = timeline.clips[0]
    assert clip.start_s == pytest.approx(cut_s, abs=0.08)
    assert (out / clip.file).is_file() and (out / "reel.mp4").is_file()
    with av.open(str(out / clip.file)) as container:
        assert container.streams.video and container.streams.audio
        assert container.duration / 1e6 == pytest.approx(clip.end_s - clip.start_s, abs=0.1)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_pictures_are_upright(kind: str, runs: Callable[[str], tuple[Timeline, Path]]) -> None:
    timeline, out = runs(kind)
    *_, (width, height), rotation = KINDS[kind]
    doc = read_timeline(out)
    assert (doc["recording"]["width"], doc["recording"]["height"], doc["recording"]["rotation_deg"]) == (
        width, height, rotation)
    for clip in timeline.clips:
        first = _frames(out / clip.file, limit=1)[0][1]
        assert first.shape[:2] == (height, width) == (clip.height, clip.width)
        assert _upright(first), f"{clip.file} is not upright"
        cover = cv2.imread(str(out / clip.cover))
        assert (cover.shape[0] > cover.shape[1]) == (height > width)
        assert _upright(cover), f"{clip.cover} is not upright"
    reel = probe(out / "reel.mp4")
    assert (reel.width, reel.height, reel.rotation_deg) == (width, height, 0)  # not stretched into the stored frame
    intro_s = RenderOptions().intro_s
    assert _upright(next(image for t_s, image in _iter_frames(out / "reel.mp4") if t_s >= intro_s + 0.5))


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_clips_open_on_a_moving_picture(kind: str, recordings: Callable[[str], Path],
                                        runs: Callable[[str], tuple[Timeline, Path]]) -> None:
    """The clip's first frames are the recording's frames at the clip's times, one after the other from 0 s:
    the marker moves every frame and sits where the recording has it."""
    timeline, out = runs(kind)
    *_, (width, _height), rotation = KINDS[kind]
    source = _frames(recordings(kind), rotation)
    step = MARKER_STEP_PX / width
    for clip in timeline.clips:
        frames = _frames(out / clip.file, limit=12)
        with av.open(str(out / clip.file)) as container:
            audio = container.streams.audio[0]
            audio_start_s = float(audio.start_time * audio.time_base)
        assert frames[0][0] == pytest.approx(0.0, abs=0.021), "the video starts late: a held first picture"
        assert audio_start_s == pytest.approx(0.0, abs=0.03)
        seen = [marker_x(image) for _t, image in frames]
        assert all(x is not None for x in seen)
        moves = np.diff(np.array(seen, dtype=float))
        assert np.all(np.abs(moves) >= step / 2), f"a frame repeats at the start of {clip.file}: {seen}"
        for (t_s, _image), x in zip(frames, seen, strict=True):
            at_s = clip.start_s + t_s
            nearest = min(source, key=lambda f: abs(f[0] - at_s))
            assert x == pytest.approx(marker_x(nearest[1]), abs=step * 0.6), f"{clip.file} at {t_s:.2f} s"


# --- 4K60: the analysis decodes small, the reel is 1080p30 -----------------------------------------------------


@pytest.fixture(scope="module")
def uhd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s of 3840x2160 at 60 fps; the sample's cut at 35 s falls at 2 s."""
    return sample_recording(tmp_path_factory.mktemp("uhd") / "uhd60.mp4", 33.0, 3.0, size="3840x2160", fps=60,
                            keyint_s=1.0)


@pytest.mark.slow
def test_4k60_runs_in_the_default_mode_on_small_analysis_frames(uhd: Path, whisper_model: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import mediaops.analysis.scenes as scenes_module
    import mediaops.analysis.scenes_keyframes as keyframes_module

    recording = uhd
    sizes: list[tuple[int, int]] = []
    for module in (scenes_module, keyframes_module):
        original = module.small_bgr

        def spy(frame, width, height, original=original):
            image = original(frame, width, height)
            sizes.append(image.shape[:2])
            return image

        monkeypatch.setattr(module, "small_bgr", spy)
    started = time.perf_counter()
    timeline = run_pipeline(recording, _sidecars(recording), recording.parent / "out", _default_options(whisper_model))
    elapsed_s = time.perf_counter() - started
    assert (timeline.recording.width, timeline.recording.height) == (3840, 2160)
    assert timeline.recording.fps == Fraction(60)
    assert [s.start_s for s in timeline.scenes] == pytest.approx([0.0, 2.0], abs=0.04)
    assert sizes and max(max(s) for s in sizes) <= 256, "the scene pass analysed full-size frames"
    # 3 s of 4K60 is 180 frames of 8.3 Mpx; 3 minutes leaves room for a busy machine, not for a 4K reel or RGB
    assert elapsed_s < 180, f"{elapsed_s:.0f} s for 3 s of 4K60"


@pytest.mark.slow
def test_4k60_clip_is_rendered_at_1080p30(uhd: Path, tmp_path: Path) -> None:
    """Rejects a clip encoded at the recording's 3840x2160 60 fps (8x the pixels per second of what short-video
    apps show), and a clip whose recorded size is not the file's."""
    info = probe(uhd)
    done = render_clip(uhd, info, ClipJob("clip", 1.0, 2.5), None, tmp_path, RenderOptions(covers=False))
    clip = probe(done.file)
    assert (done.width, done.height) == (clip.width, clip.height) == (1920, 1080)
    assert clip.fps == Fraction(30) and clip.duration_s == pytest.approx(1.5, abs=0.1)
    assert _upright(next(image for t_s, image in _iter_frames(done.file) if t_s >= 0.5))


@pytest.mark.slow
def test_4k60_reel_is_1080p30_and_upright(uhd: Path, tmp_path: Path) -> None:
    recording = uhd
    info = probe(recording)
    options = RenderOptions(intro_s=0.5, transition_s=0.1, labels="en")
    assert reel_format(info, options) == (1920, 1080, 30.0)
    render_reel(recording, info, [ReelPart(1.5, 2.5, "reveal")], tmp_path / "reel.mp4", options)
    reel = probe(tmp_path / "reel.mp4")
    assert (reel.width, reel.height, reel.fps) == (1920, 1080, Fraction(30))
    assert reel.duration_s == pytest.approx(1.5, abs=0.1)
    assert _upright(next(image for t_s, image in _iter_frames(tmp_path / "reel.mp4") if t_s >= 1.0))  # not faded


# --- the parts, on small generated media (fast) ---------------------------------------------------------------


def test_reel_format_scales_down_never_up() -> None:
    def info(width: int, height: int, fps: int) -> MediaInfo:
        return MediaInfo("x.mp4", 10.0, 1, "mov", True, True, width, height, Fraction(fps))

    options = RenderOptions()
    assert reel_format(info(3840, 2160, 60), options) == (1920, 1080, 30.0)
    assert reel_format(info(2160, 3840, 60), options) == (1080, 1920, 30.0)  # portrait stays portrait
    assert reel_format(info(640, 360, 25), options) == (640, 360, 25.0)
    assert reel_format(info(1080, 1920, 30), replace(options, reel_short_side_px=720)) == (720, 1280, 30.0)


def test_original_frame_clips_scale_down_never_up_and_cap_the_frame_rate() -> None:
    """Rejects: scaling small sources up, swapping a portrait frame, odd sizes, keeping 60 fps, a filter that
    scales although the size is kept."""

    def info(width: int, height: int, fps: int, sar: Fraction | None = None) -> MediaInfo:
        return MediaInfo("x.mp4", 10.0, 1, "mov", True, True, width, height, Fraction(fps), sample_aspect_ratio=sar)

    options = RenderOptions()
    assert original_size(info(3840, 2160, 60), options) == (1920, 1080)
    assert original_size(info(2160, 3840, 60), options) == (1080, 1920)  # portrait stays portrait
    assert original_size(info(1280, 720, 30), options) == (1280, 720)  # never up
    assert original_size(info(2560, 1081, 30), options) == (2558, 1080)  # even-sized
    assert original_frame_filter(info(3840, 2160, 60), options) == "scale=1920:1080,setsar=1"
    assert original_frame_filter(info(1280, 720, 30), options) == ""
    assert original_frame_filter(info(1920, 1080, 25, Fraction(4, 3)), options) == "scale=1920:1080,setsar=1"
    assert frame_rate_filter(info(3840, 2160, 60), options) == "fps=30"
    assert frame_rate_filter(info(1280, 720, 30), options) == ""
    assert frame_rate_filter(info(1280, 720, 25), replace(options, clip_max_fps=24.0)) == "fps=24"


def test_split_seek_starts_decoding_on_the_keyframe() -> None:
    assert split_seek(23.0, 20.0232) == pytest.approx((20.0237, 23.0 - 20.0237 - 0.001))
    assert split_seek(23.0, None) == (23.0, 0.0)
    assert split_seek(20.0, 20.0) == (20.0, 0.0)  # the cut is on a keyframe: nothing to drop


def test_window_without_a_cut_is_no_scene(tmp_path: Path) -> None:
    """A two-second fade from black to white: its keyframes differ (candidates), no frame differs from the next
    by a cut's score. The window holds no scene; it must not crash."""
    video = tmp_path / "fade.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=320x180:r=25:d=8", "-f", "lavfi", "-i",
                "color=c=white:s=320x180:r=25:d=8", "-filter_complex",
                "[0:v][1:v]xfade=transition=fade:duration=2:offset=4[v]", "-map", "[v]", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-sc_threshold", "0", str(video)])
    assert detect_scenes_in_windows_by_keyframes(video, [(0.0, 12.0)]) == []
    assert len(detect_scenes_by_keyframes(video, SceneOptions(), 12.0)) == 1


@pytest.fixture(scope="module")
def mpegts_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Colour scenes in MPEG-TS (timestamps from 1.4 s), a keyframe every 4 s, cuts half a second after two."""
    return colour_scenes(tmp_path_factory.mktemp("ts") / "gop.ts", [4.5, 4.0, 3.7, 4.8], keyint_s=4.0,
                         keyframes_at_cuts=False)


def test_mpegts_cuts_are_on_the_recordings_timeline(mpegts_video: Path) -> None:
    info = probe(mpegts_video)
    assert info.start_time_s == pytest.approx(1.4, abs=0.01)
    with av.open(str(mpegts_video)) as container:  # the video starts a little after the container (audio first)
        stream = container.streams.video[0]
        offset_s = float(stream.start_time * stream.time_base) - container.start_time / 1e6
    # each colour source gives its length in whole frames (rounded up), so cut n comes after that many frames
    frames = itertools.accumulate(math.ceil(length * 25 - 1e-6) for length in (4.5, 4.0, 3.7))
    expected = [offset_s + n / 25 for n in frames]
    full = [s.start_s for s in detect_scenes(mpegts_video)][1:]
    assert full == pytest.approx(expected, abs=0.005)
    found = [s.start_s for s in detect_scenes_by_keyframes(mpegts_video, SceneOptions(), info.duration_s)][1:]
    assert found == pytest.approx(full, abs=1e-6)
    windowed = [s.start_s for s in detect_scenes_in_windows_by_keyframes(mpegts_video, [(2.0, 16.0)])]
    assert windowed == pytest.approx(full, abs=1e-6)


def test_exact_clip_from_mpegts_starts_on_time(mpegts_video: Path, tmp_path: Path) -> None:
    """A clip from the second cut (0.5 s after a keyframe, 3.5 s before the next) opens on that scene at 0 s."""
    cut_s = [s.start_s for s in detect_scenes(mpegts_video)][2]
    info = probe(mpegts_video)
    done = render_clip(mpegts_video, info, ClipJob("c", cut_s, cut_s + 2.0), None, tmp_path,
                       RenderOptions(covers=False))
    frames = _frames(done.file, limit=3)
    assert frames[0][0] == pytest.approx(0.0, abs=0.021)
    assert COLOURS[2] == "blue"
    expected = (255, 0, 0)
    assert np.abs(frames[0][1].reshape(-1, 3).mean(axis=0) - expected).max() < 40
    assert probe(done.file).duration_s == pytest.approx(2.0, abs=0.1)


def test_probe_reads_the_display_rotation(testdata: Path) -> None:
    info = probe(testdata / "video" / "issue-134-rotate.mp4")  # stored 1280x544, shown turned 90° clockwise
    assert (info.width, info.height, info.rotation_deg) == (544, 1280, 90)


def test_cover_of_a_rotated_video_is_upright(tmp_path: Path) -> None:
    video = sample_recording(tmp_path / "phone.mp4", 20.0, 3.0, size="180x320", rotate_deg=90)
    info = probe(video)
    assert (info.width, info.height, info.rotation_deg) == (180, 320, 90)
    _t, image = best_frame(video, 0.0, 3.0)
    assert image.shape[:2] == (320, 180)
    assert _upright(image)
