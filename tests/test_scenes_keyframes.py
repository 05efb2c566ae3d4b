"""The keyframe-first scene pass finds the cuts a full PySceneDetect pass finds, decoding far fewer frames."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from mediaops.analysis.scenes import SceneOptions, detect_scenes
from mediaops.analysis.scenes_keyframes import detect_scenes_by_keyframes, scan_keyframes
from mediaops.errors import InvalidMediaError
from mediaops.media.probe import probe
from tests.conftest import SAMPLE
from tests.media import colour_scenes


def _cuts(scenes: list) -> list[float]:
    return [s.start_s for s in scenes][1:]


def test_cuts_inside_groups_of_pictures_match_the_full_pass(tmp_path: Path) -> None:
    # keyframes every 2 s and none added at the cuts: every cut but the first falls mid-group
    lengths = [3.2, 2.8, 0.8, 4.0, 5.6, 1.6, 6.4, 3.2, 4.4, 2.2]
    video = colour_scenes(tmp_path / "gop.mp4", lengths, keyint_s=2.0, keyframes_at_cuts=False, audio=False)
    expected = [sum(lengths[: i + 1]) for i in range(len(lengths) - 1)]
    full = detect_scenes(video, SceneOptions(mode="full"))
    assert _cuts(full) == pytest.approx(expected, abs=0.05)
    found = detect_scenes_by_keyframes(video, SceneOptions(), probe(video).duration_s)
    assert _cuts(found) == pytest.approx(_cuts(full), abs=1e-6)
    assert found[0].start_s == 0.0
    assert found[-1].end_s == pytest.approx(sum(lengths), abs=0.05)
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(found))


def test_only_differing_keyframes_become_candidates(tmp_path: Path) -> None:
    lengths = [9.0, 11.0, 10.0]
    video = colour_scenes(tmp_path / "long.mp4", lengths, keyint_s=2.0, keyframes_at_cuts=False, audio=False)
    scan = scan_keyframes(video, SceneOptions(), probe(video).duration_s)
    assert scan.median_gap_s == pytest.approx(2.0, abs=0.05)
    assert len(scan.candidates) == 2  # the pair of keyframes around each of the two cuts, nothing else
    for (start, end), cut in zip(scan.candidates, [9.0, 20.0], strict=True):
        assert start < cut <= end


@pytest.mark.slow
def test_sample_stream_cuts_match_the_full_pass_and_the_truth() -> None:
    video = SAMPLE / "demo_stream.mp4"
    messages: list[str] = []
    found = detect_scenes_by_keyframes(video, SceneOptions(), probe(video).duration_s,
                                       lambda _stage, _fraction, message: messages.append(message))
    assert _cuts(found) == pytest.approx(_cuts(detect_scenes(video, SceneOptions(mode="full"))), abs=1e-6)
    assert _cuts(found) == pytest.approx([35.0, 95.0, 175.0, 220.0], abs=0.04)
    assert not any("every frame" in m for m in messages)  # the keyframes narrowed the search


def test_sparse_keyframes_fall_back_to_the_full_pass(testdata: Path) -> None:
    video = testdata / "video" / "counter.mp4"  # a single keyframe
    messages: list[str] = []
    found = detect_scenes_by_keyframes(video, SceneOptions(), probe(video).duration_s,
                                       lambda _stage, _fraction, message: messages.append(message))
    assert any("every frame" in m for m in messages)
    assert [s.start_s for s in found] == [s.start_s for s in detect_scenes(video, SceneOptions(mode="full"))]


def test_not_a_video_is_one_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    with pytest.raises(InvalidMediaError, match=r"junk\.mp4"):
        detect_scenes_by_keyframes(junk, SceneOptions(), 10.0)


def test_windows_by_keyframes_match_windows_decoded_whole(tmp_path: Path) -> None:
    from mediaops.analysis.scenes import detect_scenes_in_windows
    from mediaops.analysis.scenes_keyframes import detect_scenes_in_windows_by_keyframes

    lengths = [3.2, 2.8, 0.8, 4.0, 5.6, 1.6, 6.4, 3.2, 4.4, 2.2]  # cuts at 3.2 6.0 6.8 10.8 16.4 18.0 24.4 27.6 32.0
    video = colour_scenes(tmp_path / "gop.mp4", lengths, keyint_s=2.0, keyframes_at_cuts=False, audio=False)
    windows = [(5.0, 12.0), (17.1, 25.0), (30.5, 33.0)]
    whole = [s.start_s for s in detect_scenes_in_windows(video, windows)]
    found = detect_scenes_in_windows_by_keyframes(video, windows)
    assert whole == pytest.approx([6.0, 6.8, 10.8, 18.0, 24.4, 32.0], abs=0.05)
    assert [s.start_s for s in found] == pytest.approx(whole, abs=1e-6)
    assert found[-1].end_s == 33.0


@pytest.mark.parametrize("name", ["testvideo.mp4", "goldeneye-vfr-drop3.mp4", "issue-134-rotate.mp4",
                                  "issue-195-aspect-ratio.mp4", "issue-236-split-copy.mkv", "delayed_start.mp4",
                                  "fades.mp4"])
@pytest.mark.slow
def test_testdata_videos_give_the_full_pass_cuts(testdata: Path, name: str) -> None:
    video = testdata / "video" / name
    full = detect_scenes(video, SceneOptions(mode="full"))
    found = detect_scenes_by_keyframes(video, SceneOptions(), probe(video).duration_s)
    assert _cuts(found) == pytest.approx(_cuts(full), abs=0.05)
