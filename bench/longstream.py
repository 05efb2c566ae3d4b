"""Deterministic long stream recordings for benchmarks, generated offline into a temp folder.

The bundled 4-minute demo stream (speech, product reveals with hard scene cuts) is re-encoded once to 720p30 and
looped with stream copy to the requested length, so a 1-hour or 3-hour recording takes seconds to build, not an
hour of encoding. Its metrics and comments are the demo's, tiled, with each loop's engagement scaled by a seeded
factor so the strongest moments are distinct and known.

Speech: ``dense`` is the demo's own (the host talks all the time, 1.5–2.5 s between sentences: ~80% speech);
``sparse`` keeps one short pitch per scene (the sentences of its first 20 s) and puts room tone, background music
or silence in the rest of the scene (8–60 s), as a selling stream sounds while the camera shows the product:
~25% speech. Video, metrics and comments are the same in both.

Usage: ``python bench/longstream.py --hours 1 --out /tmp/bench-1h [--speech sparse]``
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mediaops.media.ffmpeg_tools import ffmpeg_exe, run_ffmpeg

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_media"
LOOP_S = 240
SEED = 7
SPEECH = ("dense", "sparse")
#: sparse speech: the sentences that end within this many seconds of their scene's start are its pitch.
PITCH_S = 20.0
_AUDIO_RATE_HZ = 44_100


@dataclass(frozen=True)
class LongStream:
    recording: Path
    metrics: Path
    comments: Path
    products: Path
    duration_s: float
    loop_factors: tuple[float, ...]
    speech: str = "dense"
    #: seconds of the recording in which the host speaks (the sentences of sample_media/truth.json kept)
    speech_s: float = 0.0


def _base_720p(folder: Path) -> Path:
    base = folder / "base720p30.mp4"
    if not base.exists():
        run_ffmpeg(["-i", str(SAMPLE / "demo_stream.mp4"), "-vf", "scale=1280:720:flags=bicubic,fps=30",
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", "60", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "96k", "-ar", "44100", "-ac", "1", str(base)])
    return base


def _gap_audio(kind: str, samples: int, rng: np.random.Generator) -> np.ndarray:
    """``samples`` of room tone (low broadband noise), background music (a chord every 2 s with a beat, well below
    the voice) or silence at 44.1 kHz."""
    t = np.arange(samples) / _AUDIO_RATE_HZ
    if kind == "room":
        noise = np.convolve(rng.normal(0.0, 1.0, samples), np.ones(8) / 8, mode="same")
        return 0.006 * noise * (1 + 0.3 * np.sin(t * 0.7))
    if kind == "music":
        chords = np.array([(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6)])
        which = (t // 2).astype(int) % len(chords)
        tone = sum(np.sin(2 * np.pi * np.cumsum(chords[which, v]) / _AUDIO_RATE_HZ) for v in range(3))
        return 0.03 * tone * (0.6 + 0.4 * (np.sin(2 * np.pi * 2.0 * t) > 0.7))
    return np.zeros(samples)


def pitches() -> list[tuple[float, float]]:
    """The sparse stream's speech in one loop: per scene, its sentences that end within ``PITCH_S`` of its start."""
    scenes = json.loads((SAMPLE / "truth.json").read_text("utf-8"))["scenes"]
    return [(line["start_s"], line["end_s"]) for scene in scenes for line in scene["lines"]
            if line["end_s"] <= scene["start_s"] + PITCH_S]


def _base_sparse(folder: Path) -> Path:
    """The 720p30 base with only one pitch per scene audible and room tone, music or silence between."""
    base = folder / "base720p30_sparse.mp4"
    if base.exists():
        return base
    dense = _base_720p(folder)
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(dense), "-map", "0:a:0", "-ac", "1", "-ar",
                          str(_AUDIO_RATE_HZ), "-f", "f32le", "-"], capture_output=True, check=True).stdout
    voice = np.frombuffer(raw, dtype=np.float32).astype(np.float64)
    keep = np.zeros(len(voice), dtype=bool)
    for start_s, end_s in pitches():  # each sentence with a little air around it
        keep[int((start_s - 0.3) * _AUDIO_RATE_HZ): int((end_s + 0.5) * _AUDIO_RATE_HZ)] = True
    audio = np.where(keep, voice, 0.0)
    rng = np.random.default_rng(SEED)
    edges = np.flatnonzero(np.diff(np.concatenate([[1], keep.astype(np.int8), [1]])))
    for number, (first, last) in enumerate(zip(edges[::2], edges[1::2], strict=True)):  # the gaps, in turn
        kind = ("room", "music", "silence")[number % 3]
        fade = np.minimum(1.0, np.minimum(np.arange(last - first), np.arange(last - first)[::-1]) / 2000)
        audio[first:last] = _gap_audio(kind, last - first, rng) * fade
    wav = folder / "sparse_audio.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_AUDIO_RATE_HZ)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    run_ffmpeg(["-i", str(dense), "-i", str(wav), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac",
                "-b:a", "96k", "-shortest", str(base)])
    return base


def _hms(t_s: int) -> str:
    return f"{t_s // 3600:02d}:{t_s // 60 % 60:02d}:{t_s % 60:02d}"


def build_long_stream(hours: float, folder: Path, speech: str = "dense") -> LongStream:
    """Write a ``hours``-long 720p30 stream with matching metrics, comments and products into ``folder``, with
    ``dense`` or ``sparse`` speech (see the module's docstring)."""
    if speech not in SPEECH:
        raise ValueError(f"speech must be one of {SPEECH}")
    folder.mkdir(parents=True, exist_ok=True)
    loops = max(1, round(hours * 3600 / LOOP_S))
    duration_s = loops * LOOP_S
    recording = folder / (f"stream_{hours:g}h.mp4" if speech == "dense" else f"stream_{hours:g}h_{speech}.mp4")
    if not recording.exists():
        base = _base_720p(folder) if speech == "dense" else _base_sparse(folder)
        run_ffmpeg(["-stream_loop", str(loops - 1), "-i", str(base), "-c", "copy",
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
    lines = (pitches() if speech == "sparse" else
             [(line["start_s"], line["end_s"])
              for scene in json.loads((SAMPLE / "truth.json").read_text("utf-8"))["scenes"] for line in scene["lines"]])
    speech_s = loops * sum(end_s - start_s for start_s, end_s in lines)
    return LongStream(recording, metrics, comments, products, float(duration_s), factors, speech, speech_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--speech", choices=SPEECH, default="dense")
    args = parser.parse_args()
    stream = build_long_stream(args.hours, args.out, args.speech)
    print(json.dumps({k: str(v) for k, v in stream.__dict__.items()}, indent=2))


if __name__ == "__main__":
    main()
