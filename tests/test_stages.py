"""The pipeline's stages over a job folder: exact artifact round-trips, content keys, resuming after a crash."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from mediaops.inputs.sidecars import sidecars_of
from mediaops.jobs import stages
from mediaops.jobs.artifacts import content_key, decode, encode, file_fingerprint
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs
from mediaops.types import Highlight, MediaInfo
from tests.workers_support import check_outputs, cut_stream


def test_artifacts_round_trip_exactly() -> None:
    info = MediaInfo(path="/x.mp4", duration_s=1 / 3, size_bytes=10, container="mov", has_video=True,
                     has_audio=True, fps=Fraction(30000, 1001), creation_time=datetime(2026, 11, 27, tzinfo=UTC))
    highlight = Highlight(id="clip-01", start_s=35.000000001, end_s=61.2, score=2.5, peak_t_s=55.0,
                          reasons=("comments ×3",), signals={"comments": 3.25}, scene_cut_s=None)
    options = replace(ProcessOptions(), transcribe=replace(ProcessOptions().transcribe, hotwords=("Glow Serum",)))
    for value, kind in ((info, MediaInfo), (highlight, Highlight), (options, ProcessOptions),
                        ((highlight,), tuple[Highlight, ...])):
        assert decode(kind, json.loads(json.dumps(encode(value)))) == value


def test_content_keys_follow_what_a_stage_reads(tmp_path: Path) -> None:
    recording = tmp_path / "r.mp4"
    recording.write_bytes(b"a" * 1000)
    metrics = tmp_path / "r.metrics.csv"
    metrics.write_text("time,comments\n0,1\n")
    base = ProcessOptions()

    def keys(options: ProcessOptions) -> tuple[str, str, str]:
        job = stages.prepare_job(tmp_path / "job", recording, StreamInputs(metrics), options, tmp_path / "out")
        return stages._transcribe_key(job), stages._scenes_key(job), stages._highlights_key(job)

    first = keys(base)
    assert keys(base) == first
    fewer_clips = keys(replace(base, highlights=replace(base.highlights, max_clips=2)))
    assert fewer_clips[:2] == first[:2] and fewer_clips[2] != first[2]  # transcript and scenes reused
    other_model = keys(replace(base, transcribe=replace(base.transcribe, model="small")))
    assert other_model[0] != first[0] and other_model[1] == first[1]
    before = file_fingerprint(recording)
    recording.write_bytes(b"b" * 1000)
    assert file_fingerprint(recording) != before
    assert keys(base)[0] != first[0]
    assert content_key("x", 1) == content_key("x", 1) != content_key("x", 2)


@pytest.mark.slow
def test_rerun_reuses_artifacts_and_a_crash_mid_render_is_resumed(tmp_path: Path, whisper_model: str) -> None:
    recording = cut_stream(tmp_path / "in", "s", 10.0, 60.0)
    files = sidecars_of(recording)
    base = ProcessOptions()
    options = replace(base, transcribe=replace(base.transcribe, model=whisper_model))
    job = stages.prepare_job(tmp_path / "job", recording, StreamInputs(files.metrics, files.comments, files.products),
                             options, tmp_path / "out")
    timeline = stages.run_stages(job)
    assert timeline.clips
    store = job.store.root
    artifacts = {p: p.stat().st_mtime_ns for p in store.glob("*.json")}
    # first clips are on by default: their plan ("first") is kept beside the full analysis' artifacts, and the reel
    # rendered beside that analysis
    assert {p.name.split("-")[0] for p in artifacts} == {"probe", "metrics", "first", "transcribe", "scenes",
                                                        "highlights", "render", "reel"}
    clip_file = tmp_path / "out" / timeline.clips[0].file
    inode = clip_file.stat().st_ino

    reports: list[tuple[str, str]] = []
    again = stages.run_stages(job, on_progress=lambda stage, fraction, message: reports.append((stage, message)))
    assert ("transcribe", "reused") in reports and ("scenes", "reused") in reports
    assert {p: p.stat().st_mtime_ns for p in store.glob("*.json")} == artifacts, "a finished stage ran again"
    assert [c.file for c in again.clips] == [c.file for c in timeline.clips]
    assert clip_file.stat().st_ino == inode  # the same rendered file, linked again

    # a crash mid-render: the clip's record was never written and a scratch folder was left behind
    highlight = again.highlights[0]
    marker = job.store.path("render", stages._render_key(job, highlight))
    marker.unlink()
    scratch = store / f".render-{stages._render_key(job, highlight)}-dead"
    scratch.mkdir()
    (scratch / "clips").mkdir()
    (scratch / "clips" / "clip-01.mp4").write_bytes(b"half a clip")
    resumed = stages.run_stages(job)
    assert marker.is_file() and not scratch.exists()
    assert len(resumed.clips) == len(timeline.clips)
    doc = json.loads((tmp_path / "out" / "timeline.json").read_text())
    check_outputs({"out_dir": str(tmp_path / "out"), **doc})
    assert not [p for p in (tmp_path).iterdir() if ".partial" in p.name]


def test_stage_before_its_inputs_says_what_is_missing(tmp_path: Path) -> None:
    recording = tmp_path / "r.mp4"
    recording.write_bytes(b"a" * 1000)
    metrics = tmp_path / "r.metrics.csv"
    metrics.write_text("time,comments\n0,1\n")
    full_analysis = ProcessOptions(first_clips=False)
    job = stages.prepare_job(tmp_path / "job", recording, StreamInputs(metrics), full_analysis, tmp_path / "out")
    with pytest.raises(stages.MediaOpsError, match="the probe stage has not finished"):
        stages.highlights(job)
    os.remove(job.spec_path)
    with pytest.raises(stages.InputFileError, match=r"no job\.json"):
        _ = stages.JobFolder(tmp_path / "job").spec
