"""The first clips and the full analysis choose identical clips: same starts, same ends (stage level, on a
generated recording; speech recognition replaced by a script so that its segmentation is known).

Whisper segments a span of a recording differently from the whole recording (other windows, other context), so
a clip's end taken from "the" transcript differed between the two orders (64.64 s against 62.46 s on the
sample). Both now choose from one clip transcript, made from the same spans.

Wrong implementation rejected (applied below): the full analysis choosing ends from the full transcript, as
before.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from mediaops.jobs import stages
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs
from mediaops.types import Segment, Transcript
from tests.media import colour_scenes

#: scene lengths of the generated recording: cuts at 20, 55 (a moment), 80, 110, 145 (a moment), 170 s.
LENGTHS = [20.0, 35.0, 25.0, 30.0, 35.0, 25.0, 30.0]
MOMENTS = (55.0, 145.0)


def _script() -> list[Segment]:
    """What the host says: 4 s sentences with short pauses, some long ones split by the recogniser, the calls to
    action at the moments and the products' names."""
    rng = random.Random(5)
    forced = {20.4: "Now the Glow Serum.", 55.5: "Link number 2, flash sale starts now!",
              110.4: "接下来是Smart Kettle。", 145.5: "三二一，上链接！"}
    lines, t = [], 0.5
    while t < 195:
        due = next((s for s in sorted(forced) if t <= s < t + 5), None)
        if due is not None:
            lines.append(Segment(due, due + 3.5, forced[due]))
            t = due + 4.1
        elif rng.random() < 0.3:
            lines += [Segment(round(t, 2), round(t + 2.0, 2), "And the motor is"),
                      Segment(round(t + 2.05, 2), round(t + 4.0, 2), "really quiet, honestly.")]
            t += 4.6
        else:
            lines.append(Segment(round(t, 2), round(t + 3.6, 2), rng.choice(
                ("The Glow Serum is gentle.", "Look at the details here.", "No, it does not get hot."))))
            t += 4.4
    return lines


def _fake_spans(script: list[Segment]):
    def transcribe_spans(path, spans, options, on_progress=None, check_cancelled=None) -> Transcript:
        # like a recogniser on a cut-out span: what crosses the span's end is cut off mid-sentence
        found = []
        for start, end in spans:
            for s in script:
                if start <= s.start_s < end:
                    found.append(s if s.end_s <= end else Segment(s.start_s, end, s.text.split()[0]))
        return Transcript("en", tuple(sorted(set(found), key=lambda s: s.start_s)), 200.0)
    return transcribe_spans


def _fake_full(script: list[Segment]):
    def transcribe(path, options, duration_s, on_progress=None, *args, **kwargs) -> Transcript:
        # the whole recording segments differently: three sentences to a segment
        merged = [Segment(a.start_s, c.end_s, f"{a.text} {b.text} {c.text}")
                  for a, b, c in zip(script[::3], script[1::3], script[2::3], strict=False)]
        return Transcript("en", tuple(merged), duration_s)
    return transcribe


def _stream(folder: Path) -> tuple[Path, StreamInputs]:
    folder.mkdir()
    recording = colour_scenes(folder / "stream.mp4", LENGTHS, size="160x90", fps=10)
    rng = random.Random(2)
    rows = ["time,comments,likes"]
    for t in range(0, 200, 10):
        comments, likes = 10 + rng.randint(-2, 2), 30 + rng.randint(-4, 4)
        if any(m + 6 <= t + 5 < m + 36 for m in MOMENTS):
            comments, likes = comments + 30, likes + 100
        rows.append(f"{t},{comments},{likes}")
    (folder / "metrics.csv").write_text("\n".join(rows) + "\n", "utf-8")
    (folder / "products.csv").write_text("sku,name\nSKU-SERUM,Glow Serum\nSKU-KETTLE,Smart Kettle\n", "utf-8")
    return recording, StreamInputs(folder / "metrics.csv", products=folder / "products.csv")


def _plans(tmp_path: Path) -> tuple[stages.HighlightPlan, stages.HighlightPlan]:
    recording, inputs = _stream(tmp_path / "in")
    base = ProcessOptions()
    first = stages.prepare_job(tmp_path / "first", recording, inputs, replace(base, first_clips=True),
                               tmp_path / "out-first")
    full = stages.prepare_job(tmp_path / "full", recording, inputs, replace(base, first_clips=False),
                              tmp_path / "out-full")
    first_plan = stages.first_highlights(first)
    stages.probe(full)
    stages.metrics(full)
    stages.transcribe(full)
    stages.scenes(full)
    return first_plan, stages.highlights(full)


def test_first_clips_and_full_analysis_choose_identical_clips(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    monkeypatch.setattr(stages, "transcribe_spans", _fake_spans(script))
    monkeypatch.setattr(stages, "transcribe_audio", _fake_full(script))
    first, full = _plans(tmp_path)
    spans = [(h.start_s, h.end_s) for h in first.highlights]
    assert [s for s, _ in spans] == list(MOMENTS)
    assert spans == [(h.start_s, h.end_s) for h in full.highlights]
    assert [h.product_sku for h in first.highlights] == [h.product_sku for h in full.highlights]
    ends = {s.end_s: s.text for s in script}
    for h in first.highlights:  # a whole sentence of the script, never the first half of a split one
        assert ends[h.end_s].endswith((".", "!", "。", "！"))


def test_ends_from_the_full_transcript_would_differ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wrong implementation, applied: the full analysis reads the full transcript for its clips."""
    script = _script()
    monkeypatch.setattr(stages, "transcribe_spans", _fake_spans(script))
    monkeypatch.setattr(stages, "transcribe_audio", _fake_full(script))
    spoken = stages._clip_transcript

    def full_transcript_in_full_mode(job, info, candidates, found_scenes, on_progress, check_cancelled):
        if job.spec.options.first_clips:
            return spoken(job, info, candidates, found_scenes, on_progress, check_cancelled)
        return job.store.load("transcribe", stages._transcribe_key(job), Transcript), "full"

    monkeypatch.setattr(stages, "_clip_transcript", full_transcript_in_full_mode)
    first, full = _plans(tmp_path)
    assert [h.start_s for h in first.highlights] == [h.start_s for h in full.highlights] == list(MOMENTS)
    assert [h.end_s for h in first.highlights] != [h.end_s for h in full.highlights]


@pytest.mark.slow
def test_sample_clips_are_the_same_in_both_orders(tmp_path: Path, whisper_model: str) -> None:
    """The demo stream with the real model: first clips and the full analysis first publish the same clips (they
    ended at 64.64 s and 62.46 s)."""
    from mediaops.jobs.pipeline import run_pipeline
    from tests.conftest import SAMPLE

    defaults = ProcessOptions()
    inputs = StreamInputs(SAMPLE / "metrics.csv", SAMPLE / "comments.jsonl", SAMPLE / "products.csv")
    published = []
    for first_clips in (True, False):
        options = replace(defaults, first_clips=first_clips,
                          transcribe=replace(defaults.transcribe, model=whisper_model, cache_dir=None),
                          render=replace(defaults.render, reel=False, replay=False))
        timeline = run_pipeline(SAMPLE / "demo_stream.mp4", inputs, tmp_path / f"out-{first_clips}", options)
        published.append([(h.start_s, h.end_s, h.product_sku) for h in timeline.highlights])
    assert published[0] == published[1]
    assert [start for start, _, _ in published[0]] == [35.0, 95.0, 175.0]
