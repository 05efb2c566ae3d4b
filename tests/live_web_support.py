"""Live jobs for the web tests: a live job submitted through the real job system (queued on the embedded broker)
with its output folder written the way a live session writes it (:class:`mediaops.live.events.EventLog`,
:func:`mediaops.live.status.write_live_status`) and a real clip file; and :class:`RealTimeFeed`, a stream on air
written by ``ffmpeg -re`` for a real worker to watch."""

from __future__ import annotations

import math
import shutil
import subprocess
import threading
import time
from pathlib import Path

from flask import Flask

from mediaops.analysis.reasons import describe_reasons, scene_cut_before, viewers_rising
from mediaops.live.events import EventLog
from mediaops.live.status import LiveStatus, viewer_curve, write_live_status
from mediaops.media.ffmpeg_tools import ffmpeg_exe
from mediaops.serialize import encode
from mediaops.types import Metrics, MetricSeries
from tests.live_support import METRICS_INTERVAL_S, LiveStream
from tests.media import colour_scenes
from workers import state

#: product and clip names of the inputs: the operator's own words, shown as written on a Chinese page too.
INPUT_NAMES = {"Turbo", "Blender"}


def live_folder(app: Flask) -> Path:
    folder = app.extensions["mediaops_settings"].storage_root / "live"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def submit_live(app: Flask, name: str = "周五晚场直播", source: str | None = None, **live: float) -> str:
    """A live job watching ``<storage>/live/rec.ts`` (or ``source``) with a metrics export beside it."""
    from workers.live import submit_live_job

    folder = live_folder(app)
    (folder / "rec.ts").touch()
    (folder / "metrics.csv").touch()
    return submit_live_job(app.extensions["mediaops_settings"], source or str(folder / "rec.ts"),
                           folder / "metrics.csv", options={"clips": 3}, live=dict(live), name=name, owner="op")


def engine(app: Flask):
    return state.engine_for(app.extensions["mediaops_settings"].database_url)


def job_of(app: Flask, job_id: str) -> dict:
    return state.get_job(engine(app), job_id)


_CLIP_VIDEO: dict[str, Path] = {}


def clip_video(folder: Path) -> Path:
    """A real 6 s MP4 (made once per test session and copied)."""
    if "clip" not in _CLIP_VIDEO:
        _CLIP_VIDEO["clip"] = colour_scenes(folder / "clip-source.mp4", [3.0, 3.0])
    return _CLIP_VIDEO["clip"]


