"""Real PySceneDetect on real and generated video."""

import json
from pathlib import Path

import pytest

from mediaops.analysis.scenes import detect_scenes
from tests.media import colour_scenes


@pytest.mark.slow
def test_testvideo_cuts_match_truth(testdata: Path) -> None:
    truth = json.loads((testdata / "truth.json").read_text())["scene_cuts_s"]["video/testvideo.mp4"]
    frame_s = 1001 / 30000
    cuts = [s.start_s for s in detect_scenes(testdata / "video" / "testvideo.mp4")][1:]
    assert len(cuts) == len(truth["ContentDetector"])
    for found, expected in zip(cuts, truth["ContentDetector"], strict=True):
        assert found == pytest.approx(expected, abs=frame_s)


def test_generated_cuts(tmp_path: Path) -> None:
    video = colour_scenes(tmp_path / "v.mp4", [2.0, 3.0, 2.0])
    cuts = [s.start_s for s in detect_scenes(video)][1:]
    assert cuts == pytest.approx([2.0, 5.0], abs=0.04)


@pytest.mark.slow
def test_window_only(testdata: Path) -> None:
    scenes = detect_scenes(testdata / "video" / "testvideo.mp4", start_s=5.0, end_s=15.0)
    assert scenes[0].start_s == pytest.approx(5.0, abs=0.1)
    assert [s.start_s for s in scenes[1:]] == pytest.approx([6.006, 13.146], abs=0.04)
    assert scenes[-1].end_s == pytest.approx(15.0, abs=0.1)


@pytest.mark.slow
def test_windows_find_the_same_cuts_as_a_full_pass(tmp_path: Path) -> None:
    from mediaops.analysis.scenes import detect_scenes_in_windows

    video = colour_scenes(tmp_path / "v.mp4", [3.0, 2.0, 4.0, 3.0, 2.0])  # cuts at 3, 5, 9, 12
    full = [s.start_s for s in detect_scenes(video)][1:]
    assert full == pytest.approx([3.0, 5.0, 9.0, 12.0], abs=0.04)
    scenes = detect_scenes_in_windows(video, [(2.0, 6.0), (10.5, 13.0)])
    assert [s.start_s for s in scenes] == pytest.approx([3.0, 5.0, 12.0], abs=0.04)
    assert scenes[-1].end_s == pytest.approx(13.0, abs=0.1)


@pytest.mark.slow
def test_sample_windowed_detection_chooses_the_same_clips() -> None:
    """Real PySceneDetect on the bundled sample: the windows around its engagement peaks hold the reveal cuts,
    and highlights chosen from them equal those chosen after a full pass (the truth's lines stand in for ASR)."""
    from mediaops.analysis.highlights import choose_highlights, find_peaks_in_engagement, scene_windows
    from mediaops.analysis.scenes import detect_scenes_in_windows
    from mediaops.inputs.comments import comment_series, load_comments
    from mediaops.inputs.metrics import load_metrics
    from mediaops.types import Segment, Transcript
    from tests.conftest import SAMPLE

    truth = json.loads((SAMPLE / "truth.json").read_text())
    video = SAMPLE / "demo_stream.mp4"
    lines = tuple(Segment(x["start_s"], x["end_s"], x["text"]) for s in truth["scenes"] for x in s["lines"])
    transcript = Transcript("en", lines, 240.0)
    extra = comment_series(load_comments(SAMPLE / "comments.jsonl"), 240.0)
    peaks = find_peaks_in_engagement(load_metrics(SAMPLE / "metrics.csv"), extra, duration_s=240.0)
    windows = scene_windows(peaks, 240.0)
    windowed = detect_scenes_in_windows(video, windows)
    full = detect_scenes(video)
    assert [s.start_s for s in full[1:]] == pytest.approx(truth["scene_cuts_s"], abs=0.05)
    from_windows = choose_highlights(peaks, windowed, transcript, 240.0)
    from_full = choose_highlights(peaks, full, transcript, 240.0)
    assert [(h.start_s, h.end_s) for h in from_windows] == [(h.start_s, h.end_s) for h in from_full]
    assert [h.start_s for h in from_full] == pytest.approx([r["t_s"] for r in truth["reveals"]], abs=0.05)
