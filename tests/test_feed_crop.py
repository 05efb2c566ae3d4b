"""Vertical clips fit for a feed: without a face the crop keeps the price text and the product, or fits the whole
frame over a blurred copy where they are wider than the crop; a small recording gives a 720×1280 clip that says
it is enlarged.

The recordings are made here: a grey room with an even noise texture (a background that has edges everywhere),
a colour-bar "product" and a price caption (``限时 39``) in known places, no face.

Wrong implementations these tests reject:

* the old centre crop without a face: the product on the right third is cut off (no colour in the clip);
* placing the window by raw edge density, without taking off the background's level: the even texture counts
  as content, no window keeps enough, and a product that fits the crop gets a blurred pad instead;
* always padding, or never padding (a price on the left and the product on the right: one of them cut off);
* of equally good windows, the most central or the leftmost one: the product then touches the clip's edge;
* a 640×360 recording made into 1080×1920 (or 720×1280 without saying so): the size, the reason and the
  enlargement are checked in what :func:`render_highlight` returns for the timeline.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from mediaops.cli.render import size_note
from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.media.fonts import cjk_font
from mediaops.media.probe import probe
from mediaops.render.clips import escape_filter_value, render_highlight
from mediaops.render.options import RenderOptions
from mediaops.render.reframe import DETAIL_BINS, FaceSample, output_size, plan_crop
from mediaops.types import Clip, Highlight

OPTIONS = RenderOptions(aspect="9:16", width=1080, preset="ultrafast", reel=False, replay=False)


def _shop_window(out: Path, product_x: int, caption_x: int) -> Path:
    """640×360, 2 s at 10 fps: a noisy grey room, a 150×150 colour-bar product at ``product_x`` (y 150) and a
    white 40 px price caption at ``caption_x`` (y 40)."""
    font = escape_filter_value(str(cjk_font().path))
    graph = (f"color=c=0x707070:s=640x360:r=10:d=2,noise=alls=12:allf=t[room];testsrc2=s=150x150:r=10:d=2[product];"
             f"[room][product]overlay=x={product_x}:y=150,"
             f"drawtext=fontfile={font}:text='限时 39':x={caption_x}:y=40:fontsize=40:fontcolor=white,"
             "format=yuv420p[v]")
    run_ffmpeg(["-f", "lavfi", "-i", "sine=d=2", "-filter_complex", graph, "-map", "[v]", "-map", "0:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(out)])
    return out


def _render(source: Path, work: Path) -> tuple[Clip, np.ndarray, np.ndarray]:
    """The clip of the first 1.5 s, its first frame and its cover (BGR)."""
    clip = render_highlight(source, probe(source), Highlight("h1", 0.0, 1.5, 1.0, 0.5), None, work, OPTIONS)
    with av.open(str(work / clip.file)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="bgr24")
    assert clip.cover is not None
    return clip, frame, cv2.imread(str(work / clip.cover))


def _colour_columns(image: np.ndarray) -> np.ndarray:
    """Columns that hold the product's saturated colours."""
    saturated = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)[..., 1] > 120
    return np.flatnonzero(saturated.sum(axis=0) > image.shape[0] * 0.05)


def _white_columns(image: np.ndarray, rows: slice) -> np.ndarray:
    """Columns with caption pixels (near white) in ``rows``."""
    white = (image[rows] > 200).all(axis=2)
    return np.flatnonzero(white.sum(axis=0) > 0)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feed")


def test_product_and_price_off_centre_stay_in_a_vertical_clip(work: Path) -> None:
    # the caption and the product sit in the right third: a centre crop (x 219–421) shows neither
    source = _shop_window(work / "right.mp4", product_x=460, caption_x=440)
    clip, frame, cover = _render(source, work / "right")
    assert (clip.reframe, clip.width, clip.height) == ("content", 720, 1280)
    assert clip.size_reason == "source_smaller" and clip.upscale == pytest.approx(1280 / 360, abs=0.01)
    for image in (frame, cover):
        assert image.shape[:2] == (1280, 720)
        columns = _colour_columns(image)
        # the whole product (150 px × 3.56) with a margin on both sides
        assert columns.size > 0 and columns.max() - columns.min() > 480
        assert columns.min() > 10 and columns.max() < 710
        assert _white_columns(image, slice(0, 400)).size > 100  # the price caption, above it


