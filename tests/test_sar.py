"""Recordings with non-square pixels (anamorphic HDV 1440×1080 at 4:3, PAL 720×576 at 16:15) give clips, covers
and reels as players show the recording: display size, square pixels, a square stays square.

The recordings are made here, small: a white square on grey drawn in display pixels, then squeezed into the
stored width and tagged with the sample aspect ratio, as an anamorphic camera records.

Wrong implementations these tests reject:

* the probe reporting the stored size (360×270 for a 480×270 picture) or no sample aspect ratio;
* a 16:9 clip that keeps the stored pixels and their 4:3 tag (players stretch it, editors and apps that ignore
  the tag show it squeezed), instead of square pixels at the display size;
* a 9:16 crop computed in stored pixels (the square comes out a narrow rectangle);
* covers decoded in stored pixels (squeezed, the wrong size);
* a reel scaled without widening the pixels; a timeline that does not read the ratio back.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.media.probe import probe
from mediaops.render.batch import render_extras
from mediaops.render.clips import render_highlight
from mediaops.render.options import RenderOptions
from mediaops.timeline import read_timeline, timeline_from_dict, write_timeline
from mediaops.types import Highlight, Timeline

#: (display size, stored size, sample aspect ratio, side of the white square in display pixels)
SOURCES = {
    "hdv-4:3": ((480, 270), (360, 270), Fraction(4, 3), 120),
    "pal-16:15": ((384, 288), (360, 288), Fraction(16, 15), 144),
}


@pytest.fixture(scope="module", params=list(SOURCES), ids=list(SOURCES))
def anamorphic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    (width, height), (stored_w, stored_h), sar, side = SOURCES[request.param]
    out = tmp_path_factory.mktemp("sar") / "anamorphic.mp4"
    square = f"drawbox=x={(width - side) // 2}:y={(height - side) // 2}:w={side}:h={side}:color=white:t=fill"
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c=0x606060:s={width}x{height}:r=10:d=2", "-f", "lavfi", "-i", "sine=d=2",
                "-vf", f"{square},scale={stored_w}:{stored_h},setsar={sar.numerator}/{sar.denominator}",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(out)])
    return out, request.param


def _square(image: np.ndarray) -> tuple[int, int]:
    """Width and height of the white square in a BGR image."""
    ys, xs = np.nonzero((image > 200).all(axis=2))
    return int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def _first_frame(path: Path, after_s: float = 0.0) -> tuple[np.ndarray, Fraction]:
    """The first frame at or after ``after_s`` and the stream's sample aspect ratio."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        sar = stream.sample_aspect_ratio or Fraction(1)
        frame = next(f for f in container.decode(stream) if f.time is not None and f.time >= after_s)
        return frame.to_ndarray(format="bgr24"), Fraction(sar)


def test_probe_reports_the_display_size(anamorphic: tuple[Path, str], tmp_path: Path) -> None:
    path, name = anamorphic
    (width, height), _, sar, _ = SOURCES[name]
    info = probe(path)
    assert (info.width, info.height, info.sample_aspect_ratio) == (width, height, sar)
    write_timeline(Timeline(info, (), (), ()), tmp_path / "timeline.json")
    assert timeline_from_dict(read_timeline(tmp_path)).recording.sample_aspect_ratio == sar


@pytest.mark.parametrize(("aspect", "clip_width", "size"), [("16:9", 1080, None), ("9:16", 180, (180, 320))],
                         ids=["original-frame", "vertical"])
def test_clips_and_covers_have_square_pixels(anamorphic: tuple[Path, str], tmp_path: Path, aspect: str,
                                             clip_width: int, size: tuple[int, int] | None) -> None:
    path, name = anamorphic
    display, _, _, side = SOURCES[name]
    info = probe(path)
    options = RenderOptions(aspect=aspect, width=clip_width, preset="ultrafast", reel=False, replay=False)
    clip = render_highlight(path, info, Highlight("h1", 0.0, 1.5, 1.0, 0.5), None, tmp_path, options)
    width, height = size or display
    assert (clip.width, clip.height) == (width, height)
    frame, sar = _first_frame(tmp_path / clip.file)
    assert frame.shape[:2] == (height, width) and sar == 1
    expected = side * height / display[1]  # the square's side after the clip's scaling
    assert clip.cover is not None
    cover = cv2.imread(str(tmp_path / clip.cover))
    assert cover.shape[:2] == (height, width)
    for image in (frame, cover):
        seen_w, seen_h = _square(image)
        assert seen_w == pytest.approx(expected, abs=3) and seen_h == pytest.approx(expected, abs=3)


def test_reel_has_square_pixels(anamorphic: tuple[Path, str], tmp_path: Path) -> None:
    path, name = anamorphic
    display, _, _, side = SOURCES[name]
    info = probe(path)
    options = RenderOptions(preset="ultrafast", replay=False, covers=False, intro_s=0.0)
    clip = render_highlight(path, info, Highlight("h1", 0.2, 1.4, 1.0, 0.5), None, tmp_path, options)
    (tmp_path / clip.file).unlink()  # the reel reads the recording itself
    render_extras(path, info, [clip], [], tmp_path, options)
    frame, sar = _first_frame(tmp_path / "reel.mp4", after_s=0.6)  # after the fade in
    assert frame.shape[:2] == (display[1], display[0]) and sar == 1
    seen_w, seen_h = _square(frame)
    assert seen_w == pytest.approx(side, abs=3) and seen_h == pytest.approx(side, abs=3)
