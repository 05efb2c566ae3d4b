"""``mediaops worker``, ``batch``, ``watch`` and ``jobs``: argument parsing and terminal output only.

Celery is imported inside the handlers, so ``mediaops --help`` stays fast and the library never imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from mediaops.errors import MediaOpsError


def _add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--storage", type=Path, help="storage root (default: $MEDIAOPS_STORAGE or ./storage)")
    parser.add_argument("--broker", help="broker URL (default: $MEDIAOPS_BROKER_URL or an SQLite file in storage)")
    parser.add_argument("--database", help="job database URL (default: $MEDIAOPS_DATABASE_URL or SQLite in storage)")


def _add_job_options(parser: argparse.ArgumentParser) -> None:
    from mediaops.render.options import ASPECTS, CUT_MODES

    parser.add_argument("--clips", type=int, metavar="N", help="clips per recording (default: 5)")
    parser.add_argument("--language", help="spoken language: auto, zh, en, … (default: auto)")
    parser.add_argument("--model", help="Whisper model: $MEDIAOPS_MODEL (the default, else 'base') or one of "
                                        "$MEDIAOPS_ALLOWED_MODELS, by name or folder name")
    parser.add_argument("--aspect", choices=ASPECTS, help="clip aspect (default: the source's)")
    parser.add_argument("--cut", choices=CUT_MODES, help="exact re-encodes; fast copies (default: exact)")


def _settings(args: argparse.Namespace) -> Any:
    from workers.config import Settings

    return Settings.from_env(storage_root=args.storage, broker_url=args.broker, database_url=args.database)


def _job_options(args: argparse.Namespace) -> dict[str, Any]:
    names = {"clips": "clips", "language": "language", "model": "model", "aspect": "aspect", "cut": "cut"}
    return {key: getattr(args, attr) for key, attr in names.items() if getattr(args, attr, None) is not None}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("worker", help="run a worker that processes queued jobs")
    _add_settings_arguments(p)
    p.add_argument("--concurrency", "-c", type=int, default=0,
                   help="tasks run at once (default: half the CPU cores, at least 1)")
    p.add_argument("--queues", "-Q", default="transcribe,render,default,live",
                   help="queues to consume, comma-separated (default: all: transcribe,render,default,live; a live "
                        "stream holds one task slot while it is on air)")
    p.add_argument("--loglevel", default="INFO", help="DEBUG, INFO, WARNING … (default: INFO)")
    # set by `mediaops serve` for its embedded worker: stop when that process is gone, however it ended
    p.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=handle_worker)

    p = subparsers.add_parser("batch", help="queue recordings (files or folders) with their side files")
    p.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                   help="recordings or folders; NAME.mp4 needs NAME.metrics.csv|xlsx|json beside it "
                        "(NAME.comments.jsonl|csv and NAME.products.csv are used when present)")
    _add_settings_arguments(p)
    _add_job_options(p)
    p.add_argument("--wait", action="store_true", help="wait until every job has ended, showing progress")
    p.set_defaults(handler=handle_batch)

    p = subparsers.add_parser("watch", help="queue each new recording of a folder once it has stopped growing")
    p.add_argument("folder", type=Path)
    _add_settings_arguments(p)
    _add_job_options(p)
    p.add_argument("--interval", type=float, default=5.0, metavar="SECONDS", help="poll interval (default: 5)")
    p.add_argument("--settle", type=float, default=30.0, metavar="SECONDS",
                   help="a recording is complete once unchanged for this long (default: 30)")
    p.set_defaults(handler=handle_watch)

    p = subparsers.add_parser("jobs", help="list jobs with their status and progress")
    _add_settings_arguments(p)
    p.add_argument("--limit", type=int, default=20, help="newest N jobs (default: 20)")
    p.add_argument("--json", action="store_true", help="print the jobs as JSON")
    p.set_defaults(handler=handle_jobs)


def handle_worker(args: argparse.Namespace) -> int:
    from workers.worker import run_worker

    concurrency = args.concurrency or max(1, (os.cpu_count() or 2) // 2)
    return run_worker(_settings(args), concurrency, args.queues, args.loglevel, parent_pid=args.parent_pid)


def _print_submissions(submissions: list[Any]) -> int:
    failed = 0
    for sub in submissions:
        if sub.job_id:
            print(f"{sub.job_id}  queued  {sub.recording}")
        else:
            failed += 1
            print(f"mediaops: {sub.recording.name}: {sub.error}", file=sys.stderr)
    return failed


def handle_batch(args: argparse.Namespace) -> int:
    from mediaops.inputs.sidecars import recordings_in
    from workers.batch import submit_recordings

    recordings = recordings_in(args.paths)
    if not recordings:
        raise MediaOpsError("no recordings found in " + ", ".join(map(str, args.paths)) + " — give .mp4/.mkv/… files")
    settings = _settings(args)
    submissions = submit_recordings(settings, recordings, _job_options(args))
    failed = _print_submissions(submissions)
    if args.wait:
        ok = _wait_for(settings, [s.job_id for s in submissions if s.job_id])
        return 0 if ok and not failed else 1
    return 2 if failed else 0


def _wait_for(settings: Any, job_ids: list[str]) -> bool:
    from workers.jobs import get_job

    last = ""
    while True:
        jobs = [get_job(settings, job_id) for job_id in job_ids]
        line = "  ".join(f"{j['name']} {j['status']} {j['progress']:.0f}%" for j in jobs if j)
        if line != last:
            print(line, file=sys.stderr)
            last = line
        if all(j is None or j["status"] in ("succeeded", "failed", "cancelled") for j in jobs):
            for j in jobs:
                if j and j["status"] != "succeeded":
                    print(f"mediaops: {j['name']}: {j['status']}: {j['error']}", file=sys.stderr)
            return all(j is not None and j["status"] == "succeeded" for j in jobs)
        time.sleep(1.0)


def handle_watch(args: argparse.Namespace) -> int:
    from workers.watch import watch_folder

    if not args.folder.is_dir():
        raise MediaOpsError(f"not a folder: {args.folder} — give the folder recordings are saved to")
    print(f"watching {args.folder} (every {args.interval:g} s; a recording is taken once unchanged for "
          f"{args.settle:g} s); Ctrl-C stops", file=sys.stderr)
    watch_folder(_settings(args), args.folder, _job_options(args), args.interval, args.settle,
                 on_submit=lambda s: _print_submissions([s]))
    return 0


def _current_stage(job: dict[str, Any]) -> str:
    running = [s for s in job["stages"] if s["status"] == "running"]
    if running:
        return ", ".join(f"{s['name']} {s['progress']:.0f}%" for s in running)
    failed = [s for s in job["stages"] if s["status"] in ("failed", "cancelled")]
    return failed[0]["name"] if failed else ""


def handle_jobs(args: argparse.Namespace) -> int:
    from workers.jobs import list_jobs

    jobs = list_jobs(_settings(args), args.limit)
    if args.json:
        print(json.dumps(jobs, ensure_ascii=False, indent=2))
        return 0
    if not jobs:
        print("no jobs yet — queue recordings with `mediaops batch PATH…`", file=sys.stderr)
        return 0
    print(f"{'ID':<10} {'NAME':<24} {'STATUS':<10} {'PROGRESS':>8}  {'STAGE':<22} {'CREATED':<19}  ERROR")
    for job in jobs:
        created = (job["created_at"] or "")[:19].replace("T", " ")
        print(f"{job['id'][:10]:<10} {job['name'][:24]:<24} {job['status']:<10} {job['progress']:>7.0f}%  "
              f"{_current_stage(job)[:22]:<22} {created:<19}  {job['error'] or ''}")
    return 0
