"""The first-clips order: clips are rendered before the full transcript, and they are the ones a full pass picks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mediaops.jobs.pipeline import ProcessOptions, StreamInputs, run_pipeline
from tests.conftest import SAMPLE


@pytest.mark.slow
@pytest.mark.parametrize("first_clips", [True, False], ids=["first-clips", "full-analysis-first"])
def test_clip_order_and_choice(tmp_path: Path, whisper_model: str, first_clips: bool) -> None:
    events: list[tuple[str, float, str]] = []
    defaults = ProcessOptions()
    options = replace(defaults, first_clips=first_clips,
                      transcribe=replace(defaults.transcribe, model=whisper_model, cache_dir=None),
                      render=replace(defaults.render, reel=False, replay=False))
    inputs = StreamInputs(SAMPLE / "metrics.csv", SAMPLE / "comments.jsonl", SAMPLE / "products.csv")
    timeline = run_pipeline(SAMPLE / "demo_stream.mp4", inputs, tmp_path / "out", options,
                            lambda *event: events.append(event))
    assert [c.start_s for c in timeline.clips] == [35.0, 95.0, 175.0]
    assert len(timeline.scenes) == 5  # the report's full scene pass ran in both orders
    first_render = next(i for i, e in enumerate(events) if e[0] == "render")
    full_transcript = next(i for i, e in enumerate(events) if e[0] == "transcribe" and e[2] == "loading the model")
    assert (first_render < full_transcript) is first_clips
    assert all((tmp_path / "out" / c.file).is_file() for c in timeline.clips)
