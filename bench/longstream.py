"""Deterministic long stream recordings for benchmarks, generated offline into a temp folder.

The bundled 4-minute demo stream (speech, product reveals with hard scene cuts) is re-encoded once to 720p30 and
looped with stream copy to the requested length, so a 1-hour or 3-hour recording takes seconds to build, not an
hour of encoding. Its metrics and comments are the demo's, tiled, with each loop's engagement scaled by a seeded
factor so the strongest moments are distinct and known.

Usage: ``python bench/longstream.py --hours 1 --out /tmp/bench-1h``
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from mediaops.media.ffmpeg_tools import run_ffmpeg

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_media"
LOOP_S = 240
SEED = 7


@dataclass(frozen=True)
class LongStream:
    recording: Path
    metrics: Path
    comments: Path
    products: Path
    duration_s: float
    loop_factors: tuple[float, ...]


def _base_720p(folder: Path) -> Path:
    base = folder / "base720p30.mp4"
    if not base.exists():
        run_ffmpeg(["-i", str(SAMPLE / "demo_stream.mp4"), "-vf", "scale=1280:720:flags=bicubic,fps=30",
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", "60", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "96k", "-ar", "44100", "-ac", "1", str(base)])
    return base


def _hms(t_s: int) -> str:
    return f"{t_s // 3600:02d}:{t_s // 60 % 60:02d}:{t_s % 60:02d}"


def build_long_stream(hours: float, folder: Path) -> LongStream:
    """Write a ``hours``-long 720p30 stream with matching metrics, comments and products into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    loops = max(1, round(hours * 3600 / LOOP_S))
    duration_s = loops * LOOP_S
    recording = folder / f"stream_{hours:g}h.mp4"
    if not recording.exists():
        run_ffmpeg(["-stream_loop", str(loops - 1), "-i", str(_base_720p(folder)), "-c", "copy",
                    "-t", str(duration_s), "-movflags", "+faststart", str(recording)])
    rng = random.Random(SEED)
    factors = tuple(round(rng.uniform(0.6, 1.6), 3) for _ in range(loops))
    with (SAMPLE / "metrics.csv").open(encoding="utf-8") as handle:
        base_rows = list(csv.DictReader(handle))
    metrics = folder / "metrics.csv"
    with metrics.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "online_viewers", "comments", "likes", "orders", "gmv"])
        for loop, factor in enumerate(factors):
            for row in base_rows:
                t = loop * LOOP_S + int(row["time"][:2]) * 3600 + int(row["time"][3:5]) * 60 + int(row["time"][6:8])
                writer.writerow([_hms(t), int(row["online_viewers"]) + 40 * loop % 200,
                                 round(int(row["comments"]) * factor), round(int(row["likes"]) * factor),
                                 round(int(row["orders"]) * factor), round(float(row["gmv"]) * factor, 2)])
    comments = folder / "comments.jsonl"
    base_comments = [json.loads(line) for line in (SAMPLE / "comments.jsonl").read_text("utf-8").splitlines() if line]
    with comments.open("w", encoding="utf-8") as handle:
        for loop, factor in enumerate(factors):
            keep = [c for i, c in enumerate(base_comments) if (i * 7919) % 100 < 100 * min(1.0, factor)]
            for c in keep:
                handle.write(json.dumps({**c, "t_s": round(c["t_s"] + loop * LOOP_S, 2)}, ensure_ascii=False) + "\n")
    products = folder / "products.csv"
    products.write_bytes((SAMPLE / "products.csv").read_bytes())
    return LongStream(recording, metrics, comments, products, float(duration_s), factors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stream = build_long_stream(args.hours, args.out)
    print(json.dumps({k: str(v) for k, v in stream.__dict__.items()}, indent=2))


if __name__ == "__main__":
    main()