def write_on_air(app: Flask, job_id: str, tmp: Path, clip_titles: tuple[str, ...] = ("保温杯上新",),
                 product_name: str = "Turbo Blender", written_s: float = 95.0) -> Path:
    """Mark the job running and write what a session on air has announced by then: a viewer curve (with a missing
    row and a walk-out), one clip per title, and one alert of each kind. Returns the job's output folder."""
    job = job_of(app, job_id)
    out = Path(job["out_dir"])
    (out / "clips").mkdir(parents=True, exist_ok=True)
    state.stage_started(engine(app), job_id, "live")
    log = EventLog(out / "live.jsonl")
    reasons = (viewers_rising(40.0, 2.1), scene_cut_before(39.0, 41.0))  # as the session words a clip's reasons
    log.append({"event": "start", "id": "start-1", "source": "rtmp://push.example/live/SECRET-KEY", "resumed": False})
    for n, title in enumerate(clip_titles, start=1):
        shutil.copy(clip_video(tmp), out / "clips" / f"clip-{n:02d}.mp4")
        log.append({"event": "clip", "id": f"clip-{n:02d}", "start_s": 10.0 + 30 * n, "end_s": 16.0 + 30 * n,
                    "score": 2.0, "file": f"clips/clip-{n:02d}.mp4", "cover": None, "title": title,
                    "reasons": list(describe_reasons(reasons, "en")), "reason_records": encode(reasons)})
    log.append({"event": "alert", "id": "dead_air-00040.0", "kind": "dead_air", "t_s": 40.0,
                "message": "no speech for 12 s since 0:00:40 and still silent", "key": "",
                "details": {"silent_s": 12.0, "ongoing": True}})
    log.append({"event": "alert", "id": "viewers_drop-00060.0", "kind": "viewers_drop", "t_s": 60.0,
                "message": "online viewers fell 40% in 60 s: 155 → 93 at 0:01:00", "key": "",
                "details": {"viewers_before": 155.0, "viewers_after": 93.0, "change_percent": -40.0,
                            "window_s": 60.0}})
    log.append({"event": "alert", "id": "unanswered_questions-size-00070.0", "kind": "unanswered_questions",
                "t_s": 70.0, "message": "4 size questions since 0:01:10, no answer for 62 s", "key": "size",
                "details": {"category": "size", "count": 4, "examples": ["what size?", "<b>尺码</b>"]}})
    log.append({"event": "alert", "id": "pitch_overrun-SKU1-00020.0", "kind": "pitch_overrun", "t_s": 20.0,
                "message": "over", "key": "SKU1",
                "details": {"sku": "SKU1", "name": product_name, "actual_s": 300.0, "planned_s": 180.0,
                            "over_s": 120.0}})
    log.append({"event": "warning", "id": "warning-1", "message": "metrics not usable yet (m.csv): no time column"})
    log.append({"event": "warning", "id": "warning-2", "message": "comments not usable yet (c.jsonl): bad line 3"})
    # the export as the session read it: a row every 5 s, one without a count, the walk-out at 60 s
    times = tuple(float(t) for t in range(0, int(written_s), 5))
    values = tuple(math.nan if t == 30 else (150.0 + t / 10 if t < 60 else 93.0) for t in times)
    metrics = Metrics((MetricSeries("online_viewers", times, values, 5.0, "level"),), 5.0)
    write_live_status(out, LiveStatus("on_air", written_s, written_s - 8, len(clip_titles), 4, viewer_curve(metrics),
                                      "2026-01-01T00:00:00+00:00"))
    return out


class RealTimeFeed:
    """A stream on air for a live job: ``ffmpeg -re`` copies :class:`tests.live_support.LiveStream`'s MPEG-TS into
    ``recording`` at the pace of its own timestamps (a real recorder writing a growing file), while a thread appends
    the metrics rows (and comments) as their intervals end, on the same clock."""

    def __init__(self, stream: LiveStream, recording: Path, metrics: Path, comments: Path | None = None) -> None:
        self.stream = stream
        self.recording = recording
        self.metrics = metrics
        self.comments = comments
        self.finished_at: float | None = None  # time.time() when ffmpeg had written the whole stream
        self.process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> RealTimeFeed:
        for path in (self.recording, self.metrics, self.comments):
            if path is not None:
                path.write_bytes(b"")
        self.process = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-i", str(self.stream.recording),
             "-map", "0", "-c", "copy", "-f", "mpegts", "-flush_packets", "1", "-y", str(self.recording)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._thread = threading.Thread(target=self._rows, name="live-feed", daemon=True)
        self._thread.start()
        return self

    def _rows(self) -> None:
        began = time.monotonic()
        rows = list(self.stream.metric_rows)
        comments = list(self.stream.comment_rows)
        while not self._stop.is_set():
            now_s = time.monotonic() - began
            due = [r for r in rows if r[0] + METRICS_INTERVAL_S <= now_s]
            if due:
                with self.metrics.open("a", encoding="utf-8") as handle:
                    handle.write("".join(line + "\n" for _, line in due))
                rows = rows[len(due):]
            said = [c for c in comments if c[0] <= now_s]
            if said and self.comments is not None:
                with self.comments.open("a", encoding="utf-8") as handle:
                    handle.write("".join(line + "\n" for _, line in said))
            comments = comments[len(said):]
            assert self.process is not None
            if self.finished_at is None and self.process.poll() is not None:
                self.finished_at = time.time()
            if self.finished_at is not None and not rows:
                return
            self._stop.wait(0.25)

    def wait(self, timeout_s: float) -> None:
        assert self.process is not None and self._thread is not None
        self.process.wait(timeout_s)
        self._thread.join(timeout_s)
        assert self.process.returncode == 0, self.process.stderr.read() if self.process.stderr else ""

    def stop(self) -> None:
        self._stop.set()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self._thread is not None:
            self._thread.join(10)
