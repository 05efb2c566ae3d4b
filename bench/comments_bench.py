"""What a big comment log costs: the whole job on the sample stream with its 379 comments and with ~100 000.

    python bench/comments_bench.py --model /path/to/whisper-base-ct2 [--comments 100000] [--repeats 2]

The big log is the sample's own comments repeated with a little jitter in time and varied users and texts, so
the comment *rate* keeps its shape (the same peaks, the same clips) and only the amount of data grows. The
full transcript is cached after a warm-up run, so both runs do the same recognition work; the difference is
what the comments cost (parsing, the comment signal, storing and re-reading the stage data, the audience
insights and the reports). Prints both wall times, their difference and the peak RSS of each run (in a child
process each, so one run's memory does not hide the other's).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_media"


def write_big_log(target: Path, count: int, seed: int = 7) -> int:
    """The sample's comments tiled to about ``count`` lines (same rate shape); returns the number written."""
    rng = random.Random(seed)
    base = [json.loads(line) for line in (SAMPLE / "comments.jsonl").read_text("utf-8").splitlines() if line]
    copies = max(1, round(count / len(base)))
    written = 0
    with target.open("w", encoding="utf-8") as handle:
        for k in range(copies):
            for item in base:
                t_s = max(0.0, item["t_s"] + rng.uniform(-0.5, 0.5))
                text = item["text"] if k == 0 else f"{item['text']}{'!' * (k % 3)}"
                handle.write(json.dumps({"t_s": round(t_s, 2), "user": f"{item['user']}_{k}", "text": text},
                                        ensure_ascii=False) + "\n")
                written += 1
    return written


def run_once(model: str, comments: Path, cache: Path, out: Path) -> dict[str, float]:
    """One whole job in a child process; its wall time and peak RSS."""
    code = f"""
import json, resource, sys, time
from pathlib import Path
from dataclasses import replace
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs, run_pipeline
from mediaops.transcribe.options import TranscribeOptions
sample = Path({str(SAMPLE)!r})
options = ProcessOptions(transcribe=TranscribeOptions(model={model!r}, cache_dir=Path({str(cache)!r})))
inputs = StreamInputs(sample / "metrics.csv", Path({str(comments)!r}), sample / "products.csv")
started = time.perf_counter()
timeline = run_pipeline(sample / "demo_stream.mp4", inputs, Path({str(out)!r}), options)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall_s": wall, "peak_rss_mib": peak, "clips": [round(c.start_s, 1) for c in timeline.clips]}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a faster-whisper model folder (Whisper base)")
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2, help="runs of each kind; the best is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="comments-bench-") as scratch:
        root = Path(scratch)
        big = root / "big_comments.jsonl"
        count = write_big_log(big, args.comments)
        cache = root / "cache"
        small = SAMPLE / "comments.jsonl"
        run_once(args.model, small, cache, root / "warmup")  # fills the transcript cache
        results: dict[str, list[dict[str, float]]] = {"small": [], "big": []}
        for i in range(args.repeats):
            for kind, log in (("small", small), ("big", big)):
                results[kind].append(run_once(args.model, log, cache, root / f"{kind}-{i}"))
        best = {kind: min(runs, key=lambda r: r["wall_s"]) for kind, runs in results.items()}
        print(f"comments: 379 vs {count}")
        for kind in ("small", "big"):
            r = best[kind]
            print(f"{kind:5s}: wall {r['wall_s']:.1f} s, peak RSS {r['peak_rss_mib']:.0f} MiB, clips {r['clips']}")
        print(f"the big log adds {best['big']['wall_s'] - best['small']['wall_s']:.1f} s "
              f"(target ≤ 5 s), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
