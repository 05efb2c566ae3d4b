"""4K60 recordings: what each heavy step costs per second of video, against the same content at 720p30.

The recordings are made deterministically from the bundled sample stream (its first product reveal, a hard cut,
falls 2 s in): ``--seconds`` of it scaled to 3840x2160 at 60 fps and to 1280x720 at 30 fps, x264 ``veryfast``
(High profile with B-frames, like a phone or OBS recording), a keyframe every 2 s, in a temporary folder.

For each: a bare ffmpeg decode of the video (the floor for anything that looks at every frame), the scene pass of
the default mode (keyframes first, then frame by frame between differing keyframes), a full frame-by-frame scene
pass, one exact clip from the cut to the end with its cover, and the highlight reel of that clip (with its title
card). The last column divides by pixels per second of video: equal figures mean a cost proportional to pixels.

Only APIs that existed before the 4K work are used, so the same script measures an older tree:
``PYTHONPATH=/path/to/old/tree python bench/recordings_bench.py``.

Usage: python bench/recordings_bench.py [--seconds 6] [--keep DIR] [--write] [--label TEXT]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from mediaops.analysis.scenes import SceneOptions, detect_scenes
from mediaops.analysis.scenes_keyframes import detect_scenes_by_keyframes
from mediaops.media.ffmpeg_tools import ffmpeg_exe, run_ffmpeg
from mediaops.media.probe import probe
from mediaops.render.clips import ClipJob, render_clip
from mediaops.render.options import RenderOptions
from mediaops.render.reel import ReelPart, render_reel

SAMPLE = Path(__file__).resolve().parents[1] / "sample_media" / "demo_stream.mp4"
#: the sample's first reveal (a hard cut) is at 35 s; the excerpt starts this much earlier.
LEAD_S = 2.0
RESULTS = Path(__file__).with_name("recordings_results.md")


def make_recording(out: Path, seconds: float, size: str, fps: int) -> Path:
    """``seconds`` of the sample from 2 s before its first cut, at ``size`` and ``fps``."""
    width, height = size.split("x")
    run_ffmpeg(["-ss", f"{35.0 - LEAD_S:.3f}", "-t", f"{seconds:.3f}", "-i", str(SAMPLE),
                "-vf", f"scale={width}:{height},fps={fps}", "-c:v", "libx264", "-preset", "veryfast",
                "-g", str(2 * fps), "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", str(out)],
               "making the bench recording failed")
    return out


def timed(what: str, action) -> float:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    print(f"  {what}: {elapsed:.1f} s", flush=True)
    return elapsed


def measure(recording: Path, work: Path) -> dict[str, float]:
    info = probe(recording)
    print(f"{recording.name}: {info.width}x{info.height} {float(info.fps or 0):.0f} fps {info.duration_s:.1f} s")
    options = RenderOptions()
    figures = {
        "ffmpeg decode": timed("ffmpeg decode", lambda: run_ffmpeg(["-i", str(recording), "-map", "0:v:0",
                                                                    "-f", "null", "-"])),
        "scenes (default: keyframes first)": timed(
            "scenes, keyframes first", lambda: detect_scenes_by_keyframes(recording, SceneOptions(), info.duration_s)),
        "scenes (every frame)": timed("scenes, every frame", lambda: detect_scenes(recording, SceneOptions())),
        "clip + cover (exact)": timed("clip + cover", lambda: render_clip(
            recording, info, ClipJob("clip", LEAD_S, info.duration_s), None, work / "clips", options)),
        "reel (title card + clip)": timed("reel", lambda: render_reel(
            recording, info, [ReelPart(LEAD_S, info.duration_s, "reveal")], work / "reel.mp4", options)),
    }
    reel = probe(work / "reel.mp4")
    print(f"  reel: {reel.width}x{reel.height} {float(reel.fps or 0):.0f} fps")
    figures["_mpx_per_s"] = (info.width or 0) * (info.height or 0) * float(info.fps or 0) / 1e6
    figures["_seconds"] = info.duration_s
    return figures


def table(results: dict[str, dict[str, float]]) -> str:
    names = list(results)
    steps = [k for k in results[names[0]] if not k.startswith("_")]
    head = "| step | " + " | ".join(f"{n} (s per s of video)" for n in names) + " | 4K60 / 720p30 |"
    rows = [head, "|" + "---|" * (len(names) + 2)]
    for step in steps:
        per_s = [results[n][step] / results[n]["_seconds"] for n in names]
        ratio = per_s[0] / per_s[-1] if per_s[-1] else float("nan")
        rows.append(f"| {step} | " + " | ".join(f"{v:.2f}" for v in per_s) + f" | {ratio:.1f}x |")
    pixels = results[names[0]]["_mpx_per_s"] / results[names[-1]]["_mpx_per_s"]
    rows.append("| pixels per second of video | " + " | ".join(
        f"{results[n]['_mpx_per_s']:.0f} Mpx" for n in names) + f" | {pixels:.1f}x |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each recording (default 6)")
    parser.add_argument("--keep", type=Path, help="make the recordings here and keep them (default: temp folder)")
    parser.add_argument("--write", action="store_true", help=f"append the results to {RESULTS.name}")
    parser.add_argument("--label", default="", help="what is measured (e.g. 'before: commit ef16ce7')")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="recordings-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float]] = {}
    for label, size, fps in (("4K60", "3840x2160", 60), ("720p30", "1280x720", 30)):
        recording = folder / f"{label}_{args.seconds:g}s.mp4"
        if not recording.is_file():
            make_recording(recording, args.seconds, size, fps)
        work = folder / f"work-{label}"
        work.mkdir(exist_ok=True)
        results[label] = measure(recording, work)
    text = table(results)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent, check=False).stdout.strip()
    import mediaops

    label = args.label or f"mediaops from {Path(mediaops.__file__).parent.parent}"
    section = (f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {args.seconds:g} s recordings, {label}\n\n"
               f"{platform.node()}, {os.cpu_count()} cores, load {load[0]:.1f}/{load[1]:.1f}, commit {commit}, "
               f"ffmpeg {Path(ffmpeg_exe()).name}\n\n"
               f"`python bench/recordings_bench.py --seconds {args.seconds:g}`\n\n{text}\n")
    print(section)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(section)


if __name__ == "__main__":
    main()
