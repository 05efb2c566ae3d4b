"""Media made on the fly with ffmpeg's lavfi sources, so the answers are known by construction."""

from __future__ import annotations

from pathlib import Path

from mediaops.media.ffmpeg_tools import run_ffmpeg

COLOURS = ("red", "green", "blue", "yellow", "purple", "orange", "white", "cyan")


def colour_scenes(out: Path, scene_lengths_s: list[float], size: str = "320x180", fps: int = 25,
                  audio: bool = True, keyint_s: float = 1.0, keyframes_at_cuts: bool = True) -> Path:
    """A video whose scenes are solid colours of the given lengths (hard cuts at their sums), with a tone.

    A keyframe every ``keyint_s`` seconds; with ``keyframes_at_cuts=False`` the encoder adds none at the cuts,
    which then fall inside groups of pictures (as in many live-stream encodes)."""
    inputs: list[str] = []
    for index, length in enumerate(scene_lengths_s):
        inputs += ["-f", "lavfi", "-i", f"color=c={COLOURS[index % len(COLOURS)]}:s={size}:r={fps}:d={length}"]
    n = len(scene_lengths_s)
    maps = ["-map", "[v]"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={sum(scene_lengths_s)}"]
        maps += ["-map", f"{n}:a", "-c:a", "aac"]
    chain = "".join(f"[{i}:v]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]"
    run_ffmpeg([*inputs, "-filter_complex", chain, *maps, "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-g", str(round(fps * keyint_s)),
                *([] if keyframes_at_cuts else ["-sc_threshold", "0"]), str(out)])
    return out
