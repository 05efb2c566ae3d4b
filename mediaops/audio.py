"""Decoding a recording's audio to 16 kHz mono float samples, whole or in bounded windows."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from mediaops.errors import FFmpegError, InvalidMediaError
from mediaops.ffmpeg_tools import ffmpeg_exe

SAMPLE_RATE_HZ = 16_000


def _decode_command(path: Path, start_s: float, duration_s: float | None) -> list[str]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    if start_s > 0:
        cmd += ["-ss", f"{start_s:.3f}"]
    cmd += ["-i", str(path)]
    if duration_s is not None:
        cmd += ["-t", f"{duration_s:.3f}"]
    cmd += ["-vn", "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE_HZ), "-f", "s16le", "-acodec", "pcm_s16le", "-"]
    return cmd


def read_audio(path: Path, start_s: float = 0.0, duration_s: float | None = None) -> np.ndarray:
    """Decode ``duration_s`` seconds of audio from ``start_s`` as float32 samples in [-1, 1] at 16 kHz mono.

    Raises:
        InvalidMediaError: the file has no decodable audio.
    """
    cmd = _decode_command(path, start_s, duration_s)
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        if "does not contain any stream" in stderr or "matches no streams" in stderr:
            raise InvalidMediaError(f"no audio track in {path.name} — record with sound or add an audio track")
        raise FFmpegError(cmd, proc.returncode, stderr[-2000:], "audio decoding failed")
    return np.frombuffer(proc.stdout, dtype=np.int16).astype(np.float32) / 32768.0


def iter_audio_windows(
    path: Path, window_s: float, start_s: float = 0.0, end_s: float | None = None
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(window_start_s, samples)`` for consecutive windows, reading from one ffmpeg pipe.

    Memory stays at one window whatever the recording's length.
    """
    duration_s = None if end_s is None else max(0.0, end_s - start_s)
    cmd = _decode_command(path, start_s, duration_s)
    window_bytes = int(window_s * SAMPLE_RATE_HZ) * 2
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    offset_s = start_s
    try:
        while True:
            chunk = proc.stdout.read(window_bytes)
            if not chunk:
                break
            samples = np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype=np.int16).astype(np.float32) / 32768.0
            yield offset_s, samples
            offset_s += len(samples) / SAMPLE_RATE_HZ
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        returncode = proc.wait()
    if returncode != 0:
        if "does not contain any stream" in stderr or "matches no streams" in stderr:
            raise InvalidMediaError(f"no audio track in {path.name} — record with sound or add an audio track")
        raise FFmpegError(cmd, returncode, stderr[-2000:], "audio decoding failed")
