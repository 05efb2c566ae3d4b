"""Scene-detection speed: PySceneDetect (OpenCV backend, auto-downscale) against a bare ffmpeg decode of the
same file, and windowed detection (only the spans around candidate peaks) against a full pass.

The recording is made deterministically with ffmpeg's lavfi sources: a 1280x720 30 fps test pattern with
noise whose hue jumps every 45 s (hard cuts), encoded with libx264 ``ultrafast`` into a temporary folder.

Usage: python bench/scenes_bench.py [--minutes 60] [--peaks-per-hour 10] [--keep DIR]
Prints one line per measurement and a Markdown section to append to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from mediaops.analysis.highlights import HighlightOptions, scene_windows
from mediaops.analysis.scenes import SceneOptions, detect_scenes, detect_scenes_in_windows
from mediaops.analysis.scenes_keyframes import detect_scenes_by_keyframes
from mediaops.media.ffmpeg_tools import ffmpeg_exe, run_ffmpeg
from mediaops.media.probe import probe
from mediaops.types import Peak

CUT_EVERY_S = 45


def make_recording(out: Path, minutes: float) -> Path:
    """A 720p30 recording of ``minutes`` with a hard cut every ``CUT_EVERY_S`` seconds."""
    seconds = round(minutes * 60)
    video = (
        f"testsrc2=size=1280x720:rate=30:duration={seconds},"
        f"hue=h='137*floor(t/{CUT_EVERY_S})':s=1,noise=alls=6:allf=t"
    )
    run_ffmpeg(["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-g", "60", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", str(out)])
    return out


def ffmpeg_decode_fps(path: Path, frames: int) -> float:
    """Frames per second of a bare ffmpeg decode (video only, discarded): the limit for any detector."""
    started = time.perf_counter()
    run_ffmpeg(["-i", str(path), "-map", "0:v:0", "-f", "null", "-"])
    return frames / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="recording length (default 60)")
    parser.add_argument("--peaks-per-hour", type=float, default=10.0,
                        help="candidate engagement peaks whose windows are analysed (default 10 per hour)")
    parser.add_argument("--keep", type=Path, help="generate the recording here and keep it (default: temp folder)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="scenes-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    recording = folder / f"bench_720p30_{args.minutes:g}min.mp4"
    started = time.perf_counter()
    if not recording.is_file():
        make_recording(recording, args.minutes)
    made_s = time.perf_counter() - started
    info = probe(recording)
    frames = round(info.duration_s * float(info.fps or 30))
    print(f"recording: {recording} {info.width}x{info.height} {float(info.fps or 0):.0f} fps "
          f"{info.duration_s:.0f} s, {frames} frames, made in {made_s:.0f} s")

    decode_fps = ffmpeg_decode_fps(recording, frames)
    print(f"ffmpeg decode: {decode_fps:.0f} fps")

    options = SceneOptions()
    started = time.perf_counter()
    full = detect_scenes(recording, options)
    full_s = time.perf_counter() - started
    full_fps = frames / full_s
    full_cuts = [s.start_s for s in full[1:]]
    print(f"full pass: {full_s:.1f} s, {full_fps:.0f} fps ({full_fps / decode_fps:.0%} of ffmpeg decode), "
          f"{len(full_cuts)} cuts")

    started = time.perf_counter()
    by_keyframes = detect_scenes_by_keyframes(recording, options, info.duration_s)
    keyframes_s = time.perf_counter() - started
    keyframe_cuts = [s.start_s for s in by_keyframes[1:]]
    same_as_full = len(keyframe_cuts) == len(full_cuts) and all(
        abs(c - e) < 0.05 for c, e in zip(keyframe_cuts, full_cuts, strict=True))
    print(f"keyframes first: {keyframes_s:.1f} s, ×{full_s / keyframes_s:.1f} faster than the full pass; "
          f"same cuts: {same_as_full}")

    count = max(1, round(args.peaks_per_hour * info.duration_s / 3600))
    spacing = info.duration_s / count
    # candidate peaks: an audience reaction 20 s after every few cuts, as the engagement scorer would report
    peaks = [Peak(t_s=(k + 0.5) * spacing + 25, score=5.0, onset_s=(k + 0.5) * spacing + 20, onset_precision_s=1.0)
             for k in range(count)]
    windows = scene_windows(peaks, info.duration_s, HighlightOptions())
    covered = sum(b - a for a, b in windows)
    started = time.perf_counter()
    windowed = detect_scenes_in_windows(recording, windows, options)
    windowed_s = time.perf_counter() - started
    cuts = [s.start_s for s in windowed]
    expected = [c for c in full_cuts if any(a < c < b for a, b in windows)]
    agree = len(cuts) == len(expected) and all(abs(c - e) < 0.05 for c, e in zip(cuts, expected, strict=True))
    print(f"windowed: {len(windows)} windows, {covered:.0f} s of {info.duration_s:.0f} s, {windowed_s:.1f} s, "
          f"speed-up ×{full_s / windowed_s:.1f}; same cuts in windows as the full pass: {agree}")

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"## Scene detection — {stamp}")
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores (shared; timings are noisy). Command: "
          f"`python bench/scenes_bench.py --minutes {args.minutes:g}`. Recording: lavfi testsrc2 + noise, "
          f"{info.width}x{info.height} {float(info.fps or 0):.0f} fps, {info.duration_s / 60:.0f} min, "
          f"libx264 ultrafast, a cut every {CUT_EVERY_S} s. ffmpeg: {ffmpeg_exe()}.")
    print()
    print("| measurement | result |")
    print("|---|---|")
    print(f"| bare ffmpeg decode (the limit) | {decode_fps:.0f} fps |")
    print(f"| PySceneDetect full pass (OpenCV, auto-downscale) | {full_fps:.0f} fps = "
          f"{full_fps / decode_fps:.0%} of the limit, {full_s:.0f} s, {len(full_cuts)} cuts |")
    print(f"| keyframes first (the default) | {keyframes_s:.0f} s, ×{full_s / keyframes_s:.1f} faster than the full "
          f"pass; cuts identical: {same_as_full} |")
    print(f"| windowed ({len(windows)} windows, {covered:.0f} s of {info.duration_s:.0f} s) | {windowed_s:.0f} s, "
          f"×{full_s / windowed_s:.1f} faster than the full pass; cuts identical: {agree} |")


if __name__ == "__main__":
    main()
