"""Transcription benchmark: our ``transcribe`` vs faster-whisper called directly, and memory vs length.

Builds English speech recordings of 10 and 60 minutes offline from ``../shared/testdata/speech`` (the clips with
1.5 s pauses between them, looped, AAC in M4A) and runs, each in a fresh subprocess so that peak memory is its
own (``ru_maxrss`` from ``os.wait4``):

- ``direct``: ``WhisperModel(...).transcribe(decode_audio(file))`` with the settings our defaults use (base,
  int8, CPU, beam 1, VAD, word timestamps, language detected), consuming every segment;
- ``ours``: ``mediaops.transcribe.transcribe`` (windows cut at pauses, stereo check, language once, tidying).

Model loading is outside the timed part in both. Real-time factor = processing seconds / audio seconds.
The machine is shared: run the pair more than once (``--rounds``) and read the figures with that caveat.

Usage: ``python bench/transcribe_bench.py [--model FOLDER] [--minutes 10 60] [--rounds 1] [--write]``
(``--write`` appends a dated section to bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("MEDIAOPS_TESTDATA", REPO.parent / "shared" / "testdata"))
CLIPS = ("jfk.flac", "librispeech-1995-1837-0001.wav", "hotwords.mp3")
PAUSE_S = 1.5


def default_model() -> str:
    explicit = os.environ.get("MEDIAOPS_TEST_MODEL")
    if explicit:
        return explicit
    tool = TESTDATA.parent / "tools" / "fetch_whisper_base.sh"
    return subprocess.run(["bash", str(tool)], capture_output=True, text=True, check=True).stdout.split()[-1]


def build_recording(folder: Path, minutes: float) -> Path:
    """``folder/speech-<minutes>min.m4a``: the speech clips with pauses, looped to ``minutes``."""
    from mediaops.media.audio import SAMPLE_RATE_HZ, read_audio
    from mediaops.media.ffmpeg_tools import run_ffmpeg

    unit = folder / "unit.wav"
    if not unit.exists():
        pause = np.zeros(int(PAUSE_S * SAMPLE_RATE_HZ), dtype=np.float32)
        parts = [p for clip in CLIPS for p in (read_audio(TESTDATA / "speech" / clip), pause)]
        pcm = (np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2")
        with wave.open(str(unit), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(SAMPLE_RATE_HZ)
            handle.writeframes(pcm.tobytes())
    out = folder / f"speech-{minutes:g}min.m4a"
    if not out.exists():
        run_ffmpeg(["-stream_loop", "-1", "-i", str(unit), "-t", str(minutes * 60), "-c:a", "aac", "-b:a", "64k",
                    str(out)])
    return out


def child(kind: str, recording: Path, model: str) -> None:
    """Run one transcription in this process and print its figures as JSON."""
    from mediaops.media.probe import probe

    audio_s = probe(recording).duration_s
    if kind == "direct":
        from faster_whisper import WhisperModel
        from faster_whisper.audio import decode_audio

        whisper = WhisperModel(model, device="cpu", compute_type="int8")
        started = time.perf_counter()
        segments, _info = whisper.transcribe(decode_audio(str(recording)), beam_size=1, word_timestamps=True,
                                             vad_filter=True, condition_on_previous_text=False)
        words = sum(len(s.words or ()) for s in segments)
    else:
        from mediaops.transcribe import TranscribeOptions, transcribe
        from mediaops.transcribe.engine import open_engine

        options = TranscribeOptions(model=model)
        open_engine(options)
        started = time.perf_counter()
        transcript = transcribe(recording, options, audio_s)
        words = sum(len(s.words) for s in transcript.segments)
    seconds = time.perf_counter() - started
    print(json.dumps({"kind": kind, "audio_s": audio_s, "seconds": seconds, "words": words}))


def run_child(kind: str, recording: Path, model: str) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, str(recording), "--model", model],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} on {recording.name} failed (exit {proc.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mib"] = usage.ru_maxrss / 1024
    result["rtf"] = result["seconds"] / result["audio_s"]
    print(f"{kind:6s} {recording.name:18s} {result['seconds']:7.1f} s  RTF {result['rtf']:.3f}  "
          f"peak RSS {result['peak_rss_mib']:.0f} MiB  {result['words']} words", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="faster-whisper model folder (default: the test model)")
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 60])
    parser.add_argument("--rounds", type=int, default=1, help="direct/ours pairs on the first length")
    parser.add_argument("--write", action="store_true", help="append a section to bench/RESULTS.md")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = args.model or default_model()
    if args.child:
        child(args.child[0], Path(args.child[1]), model)
        return
    with tempfile.TemporaryDirectory(prefix="mediaops-bench-") as tmp:
        folder = Path(tmp)
        recordings = {m: build_recording(folder, m) for m in args.minutes}
        first = args.minutes[0]
        pairs = []
        for _ in range(args.rounds):
            pairs.append((run_child("direct", recordings[first], model), run_child("ours", recordings[first], model)))
        longer = {m: run_child("ours", recordings[m], model) for m in args.minutes[1:]}
    direct_s = min(d["seconds"] for d, _o in pairs)
    ours_s = min(o["seconds"] for _d, o in pairs)
    overhead = ours_s / direct_s - 1
    lines = [
        f"## transcribe_bench — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end (shared machine: timings are noisy)",
        "",
        f"`python bench/transcribe_bench.py --minutes {' '.join(f'{m:g}' for m in args.minutes)} "
        f"--rounds {args.rounds}{' --write' if args.write else ''}` — Whisper base, int8, CPU, beam 1, VAD, "
        "word timestamps; English speech with pauses (testdata clips looped), AAC.",
        "",
        "| run | audio | processing | RTF | peak RSS |",
        "|---|---|---|---|---|",
    ]
    for direct, ours in pairs:
        for r in (direct, ours):
            lines.append(f"| {r['kind']} | {r['audio_s'] / 60:.0f} min | {r['seconds']:.1f} s | {r['rtf']:.3f} | "
                         f"{r['peak_rss_mib']:.0f} MiB |")
    for r in longer.values():
        lines.append(f"| ours | {r['audio_s'] / 60:.0f} min | {r['seconds']:.1f} s | {r['rtf']:.3f} | "
                     f"{r['peak_rss_mib']:.0f} MiB |")
    lines.append("")
    lines.append(f"Our overhead vs direct faster-whisper (best of {args.rounds}): {overhead:+.1%} (target ≤ +10%).")
    if longer:
        base_peak = pairs[-1][1]["peak_rss_mib"]
        for m, r in longer.items():
            lines.append(f"Peak memory {m:g} min / {first:g} min: {r['peak_rss_mib'] / base_peak:.2f}× "
                         "(target ≤ 1.3×).")
    section = "\n".join(lines) + "\n"
    print("\n" + section)
    if args.write:
        results = REPO / "bench" / "RESULTS.md"
        existing = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
        results.write_text(existing.rstrip("\n") + "\n\n" + section, encoding="utf-8")


if __name__ == "__main__":
    main()