def test_content_wider_than_the_crop_is_fitted_over_a_blur(work: Path) -> None:
    # the caption on the far left, the product on the far right: no 9:16 window holds both
    source = _shop_window(work / "wide.mp4", product_x=470, caption_x=20)
    clip, frame, cover = _render(source, work / "wide")
    assert (clip.reframe, clip.width, clip.height) == ("blur", 720, 1280)
    assert clip.upscale == pytest.approx(720 / 640, abs=0.01)
    for image in (frame, cover):
        # the frame is fitted 720×405 in the middle (rows 437–842), a blurred copy above and below
        middle = slice(437, 842)
        assert _white_columns(image, slice(437, 640)).min() < 100  # the caption, left
        assert _colour_columns(image[middle]).max() > 600  # the product, right
        assert cv2.Laplacian(cv2.cvtColor(image[:400], cv2.COLOR_BGR2GRAY), cv2.CV_64F).var() < \
            cv2.Laplacian(cv2.cvtColor(image[middle], cv2.COLOR_BGR2GRAY), cv2.CV_64F).var() / 4


def _profile(level: float, bumps: dict[tuple[int, int], float]) -> tuple[float, ...]:
    detail = np.full(DETAIL_BINS, level)
    for (start, end), value in bumps.items():
        detail[start:end] += value
    return tuple(detail.tolist())


def _no_faces(detail: tuple[float, ...]) -> list[FaceSample]:
    return [FaceSample(i * 0.5, (), detail) for i in range(6)]


def test_crop_without_a_face_follows_the_detail() -> None:
    # an even texture (0.08 in every column) and a product in bins 105–135 of 160; the 9:16 crop of 640×360 is 202
    # px, 50.5 bins
    product = _no_faces(_profile(0.08, {(105, 135): 0.3}))
    plan = plan_crop(product, 640, 360, 720, 1280)
    assert plan.mode == "content" and plan.kept_share == pytest.approx(1.0, abs=0.01)
    left_bin = plan.points[0][1] / 640 * DETAIL_BINS
    assert left_bin < 105 and left_bin + 50.5 > 135
    assert abs((left_bin + 25.25) - 120) < 2  # the product in the middle of the window
    # price on the left, product on the right: the whole frame instead
    apart = _no_faces(_profile(0.08, {(5, 35): 0.3, (120, 150): 0.3}))
    assert plan_crop(apart, 640, 360, 720, 1280).mode == "blur"
    # the texture alone, or a plain picture: the centre
    assert plan_crop(_no_faces(_profile(0.08, {})), 640, 360, 720, 1280).mode == "center"
    assert plan_crop(_no_faces(_profile(0.0, {})), 640, 360, 720, 1280).mode == "center"
    # the operator's choice wins
    assert plan_crop(product, 640, 360, 720, 1280, fallback="center").mode == "center"
    assert plan_crop(product, 640, 360, 720, 1280, fallback="blur").mode == "blur"


@pytest.mark.parametrize(("source", "width", "aspect", "expected"), [
    ((640, 360), 1080, "9:16", (720, 1280, "source_smaller")),
    ((1920, 1080), 1080, "9:16", (720, 1280, "source_smaller")),
    ((3840, 2160), 1080, "9:16", (1080, 1920, "")),
    ((1080, 1920), 1080, "9:16", (1080, 1920, "")),
    ((640, 360), 720, "9:16", (720, 1280, "")),
    ((640, 360), 1080, "1:1", (720, 720, "source_smaller")),
    ((1920, 1080), 1080, "1:1", (1080, 1080, "")),
], ids=["360p", "1080p", "4k", "portrait", "asked-720", "square-360p", "square-1080p"])
def test_output_size_is_never_larger_than_the_source_allows(source: tuple[int, int], width: int, aspect: str,
                                                            expected: tuple[int, int, str]) -> None:
    assert output_size(*source, RenderOptions(aspect=aspect, width=width)) == expected


def test_the_operator_is_told_in_both_languages() -> None:
    clips = [Clip("h1", 0, 1, 1, "clips/h1.mp4", width=720, height=1280, reframe="content", upscale=3.556,
                  size_reason="source_smaller")]
    assert size_note(clips, "zh") == "录像画面较小：1 个片段输出为 720×1280（最多放大 3.6 倍）"
    assert size_note(clips, "en") == "small recording: 1 clip(s) made at 720×1280 (enlarged up to 3.6×)"
    assert size_note([Clip("h1", 0, 1, 1, "clips/h1.mp4", upscale=0.5)], "en") == ""
