"""What live mode watches: a recording a recorder is still writing, or a stream URL recorded to such a file.

A URL (rtmp://, HTTP-FLV, an HLS ``.m3u8``, srt:// … anything ffmpeg reads) is copied without re-encoding into
MPEG-TS by an ffmpeg run in the background; from then on it is a growing file like any other. MPEG-TS is what
the recorder writes because it is the one container that is readable at every moment of its writing and that
can be appended to after a restart (its packets carry their own timestamps; nothing at its start or end is
rewritten).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Protocol

import av

from mediaops.errors import InputFileError, ToolNotFoundError
from mediaops.media import subprocs
from mediaops.media.ffmpeg_tools import ffmpeg_exe
from mediaops.media.stability import GrowthTracker

#: schemes that make SOURCE a stream to record rather than a file to watch.
URL_SCHEMES = ("rtmp", "rtmps", "rtmpt", "rtsp", "rtsps", "http", "https", "srt", "udp", "tcp", "rist", "hls")


def is_url(source: str) -> bool:
    """Whether ``source`` names a stream (``scheme://…``) rather than a file."""
    scheme, sep, _ = source.partition("://")
    return bool(sep) and scheme.lower() in URL_SCHEMES


def recorded_duration_s(path: Path) -> float:
    """How many seconds of ``path`` are written so far, counted from its first timestamp (0.0 while nothing can be
    read yet).

    MPEG-TS gives it from the timestamps of its last packets at once. Other containers (FLV, Matroska) carry
    no usable duration while they are being written, so their packets are read through to the last one; that
    costs a read of the whole file, which is why recorders should write MPEG-TS for live mode.
    """
    try:
        with av.open(str(path)) as container:
            start_s = container.start_time / 1_000_000 if container.start_time else 0.0
            if container.format.name == "mpegts":
                return max(0.0, container.duration / 1_000_000) if container.duration else 0.0
            last_s = 0.0
            for packet in container.demux():
                if packet.pts is not None and packet.time_base is not None:
                    end = packet.pts + (packet.duration or 0)
                    last_s = max(last_s, float(end * packet.time_base))
            return max(0.0, last_s - start_s)
    except (av.error.FFmpegError, OSError, UnicodeDecodeError):
        return 0.0


class LiveSource(Protocol):
    """A recording that grows while the stream is on air."""

    recording: Path
    description: str

    def ended(self, now_s: float) -> bool:
        """Whether the stream is over (called once per poll with a monotonic clock)."""
        ...

    def close(self) -> None:
        """Stop whatever the source started (a recorder)."""
        ...


class GrowingFile:
    """A recording written by someone else (OBS, a capture box): over once it has not grown for ``idle_s``."""

    def __init__(self, path: Path, idle_s: float) -> None:
        if not path.is_file():
            raise InputFileError(f"recording not found: {path} — start the recorder first, or check the path")
        self.recording = path
        self.description = str(path)
        self._growth = GrowthTracker(idle_s)

    def ended(self, now_s: float) -> bool:
        stat = self.recording.stat()
        return self._growth.observe(self.recording, stat.st_size, stat.st_mtime_ns, now_s)

    def close(self) -> None:
        """Nothing to stop: the file belongs to its recorder."""


class StreamRecorder:
    """A stream URL recorded by ffmpeg (stream copy) into ``recording`` (MPEG-TS), appending when the file exists,
    as after a restart. Over when ffmpeg exits (the stream ended or broke off) or the file stops growing for
    ``idle_s``.

    Raises:
        ToolNotFoundError: ffmpeg cannot be started.
    """

    def __init__(self, url: str, recording: Path, idle_s: float, io_timeout_s: float = 15.0) -> None:
        self.recording = recording
        self.url = url
        self.description = url
        self._growth = GrowthTracker(idle_s)
        recording.parent.mkdir(parents=True, exist_ok=True)
        # -copyts keeps the source's timestamps, so a recording appended to after a restart goes on where it was
        # instead of starting at zero again; the recording's time then counts from its first packet.
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
               "-rw_timeout", str(int(io_timeout_s * 1_000_000)), "-i", url,
               "-map", "0:v:0?", "-map", "0:a?", "-c", "copy", "-copyts", "-f", "mpegts", "pipe:1"]
        self._output = recording.open("ab")
        try:
            # the recorder dies with this process (a killed session leaves no ffmpeg writing on)
            self._process = subprocs.popen(cmd, stdout=self._output, stderr=subprocess.PIPE,
                                           stdin=subprocess.DEVNULL)
        except OSError as exc:
            self._output.close()
            raise ToolNotFoundError(f"cannot start ffmpeg to record {url}: {exc}") from exc

    @property
    def returncode(self) -> int | None:
        return self._process.poll()

    def ended(self, now_s: float) -> bool:
        if self._process.poll() is not None:
            return True
        stat = self.recording.stat()
        return self._growth.observe(self.recording, stat.st_size, stat.st_mtime_ns, now_s)

    def error_tail(self) -> str:
        """The last line ffmpeg wrote on stderr (after it has exited), for the operator."""
        if self._process.poll() is None or self._process.stderr is None:
            return ""
        lines = self._process.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()
        self._output.close()


def open_source(source: str, out_dir: Path, idle_s: float, io_timeout_s: float = 15.0) -> LiveSource:
    """A :class:`StreamRecorder` into ``out_dir/recording.ts`` for a URL, else a :class:`GrowingFile`.

    Raises:
        InputFileError: a file source that does not exist. ToolNotFoundError: ffmpeg cannot be started.
    """
    if is_url(source):
        return StreamRecorder(source, out_dir / "recording.ts", idle_s, io_timeout_s)
    return GrowingFile(Path(source), idle_s)


def monotonic_s() -> float:
    """The clock live mode measures waits with."""
    return time.monotonic()
