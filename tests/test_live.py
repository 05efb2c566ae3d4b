"""``mediaops live`` end to end on a stream that is still being written: a recording appended piece by piece at
the pace of its own timestamps, and a metrics export (and comment log) whose rows are appended as their
intervals end (:mod:`tests.live_support`). The real speech model runs; the stream is 90 s of the sample stream
with a planted silence and a planted walk-out.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from mediaops.media.probe import probe
from mediaops.transcribe import TranscribeOptions
from mediaops.transcribe.cache import cache_key, load_cached
from mediaops.transcribe.spans import SPAN_EDGE_SEARCH_S
from tests.live_support import (
    REVEALS_S,
    SILENCE_S,
    VIEWERS_DROP_S,
    LiveStream,
    StreamWriter,
    collecting_webhook,
    complete_lines,
    make_live_stream,
    read_events,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> LiveStream:
    return make_live_stream(tmp_path_factory.mktemp("live-stream"), duration_s=90.0)


def _command(folder: Path, out: Path, model: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mediaops", "live", str(folder / "rec.ts"), "--metrics", str(folder / "metrics.csv"),
            "--comments", str(folder / "comments.jsonl"), "--out", str(out), "--idle-s", "5", "--model", model,
            "--language", "en", "--min-duration", "8", "--max-duration", "20", "--no-reel", "--no-replay",
            "--lang", "en", *extra]


def _at(event: dict) -> float:
    return datetime.fromisoformat(event["wall_time"]).timestamp()


def _follow(proc: subprocess.Popen, out: Path, timeout_s: float, until=None) -> dict[str, dict]:
    """Watch ``live.jsonl`` while ``proc`` runs (or until ``until(events)`` holds); each clip is probed the moment its
    event appears. Returns what each clip's probe found, by clip id."""
    probed: dict[str, dict] = {}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        events = read_events(out)
        for event in events:
            if event["event"] == "clip" and event["id"] not in probed:
                info = probe(out / event["file"])
                probed[event["id"]] = {"info": info, "seen_at": time.time(), "event": event}
        if until is not None and until(events):
            return probed
        if proc.poll() is not None:
            return probed
        time.sleep(0.3)
    proc.kill()
    pytest.fail(f"mediaops live did not finish in {timeout_s:.0f} s")


def test_clips_and_alerts_arrive_while_the_stream_is_on_air(
        tmp_path: Path, stream: LiveStream, whisper_model: str) -> None:
    """Wrong implementations rejected: waits for the end of the stream before the first clip (or the first alert);
    announces a clip before its file is complete (it is probed the moment its event appears); alerts only from the
    retrospective; misses the planted walk-out or the planted silence, or alerts at the answered price questions;
    recognises the recording again at the end (the retrospective shows no transcription stage, and the transcript
    goes into the cache under the key a later ``mediaops process`` looks up); a timeline that leaves out the clips
    published live; one that drops a moment still unsettled when the stream ends (or publishes it as made on air);
    a webhook that misses events."""
    out = tmp_path / "out"
    writer = StreamWriter(stream, tmp_path / "rec.ts", tmp_path / "metrics.csv", tmp_path / "comments.jsonl").start()
    with collecting_webhook() as (hook_url, received), (tmp_path / "stderr.txt").open("w") as stderr:
        cache = tmp_path / "cache"
        proc = subprocess.Popen(_command(tmp_path, out, whisper_model, "--webhook", hook_url), stderr=stderr,
                                env={**os.environ, "MEDIAOPS_CACHE": str(cache)})
        probed = _follow(proc, out, timeout_s=400)
        assert proc.wait(60) == 0, (tmp_path / "stderr.txt").read_text()
    writer.join(10)
    assert writer.finished_at is not None
    events = read_events(out)
    clips = [e for e in events if e["event"] == "clip"]
    alerts = {e["kind"]: e for e in events if e["event"] == "alert"}

    # live: the first clip and both planted alerts came while the writer was still writing
    first = clips[0]
    assert first["start_s"] == pytest.approx(REVEALS_S[0], abs=0.1)
    assert 8 - 0.1 <= first["end_s"] - first["start_s"] <= 20 + 0.1
    assert _at(first) < writer.finished_at - 5, "the first clip came only at the end of the stream"
    assert set(alerts) == {"viewers_drop", "dead_air"}
    assert alerts["viewers_drop"]["t_s"] == VIEWERS_DROP_S
    assert SILENCE_S[0] - 2 <= alerts["dead_air"]["t_s"] <= SILENCE_S[0]
    assert alerts["dead_air"]["details"]["silent_s"] >= 10
    assert _at(alerts["viewers_drop"]) < writer.finished_at and _at(alerts["dead_air"]) < writer.finished_at

    # every clip file was complete and playable when its event appeared
    for clip in clips:
        info = probed[clip["id"]]["info"]
        assert info.has_video and info.has_audio
        assert info.duration_s == pytest.approx(clip["end_s"] - clip["start_s"], abs=0.15)
        assert (out / clip["cover"]).is_file() and (out / clip["subtitles"]).is_file()

    # the end: exit 0 and a retrospective whose clips are the live ones, made without recognising again
    timeline = json.loads((out / "timeline.json").read_text("utf-8"))
    assert [(c["id"], c["start_s"], c["end_s"], c["file"]) for c in timeline["clips"]] == [
        (c["id"], c["start_s"], c["end_s"], c["file"]) for c in clips]
    assert len(clips) == 2 and clips[1]["start_s"] == pytest.approx(REVEALS_S[1], abs=0.1)
    # the second surge ends 20 s before the stream does, too late to settle on air: the whole stream's choice
    # renders it after the end, announced as such
    assert [c["after_end"] for c in clips] == [False, True] and not any(c["over_budget"] for c in clips)
    assert timeline["recording"]["duration_s"] == pytest.approx(stream.duration_s, abs=0.2)
    assert (out / "report.html").is_file() and (out / "transcript.json").is_file()
    said = " ".join(s["text"] for s in json.loads((out / "transcript.json").read_text("utf-8"))["segments"])
    assert "Turbo Blender" in said.title() and "blanket" in said.lower()
    assert "transcribe" not in (tmp_path / "stderr.txt").read_text()
    # `mediaops process --model M --language en` of the finished recording finds this transcript in its cache
    asked = TranscribeOptions(model=whisper_model, language="en", cache_dir=cache / "transcripts")
    assert load_cached(cache / "transcripts", cache_key(tmp_path / "rec.ts", asked)) is not None
    assert events[-1]["event"] == "end" and events[-1]["clips"] == ["clip-01", "clip-02"]
    assert sorted(e["id"] for e in received) == sorted(e["id"] for e in events)

    surge_rows = [t for t in writer.row_written_at if any(2 <= t - r <= 8 for r in REVEALS_S[:1])]
    print(f"\nlatency: first clip {_at(first) - writer.row_written_at[max(surge_rows)]:.1f} s after the last surge "
          f"row was written ({_at(first) - writer.row_written_at[min(surge_rows)]:.1f} s after the first); "
          f"viewers_drop {_at(alerts['viewers_drop']) - writer.row_written_at[VIEWERS_DROP_S]:.1f} s after its row; "
          f"dead_air {_at(alerts['dead_air']) - (writer.row_written_at[0.0] - 2 + SILENCE_S[0] + 10):.1f} s after "
          f"the silence reached 10 s; writer done {writer.finished_at - _at(events[0]):.0f} s after the start, "
          f"retrospective {_at(events[-1]) - writer.finished_at:.0f} s after the writer")


