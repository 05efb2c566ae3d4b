"""Vertical and square reframing: the crop follows a real face, smoothly, and falls back without one."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.media.probe import probe
from mediaops.render.clips import ClipJob, render_clip
from mediaops.render.faces import FaceBox, FaceDetector
from mediaops.render.options import RenderOptions
from mediaops.render.reframe import FaceSample, crop_size, plan_crop, x_expression
from tests.media import colour_scenes


def _portrait() -> Path:
    """A public-domain photograph (Grace Hopper) that matplotlib ships as sample data."""
    matplotlib = pytest.importorskip("matplotlib")
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    assert path.is_file(), "matplotlib's sample data is missing: pip install matplotlib"
    return path


@pytest.fixture(scope="module")
def moving_face(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """640x360, 6 s: a 110x130 face crossing from x=20 to x=500 (left edge) over a grey room, with a tone."""
    out = tmp_path_factory.mktemp("reframe") / "moving_face.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=0x707070:s=640x360:r=25:d=6", "-loop", "1", "-i", str(_portrait()),
                "-f", "lavfi", "-i", "sine=d=6", "-filter_complex",
                "[1:v]scale=110:130,setsar=1[face];[0:v][face]overlay=x='20+80*t':y=110:shortest=1,format=yuv420p[v]",
                "-map", "[v]", "-map", "2:a", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                "-c:a", "aac", str(out)])
    return out


def test_detector_finds_the_face_in_a_photo() -> None:
    import cv2

    image = cv2.imread(str(_portrait()))
    faces = FaceDetector().detect(image)
    assert len(faces) == 1
    face = faces[0]
    # the face sits in the upper middle of the portrait
    assert 150 < face.cx < 360 and 150 < face.cy < 330 and face.w > 100
    assert FaceDetector().detect(np.full((360, 640, 3), 112, np.uint8)) == []


def test_vertical_crop_keeps_the_moving_face_in_frame(moving_face: Path, tmp_path: Path) -> None:
    info = probe(moving_face)
    options = RenderOptions(aspect="9:16", width=360, covers=False)
    done = render_clip(moving_face, info, ClipJob("vertical", 0.0, 6.0), None, tmp_path, options)
    assert (done.width, done.height) == (360, 640) and done.reframe == "track"
    detector = FaceDetector()
    seen = 0
    with av.open(str(tmp_path / "vertical.mp4")) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (360, 640)
        for index, frame in enumerate(container.decode(stream)):
            if index % 12:
                continue
            faces = detector.detect(frame.to_ndarray(format="bgr24"))
            assert faces, f"face lost at frame {index}"
            face = faces[0]
            assert face.x >= -2 and face.x + face.w <= 362, (index, face)
            seen += 1
    assert seen >= 12


def test_square_clip_has_the_right_size(moving_face: Path, tmp_path: Path) -> None:
    info = probe(moving_face)
    options = RenderOptions(aspect="1:1", width=240, covers=True, cover_title=False)
    done = render_clip(moving_face, info, ClipJob("square", 1.0, 3.0), None, tmp_path, options)
    assert (done.width, done.height) == (240, 240)
    with av.open(str(tmp_path / "square.mp4")) as container:
        ctx = container.streams.video[0].codec_context
        assert (ctx.width, ctx.height) == (240, 240)
    from PIL import Image

    assert done.cover is not None and Image.open(done.cover).size == (240, 240)


def test_no_face_falls_back_to_centre_crop(tmp_path: Path) -> None:
    video = colour_scenes(tmp_path / "plain.mp4", [1.5, 1.5], size="320x180")
    options = RenderOptions(aspect="9:16", width=180, covers=False)
    done = render_clip(video, probe(video), ClipJob("plain", 0.0, 3.0), None, tmp_path, options)
    assert (done.width, done.height) == (180, 320) and done.reframe == "center"


def _samples(centres: list[float | None], step: float = 0.5, size: float = 60) -> list[FaceSample]:
    return [FaceSample(i * step, () if c is None else (FaceBox(c - size / 2, 100, size, size, 0.99),))
            for i, c in enumerate(centres)]


def test_plan_is_smooth_despite_detector_jitter() -> None:
    rng = np.random.default_rng(7)
    truth = np.linspace(150, 500, 21)
    noisy = [float(x + rng.normal(0, 12)) for x in truth]
    noisy[5] = None  # a missed detection
    noisy[11] = 40.0  # a false detection far away
    plan = plan_crop(_samples(noisy), 640, 360, 1080, 1920)
    assert plan.mode == "track"
    times = np.arange(0, 10.01, 0.04)
    xs = np.array([plan.x_at(t) for t in times])
    # the camera moves at most a few pixels per frame and never jumps back and forth
    assert np.abs(np.diff(xs)).max() < 8
    assert np.abs(np.diff(xs, 2)).max() < 2
    crop_w = plan.crop_w
    for t, centre in zip(np.arange(0, 10.01, 0.5), truth, strict=True):
        left = plan.x_at(float(t))
        assert left - 1 <= centre - 30 and centre + 30 <= left + crop_w + 1


def test_plan_fallbacks() -> None:
    assert plan_crop(_samples([None] * 10), 640, 360, 720, 1280).mode == "center"
    assert plan_crop(_samples([None] * 10), 640, 360, 720, 1280, fallback="blur").mode == "blur"
    wide = [FaceSample(i * 0.5, (FaceBox(40, 100, 60, 60, 0.99), FaceBox(520, 100, 60, 60, 0.98))) for i in range(10)]
    assert plan_crop(wide, 640, 360, 720, 1280).mode == "blur"
    assert crop_size(640, 360, 1080, 1920) == (202, 360)
    assert crop_size(640, 360, 1080, 1080) == (360, 360)


def test_x_expression_is_piecewise_linear() -> None:
    expr = x_expression(((0.0, 10.0), (2.0, 30.0)))
    assert expr.startswith("if(lt(t,0.000),10.0,") and "30.0" in expr
    assert x_expression(((1.0, 5.0),)) == "5.0"


def test_a_host_swaying_in_place_gives_a_still_window() -> None:
    swaying = [320 + 12 * np.sin(i) for i in range(30)]
    plan = plan_crop(_samples(swaying), 640, 360, 1080, 1920)
    xs = [plan.x_at(t) for t in np.arange(0, 15, 0.04)]
    assert max(xs) - min(xs) < 1.0
