"""A stream that is still on air, for the live-mode tests: a recording written into a file piece by piece at the
pace of its own timestamps, and a metrics export (and comment log) whose rows are appended as their intervals end.

The recording is a stretch of the sample stream (real speech, real scene cuts) made as a recorder writes it
(MPEG-TS, a keyframe every 2 s) with a planted silence; the metrics have a surge of comments and likes a few
seconds after each product reveal and a planted walk-out in online viewers. Everything is known by construction.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import av

from mediaops.media.ffmpeg_tools import run_ffmpeg
from tests.conftest import SAMPLE

#: the stretch of the sample stream used: its reveals at 35 s and 95 s fall at 10 s and 70 s of the stretch.
SAMPLE_START_S = 25.0
REVEALS_S = (10.0, 70.0)
#: the planted silence (audio muted) and the planted walk-out (online viewers fall by 40%).
SILENCE_S = (40.0, 56.0)
VIEWERS_DROP_S = 60.0
METRICS_INTERVAL_S = 2


@dataclass(frozen=True)
class LiveStream:
    recording: Path
    duration_s: float
    #: (recording seconds, bytes of the file that hold everything up to then), ascending.
    offsets: tuple[tuple[float, int], ...]
    #: (row time, CSV line) of the metrics export; the header first with time -inf.
    metric_rows: tuple[tuple[float, str], ...]
    #: (time, JSON line) of the comment log.
    comment_rows: tuple[tuple[float, str], ...] = ()


def metric_rows(duration_s: float) -> list[tuple[float, str]]:
    """Rows every 2 s: a steady audience, a surge of comments and likes 2–8 s after each reveal, and online
    viewers falling from about 155 to 93 at :data:`VIEWERS_DROP_S`."""
    rows = [(float("-inf"), "time,online_viewers,comments,likes")]
    for t in range(0, int(duration_s), METRICS_INTERVAL_S):
        hot = any(2 <= t - r <= 8 for r in REVEALS_S)
        quiet = 3 + t // METRICS_INTERVAL_S % 3
        comments, likes = (40, 120) if hot else (quiet, 2 * quiet)
        viewers = 150 + t // 10 if t < VIEWERS_DROP_S else 93
        rows.append((float(t), f"{t},{viewers},{comments},{likes}"))
    return rows


def comment_rows() -> list[tuple[float, str]]:
    """A few viewers asking about the price right after the first reveal (the host answers: "only 39 dollars")."""
    asks = [(11.0, "how much?"), (12.5, "price?"), (13.0, "多少钱"), (14.2, "how much is it")]
    return [(t, json.dumps({"t_s": t, "user": f"viewer{i}", "text": text})) for i, (t, text) in enumerate(asks)]


def make_live_stream(folder: Path, duration_s: float = 90.0) -> LiveStream:
    """The recording (MPEG-TS, 320x180) and its side-file rows; the recording is written to ``folder/full.ts``,
    never to the watched file."""
    full = folder / "full.ts"
    silence = f"volume=enable='between(t,{SILENCE_S[0]},{SILENCE_S[1]})':volume=0"
    run_ffmpeg(["-ss", f"{SAMPLE_START_S}", "-t", f"{duration_s}", "-i", str(SAMPLE / "demo_stream.mp4"),
                "-vf", "scale=320:180:force_original_aspect_ratio=increase,crop=320:180,setsar=1,fps=25",
                "-af", silence, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50",
                "-keyint_min", "50", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k", "-f", "mpegts", str(full)],
               "making the live test stream failed")
    offsets: dict[int, int] = {}
    with av.open(str(full)) as container:
        start = container.start_time / 1_000_000 if container.start_time else 0.0
        for packet in container.demux():
            if packet.pts is None or packet.pos is None or packet.pos < 0:
                continue
            second = int(float(packet.pts * packet.time_base) - start)
            offsets[second] = max(offsets.get(second, 0), packet.pos + packet.size)
    size = full.stat().st_size
    running = 0
    table = []
    for second in range(int(duration_s) + 2):
        running = max(running, offsets.get(second, 0))
        table.append((float(second + 1), running))
    table.append((duration_s + 2, size))
    return LiveStream(full, duration_s, tuple(table), tuple(metric_rows(duration_s)), tuple(comment_rows()))


@dataclass
class StreamWriter:
    """Writes ``stream`` into ``recording``, ``metrics`` (and ``comments``) as a recorder and a dashboard export
    would: every ``step_s`` seconds of wall time, everything up to ``speed`` × elapsed seconds of the stream.
    ``started_from_s`` continues an earlier writer (after a restart of the reader nothing is written twice)."""

    stream: LiveStream
    recording: Path
    metrics: Path
    comments: Path | None = None
    speed: float = 1.0
    step_s: float = 0.5
    #: wall time (time.time()) each metrics row was written, by row time.
    row_written_at: dict[float, float] = field(default_factory=dict)
    finished_at: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> StreamWriter:
        self.recording.write_bytes(b"")
        self.metrics.write_text("", "utf-8")
        if self.comments is not None:
            self.comments.write_text("", "utf-8")
        self._thread = threading.Thread(target=self._run, name="stream-writer", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        began = time.monotonic()
        written = 0
        rows = list(self.stream.metric_rows)
        comments = list(self.stream.comment_rows)
        data = self.stream.recording.read_bytes()
        with self.recording.open("ab") as video:
            while not self._stop.is_set():
                now_s = (time.monotonic() - began) * self.speed
                target = max((b for t, b in self.stream.offsets if t <= now_s), default=0)
                if target > written:
                    video.write(data[written:target])
                    video.flush()
                    written = target
                # a row is exported once its interval has ended
                due = [r for r in rows if r[0] + METRICS_INTERVAL_S <= now_s]
                if due:
                    with self.metrics.open("a", encoding="utf-8") as handle:
                        handle.write("".join(line + "\n" for _, line in due))
                    for t, _ in due:
                        self.row_written_at[t] = time.time()
                    rows = rows[len(due):]
                if self.comments is not None:
                    said = [c for c in comments if c[0] <= now_s]
                    if said:
                        with self.comments.open("a", encoding="utf-8") as handle:
                            handle.write("".join(line + "\n" for _, line in said))
                        comments = comments[len(said):]
                if written >= len(data) and not rows:
                    break
                self._stop.wait(self.step_s)
        self.finished_at = time.time()

    def join(self, timeout_s: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout_s)

    def stop(self) -> None:
        self._stop.set()
        self.join(10)


def read_events(out_dir: Path) -> list[dict]:
    """The events of ``out_dir/live.jsonl`` so far (complete lines only)."""
    path = out_dir / "live.jsonl"
    if not path.exists():
        return []
    lines = path.read_text("utf-8").splitlines(keepends=True)
    return [json.loads(line) for line in lines if line.endswith("\n") and line.strip()]


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[dict]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@contextmanager
def collecting_webhook() -> Iterator[tuple[str, list[dict]]]:
    """A JSON receiver on 127.0.0.1 (never anything outside this machine): its URL and what it received."""
    received: list[dict] = []
    handler = type("Handler", (_Collector,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def complete_lines(path: Path) -> list[str]:
    """The lines of ``path`` that were written whole (a process killed mid-write leaves a partial last one)."""
    return [line for line in path.read_text("utf-8").splitlines(keepends=True) if line.endswith("\n")]
