"""MediaOps: highlight clips and retrospectives for livestream-commerce recordings.

Nothing heavy happens at import time; models and media tools load when first used.
"""

__version__ = "0.1.0"

from mediaops.errors import (
    FFmpegError,
    InputFileError,
    InvalidMediaError,
    MediaOpsError,
    MetricsFormatError,
    ModelError,
    TimelineError,
)

__all__ = [
    "FFmpegError",
    "InputFileError",
    "InvalidMediaError",
    "MediaOpsError",
    "MetricsFormatError",
    "ModelError",
    "TimelineError",
    "__version__",
]
