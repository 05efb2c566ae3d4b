"""Helpers for the workers' tests: short real streams cut from the sample, private services, job polling."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av

from mediaops.inputs.timeparse import parse_offset
from mediaops.media.ffmpeg_tools import run_ffmpeg
from tests.conftest import REPO, SAMPLE

FINAL = ("succeeded", "failed", "cancelled")


def cut_stream(folder: Path, name: str, start_s: float, duration_s: float) -> Path:
    """``folder/NAME.mp4`` = ``[start_s, start_s + duration_s)`` of the sample stream, with its metrics, comments
    and products beside it (sidecar naming), times rebased to the cut. Returns the recording's path."""
    folder.mkdir(parents=True, exist_ok=True)
    recording = folder / f"{name}.mp4"
    run_ffmpeg(["-y", "-ss", f"{start_s:.3f}", "-t", f"{duration_s:.3f}", "-i", str(SAMPLE / "demo_stream.mp4"),
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-b:a", "64k",
                "-movflags", "+faststart", str(recording)], "cutting the test stream failed")
    metrics = folder / f"{name}.metrics.csv"
    with (SAMPLE / "metrics.csv").open(newline="") as src, metrics.open("w", newline="") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        writer.writerow(next(reader))
        for row in reader:
            t_s = parse_offset(row[0])
            if start_s <= t_s < start_s + duration_s:
                writer.writerow([f"{t_s - start_s:.0f}", *row[1:]])
    with (SAMPLE / "comments.jsonl").open() as src, (folder / f"{name}.comments.jsonl").open("w") as dst:
        for line in src:
            record = json.loads(line)
            if start_s <= record["t_s"] < start_s + duration_s:
                record["t_s"] = round(record["t_s"] - start_s, 3)
                dst.write(json.dumps(record) + "\n")
    shutil.copyfile(SAMPLE / "products.csv", folder / f"{name}.products.csv")
    return recording


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private ``redis-server`` (append-only file on, as a broker should run) that a test may restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        assert exe, "redis-server is not installed (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--appendonly", "yes",
             "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes its append-only file and exits
            self.process.wait(10)

    def restart(self, down_s: float = 2.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1:5432 (user postgres), dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, text

    name = f"mediaops_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine("postgresql://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        from workers import state

        state.dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class WorkerProcess:
    """``mediaops worker`` as a child process in its own process group (so SIGKILL takes its pool too)."""

    def __init__(self, env: dict[str, str], log: Path, concurrency: int = 2) -> None:
        self.log = log
        with log.open("ab") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mediaops", "worker", "--concurrency", str(concurrency), "--loglevel", "INFO"],
                env={**os.environ, **env}, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def kill(self) -> None:
        os.killpg(self.process.pid, 9)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the worker lets running tasks finish, then its pool exits
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition: Callable[[], Any], timeout_s: float, what: str, interval_s: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def wait_for_jobs(get_job: Callable[[str], dict | None], job_ids: list[str], timeout_s: float,
                  log: Path | None = None) -> list[dict]:
    def ended() -> list[dict] | None:
        jobs = [get_job(j) for j in job_ids]
        return jobs if all(j and j["status"] in FINAL for j in jobs) else None

    try:
        return wait_until(ended, timeout_s, f"jobs {job_ids} to end", interval_s=0.5)
    except AssertionError:
        tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
        states = [(j["status"], [(s["name"], s["status"]) for s in j["stages"]]) for j in map(get_job, job_ids) if j]
        raise AssertionError(f"jobs did not end: {states}\nworker log tail:\n{tail}") from None


def check_outputs(job: dict) -> list[dict]:
    """Assert a succeeded job's folder is complete and its clips decode; returns the timeline's clips."""
    out = Path(job["out_dir"])
    doc = json.loads((out / "timeline.json").read_text())
    for name in ("report.html", "transcript.json", "transcript.srt"):
        assert (out / name).stat().st_size > 0, name
    clips = doc["clips"]
    files = sorted(p.name for p in (out / "clips").glob("*.mp4"))
    assert files == sorted(Path(c["file"]).name for c in clips), "clips on disk differ from the timeline's"
    assert len({c["id"] for c in clips}) == len(clips), "duplicate clip ids"
    for clip in clips:
        with av.open(str(out / clip["file"])) as container:
            assert container.streams.video and container.streams.audio
            frames = sum(1 for _ in container.decode(video=0))
            duration_s = container.duration / 1e6
        assert duration_s == __import__("pytest").approx(clip["end_s"] - clip["start_s"], abs=0.15), clip
        assert frames >= int((clip["end_s"] - clip["start_s"]) * 25) - 3, clip
    return clips
