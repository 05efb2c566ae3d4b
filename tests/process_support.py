"""Helpers for the shutdown and cancellation tests: processes read from /proc, and a long real recording."""

from __future__ import annotations

import os
import time
from pathlib import Path

from mediaops.media.ffmpeg_tools import run_ffmpeg
from tests.conftest import SAMPLE

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[0] != "Z" and int(fields[2]) == pgid:
                found.append(int(entry.name))
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[0] != "Z" and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by ``pids`` (those still there)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS_PER_S


def cpu_use(pgid: int, window_s: float = 2.0) -> float:
    """Cores' worth of CPU the processes of group ``pgid`` use over ``window_s`` seconds (1.0 = one busy core)."""
    members = group_members(pgid)
    before = cpu_seconds(members)
    time.sleep(window_s)
    return (cpu_seconds(members) - before) / window_s


def long_stream(folder: Path, repeats: int = 2) -> tuple[Path, Path]:
    """``repeats`` copies of the sample stream back to back (real speech, 240 s each), with its metrics export
    extended to the whole length; returns ``(recording, metrics)``."""
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / "parts.txt"
    listing.write_text("".join(f"file '{SAMPLE / 'demo_stream.mp4'}'\n" for _ in range(repeats)))
    recording = folder / "long_stream.mp4"
    run_ffmpeg(["-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(recording)],
               "joining the sample stream failed")
    lines = (SAMPLE / "metrics.csv").read_text().splitlines()
    rows = [lines[0]]
    for part in range(repeats):
        for line in lines[1:]:
            clock, rest = line.split(",", 1)
            h, m, s = (int(x) for x in clock.split(":"))
            t_s = h * 3600 + m * 60 + s + part * 240
            rows.append(f"{t_s // 3600:02d}:{t_s // 60 % 60:02d}:{t_s % 60:02d},{rest}")
    metrics = folder / "long_stream.metrics.csv"
    metrics.write_text("\n".join(rows) + "\n")
    return recording, metrics
