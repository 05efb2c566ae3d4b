"""MediaOps: highlight clips and retrospectives for livestream-commerce recordings.

The public API, for scripts::

    import mediaops

    timeline = mediaops.process("stream.mp4", metrics="metrics.csv", out_dir="out/stream", max_clips=3)
    for clip in timeline.clips:
        print(clip.id, clip.start_s, clip.end_s, mediaops.describe_reasons(clip.reason_records, "zh"))

Why a clip was chosen is kept as data (:class:`Reason`: a code and its numbers, ``clip.reason_records``);
:func:`describe_reasons` words them in Chinese or English.

Nothing heavy happens at import time: the names below are loaded when first used (PEP 562), so
``import mediaops`` and ``mediaops --help`` stay fast; models and media tools load when first needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # the front door
    "process": "mediaops.facade",
    "transcribe": "mediaops.facade",
    "detect_scenes": "mediaops.facade",
    "load_metrics": "mediaops.facade",
    "find_highlights": "mediaops.facade",
    "load_timeline": "mediaops.facade",
    "inspect_input": "mediaops.facade",
    # options (one dataclass per stage; every default lives there)
    "ProcessOptions": "mediaops.jobs.options",
    "StreamInputs": "mediaops.jobs.options",
    "HighlightOptions": "mediaops.analysis.highlights",
    "SceneOptions": "mediaops.analysis.scenes",
    "MetricsOptions": "mediaops.inputs.metrics",
    "CommentOptions": "mediaops.inputs.comments",
    "TranscribeOptions": "mediaops.transcribe.options",
    "RenderOptions": "mediaops.render.options",
    "ReportOptions": "mediaops.report",
    "SpikeOptions": "mediaops.analysis.attribution",
    # results
    "Timeline": "mediaops.types",
    "Highlight": "mediaops.types",
    "Clip": "mediaops.types",
    "Scene": "mediaops.types",
    "Transcript": "mediaops.types",
    "Segment": "mediaops.types",
    "Metrics": "mediaops.types",
    "MetricSeries": "mediaops.types",
    "SalesSpike": "mediaops.types",
    "PitchSegment": "mediaops.types",
    "MediaInfo": "mediaops.types",
    "Peak": "mediaops.types",
    "Reason": "mediaops.types",
    "describe_reasons": "mediaops.analysis.reasons",
    "InputReport": "mediaops.inputs.inspect",
    "ColumnReport": "mediaops.inputs.inspect",
    "RowPreview": "mediaops.inputs.inspect",
    # errors
    "MediaOpsError": "mediaops.errors",
    "FFmpegError": "mediaops.errors",
    "InputFileError": "mediaops.errors",
    "InvalidMediaError": "mediaops.errors",
    "MetricsFormatError": "mediaops.errors",
    "ModelError": "mediaops.errors",
    "TimelineError": "mediaops.errors",
}

__all__ = [
    "Clip",
    "ColumnReport",
    "CommentOptions",
    "FFmpegError",
    "Highlight",
    "HighlightOptions",
    "InputFileError",
    "InputReport",
    "InvalidMediaError",
    "MediaInfo",
    "MediaOpsError",
    "MetricSeries",
    "Metrics",
    "MetricsFormatError",
    "MetricsOptions",
    "ModelError",
    "Peak",
    "PitchSegment",
    "ProcessOptions",
    "Reason",
    "RenderOptions",
    "ReportOptions",
    "RowPreview",
    "SalesSpike",
    "Scene",
    "SceneOptions",
    "Segment",
    "SpikeOptions",
    "StreamInputs",
    "Timeline",
    "TimelineError",
    "TranscribeOptions",
    "Transcript",
    "__version__",
    "describe_reasons",
    "detect_scenes",
    "find_highlights",
    "inspect_input",
    "load_metrics",
    "load_timeline",
    "process",
    "transcribe",
]

if TYPE_CHECKING:  # static checkers and IDEs see the real names
    from mediaops.analysis.attribution import SpikeOptions
    from mediaops.analysis.highlights import HighlightOptions
    from mediaops.analysis.reasons import describe_reasons
    from mediaops.analysis.scenes import SceneOptions
    from mediaops.errors import (
        FFmpegError,
        InputFileError,
        InvalidMediaError,
        MediaOpsError,
        MetricsFormatError,
        ModelError,
        TimelineError,
    )
    from mediaops.facade import (
        detect_scenes,
        find_highlights,
        inspect_input,
        load_metrics,
        load_timeline,
        process,
        transcribe,
    )
    from mediaops.inputs.comments import CommentOptions
    from mediaops.inputs.inspect import ColumnReport, InputReport, RowPreview
    from mediaops.inputs.metrics import MetricsOptions
    from mediaops.jobs.options import ProcessOptions, StreamInputs
    from mediaops.render.options import RenderOptions
    from mediaops.report import ReportOptions
    from mediaops.transcribe.options import TranscribeOptions
    from mediaops.types import (
        Clip,
        Highlight,
        MediaInfo,
        Metrics,
        MetricSeries,
        Peak,
        PitchSegment,
        Reason,
        SalesSpike,
        Scene,
        Segment,
        Timeline,
        Transcript,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mediaops' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