def test_a_restart_resumes_without_announcing_anything_twice(
        tmp_path: Path, stream: LiveStream, whisper_model: str) -> None:
    """Killed (SIGKILL) right after its first clip, the command is started again while the stream goes on.

    Wrong implementations rejected: re-announces clips (or alerts) after a restart; renders a published clip
    again; recognises again the speech recognised before the crash; refuses to resume (or starts a new
    transcript) because the folder is not empty; loses the live clips from the final timeline."""
    out = tmp_path / "out"
    writer = StreamWriter(stream, tmp_path / "rec.ts", tmp_path / "metrics.csv", tmp_path / "comments.jsonl",
                          speed=1.5).start()
    command = _command(tmp_path, out, whisper_model, "--quiet")
    first = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    _follow(first, out, timeout_s=200, until=lambda events: any(e["event"] == "clip" for e in events))
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    assert writer.finished_at is None, "the first clip came only after the stream ended: nothing to resume"
    published = out / "clips" / "clip-01.mp4"
    rendered_at = published.stat().st_mtime_ns
    recognised_before = [json.loads(line)["spans_s"] for line in complete_lines(out / ".live" / "transcript.jsonl")]

    second = subprocess.run(command, capture_output=True, text=True, timeout=400)
    assert second.returncode == 0, second.stderr
    events = read_events(out)
    for kind in ("clip", "alert", "start", "end"):
        ids = [e["id"] for e in events if e["event"] == kind]
        assert len(ids) == len(set(ids)), f"{kind} announced twice: {ids}"
    starts = [e for e in events if e["event"] == "start"]
    assert [s["resumed"] for s in starts] == [False, True]
    assert "clip-01" in starts[1]["clips"] and starts[1]["recognised_s"] > 0
    assert published.stat().st_mtime_ns == rendered_at
    spans = [json.loads(line)["spans_s"][0] for line in complete_lines(out / ".live" / "transcript.jsonl")]
    assert spans[: len(recognised_before)] == [s[0] for s in recognised_before]
    for (_, end_s), (start_s, _) in itertools.pairwise(spans):
        assert start_s >= end_s - SPAN_EDGE_SEARCH_S - 0.01  # each stretch only reaches back into the seam's pause
    timeline = json.loads((out / "timeline.json").read_text("utf-8"))
    assert {c["id"] for c in timeline["clips"]} == {e["id"] for e in events if e["event"] == "clip"}
    assert "clip-01" in {c["id"] for c in timeline["clips"]}
