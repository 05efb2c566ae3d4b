"""Benchmark of the Celery path: overhead vs ``mediaops process``, and throughput with 1 and 2 worker processes.

    python bench/workers_bench.py [--streams 3] [--model DIR] [--skip-throughput]

1. ``mediaops process`` on the sample stream (wall time of the command, with an empty transcript cache).
2. The same recording as one job through an embedded worker (SQLite broker, no server), started and ready
   beforehand: wall time from ``submit_job`` until the job has succeeded. A fresh storage root, so no stage
   is reused. The overhead target is ≤ 10 %.
3. A batch of N copies of the sample (re-muxed with a different title, so each has its own content key and is
   computed in full) through a Redis broker (a private ``redis-server``) with 1, then 2 ``mediaops worker``
   processes (concurrency 1 each): jobs per hour.

Prints one line per figure and a Markdown section to append to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mediaops.media.ffmpeg_tools import run_ffmpeg  # noqa: E402
from workers.config import Settings  # noqa: E402
from workers.embedded import start_embedded_worker  # noqa: E402
from workers.jobs import get_job, submit_job  # noqa: E402

SAMPLE = REPO / "sample_media"
FINAL = ("succeeded", "failed", "cancelled")


def default_model() -> str:
    out = subprocess.run(["bash", str(REPO.parent / "shared" / "tools" / "fetch_whisper_base.sh")],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def time_process(model: str, out: Path) -> float:
    # an empty transcript cache: the command line would otherwise reuse the transcript of an earlier run
    env = {**os.environ, "MEDIAOPS_CACHE": str(out.parent / "process-cache")}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "mediaops", "process", str(SAMPLE / "demo_stream.mp4"), "--metrics",
                    str(SAMPLE / "metrics.csv"), "--comments", str(SAMPLE / "comments.jsonl"), "--products",
                    str(SAMPLE / "products.csv"), "--out", str(out), "--model", model, "--quiet"], check=True, env=env)
    return time.monotonic() - started


def wait_jobs(settings: Settings, job_ids: list[str], timeout_s: float = 3600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        jobs = [get_job(settings, j) for j in job_ids]
        if all(j and j["status"] in FINAL for j in jobs):
            bad = [j for j in jobs if j["status"] != "succeeded"]
            if bad:
                raise SystemExit(f"job failed: {bad[0]['error']}")
            return
        time.sleep(0.25)
    raise SystemExit("jobs did not finish in time")


def submit_sample(settings: Settings, recording: Path) -> str:
    return submit_job(settings, recording, SAMPLE / "metrics.csv", SAMPLE / "comments.jsonl",
                      SAMPLE / "products.csv")


def time_embedded(model: str, root: Path) -> float:
    settings = Settings.from_env({}, storage_root=root / "embedded", model=model)
    worker = start_embedded_worker(settings, concurrency=2, wait_s=180)
    try:
        started = time.monotonic()
        wait_jobs(settings, [submit_sample(settings, SAMPLE / "demo_stream.mp4")])
        return time.monotonic() - started
    finally:
        worker.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copies(root: Path, n: int) -> list[Path]:
    folder = root / "streams"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"stream{i}.mp4"
        run_ffmpeg(["-y", "-i", str(SAMPLE / "demo_stream.mp4"), "-c", "copy", "-metadata", f"title=stream {i}",
                    str(path)], "copying the sample failed")
        paths.append(path)
    return paths


def time_batch(model: str, root: Path, streams: list[Path], processes: int) -> float:
    redis_dir = root / f"redis{processes}"
    redis_dir.mkdir()
    port = free_port()
    redis = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                              "127.0.0.1", "--dir", str(redis_dir), "--appendonly", "yes", "--save", ""],
                             stdout=subprocess.DEVNULL)
    settings = Settings(storage_root=root / f"cluster{processes}", broker_url=f"redis://127.0.0.1:{port}/0",
                        model=model)
    workers = []
    try:
        time.sleep(0.5)
        env = {**os.environ, **settings.to_env()}
        log = (root / f"workers{processes}.log").open("ab")
        for _ in range(processes):
            workers.append(subprocess.Popen([sys.executable, "-m", "mediaops", "worker", "--concurrency", "1"],
                                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO))
        deadline = time.monotonic() + 180
        while (root / f"workers{processes}.log").read_text().count(" ready.") < processes:
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start")
            time.sleep(0.2)
        started = time.monotonic()
        wait_jobs(settings, [submit_sample(settings, s) for s in streams])
        return time.monotonic() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(60)
        redis.terminate()
        redis.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=3, help="recordings in the throughput batch (default 3)")
    parser.add_argument("--model", help="Whisper model folder (default: the shared test model)")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    model = args.model or default_model()
    lines = []
    with tempfile.TemporaryDirectory(prefix="workers-bench-") as tmp:
        root = Path(tmp)
        process_s = time_process(model, root / "process-out")
        print(f"mediaops process, sample (240 s): {process_s:.1f} s", flush=True)
        celery_s = time_embedded(model, root)
        overhead = 100.0 * (celery_s - process_s) / process_s
        print(f"one job via embedded worker (concurrency 2): {celery_s:.1f} s ({overhead:+.1f} % vs process)",
              flush=True)
        lines += [f"| `mediaops process` on the sample (240 s) | {process_s:.1f} s |",
                  f"| same recording as a job, embedded worker (-c 2), submit → succeeded | {celery_s:.1f} s "
                  f"({overhead:+.1f} %) |"]
        if not args.skip_throughput:
            streams = copies(root, args.streams)
            for processes in (1, 2):
                batch_s = time_batch(model, root, streams, processes)
                per_hour = 3600.0 * len(streams) / batch_s
                print(f"{len(streams)} streams, {processes} worker process(es) (-c 1 each, Redis): {batch_s:.1f} s, "
                      f"{per_hour:.0f} jobs/h", flush=True)
                lines.append(f"| batch of {len(streams)} sample streams, {processes} worker process(es) (-c 1, "
                             f"Redis broker) | {batch_s:.1f} s = {per_hour:.0f} jobs/h |")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n## {stamp} — workers (bench/workers_bench.py)\n\nMachine: {os.cpu_count()} cores "
          f"({platform.machine()}), shared with other jobs — figures are noisy.\n\n| measurement | result |\n|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
