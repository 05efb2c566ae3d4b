"""The audio tracks of a recording: how many there are and what their containers call them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from mediaops.errors import InvalidMediaError


@dataclass(frozen=True, slots=True)
class AudioTrack:
    """One audio stream of a recording. ``index`` counts audio streams only, from 0 (ffmpeg's ``a:N``)."""

    index: int
    codec: str
    channels: int
    language: str = ""
    title: str = ""

    def label(self) -> str:
        """``track 1`` with the language and title the container gives, for messages: ``track 1 (eng, Host)``."""
        extra = ", ".join(x for x in (self.language, self.title) if x)
        return f"track {self.index}" + (f" ({extra})" if extra else "")


def audio_tracks(path: Path) -> list[AudioTrack]:
    """The audio tracks of ``path`` in stream order (empty when it has none).

    Raises:
        InvalidMediaError: ``path`` is not media FFmpeg can read.
    """
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise InvalidMediaError(f"not a readable media file: {path.name} ({exc.__class__.__name__}) — "
                                "upload the original recording") from exc
    with container:
        return [
            AudioTrack(index=i, codec=s.codec_context.name or "", channels=s.codec_context.channels or 0,
                       language=str(s.metadata.get("language", "")).replace("und", ""),
                       title=str(s.metadata.get("title", "")))
            for i, s in enumerate(container.streams.audio)
        ]


def container_duration_s(path: Path) -> float:
    """The recording's duration as its container states it (0 where it states none).

    Raises:
        InvalidMediaError: ``path`` is not media FFmpeg can read.
    """
    try:
        with av.open(str(path)) as container:
            return container.duration / 1_000_000 if container.duration else 0.0
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise InvalidMediaError(f"not a readable media file: {path.name} ({exc.__class__.__name__}) — "
                                "upload the original recording") from exc
