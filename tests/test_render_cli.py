"""``mediaops render OUT_DIR``: new clip settings for a processed folder, without re-analysing it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import av
import pytest

from mediaops.cli import main
from mediaops.media.probe import probe
from mediaops.serialize import write_json_atomic
from mediaops.timeline import read_timeline, write_timeline
from mediaops.types import Clip, Highlight, PitchSegment, Segment, Timeline, Transcript
from tests.media import colour_scenes


@pytest.fixture()
def processed(tmp_path: Path) -> Path:
    """An output folder as `mediaops process` leaves it (timeline, transcript, one landscape clip)."""
    video = colour_scenes(tmp_path / "stream.mp4", [2, 2, 2], size="320x180")
    out = tmp_path / "out"
    (out / "clips").mkdir(parents=True)
    (out / "clips" / "h1.mp4").write_bytes(b"old clip")
    highlight = Highlight("h1", 1.0, 4.0, 0.9, 2.0, reasons=("comments peak",), product_sku="A", title="Turbo")
    timeline = Timeline(
        recording=probe(video), clips=(Clip("h1", 1.0, 4.0, 0.9, "clips/h1.mp4", ("comments peak",)),),
        sales_spikes=(), scenes=(), highlights=(highlight,), pitches=(PitchSegment("A", "Turbo", 0.5, 5.0),),
    )
    write_timeline(timeline, out / "timeline.json")
    write_json_atomic(out / "transcript.json", Transcript("zh", (Segment(1.5, 3.0, "限时优惠"),), 6.0))
    return out


def test_render_rewrites_clips_and_timeline(processed: Path) -> None:
    code = main(["render", str(processed), "--aspect", "9:16", "--width", "180", "--cut", "exact", "--captions",
                 "--no-replay", "--quiet"])
    assert code == 0
    doc = read_timeline(processed)
    clip = doc["clips"][0]
    assert (clip["width"], clip["height"]) == (180, 320)
    assert (clip["start_s"], clip["end_s"]) == (1.0, 4.0)
    with av.open(str(processed / clip["file"])) as container:
        ctx = container.streams.video[0].codec_context
        assert (ctx.width, ctx.height) == (180, 320)
    assert "限时优惠" in (processed / clip["subtitles"]).read_text("utf-8")
    assert (processed / "reel.mp4").is_file() and doc["extras"]["reel"] == "reel.mp4"
    assert not (processed / "replay.mp4").exists()
    assert not list(processed.parent.glob(f".{processed.name}.*"))


def test_fast_render_reports_snapped_times(processed: Path) -> None:
    assert main(["render", str(processed), "--cut", "fast", "--no-reel", "--no-replay", "--quiet"]) == 0
    clip = read_timeline(processed)["clips"][0]
    # colour_scenes puts a keyframe every second: 1.0 is one, and 4.0 too
    assert (clip["start_s"], clip["end_s"]) == (1.0, 4.0)


def test_render_without_a_timeline_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mediaops: error:") and "timeline.json" in err and "\n" not in err


def test_failed_render_leaves_the_folder_as_it_was(processed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((processed / "timeline.json").read_text())
    doc["recording"]["path"] = str(processed / "gone.mp4")
    (processed / "timeline.json").write_text(json.dumps(doc))
    before = sorted(p.name for p in processed.rglob("*"))
    assert main(["render", str(processed), "--quiet"]) == 2
    assert "--recording" in capsys.readouterr().err
    assert sorted(p.name for p in processed.rglob("*")) == before
    assert (processed / "clips" / "h1.mp4").read_bytes() == b"old clip"


def test_process_takes_the_same_clip_flags() -> None:
    from mediaops.cli import build_parser
    from mediaops.cli.render import render_options_from

    args = build_parser().parse_args(["process", "rec.mp4", "--metrics", "m.csv", "--aspect", "9:16", "--cut", "fast",
                                      "--captions", "--preset", "faster", "--no-reel", "--width", "720"])
    options = render_options_from(args)
    assert (options.aspect, options.cut, options.captions, options.preset, options.reel, options.width) == (
        "9:16", "fast", True, "faster", False, 720)
    assert options.output_size == (720, 1280)
    untouched = render_options_from(build_parser().parse_args(["process", "rec.mp4", "--metrics", "m.csv"]))
    assert untouched == render_options_from(argparse.Namespace())


def test_truncated_recording_is_one_clear_error(tmp_path: Path) -> None:
    from mediaops.errors import InvalidMediaError
    from mediaops.render.keyframes import keyframes_near

    video = colour_scenes(tmp_path / "whole.mp4", [2, 2], size="160x90")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(video.read_bytes()[: video.stat().st_size // 3])
    with pytest.raises(InvalidMediaError, match=r"broken\.mp4"):
        keyframes_near(broken, 3.0)
