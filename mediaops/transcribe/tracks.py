"""Which audio track to recognise: the one that carries speech, or the one asked for.

Recordings from OBS or a capture card often have several audio tracks (the host's microphone, the program mix,
background music). Recognising the first one whatever it holds gave an empty transcript, and with it a report
of "dead air" for the whole stream, when the voice was on the second. So every track is sampled (stretches
spread over the recording) and measured with Silero VAD, and the one with the most speech is recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mediaops.errors import InvalidMediaError
from mediaops.media.audio import SAMPLE_RATE_HZ, read_audio
from mediaops.media.tracks import AudioTrack, audio_tracks, container_duration_s

#: each track is sampled in this many stretches of this length, spread evenly over the recording (a recording
#: shorter than that is read whole).
SAMPLE_STRETCHES = 18
SAMPLE_STRETCH_S = 10.0
#: a track with less speech than this share of the most talkative track's (or under ``MIN_SPEECH_S``) has none.
NO_SPEECH_SHARE = 0.1
MIN_SPEECH_S = 1.0
#: the first track with at least this share of the most talkative track's speech is chosen (copies of one track
#: measure a little differently once each is encoded).
NEAR_MOST_SHARE = 0.9
#: two tracks whose sampled audio correlates at least this much are copies of one another.
SAME_TRACK_CORRELATION = 0.9


@dataclass(frozen=True, slots=True)
class TrackChoice:
    """The audio track to recognise (0-based among the audio tracks), the speech found in each track's samples,
    and what the operator should be told about the choice."""

    track: int
    speech_s: tuple[float, ...] = ()
    sampled_s: float = 0.0
    warnings: tuple[str, ...] = ()


def speech_seconds(samples: np.ndarray) -> float:
    """Seconds of speech Silero VAD (faster-whisper's) finds in 16 kHz mono ``samples``."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if samples.size < SAMPLE_RATE_HZ // 10:
        return 0.0
    found = get_speech_timestamps(np.ascontiguousarray(samples, dtype=np.float32), VadOptions())
    return sum(s["end"] - s["start"] for s in found) / SAMPLE_RATE_HZ


def _samples(path: Path, track: int, duration_s: float) -> np.ndarray:
    if duration_s <= SAMPLE_STRETCHES * SAMPLE_STRETCH_S:
        return read_audio(path, 0.0, None, track)
    step = duration_s / SAMPLE_STRETCHES
    starts = [max(0.0, step * (i + 0.5) - SAMPLE_STRETCH_S / 2) for i in range(SAMPLE_STRETCHES)]
    return np.concatenate([read_audio(path, start, SAMPLE_STRETCH_S, track) for start in starts])


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    a, b = a[:n].astype(np.float64), b[:n].astype(np.float64)
    power = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return float(np.dot(a, b)) / power if power > 0 else (1.0 if not a.any() and not b.any() else 0.0)


def _has_speech(speech_s: float, most_s: float) -> bool:
    return speech_s >= MIN_SPEECH_S and speech_s >= NO_SPEECH_SHARE * most_s


def choose_audio_track(path: Path, requested: int | None = None, duration_s: float | None = None) -> TrackChoice:
    """The audio track of ``path`` to recognise: ``requested`` (0-based) if given, else the one with the most speech
    (the first of those within :data:`NEAR_MOST_SHARE` of it; the first track where none has any, or where there is
    one track: nothing is measured then).

    Several tracks that are not copies of each other give a warning that names the track chosen and the speech on
    each, so the operator can choose another.

    Raises:
        InvalidMediaError: ``path`` has no audio track, no track ``requested``, or ``requested`` carries no speech
            while another track does (its transcript would be empty and the whole stream reported as dead air).
    """
    tracks = audio_tracks(path)
    if not tracks:
        raise InvalidMediaError(f"no audio track in {path.name} — record with sound or add an audio track")
    if requested is not None and not 0 <= requested < len(tracks):
        raise InvalidMediaError(f"{path.name} has {len(tracks)} audio track(s), numbered from 0; there is no "
                                f"track {requested} — choose one of 0–{len(tracks) - 1}")
    if len(tracks) == 1:
        return TrackChoice(0)
    duration_s = duration_s or container_duration_s(path)
    samples = [_samples(path, t.index, duration_s) for t in tracks]
    speech = tuple(round(speech_seconds(s), 1) for s in samples)
    sampled_s = round(max(len(s) for s in samples) / SAMPLE_RATE_HZ, 1)
    most = max(speech)
    best = next(i for i, s in enumerate(speech) if s >= NEAR_MOST_SHARE * most)
    chosen = best if requested is None else requested
    if requested is not None and not _has_speech(speech[chosen], most) and _has_speech(most, most):
        raise InvalidMediaError(
            f"audio {tracks[chosen].label()} of {path.name} carries no speech ({speech[chosen]:g} s in "
            f"{sampled_s:g} s sampled) but {tracks[best].label()} does ({most:g} s) — choose --audio-track {best}, "
            "or leave it out to use the track with speech")
    copies = all(_correlation(samples[chosen], s) >= SAME_TRACK_CORRELATION for s in samples)
    warnings = () if copies else (_warning(tracks, speech, sampled_s, chosen, requested is not None),)
    return TrackChoice(chosen, speech, sampled_s, warnings)


def _warning(tracks: list[AudioTrack], speech: tuple[float, ...], sampled_s: float, chosen: int, asked: bool) -> str:
    each = ", ".join(f"{t.label()}: {s:g} s" for t, s in zip(tracks, speech, strict=True))
    why = "as asked" if asked else "the one with the most speech"
    return (f"the recording has {len(tracks)} different audio tracks (speech in {sampled_s:g} s sampled: {each}); "
            f"transcribing track {chosen}, {why} — choose another with --audio-track N")
