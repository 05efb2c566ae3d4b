"""The highlight reel is rendered beside the full transcript and scene pass, not after them (issue 20): it needs
only the clips, and left to the publish step its encoding ran alone after the recognition.

Speech recognition is replaced by fakes (the clip spans' transcript and the full one, both without words), so the
run is the real pipeline on the demo stream minus Whisper; the fake full transcription waits (at most 60 s) for
the reel to be written, which only a reel rendered beside it can be.

Wrong implementations these tests reject (each tried once by breaking the code):
- "the reel waits for the recognition" (rendered in publish after the full analysis, as before): the fake full
  transcription waits in vain — ``test_the_reel_is_rendered_beside_the_full_transcript`` fails;
- "publish renders the reel again" (the stored one ignored): two reel renders — the same test fails;
- "the stored reel published differently" (extras in another order, a file missing, other chapters): the output
  differs from the full-analysis-first order's, where publish renders the reel itself;
- "a full pass that found no speech outside the clips' spans leaves the job without a language" (it only detects
  the language from speech it recognises, and here it recognises none): the timeline's language is empty.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

import mediaops.jobs.stages as stages
import mediaops.render.reel as reel_module
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs, run_pipeline
from mediaops.types import Transcript
from tests.conftest import SAMPLE


@pytest.fixture
def fake_asr(monkeypatch: pytest.MonkeyPatch):
    """No Whisper: empty transcripts; counts reel renders; the full transcription waits for the reel when asked."""
    state = {"reels": 0, "wait": False, "reel_was_done": None}
    reel_done = threading.Event()
    real_write_reel = reel_module.write_reel

    def write_reel(*args, **kwargs):
        written = real_write_reel(*args, **kwargs)
        state["reels"] += 1
        reel_done.set()
        return written

    def spans_only(path, spans, options, on_progress, check_cancelled):
        return Transcript("en", (), max((b for _a, b in spans), default=0.0), spans_s=tuple(spans))

    def full(path, options, duration_s, on_progress, check_cancelled):
        if state["wait"]:
            state["reel_was_done"] = reel_done.wait(60)
        return Transcript("", (), duration_s or 0.0)  # no speech outside the skipped spans: no language detected

    monkeypatch.setattr(reel_module, "write_reel", write_reel)
    monkeypatch.setattr(stages, "write_reel", write_reel)
    monkeypatch.setattr(stages, "transcribe_spans", spans_only)
    monkeypatch.setattr(stages, "transcribe_audio", full)
    return state


def _run(out: Path, first_clips: bool) -> tuple[list[tuple[str, float, str]], object]:
    events: list[tuple[str, float, str]] = []
    defaults = ProcessOptions()
    options = replace(defaults, first_clips=first_clips, render=replace(defaults.render, replay=False),
                      transcribe=replace(defaults.transcribe, cache_dir=None))
    inputs = StreamInputs(SAMPLE / "metrics.csv", SAMPLE / "comments.jsonl", SAMPLE / "products.csv")
    timeline = run_pipeline(SAMPLE / "demo_stream.mp4", inputs, out, options, lambda *event: events.append(event))
    return events, timeline


@pytest.mark.slow
def test_the_reel_is_rendered_beside_the_full_transcript(tmp_path: Path, fake_asr) -> None:
    fake_asr["wait"] = True
    events, timeline = _run(tmp_path / "first", first_clips=True)
    assert fake_asr["reel_was_done"] is True, "the full transcription ended before the reel was rendered"
    assert fake_asr["reels"] == 1, "the reel was rendered again"
    assert timeline.language == "en"  # from the clips' spans
    names = [(stage, message) for stage, _fraction, message in events]
    last_render = max(i for i, (stage, _m) in enumerate(names) if stage == "render")
    reel_end = names.index(("replay", "highlight reel"), last_render + 1)  # the reel stage: after the clips …
    assert reel_end < names.index(("publish", "transcripts, clips, reel, insights, timeline and reports"))  # … first

    fake_asr["wait"] = False
    fake_asr["reels"] = 0
    _events, reference = _run(tmp_path / "full", first_clips=False)  # publish renders the reel, as before
    assert fake_asr["reels"] == 1
    assert [c.start_s for c in timeline.clips] == [c.start_s for c in reference.clips]
    assert list(timeline.extras) == list(reference.extras)
    assert {k: v for k, v in timeline.extras.items() if k != "report"} == \
        {k: v for k, v in reference.extras.items() if k != "report"}
    for name in ("reel.mp4", "reel.vtt"):
        assert (tmp_path / "first" / name).is_file()
    assert (tmp_path / "first" / "reel.vtt").read_text() == (tmp_path / "full" / "reel.vtt").read_text()
