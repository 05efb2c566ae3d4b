"""Every exception the library raises.

Each message says what is wrong and what to do about it, in one line, so that the CLI, the workers
and the web API can show it to a person as it is.
"""

from __future__ import annotations

from collections.abc import Sequence


class MediaOpsError(Exception):
    """Base of every error the library raises on purpose."""

    #: transient errors may succeed when retried (I/O hiccups); bad input never will.
    transient: bool = False


class InputFileError(MediaOpsError):
    """An input file is missing, unreadable or empty."""


class InvalidMediaError(MediaOpsError):
    """A recording cannot be decoded, or lacks a stream the job needs."""


class MetricsFormatError(MediaOpsError):
    """A metrics, comments or products file cannot be understood."""


class PlanFormatError(MetricsFormatError):
    """A KPI targets or run-of-show file cannot be understood."""


class ModelError(MediaOpsError):
    """A transcription model cannot be found or loaded."""


class TimelineError(MediaOpsError):
    """An output folder has no usable timeline, or a timeline fails its schema."""


class ReportError(MediaOpsError):
    """A report could not be written. ``format`` names it (``pdf``); ``code`` says why in a word a page can put in
    its own language: ``no_font`` (no font with Chinese glyphs) or ``failed`` (it could not be laid out).

    The PDF is written after every other report, so these are in place when it fails; a job records the failure
    in ``timeline.json`` (``extras.report_failures``) and succeeds with the other outputs.
    """

    def __init__(self, message: str, format: str = "pdf", code: str = "failed") -> None:
        super().__init__(message)
        self.format = format
        self.code = code

    def record(self) -> dict[str, str]:
        """The failure as ``timeline.json`` keeps it: ``{"format", "code", "message"}`` (the message in English)."""
        return {"format": self.format, "code": self.code, "message": str(self)}


class FFmpegError(MediaOpsError):
    """An ffmpeg run failed; keeps the command and the tail of its stderr."""

    transient = True

    def __init__(self, cmd: Sequence[str], returncode: int, stderr_tail: str, what: str = "ffmpeg failed") -> None:
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        last = stderr_tail.strip().splitlines()[-1] if stderr_tail.strip() else "no output"
        super().__init__(f"{what} (exit {returncode}): {last}")


class ToolNotFoundError(MediaOpsError):
    """A required executable (ffmpeg) cannot be found."""


class JobCancelledError(MediaOpsError):
    """A job was cancelled; raised by a ``check_cancelled`` callback to stop it between (or inside) stages."""
