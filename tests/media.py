"""Media made on the fly with ffmpeg's lavfi sources, so the answers are known by construction."""

from __future__ import annotations

from pathlib import Path

import numpy as np

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


# --- recordings as recorders and phones write them ----------------------------------------------------------------

#: the red band across the top of every :func:`sample_recording` picture, as a share of the upright height.
RED_TOP = 0.2
#: the black band across the bottom of it, where a white square moves :data:`MARKER_STEP_PX` to the right
#: every frame (wrapping round): each frame within a few seconds can be told from its neighbours.
MARKER_BAND = 0.1
MARKER_STEP_PX = 7


def sample_sidecars(recording: Path, start_s: float, duration_s: float, interval_s: int = 2) -> Path:
    """Metrics, comments and products for ``[start_s, start_s + duration_s)`` of the sample stream beside
    ``recording`` (sidecar naming), times rebased to the cut. Returns the metrics file.

    The metrics have a row every ``interval_s`` seconds (a short cut of the sample's 10 s rows would hold too
    few to show a peak): a steady audience, and comments, likes and orders that jump a few seconds after each
    product reveal of the sample that the cut holds."""
    import json
    import shutil

    from tests.conftest import SAMPLE

    stem = recording.with_suffix("")
    reveals = [r["t_s"] - start_s for r in json.loads((SAMPLE / "truth.json").read_text())["reveals"]]
    rows = ["time,online_viewers,comments,likes,orders,gmv"]
    for t in range(0, int(duration_s), interval_s):
        hot = any(2.0 <= t - r <= 8.0 for r in reveals)
        quiet = 3 + t // interval_s % 3
        comments, likes, orders = (40, 120, 4) if hot else (quiet, 2 * quiet, 0)
        rows.append(f"{t},{150 + t // 10},{comments},{likes},{orders},{orders * 39.0:.2f}")
    metrics = stem.with_name(f"{stem.name}.metrics.csv")
    metrics.write_text("\n".join(rows) + "\n", "utf-8")
    with (SAMPLE / "comments.jsonl").open() as src, stem.with_name(f"{stem.name}.comments.jsonl").open("w") as dst:
        for line in src:
            record = json.loads(line)
            if start_s <= record["t_s"] < start_s + duration_s:
                record["t_s"] = round(record["t_s"] - start_s, 3)
                dst.write(json.dumps(record) + "\n")
    shutil.copyfile(SAMPLE / "products.csv", stem.with_name(f"{stem.name}.products.csv"))
    return metrics


def sample_recording(out: Path, start_s: float, duration_s: float, size: str = "640x360", fps: int = 25,
                     keyint_s: float = 2.0, rotate_deg: int = 0, second_audio: bool = False,
                     preset: str = "ultrafast") -> Path:
    """``[start_s, start_s + duration_s)`` of the sample stream as a recorder or a phone writes it, with its
    sidecars (:func:`sample_sidecars`).

    The upright picture is ``size`` (the middle of the sample, scaled to fill it) with a red band over its top
    :data:`RED_TOP`, so an image's orientation can be read from its pixels, and a moving marker in a black band
    at its bottom (:func:`marker_x`), so a frame's place in time can be too. The container follows ``out``'s
    suffix: ``.ts`` (MPEG-TS: timestamps start at 1.4 s, as the muxer writes them), ``.flv``, ``.mkv``,
    ``.mp4``. Keyframes every ``keyint_s`` seconds and nowhere else (recorders use a fixed GOP). With
    ``rotate_deg`` (90 or 270) the frames are stored turned and a display matrix tells players to turn them
    back by ``rotate_deg`` clockwise, as phones record portrait video. ``second_audio`` adds a second audio
    track (a quiet 220 Hz tone: a commentary or music track).
    """
    from tests.conftest import SAMPLE

    width, height = (int(v) for v in size.split("x"))
    marker = max(8, height // 24) // 2 * 2
    band = f"drawbox=x=0:y=ih*{1 - MARKER_BAND}:w=iw:h=ih*{MARKER_BAND}:color=black:t=fill"
    upright = (f"[0:v]scale={width}:{height}:force_original_aspect_ratio=increase,"
               f"crop={width}:{height},setsar=1,fps={fps},"
               f"drawbox=x=0:y=0:w=iw:h=ih*{RED_TOP}:color=red:t=fill,{band}[base];"
               f"[base][1:v]overlay=x='mod(n*{MARKER_STEP_PX},W-w)':y=H*{1 - MARKER_BAND / 2}-h/2:shortest=1")
    # stored frames are the upright picture turned the other way; transpose=2 turns 90° anticlockwise
    turn = {0: "", 90: ",transpose=2", 180: ",hflip,vflip", 270: ",transpose=1"}[rotate_deg]
    args = ["-ss", f"{start_s:.3f}", "-t", f"{duration_s:.3f}", "-i", str(SAMPLE / "demo_stream.mp4"),
            "-f", "lavfi", "-i", f"color=c=white:s={marker}x{marker}:r={fps}"]
    maps = ["-map", "[v]", "-map", "0:a:0"]
    if second_audio:
        args += ["-f", "lavfi", "-t", f"{duration_s:.3f}", "-i", "sine=frequency=220:sample_rate=44100"]
        maps += ["-map", "2:a:0", "-filter:a:1", "volume=0.2"]
    audio_codec = ["-c:a", "aac", "-b:a", "64k"]
    video_codec = ["-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", "-g", str(round(fps * keyint_s)),
                   "-keyint_min", str(round(fps * keyint_s)), "-sc_threshold", "0"]
    stored = out.with_name(f".{out.stem}.stored{out.suffix}") if rotate_deg else out
    run_ffmpeg([*args, "-filter_complex", f"{upright}{turn}[v]", *maps, *video_codec, *audio_codec,
                "-t", f"{duration_s:.3f}", str(stored)], "making the test recording failed")
    if rotate_deg:
        # the display matrix counts anticlockwise
        run_ffmpeg(["-display_rotation:v:0", str(-rotate_deg), "-i", str(stored), "-map", "0", "-c", "copy",
                    str(out)], "tagging the test recording's rotation failed")
        stored.unlink()
    sample_sidecars(out, start_s, duration_s)
    return out


def marker_x(upright_bgr: np.ndarray) -> float | None:
    """Where the moving marker of a :func:`sample_recording` picture is (its centre, as a share of the width),
    read from an upright BGR image; ``None`` where the band shows no marker."""
    height = upright_bgr.shape[0]
    band = upright_bgr[round(height * (1 - MARKER_BAND * 0.7)):round(height * (1 - MARKER_BAND * 0.3))]
    columns = np.flatnonzero(band.mean(axis=(0, 2)) > 128)
    return None if columns.size == 0 else float(columns.mean() + 0.5) / upright_bgr.shape[1]
