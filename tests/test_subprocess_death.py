"""ffmpeg children die with the process that started them (:mod:`mediaops.media.subprocs`).

Wrong implementations these tests reject:

* plain ``subprocess.run``/``Popen`` (no death signal): a ``mediaops render`` killed with SIGKILL mid-encode
  leaves its x264 encode running for many seconds (the render test);
* the death signal asked for in a child started by the calling thread: a child started by a short-lived thread
  (a thread pool's worker) is killed as soon as that thread ends (the thread test);
* a trampoline that leaves Python's ignored SIGPIPE in place for the program it execs (the signal test);
* a trampoline that reports a missing program only as an exit status instead of ``FileNotFoundError``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mediaops.media import subprocs
from mediaops.media.ffmpeg_tools import ffmpeg_exe, run_ffmpeg
from mediaops.media.probe import probe
from mediaops.serialize import write_json_atomic
from mediaops.timeline import write_timeline
from mediaops.types import Clip, Highlight, Segment, Timeline, Transcript

pytestmark = pytest.mark.skipif(not subprocs.dies_with_parent(), reason="the death signal is Linux-only")

REPO = Path(__file__).resolve().parents[1]


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state, parent pid)`` of ``pid`` from /proc, or ``None`` when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _encoders(parent: int) -> list[int]:
    """Running x264 encodes (ffmpeg) whose parent is ``parent`` (not a quick ``ffmpeg -version`` a library runs
    to check its binary)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if stat and stat[1] == parent and stat[0] not in "ZX" and b"libx264" in args and b"-i" in args:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in "ZX"


def _wait_for_exec(pid: int, name: str) -> None:
    """Wait until ``pid`` runs the program ``name`` (the trampoline has exec'd it)."""
    deadline = time.monotonic() + 10
    while not Path(f"/proc/{pid}/comm").read_text().startswith(name):
        assert time.monotonic() < deadline, f"{pid} never ran {name}"
        time.sleep(0.02)


def _processed(tmp_path: Path) -> Path:
    """An output folder as `mediaops process` leaves it: a noisy 4 s recording (x264 works hard on noise) and
    one highlight."""
    video = tmp_path / "stream.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=4,noise=alls=60:allf=t", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(video)])
    out = tmp_path / "out"
    (out / "clips").mkdir(parents=True)
    highlight = Highlight("h1", 0.0, 4.0, 0.9, 2.0, reasons=("comments peak",))
    write_timeline(Timeline(recording=probe(video), clips=(Clip("h1", 0.0, 4.0, 0.9, "clips/h1.mp4"),),
                            sales_spikes=(), scenes=(), highlights=(highlight,)), out / "timeline.json")
    write_json_atomic(out / "transcript.json", Transcript("zh", (Segment(0.5, 3.0, "限时优惠"),), 4.0))
    return out


def test_killed_render_leaves_no_ffmpeg_running(tmp_path: Path) -> None:
    out = _processed(tmp_path)
    # a 9:16 re-encode of noise with x264's slowest preset: many seconds of work for one ffmpeg
    render = subprocess.Popen(
        [sys.executable, "-m", "mediaops", "render", str(out), "--aspect", "9:16", "--width", "720", "--cut", "exact",
         "--preset", "veryslow", "--captions", "--no-covers", "--no-reel", "--no-replay", "--workers", "1", "--quiet"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    encoders: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while not encoders and render.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            encoders = _encoders(render.pid)
        assert encoders, f"no ffmpeg seen (exit {render.poll()}): {render.stderr.read() if render.stderr else ''}"
        time.sleep(0.5)  # well into the encode
        assert all(_alive(pid) for pid in encoders), "the encode ended before the kill: make it longer"
        render.send_signal(signal.SIGKILL)
        render.wait()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in encoders) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in encoders if _alive(pid)], "ffmpeg kept encoding after its parent was killed"
    finally:
        if render.poll() is None:
            render.kill()
            render.wait()
        for pid in encoders:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if render.stderr:
            render.stderr.close()


def test_child_started_by_a_short_lived_thread_outlives_the_thread() -> None:
    started: list[subprocess.Popen[bytes]] = []
    # one second of a 5 fps picture per second of wall time, for 30 s
    cmd = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "color=s=16x16:r=5:d=30",
           "-f", "null", "-"]

    def start_and_leave() -> None:
        started.append(subprocs.popen(cmd, stdin=subprocess.DEVNULL))
        _wait_for_exec(started[0].pid, "ffmpeg")  # its death signal is set: the thread's end would now fire it

    worker = threading.Thread(target=start_and_leave)
    worker.start()
    worker.join()
    child = started[0]
    try:
        time.sleep(1.5)
        assert child.poll() is None, "the child died with the thread that asked for it"
    finally:
        child.kill()
        child.wait()


def test_the_program_gets_default_signal_handling() -> None:
    child = subprocs.popen(["sleep", "5"], stdin=subprocess.DEVNULL)
    try:
        _wait_for_exec(child.pid, "sleep")
        status = Path(f"/proc/{child.pid}/status").read_text()
        ignored = int(status.split("SigIgn:")[1].split()[0], 16)
        assert not ignored & (1 << (signal.SIGPIPE - 1)), "SIGPIPE is still ignored after exec"
    finally:
        child.kill()
        child.wait()


def test_a_missing_program_raises_like_popen(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        subprocs.popen([str(tmp_path / "no-ffmpeg")])
    result = subprocs.run([ffmpeg_exe(), "-hide_banner", "-version"])
    assert result.returncode == 0 and result.stdout.startswith(b"ffmpeg version")
