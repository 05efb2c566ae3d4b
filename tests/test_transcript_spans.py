"""The first clips' transcript and the full transcript agree on the clips' spans (mediaops.transcribe.spans).

The first clips are captioned from a transcript of only their spans; the report uses the full transcript. Whisper's
output for a stretch depends on what else shares its decoding window, so the two used to disagree (other words,
other times) and a clip's captions said something the report did not. The full transcript now takes the spans'
recognition over the spans, and the spans are widened to pauses so that no word is cut at a seam.

Wrong implementations these tests reject:
- "full transcript recognised separately": the published transcript differs from the clips' one inside the spans
  (checked exactly on a pipeline run: by construction the words and times are the same);
- "seams inside words": a span recognised from its exact start, cutting the first word, and that cut word then
  replacing the full transcript's whole one;
- "splice by segment": a full-transcript segment straddling a seam is dropped whole (its words outside the span
  lost) or kept whole (its words inside the span said twice);
- "spans not widened": a seam lying inside a sentence although a pause is within reach.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mediaops.transcribe import TranscribeOptions, transcribe, transcribe_spans
from mediaops.transcribe.spans import splice_transcript
from mediaops.types import Segment, Transcript, Word
from tests.speech_corpus import RATE, Sentence, gap, score_transcript, speech, write_wav


def _segment(start_s: float, *words: str) -> Segment:
    timed = tuple(Word(start_s + i, start_s + i + 0.8, w) for i, w in enumerate(words))
    return Segment(start_s, start_s + len(words), "".join(words).strip(), timed)


def test_splice_takes_the_spans_words_and_keeps_the_rest() -> None:
    full = Transcript("en", (_segment(0.0, " one", " two", " three", " four"),  # straddles the seam at 2.3
                             _segment(5.0, " five", " six"),  # inside the span: replaced
                             _segment(9.0, " nine", " ten")), 11.0)
    part = Transcript("en", (_segment(2.6, " THREE", " FOUR"), _segment(5.0, " FIVE", " SIX", " SEVEN")), 8.0,
                      spans_s=((2.3, 8.5),))
    spliced = splice_transcript(full, part)
    assert [s.text for s in spliced.segments] == ["one two", "THREE FOUR", "FIVE SIX SEVEN", "nine ten"]
    assert spliced.segments[0].end_s == pytest.approx(1.8)
    assert spliced.segments[1] is part.segments[0] and spliced.segments[3] is full.segments[2]
    assert splice_transcript(full, Transcript("en", (), 0.0)) is full


#: (source, gap after it) of the generated stream: short and long pauses, room tone and music between sentences
STREAM = (("jfk.flac", ("silence", 2.5)), ("hotwords.mp3", ("music", 3.0)),
          ("librispeech-1995-1837-0001.wav", ("room", 6.0)), ("hotwords.mp3", ("silence", 2.0)),
          ("jfk.flac", ("room", 15.0)), ("librispeech-1995-1837-0001.wav", ("music", 4.0)),
          ("jfk.flac", ("room", 3.0)))


@pytest.fixture(scope="module")
def stream(testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Sentence], float]:
    import json

    texts = json.loads((testdata / "truth.json").read_text("utf-8"))["speech"]
    parts = [gap("room", 3.0)]
    truth = []
    at = 3.0
    for index, (name, (kind, seconds)) in enumerate(STREAM):
        clip = speech(name, testdata / "speech")
        truth.append(Sentence(round(at, 3), round(at + len(clip) / RATE, 3),
                              texts[f"speech/{name}"].get("text") or "ComfyUI", name))
        parts += [clip, gap(kind, seconds, seed=index)]
        at += len(clip) / RATE + seconds
    audio = np.concatenate(parts)
    path = write_wav(tmp_path_factory.mktemp("spans") / "stream.wav", audio)
    return path, truth, len(audio) / RATE


@pytest.mark.slow
def test_spans_end_in_pauses_and_splice_loses_nothing(stream, whisper_model: str) -> None:
    path, truth, duration_s = stream
    options = TranscribeOptions(model=whisper_model, language="en")
    # each span starts and ends inside a sentence, within reach of a pause
    spans = [(truth[0].start_s + 2.0, truth[1].end_s - 1.0), (truth[4].start_s + 1.5, truth[4].end_s - 2.0)]
    part = transcribe_spans(path, spans, options)
    full = transcribe(path, options)
    assert len(part.spans_s) == 2
    for (start_s, end_s), (low_s, high_s) in zip(spans, part.spans_s, strict=True):
        assert low_s <= start_s and high_s >= end_s
        for edge in (low_s, high_s):
            assert not any(s.start_s + 0.1 < edge < s.end_s - 0.1 for s in truth), f"seam at {edge} inside speech"
    spliced = splice_transcript(full, part)
    inside = [w for s in spliced.segments for w in s.words
              if any(a <= (w.start_s + w.end_s) / 2 < b for a, b in part.spans_s)]
    assert inside == [w for s in part.segments for w in s.words]
    words = [(w.start_s, w.text) for s in spliced.segments for w in s.words]
    assert words == sorted(words)
    spliced_score = score_transcript(spliced, truth, duration_s, "en")
    full_score = score_transcript(full, truth, duration_s, "en")
    assert spliced_score.recall == 1.0, spliced_score
    assert spliced_score.error_rate <= full_score.error_rate + 0.02, (spliced_score, full_score)


@pytest.mark.slow
def test_published_transcript_is_the_clips_transcript_over_their_spans(tmp_path: Path, whisper_model: str) -> None:
    from dataclasses import replace

    from mediaops.inputs.sidecars import sidecars_of
    from mediaops.jobs import stages
    from mediaops.jobs.pipeline import ProcessOptions, StreamInputs
    from mediaops.transcribe import transcript_from_jsonable
    from tests.workers_support import cut_stream

    recording = cut_stream(tmp_path / "in", "s", 10.0, 60.0)
    files = sidecars_of(recording)
    defaults = ProcessOptions()
    options = replace(defaults, first_clips=True,
                      transcribe=replace(defaults.transcribe, model=whisper_model, cache_dir=None),
                      render=replace(defaults.render, reel=False, replay=False))
    job = stages.prepare_job(tmp_path / "job", recording, StreamInputs(files.metrics, files.comments, files.products),
                             options, tmp_path / "out")
    timeline = stages.run_stages(job)
    assert timeline.clips
    plan = stages.highlights(job)
    assert plan.transcript_stage == "first-transcript"
    first = stages._plan_transcript(job, plan)  # what the clips' captions were made from
    import json

    published = transcript_from_jsonable(json.loads((tmp_path / "out" / "transcript.json").read_text("utf-8")))
    assert first.spans_s

    def words_in(transcript: Transcript) -> list[Word]:
        return [w for s in transcript.segments for w in s.words
                if any(a <= (w.start_s + w.end_s) / 2 < b for a, b in first.spans_s)]

    # transcript.json keeps times to the millisecond
    assert [w.text for w in words_in(published)] == [w.text for w in words_in(first)]
    for shown, said in zip(words_in(published), words_in(first), strict=True):
        assert (shown.start_s, shown.end_s) == pytest.approx((said.start_s, said.end_s), abs=0.0011)
    for clip in timeline.clips:  # what the clip's captions say is what the report's transcript says there
        captions = (tmp_path / "out" / clip.subtitles).read_text("utf-8")
        said = [s.text for s in published.segments if s.end_s > clip.start_s and s.start_s < clip.end_s]
        letters = "".join(ch for ch in " ".join(said).lower() if ch.isalnum())
        lines = [line for block in captions.strip().split("\n\n") for line in block.splitlines()[2:]]
        shown = "".join(ch for line in lines for ch in line.lower() if ch.isalnum())
        assert shown == letters, (clip.id, captions, said)
