"""Decoding a recording's audio to 16 kHz float samples, whole or in bounded windows cut at pauses."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import numpy as np

from mediaops.errors import FFmpegError, InvalidMediaError
from mediaops.media import subprocs
from mediaops.media.ffmpeg_tools import ffmpeg_exe

SAMPLE_RATE_HZ = 16_000
#: frame length for the loudness measure that places window cuts at pauses.
_CUT_FRAME_S = 0.05
#: a stretch at most this much louder (dB, power) than the quietest is as good a cut when it is nearer the one wanted.
_NEAR_QUIET_DB = 6.0
#: channels whose correlation is at least this are one signal (mono, centred voice): they are averaged.
_SAME_SIGNAL_CORRELATION = 0.3
#: a channel this many times quieter (RMS) than the other is treated as empty.
_SILENT_CHANNEL_RATIO = 10.0


def _decode_command(path: Path, start_s: float, duration_s: float | None, channels: int = 1,
                    track: int = 0) -> list[str]:
    """The ffmpeg command (built with ffmpeg-python) that writes audio track ``track`` (0-based among the audio
    tracks) as 16-bit PCM at 16 kHz to stdout."""
    source = ffmpeg.input(str(path), **({"ss": f"{start_s:.3f}"} if start_s > 0 else {}))
    output = source[f"a:{track}"].output(
        "-", format="s16le", acodec="pcm_s16le", ac=channels, ar=SAMPLE_RATE_HZ, sn=None, dn=None,
        **({"t": f"{duration_s:.3f}"} if duration_s is not None else {}),
    )
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *output.get_args()]


def _decode_error(path: Path, cmd: list[str], returncode: int, stderr: str) -> Exception:
    if "does not contain any stream" in stderr or "matches no streams" in stderr:
        return InvalidMediaError(f"no audio track in {path.name} — record with sound or add an audio track")
    if "Invalid data found" in stderr or "moov atom not found" in stderr or "No such file" in stderr:
        return InvalidMediaError(f"cannot decode the audio of {path.name} (corrupt or not a media file) — "
                                 "check the file or re-export it")
    return FFmpegError(cmd, returncode, stderr[-2000:], "audio decoding failed")


def read_audio(path: Path, start_s: float = 0.0, duration_s: float | None = None, track: int = 0) -> np.ndarray:
    """Decode ``duration_s`` seconds of audio track ``track`` from ``start_s`` as float32 samples in [-1, 1] at
    16 kHz mono.

    Raises:
        InvalidMediaError: the file has no decodable audio (or no such track).
    """
    cmd = _decode_command(path, start_s, duration_s, track=track)
    proc = subprocs.run(cmd)
    if proc.returncode != 0:
        raise _decode_error(path, cmd, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return np.frombuffer(proc.stdout, dtype=np.int16).astype(np.float32) / 32768.0


def iter_audio_windows(
    path: Path, window_s: float, start_s: float = 0.0, end_s: float | None = None, channels: int = 1,
    track: int = 0,
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(window_start_s, samples)`` for consecutive windows of audio track ``track``, reading from one
    ffmpeg pipe.

    ``samples`` is float32 of shape ``(n,)`` for one channel, ``(n, channels)`` otherwise.
    Memory stays at one window whatever the recording's length.

    Raises:
        InvalidMediaError: no audio track, or undecodable media.
        FFmpegError: ffmpeg failed otherwise.
    """
    duration_s = None if end_s is None else max(0.0, end_s - start_s)
    cmd = _decode_command(path, start_s, duration_s, channels, track)
    frame_bytes = 2 * channels
    window_bytes = int(window_s * SAMPLE_RATE_HZ) * frame_bytes
    proc = subprocs.popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    offset_s = start_s
    finished = False
    try:
        while True:
            chunk = proc.stdout.read(window_bytes)
            if not chunk:
                finished = True
                break
            pcm = np.frombuffer(chunk[: len(chunk) // frame_bytes * frame_bytes], dtype=np.int16)
            samples = pcm.astype(np.float32) / 32768.0
            if channels > 1:
                samples = samples.reshape(-1, channels)
            yield offset_s, samples
            offset_s += len(samples) / SAMPLE_RATE_HZ
    finally:
        proc.stdout.close()
        if not finished:
            # the consumer stopped early: ffmpeg would block on a full pipe
            proc.kill()
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        returncode = proc.wait()
    if finished and returncode != 0:
        raise _decode_error(path, cmd, returncode, stderr)


def quietest_point(frames: np.ndarray, search_from: int, search_to: int, near: int | None = None) -> int:
    """The sample index in ``[search_from, search_to)`` at the middle of the quietest ~250 ms stretch; with
    ``near``, of the stretches at most ``_NEAR_QUIET_DB`` louder than the quietest, the one nearest ``near`` (a
    pause near a wanted cut rather than a slightly quieter one far from it).

    ``frames`` is ``(n,)`` or ``(n, channels)``; loudness sums every channel, so a pause must be a pause
    on all of them.
    """
    frame = int(_CUT_FRAME_S * SAMPLE_RATE_HZ)
    search_from = max(0, search_from)
    search_to = min(len(frames), search_to)
    if search_to - search_from < 2 * frame:
        return search_to
    region = frames[search_from:search_to]
    power = np.square(region, dtype=np.float64)
    if power.ndim > 1:
        power = power.sum(axis=1)
    count = len(power) // frame
    energy = power[: count * frame].reshape(count, frame).mean(axis=1)
    smooth = np.convolve(energy, np.ones(5) / 5, mode="same") if count >= 5 else energy
    best = int(np.argmin(smooth))
    if near is not None:
        quiet = np.flatnonzero(smooth <= smooth[best] * 10 ** (_NEAR_QUIET_DB / 10) + 1e-12)
        middles = search_from + quiet * frame + frame // 2
        best = int(quiet[np.argmin(np.abs(middles - near))])
    return int(search_from + best * frame + frame // 2)


def iter_windows_at_pauses(
    path: Path, window_s: float, search_s: float, channels: int = 2, read_s: float = 10.0, track: int = 0
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(window_start_s, frames)`` of at most ``window_s`` seconds, each cut at the quietest point
    of its last ``search_s`` seconds, so that no word is split between two windows.

    Every sample belongs to exactly one window (no overlap), so recognising the windows one by one loses and
    repeats nothing at the seams. Memory is bounded by about two windows.
    """
    window = int(window_s * SAMPLE_RATE_HZ)
    search = min(int(search_s * SAMPLE_RATE_HZ), window // 2)
    pending: list[np.ndarray] = []
    pending_len = 0
    start = 0
    for _offset_s, chunk in iter_audio_windows(path, read_s, channels=channels, track=track):
        pending.append(chunk)
        pending_len += len(chunk)
        if pending_len < window + search:
            continue
        buffered = np.concatenate(pending)
        while len(buffered) >= window + search:
            cut = quietest_point(buffered, window - search, window)
            yield start / SAMPLE_RATE_HZ, buffered[:cut]
            start += cut
            buffered = buffered[cut:]
        pending, pending_len = [buffered], len(buffered)
    if pending_len:
        buffered = np.concatenate(pending)
        while len(buffered) > window:
            cut = quietest_point(buffered, window - search, window)
            yield start / SAMPLE_RATE_HZ, buffered[:cut]
            start += cut
            buffered = buffered[cut:]
        if len(buffered):
            yield start / SAMPLE_RATE_HZ, buffered


@dataclass(frozen=True, slots=True)
class ChannelLayout:
    """How the channels of a stereo window relate, and so how to turn them into speech tracks.

    ``kind`` is ``"same"`` (one signal: average), ``"opposite"`` (one signal in anti-phase: subtract, since
    averaging would cancel it), ``"one-sided"`` (one channel empty: take the other) or ``"separate"``
    (different signals, e.g. one speaker per channel: recognise each channel).
    """

    kind: str
    correlation: float
    louder_channel: int = 0


def channel_layout(frames: np.ndarray) -> ChannelLayout:
    """Classify a ``(n, 2)`` window; a ``(n,)`` one is ``"same"``."""
    if frames.ndim == 1 or frames.shape[1] == 1:
        return ChannelLayout("same", 1.0)
    left = np.ascontiguousarray(frames[:, 0])
    right = np.ascontiguousarray(frames[:, 1])
    left_power, right_power = float(np.dot(left, left)), float(np.dot(right, right))
    louder = 0 if left_power >= right_power else 1
    if min(left_power, right_power) * _SILENT_CHANNEL_RATIO**2 <= max(left_power, right_power):
        return ChannelLayout("one-sided", 0.0, louder)
    correlation = float(np.dot(left, right) / np.sqrt(left_power * right_power))
    if correlation >= _SAME_SIGNAL_CORRELATION:
        return ChannelLayout("same", correlation, louder)
    if correlation <= -_SAME_SIGNAL_CORRELATION:
        return ChannelLayout("opposite", correlation, louder)
    return ChannelLayout("separate", correlation, louder)


def speech_tracks(frames: np.ndarray) -> list[np.ndarray]:
    """One mono track per distinct signal in ``frames``: a downmix that never cancels or drowns a channel.

    Returns one contiguous float32 track for mono, same-signal, anti-phase or one-sided audio, and one track
    per channel when the channels carry different speech.
    """
    if frames.ndim == 1:
        return [np.ascontiguousarray(frames, dtype=np.float32)]
    layout = channel_layout(frames)
    if layout.kind == "same":
        return [np.ascontiguousarray(frames.mean(axis=1), dtype=np.float32)]
    if layout.kind == "opposite":
        return [np.ascontiguousarray((frames[:, 0] - frames[:, 1]) / 2, dtype=np.float32)]
    if layout.kind == "one-sided":
        return [np.ascontiguousarray(frames[:, layout.louder_channel], dtype=np.float32)]
    return [np.ascontiguousarray(frames[:, c], dtype=np.float32) for c in range(frames.shape[1])]
