"""Speech recognition: one interface over faster-whisper (default) and openai-whisper."""

from mediaops.transcribe.formats import transcript_to_srt, transcript_to_txt, transcript_to_vtt
from mediaops.transcribe.options import TranscribeOptions
from mediaops.transcribe.run import transcribe

__all__ = ["TranscribeOptions", "transcribe", "transcript_to_srt", "transcript_to_txt", "transcript_to_vtt"]
