"""Live mode's files and wires without a model: the event log, the webhook, the URL recorder, the state and the
transcript stretches a restart resumes from, and the command's one-line errors."""

from __future__ import annotations

import functools
import http.server
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaops.cli import main
from mediaops.errors import InputFileError
from mediaops.live.events import EventLog, Webhook
from mediaops.live.incremental import IncrementalTranscript
from mediaops.live.source import StreamRecorder, is_url, open_source, recorded_duration_s
from mediaops.live.state import LiveState, load_state, save_state
from mediaops.serialize import encode
from mediaops.transcribe import TranscribeOptions
from mediaops.types import Segment, Transcript, Word
from tests.live_support import collecting_webhook
from tests.media import colour_scenes


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Static files from a folder over HTTP on 127.0.0.1."""
    folder = tmp_path / "served"
    folder.mkdir()
    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda self, *args: None})
    handler = functools.partial(quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


def test_event_log_survives_a_line_cut_short(tmp_path: Path) -> None:
    """Wrong implementations rejected: forgets what was announced before a restart (announces it again); keeps a
    line cut short by a crash, so the log is no longer JSON lines; rounds nothing away that readers need."""
    path = tmp_path / "live.jsonl"
    log = EventLog(path)
    log.append({"event": "clip", "id": "clip-01", "start_s": 10.0231, "end_s": 30.5})
    log.append({"event": "alert", "id": "dead_air-00039.6", "kind": "dead_air", "t_s": 39.6})
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"event": "clip", "id": "clip-02", "sta')  # the crash
    again = EventLog(path)
    assert again.ids("clip") == {"clip-01"}
    assert [e["kind"] for e in again.of("alert")] == ["dead_air"]
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["wall_time"] for line in lines)
    again.append({"event": "clip", "id": "clip-02"})
    assert [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines()] == [
        "clip-01", "dead_air-00039.6", "clip-02"]


def test_webhook_posts_events_and_survives_a_dead_receiver(caplog: pytest.LogCaptureFixture) -> None:
    """Wrong implementations rejected: blocks or stops the session when the receiver is down; raises instead of
    logging; sends events out of order."""
    with collecting_webhook() as (url, received):
        hook = Webhook(url, timeout_s=5)
        for n in range(3):
            hook.send({"event": "clip", "id": f"clip-{n:02d}"})
        hook.close(5)
    assert [e["id"] for e in received] == ["clip-00", "clip-01", "clip-02"]
    dead = Webhook("http://127.0.0.1:9/nothing-listens-here", timeout_s=2)
    with caplog.at_level(logging.WARNING, logger="mediaops.live"):
        dead.send({"event": "alert", "id": "dead_air-00010.0"})
        dead.close(5)
    assert dead.failures == 1
    assert any("webhook" in r.getMessage() and "dead_air" in r.getMessage() for r in caplog.records)
    assert all(r.levelno < logging.ERROR for r in caplog.records)


def test_a_stream_url_is_recorded_into_a_growing_ts(tmp_path: Path, file_server: tuple[str, Path]) -> None:
    """Wrong implementations rejected: re-encodes the stream (slow, lossy); writes a container that cannot be read
    until it is closed (MP4); never notices that the stream ended."""
    base, folder = file_server
    colour_scenes(folder / "stream.flv", [3.0, 3.0])
    assert is_url(f"{base}/stream.flv") and not is_url(str(folder / "stream.flv")) and not is_url("C:/x.ts")
    source = open_source(f"{base}/stream.flv", tmp_path / "out", idle_s=30)
    assert isinstance(source, StreamRecorder)
    try:
        for _ in range(200):
            if source.ended(0.0):
                break
            threading.Event().wait(0.05)
        assert source.ended(0.0) and source.returncode == 0
    finally:
        source.close()
    assert source.recording == tmp_path / "out" / "recording.ts"
    assert recorded_duration_s(source.recording) == pytest.approx(6.0, abs=0.2)


def test_state_belongs_to_one_source(tmp_path: Path) -> None:
    """Wrong implementations rejected: resumes the session of another stream in the same folder (its clips and
    transcript would be mixed into this one)."""
    save_state(tmp_path, LiveState(source="/rec/a.ts", recording="/rec/a.ts", cuts=(10.023222222222222,)))
    state = load_state(tmp_path, "/rec/a.ts")
    assert state is not None and state.cuts == (10.023222222222222,)  # exact: a resumed session decides the same
    assert load_state(tmp_path / "empty", "/rec/a.ts") is None
    with pytest.raises(InputFileError, match=r"holds the live session of /rec/a\.ts"):
        load_state(tmp_path, "rtmp://example.invalid/live")


def _part(start_s: float, end_s: float, words: list[tuple[float, float, str]]) -> Transcript:
    segment = Segment(words[0][0], words[-1][1], "".join(w for _, _, w in words).strip(),
                      tuple(Word(a, b, w) for a, b, w in words))
    return Transcript("en", (segment,), end_s, spans_s=((start_s, end_s),))


def test_transcript_stretches_resume_without_recognising_again(tmp_path: Path) -> None:
    """Wrong implementations rejected: starts recognition from the beginning after a restart; keeps both versions of
    the words in the overlap of two stretches; fails on a stretch cut short by a crash."""
    parts = tmp_path / "transcript.jsonl"
    first = _part(0.0, 10.0, [(1.0, 2.0, " Hello"), (2.0, 3.0, " there."), (8.5, 9.5, " Look")])
    second = _part(8.0, 20.0, [(8.6, 9.4, " Look"), (9.4, 10.2, " here."), (15.0, 16.0, " Bye.")])
    parts.write_text("".join(json.dumps(encode(p)) + "\n" for p in (first, second)) + '{"language": "e', "utf-8")
    resumed = IncrementalTranscript(parts, TranscribeOptions(language="auto"))
    assert resumed.done_s == 20.0
    assert resumed.transcript is not None
    assert [w.text for s in resumed.transcript.segments for w in s.words] == [
        " Hello", " there.", " Look", " here.", " Bye."]
    assert resumed.recognition_options().language == "en"  # detected once, then kept
    assert parts.read_text("utf-8").endswith("\n")


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    metrics = tmp_path / "m.csv"
    metrics.write_text("time,comments\n0,1\n", "utf-8")
    assert main(["live", str(tmp_path / "missing.ts"), "--metrics", str(metrics), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "recording not found" in err[0]
    assert main(["live", "rtmp://127.0.0.1:1/live", "--metrics", str(tmp_path / "nope.csv"),
                 "--out", str(tmp_path / "o")]) == 2
    assert "metrics file not found" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".ts", ".flv", ".mkv"])
def test_how_much_of_a_growing_recording_is_written(tmp_path: Path, suffix: str) -> None:
    """Wrong implementations rejected: trusts the container's duration, which a file copied while it grows (or an
    FLV/Matroska recorder that writes it up front) gives as the whole recording's; counts from zero where MPEG-TS
    timestamps start at 1.4 s; fails on a packet cut in half."""
    full = colour_scenes(tmp_path / f"full{suffix}", [5.0, 5.0])
    data = full.read_bytes()
    half = tmp_path / f"half{suffix}"
    half.write_bytes(data[: len(data) // 2 + 7])  # mid-packet, as a recorder's buffer flush leaves it
    assert recorded_duration_s(full) == pytest.approx(10.0, abs=0.2)
    assert 3.0 < recorded_duration_s(half) < 7.0
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(data[:100])
    assert recorded_duration_s(empty) == 0.0


def test_a_recording_without_sound_stops_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Wrong implementations rejected: waits for the stream to end (or forever) before saying the recording is
    unusable; a traceback instead of one line."""
    video = colour_scenes(tmp_path / "silent.ts", [2.0, 2.0], audio=False)
    metrics = tmp_path / "m.csv"
    metrics.write_text("time,comments\n0,1\n2,1\n", "utf-8")
    code = main(["live", str(video), "--metrics", str(metrics), "--out", str(tmp_path / "o"), "--quiet",
                 "--idle-s", "600"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and "no audio track" in err[0]
