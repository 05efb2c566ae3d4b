"""A whole `mediaops process` job on a short 4K60 recording, against the same content at 720p30 (issue 20: "a 20 s
4K60 clip job ≤ 60 s").

The recordings are ``--seconds`` of the bundled sample from 15 s before its first product reveal (a hard cut), made
as a phone or OBS writes them (x264 ``veryfast``, a keyframe every 2 s) at 3840x2160 60 fps and at 1280x720 30 fps,
with the sidecars the tests use (metrics every 2 s whose comments, likes and orders jump after the reveal; the
sample's comments and products). 33 s is the default because a shorter excerpt has too few metrics rows to show a
peak, so no clip is chosen and the job measures nothing. Each job runs the CLI with its defaults (first clips, exact
clips with covers, reel, replay, reports) and the given Whisper model, in a child process: wall time, CPU seconds
and peak RSS of the child and its ffmpeg processes, and the size and frame rate of the clips it wrote.

Usage: python bench/uhd_job_bench.py --model /path/to/whisper-base-ct2 [--seconds 33] [--keep DIR] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mediaops.media.probe import probe  # noqa: E402
from tests.media import sample_recording  # noqa: E402

RESULTS = Path(__file__).with_name("recordings_results.md")
#: the sample's first reveal is at 35 s; the excerpt starts this much earlier.
LEAD_S = 15.0


def run_job(recording: Path, model: str, out: Path) -> dict[str, object]:
    """``mediaops process`` on ``recording`` with its sidecars; wall, CPU and peak RSS of the child tree."""
    stem = recording.with_suffix("")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mediaops", "process", str(recording),
         "--metrics", str(stem.with_name(f"{stem.name}.metrics.csv")),
         "--comments", str(stem.with_name(f"{stem.name}.comments.jsonl")),
         "--products", str(stem.with_name(f"{stem.name}.products.csv")),
         "--out", str(out), "--model", model, "--quiet"],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "MEDIAOPS_CACHE": str(out.parent / "cache")})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"mediaops process failed on {recording.name}: {done.stderr[-2000:]}")
    clips = json.loads((out / "timeline.json").read_text("utf-8"))["clips"]
    sizes = sorted({f"{c['width']}x{c['height']}" for c in clips})
    rates = sorted({float(probe(out / c["file"]).fps or 0) for c in clips})
    reel = out / "reel.mp4"
    reel_info = probe(reel) if reel.is_file() else None
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "peak_rss_mib": round(after.ru_maxrss / 1024),  # the largest single process of the tree
        "clips": len(clips),
        "clip_sizes": sizes,
        "clip_fps": rates,
        "reel": f"{reel_info.width}x{reel_info.height} {float(reel_info.fps or 0):.0f} fps" if reel_info else "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a faster-whisper model folder (Whisper base)")
    parser.add_argument("--seconds", type=float, default=33.0)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--write", action="store_true", help="append the results to bench/recordings_results.md")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="mediaops-uhd-job-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, object]] = {}
    for label, size, fps in (("4K60", "3840x2160", 60), ("720p30", "1280x720", 30)):
        folder = work / label
        folder.mkdir(exist_ok=True)
        recording = folder / f"{label}.mp4"
        if not recording.is_file():
            sample_recording(recording, 35.0 - LEAD_S, args.seconds, size=size, fps=fps, preset="veryfast")
        results[label] = run_job(recording, args.model, folder / "out")
        print(label, json.dumps(results[label]), flush=True)
    load = os.getloadavg()
    lines = [
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — a whole job on {args.seconds:.0f} s of 4K60 and of 720p30\n",
        f"{platform.node() or 'machine'}, {os.cpu_count()} cores, load {load[0]:.1f}/{load[1]:.1f} at the end\n",
        f"`python bench/uhd_job_bench.py --seconds {args.seconds:g}` (defaults: first clips, exact clips with covers,"
        " reel, replay, reports; Whisper base int8)\n",
        "| recording | wall s | CPU s | peak RSS MiB | clips | clip size | clip fps | reel |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in results.items():
        lines.append(f"| {label} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mib']} | {r['clips']} | "
                     f"{', '.join(r['clip_sizes'])} | {', '.join(f'{x:g}' for x in r['clip_fps'])} | {r['reel']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
