"""The front door: a few typed functions for scripts, over the stages below.

``mediaops.process`` runs the whole job like ``mediaops process``; the other functions run one stage each on
files or values, without a job folder. Everything here is re-exported by :mod:`mediaops`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaops.types import (
    Highlight,
    Metrics,
    MetricSeries,
    PitchSegment,
    ProgressCallback,
    Scene,
    Timeline,
    no_progress,
)
from mediaops.types import Transcript as TranscriptResult

if TYPE_CHECKING:
    from mediaops.inputs.inspect import InputReport


def _options_with(overrides: dict[str, Any]) -> Any:
    """A :class:`~mediaops.jobs.options.ProcessOptions` with ``overrides`` applied.

    Keys are the stage option groups (``highlights=HighlightOptions(...)``), or ``first_clips``, or a field of
    one group given by its own name (``max_clips=3``, ``language="zh"``, ``lang="en"``) when only one group has it.
    """
    from mediaops.jobs.options import ProcessOptions

    options = ProcessOptions()
    groups = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)
              if dataclasses.is_dataclass(getattr(options, f.name))}
    grouped: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in groups or key == "first_clips":
            top[key] = value
            continue
        owners = [name for name, group in groups.items() if key in {f.name for f in dataclasses.fields(group)}]
        if len(owners) != 1:
            where = "no option group" if not owners else f"several option groups ({', '.join(owners)})"
            raise TypeError(f"unknown or ambiguous option {key!r}: found in {where}; pass the group, e.g. "
                            f"highlights=HighlightOptions(...)")
        grouped.setdefault(owners[0], {})[key] = value
    for name, values in grouped.items():
        top[name] = dataclasses.replace(top.get(name, groups[name]), **values)
    return dataclasses.replace(options, **top)


def process(
    recording: str | Path,
    *,
    metrics: str | Path,
    out_dir: str | Path,
    comments: str | Path | None = None,
    products: str | Path | None = None,
    start_time: datetime | None = None,
    on_progress: ProgressCallback = no_progress,
    **options: Any,
) -> Timeline:
    """Run the whole job (clips, ``timeline.json``, transcripts, reports) into ``out_dir``; returns the timeline.

    ``options`` are the job's options by group (``render=RenderOptions(...)``) or by field name (``max_clips=3``,
    ``language="zh"``, ``first_clips=False``); every default lives in its options dataclass.

    Raises:
        MediaOpsError: bad input (missing or corrupt files, no audio, unusable metrics) or a failed tool.
        TypeError: an option name that no option group has.
    """
    from mediaops.jobs.options import StreamInputs
    from mediaops.jobs.pipeline import run_pipeline

    inputs = StreamInputs(metrics=Path(metrics), comments=Path(comments) if comments else None,
                          products=Path(products) if products else None, start_time=start_time)
    return run_pipeline(Path(recording), inputs, Path(out_dir), _options_with(options), on_progress)


def load_metrics(path: str | Path, start_time: datetime | None = None, **options: Any) -> Metrics:
    """Read a metrics export (CSV, XLSX, JSON) into series on recording time; ``options`` are
    :class:`~mediaops.inputs.metrics.MetricsOptions` fields."""
    from mediaops.inputs.metrics import MetricsOptions
    from mediaops.inputs.metrics import load_metrics as _load

    return _load(Path(path), MetricsOptions(**options), start_time)


def inspect_input(
    path: str | Path,
    *,
    recording: str | Path | None = None,
    start_time: datetime | None = None,
    duration_s: float | None = None,
    kind: str = "auto",
    **options: Any,
) -> InputReport:
    """How a metrics export or comment log will be read, checked against ``recording`` (its length and creation
    time) when given — what ``mediaops inspect`` prints: columns and units, time reading and alignment, first and
    last rows, totals, warnings, and the one-line refusal a job would stop with (``report.error``; ``report.ok``).
    ``options`` are :class:`~mediaops.inputs.metrics.MetricsOptions` fields (``timezone``, ``date_order``,
    ``times``, ``counts``, ``offset_s``, ``mapping``).

    Raises:
        InputFileError: ``path`` or ``recording`` is missing or empty. InvalidMediaError: the recording cannot be
            probed. Whatever is wrong with the file itself is in the report, not raised.
    """
    from mediaops.inputs.inspect import inspect_input as _inspect
    from mediaops.inputs.metrics import MetricsOptions

    return _inspect(Path(path), MetricsOptions(**options), recording=Path(recording) if recording else None,
                    start_time=start_time, duration_s=duration_s, kind=kind)


def detect_scenes(recording: str | Path, **options: Any) -> list[Scene]:
    """The scenes of a recording (PySceneDetect); ``options`` are :class:`~mediaops.analysis.scenes.SceneOptions`
    fields."""
    from mediaops.analysis.scenes import SceneOptions
    from mediaops.analysis.scenes import detect_scenes as _detect

    return _detect(Path(recording), SceneOptions(**options))


def transcribe(recording: str | Path, **options: Any) -> TranscriptResult:
    """Speech to text with word times (faster-whisper by default); ``options`` are
    :class:`~mediaops.transcribe.options.TranscribeOptions` fields (``model``, ``language``, ``engine`` …)."""
    from mediaops.transcribe import TranscribeOptions
    from mediaops.transcribe import transcribe as _transcribe

    return _transcribe(Path(recording), TranscribeOptions(**options))


def find_highlights(
    metrics: Metrics,
    *,
    scenes: Sequence[Scene] = (),
    transcript: TranscriptResult | None = None,
    pitches: Sequence[PitchSegment] = (),
    extra: Sequence[MetricSeries] = (),
    duration_s: float | None = None,
    **options: Any,
) -> list[Highlight]:
    """The highlights of a stream from its metrics (and scene cuts, transcript, pitches when given), in time
    order with their reasons. Pure: no media is read. ``options`` are
    :class:`~mediaops.analysis.highlights.HighlightOptions` fields (``max_clips``, ``min_duration_s`` …)."""
    from mediaops.analysis.highlights import HighlightOptions, choose_highlights, find_peaks_in_engagement

    settings = HighlightOptions(**options)
    if duration_s is None:
        ends = [s.end_s for s in scenes] + [s.t_s[-1] + s.interval_s for s in metrics.series if s.t_s]
        duration_s = max(ends, default=0.0)
    peaks = find_peaks_in_engagement(metrics, extra, settings, duration_s)
    return choose_highlights(peaks, scenes, transcript, duration_s, pitches, settings)


def load_timeline(path: str | Path) -> Timeline:
    """The :class:`~mediaops.types.Timeline` of an output folder (or of a ``timeline.json`` file), validated.

    Raises:
        TimelineError: no readable, valid timeline there.
    """
    from mediaops.timeline import read_timeline, timeline_from_dict

    folder = Path(path)
    if folder.name == "timeline.json" and folder.is_file():
        folder = folder.parent
    return timeline_from_dict(read_timeline(folder))
