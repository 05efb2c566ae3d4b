"""Speech recognition: one interface over faster-whisper (default) and openai-whisper."""

from mediaops.transcribe.formats import (
    FORMATS,
    render_transcript,
    transcript_from_jsonable,
    transcript_to_json,
    transcript_to_srt,
    transcript_to_txt,
    transcript_to_vtt,
)
from mediaops.transcribe.options import TranscribeOptions
from mediaops.transcribe.run import transcribe, transcribe_spans

__all__ = [
    "FORMATS",
    "TranscribeOptions",
    "render_transcript",
    "transcribe",
    "transcribe_spans",
    "transcript_from_jsonable",
    "transcript_to_json",
    "transcript_to_srt",
    "transcript_to_txt",
    "transcript_to_vtt",
]
