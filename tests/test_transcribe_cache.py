"""The transcript cache: content-keyed, option-keyed, reused on a re-run; and the transcript file formats."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from mediaops.serialize import to_jsonable
from mediaops.transcribe import TranscribeOptions, cache, transcribe, transcript_from_jsonable
from mediaops.transcribe import run as transcribe_run
from mediaops.transcribe.cache import cache_key, content_fingerprint


def _big_file(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def test_fingerprint_follows_content_not_name_or_mtime(tmp_path: Path) -> None:
    original = _big_file(tmp_path / "a.mp4", 20 * 1024 * 1024)
    copy = tmp_path / "b.mp4"
    shutil.copyfile(original, copy)
    os.utime(copy, (1_000_000, 1_000_000))
    assert content_fingerprint(copy) == content_fingerprint(original)
    size = original.stat().st_size
    sampled_middle = cache._EDGE_BYTES + (size - 2 * cache._EDGE_BYTES) // (cache._SAMPLED_BLOCKS + 1) * 16 + 5
    for offset in (10, sampled_middle, size - 10):  # head, a sampled middle block, tail
        changed = bytearray(original.read_bytes())
        changed[offset] ^= 0xFF
        copy.write_bytes(changed)
        assert content_fingerprint(copy) != content_fingerprint(original), offset
    with copy.open("ab") as handle:
        handle.write(b"x")
    assert content_fingerprint(copy) != content_fingerprint(original)


def test_key_depends_on_options_that_change_the_text(tmp_path: Path) -> None:
    media = _big_file(tmp_path / "a.wav", 1000)
    base = TranscribeOptions(model="base")
    assert cache_key(media, base) == cache_key(media, replace(base, cpu_threads=4, cache_dir=tmp_path))
    for changed in (replace(base, model="small"), replace(base, language="zh"), replace(base, hotwords=("ComfyUI",)),
                    replace(base, engine="openai-whisper"), replace(base, compute_type="float32")):
        assert cache_key(media, changed) != cache_key(media, base)


def test_rerun_reuses_the_transcript(tmp_path: Path, testdata: Path, whisper_model: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    options = TranscribeOptions(model=whisper_model, cache_dir=tmp_path / "cache")
    first = transcribe(testdata / "speech" / "jfk.flac", options)
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1

    def no_engine(_options):
        raise AssertionError("the engine was opened although the transcript is cached")

    monkeypatch.setattr(transcribe_run, "open_engine", no_engine)
    again = transcribe(testdata / "speech" / "jfk.flac", options)
    assert again == transcript_from_jsonable(to_jsonable(first))
    with pytest.raises(AssertionError, match="engine was opened"):
        transcribe(testdata / "speech" / "jfk.flac", replace(options, language="fr"))


def test_json_round_trip_keeps_words(testdata: Path, whisper_model: str) -> None:
    transcript = transcribe(testdata / "speech" / "jfk.flac", TranscribeOptions(model=whisper_model))
    data = json.loads(json.dumps(to_jsonable(transcript)))
    assert data["segments"][0]["words"][0]["text"].strip()
    back = transcript_from_jsonable(data)
    assert [w.text for s in back.segments for w in s.words] == [w.text for s in transcript.segments for w in s.words]
    assert back.segments[0].start_s == pytest.approx(transcript.segments[0].start_s, abs=1e-3)
