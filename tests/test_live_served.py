"""``mediaops live URL`` on a stream that a server sends in real time (issue 21): ffmpeg serves a recording at the
pace of its timestamps (``-re``) as RTMP or HTTP-FLV (``-listen 1``, which the bundled ffmpeg supports), the way a
platform or a media server does, and the metrics rows are appended as their intervals end.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mediaops.live.source import StreamRecorder, recorded_duration_s
from mediaops.media.ffmpeg_tools import ffmpeg_exe
from mediaops.media.probe import probe
from tests.live_support import METRICS_INTERVAL_S, REVEALS_S, LiveStream, make_live_stream, read_events
from tests.media import colour_scenes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(recording: Path, url: str) -> subprocess.Popen:
    """ffmpeg sending ``recording`` to the first client of ``url`` at the pace of its timestamps, then ending."""
    return subprocess.Popen([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-i",
                             str(recording), "-c", "copy", "-f", "flv", "-listen", "1", url],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _feed_metrics(stream: LiveStream, metrics: Path, began: float, stop: threading.Event) -> None:
    """Append each metrics row once its interval has ended (stream time counted from ``began``)."""
    rows = list(stream.metric_rows)
    while rows and not stop.is_set():
        now_s = time.monotonic() - began
        due = [r for r in rows if r[0] + METRICS_INTERVAL_S <= now_s]
        if due:
            with metrics.open("a", encoding="utf-8") as handle:
                handle.write("".join(line + "\n" for _, line in due))
            rows = rows[len(due):]
        stop.wait(0.5)


@pytest.mark.parametrize("kind", ["http-flv", "rtmp"])
def test_a_served_stream_is_recorded_as_it_is_sent(tmp_path: Path, kind: str) -> None:
    """Wrong implementations rejected: writes nothing readable until the stream is over (a container finished
    only at its end, as MP4); never notices that the server ended (waits for the idle time instead); loses the
    stream's end (the recording is shorter than what was sent)."""
    source = colour_scenes(tmp_path / "src.ts", [3.0, 3.0])
    port = _free_port()
    url = f"http://127.0.0.1:{port}/live.flv" if kind == "http-flv" else f"rtmp://127.0.0.1:{port}/live/s"
    server = _serve(source, url)
    try:
        time.sleep(1.0)  # the server listens
        recorder = StreamRecorder(url, tmp_path / "out" / "recording.ts", idle_s=30)
        try:
            written_while_sent = 0.0
            deadline = time.monotonic() + 30
            while not recorder.ended(time.monotonic()) and time.monotonic() < deadline:
                if server.poll() is None:
                    written_while_sent = max(written_while_sent, recorded_duration_s(recorder.recording))
                time.sleep(0.2)
            assert recorder.ended(time.monotonic()) and recorder.returncode == 0
        finally:
            recorder.close()
    finally:
        server.kill()
        server.wait()
    assert 1.0 <= written_while_sent < 6.0
    assert recorded_duration_s(recorder.recording) == pytest.approx(6.0, abs=0.2)


@pytest.mark.slow
def test_live_on_an_rtmp_stream_clips_while_it_is_sent(tmp_path: Path, whisper_model: str) -> None:
    """60 s of the sample stream served over RTMP in real time; ``mediaops live rtmp://…`` records it, publishes
    the reveal's clip while the server is still sending, and writes the retrospective once the server ends.

    Wrong implementations rejected: clips only after the stream ended; never ends when the server does (waits
    for the idle time of a file instead, here 600 s); records nothing playable (the clip is probed); a
    retrospective whose recording is not the whole stream."""
    (tmp_path / "src").mkdir()
    stream = make_live_stream(tmp_path / "src", duration_s=60.0)
    url = f"rtmp://127.0.0.1:{_free_port()}/live/s"
    server = _serve(stream.recording, url)
    out = tmp_path / "out"
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("", "utf-8")
    command = [sys.executable, "-m", "mediaops", "live", url, "--metrics", str(metrics), "--out", str(out),
               "--idle-s", "600", "--model", whisper_model, "--language", "en", "--min-duration", "8",
               "--max-duration", "20", "--no-reel", "--no-replay", "--lang", "en", "--quiet"]
    stop = threading.Event()
    feeder: threading.Thread | None = None
    clips_on_air: list[dict] = []
    try:
        time.sleep(1.0)  # the server listens
        with (tmp_path / "stderr.txt").open("w") as stderr:
            live = subprocess.Popen(command, stderr=stderr, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + 300
            while live.poll() is None and time.monotonic() < deadline:
                recording = out / "recording.ts"
                if feeder is None and recording.exists() and recording.stat().st_size > 0:
                    # the metrics export runs on the stream's clock, which starts when the server starts sending
                    feeder = threading.Thread(target=_feed_metrics, args=(stream, metrics, time.monotonic(), stop),
                                              daemon=True)
                    feeder.start()
                if server.poll() is None:
                    clips_on_air += [e for e in read_events(out) if e["event"] == "clip"
                                     and e["id"] not in {c["id"] for c in clips_on_air}]
                time.sleep(0.3)
            if live.poll() is None:
                live.kill()
                pytest.fail("mediaops live did not end after the server ended")
        assert live.returncode == 0, (tmp_path / "stderr.txt").read_text()
    finally:
        stop.set()
        server.kill()
        server.wait()
    assert clips_on_air, "no clip while the server was sending"
    first = clips_on_air[0]
    assert first["start_s"] == pytest.approx(REVEALS_S[0], abs=0.1)
    info = probe(out / first["file"])
    assert info.has_video and info.has_audio
    assert info.duration_s == pytest.approx(first["end_s"] - first["start_s"], abs=0.15)
    events = read_events(out)
    assert events[-1]["event"] == "end" and first["id"] in events[-1]["clips"]
    assert (out / "timeline.json").is_file() and (out / "report.html").is_file()
    assert recorded_duration_s(out / "recording.ts") == pytest.approx(stream.duration_s, abs=0.5)
