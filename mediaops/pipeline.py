"""The whole job: recording + metrics in, clips + timeline + report out.

The CLI, the Celery workers and the web UI all call :func:`run_pipeline` (or its stages); none of them
holds logic of its own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from mediaops import __version__
from mediaops.comments import CommentOptions, comment_series, load_comments
from mediaops.errors import InvalidMediaError
from mediaops.highlights import (
    HighlightOptions,
    choose_highlights,
    find_lowlights,
    find_peaks_in_engagement,
    scene_windows,
)
from mediaops.insights import InsightOptions, build_insights, load_run_of_show, load_targets
from mediaops.metrics import MetricsOptions, load_metrics
from mediaops.pitches import find_pitches
from mediaops.probe import probe
from mediaops.products import load_products
from mediaops.render import RenderOptions
from mediaops.render.batch import render_clips, render_extras
from mediaops.report import ReportOptions, write_reports
from mediaops.scenes import SceneOptions, detect_scenes, detect_scenes_in_windows
from mediaops.serialize import write_json_atomic, write_text_atomic
from mediaops.timeline import SpikeOptions, find_sales_spikes, write_timeline
from mediaops.transcribe import TranscribeOptions, transcribe, transcript_to_srt, transcript_to_vtt
from mediaops.types import MediaInfo, ProgressCallback, Timeline, no_progress


@dataclass(frozen=True, slots=True)
class StreamInputs:
    """The files that describe one stream besides its recording."""

    metrics: Path
    comments: Path | None = None
    products: Path | None = None
    start_time: datetime | None = None
    #: KPI targets (YAML/JSON/CSV) and the run-of-show (planned segments and key lines) for the insights.
    targets: Path | None = None
    run_of_show: Path | None = None


@dataclass(frozen=True, slots=True)
class ProcessOptions:
    """Every setting of a pipeline run, one dataclass per stage."""

    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    scenes: SceneOptions = field(default_factory=SceneOptions)
    metrics: MetricsOptions = field(default_factory=MetricsOptions)
    highlights: HighlightOptions = field(default_factory=HighlightOptions)
    comments: CommentOptions = field(default_factory=CommentOptions)
    render: RenderOptions = field(default_factory=RenderOptions)
    spikes: SpikeOptions = field(default_factory=SpikeOptions)
    report: ReportOptions = field(default_factory=ReportOptions)
    insights: InsightOptions = field(default_factory=InsightOptions)


def _publish(work: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by the finished ``work`` folder; the old results survive until the swap."""
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
        os.replace(work, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, out_dir)


def run_pipeline(
    recording: Path,
    inputs: StreamInputs,
    out_dir: Path,
    options: ProcessOptions = ProcessOptions(),
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = lambda: None,
) -> Timeline:
    """Run every stage on ``recording`` and publish clips, ``timeline.json``, transcripts and the report.

    Results are built in a hidden sibling folder and moved into ``out_dir`` only when complete, so a failed
    run never leaves a half-written folder nor destroys an earlier run's results.

    Raises:
        MediaOpsError: bad input (missing or corrupt files, no audio, unusable metrics) or a failed tool.
    """
    on_progress("probe", 0.0, str(recording))
    info = probe(recording)
    if not info.has_audio:
        raise InvalidMediaError(
            f"no audio track in {recording.name} — MediaOps needs the stream's sound to transcribe it"
        )
    if not info.has_video:
        raise InvalidMediaError(f"no video track in {recording.name} — give the video recording, not only its audio")
    # absolute times in the exports are measured from --start-time, else from the file's creation time
    start_time, start_source = inputs.start_time, "--start-time"
    if start_time is None and info.creation_time is not None:
        start_time, start_source = info.creation_time, "the recording's creation time"
    metrics = load_metrics(inputs.metrics, options.metrics, start_time, start_source)
    comments = (
        load_comments(inputs.comments, options.metrics.offset_s, start_time, start_source) if inputs.comments else []
    )
    products = load_products(inputs.products) if inputs.products else []
    targets = load_targets(inputs.targets) if inputs.targets else []
    plan = load_run_of_show(inputs.run_of_show) if inputs.run_of_show else []
    on_progress("probe", 1.0, f"{info.duration_s:.0f} s, {info.width}x{info.height}")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    work.chmod(0o755)
    try:
        timeline = _run_stages(
            recording, info, metrics, comments, products, work, options, on_progress, check_cancelled,
            targets=targets, plan=plan, start_time=inputs.start_time,
        )
        _publish(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return timeline


def _run_stages(recording, info: MediaInfo, metrics, comments, products, work: Path, options: ProcessOptions,
                on_progress: ProgressCallback, check_cancelled: Callable[[], None], *, targets=(), plan=(),
                start_time: datetime | None = None) -> Timeline:
    hotwords = tuple(dict.fromkeys(n for p in products for n in (p.name, *p.aliases)))
    asr_options = replace(options.transcribe, hotwords=options.transcribe.hotwords + hotwords)
    transcript = transcribe(recording, asr_options, info.duration_s, on_progress)
    check_cancelled()
    write_json_atomic(work / "transcript.json", transcript)
    write_text_atomic(work / "transcript.srt", transcript_to_srt(transcript))
    write_text_atomic(work / "transcript.vtt", transcript_to_vtt(transcript))

    pitches = find_pitches(transcript, products)
    signals = comment_series(comments, info.duration_s, options.comments) if comments else ()
    peaks = find_peaks_in_engagement(metrics, signals, options.highlights, info.duration_s)
    on_progress("scenes", 0.0, "detecting scene changes")
    if options.scenes.mode == "windowed":
        # clips only need the cuts just before each candidate peak; the report's scene list is then partial
        windows = scene_windows(peaks, info.duration_s, options.highlights)
        scenes = detect_scenes_in_windows(recording, windows, options.scenes, on_progress)
    else:
        scenes = detect_scenes(recording, options.scenes, on_progress=on_progress)
    check_cancelled()
    highlights = choose_highlights(peaks, scenes, transcript, info.duration_s, pitches, options.highlights)
    on_progress("highlights", 1.0, f"{len(highlights)} highlights from {len(peaks)} peaks")

    clips = render_clips(recording, info, highlights, transcript, work, options.render, on_progress, products)
    check_cancelled()
    extras = render_extras(recording, info, clips, pitches, work, options.render, products, recording.stem, on_progress)
    check_cancelled()
    spikes = find_sales_spikes(metrics, clips, pitches, options.spikes)
    on_progress("insights", 0.0, "targets, audience, delivery, script")
    insights = build_insights(transcript, metrics, comments, pitches, info.duration_s, targets, plan, start_time,
                              options.insights, recording)
    on_progress("insights", 1.0, f"{len(insights.actions)} next-time points")
    timeline = Timeline(
        recording=info,
        clips=tuple(clips),
        sales_spikes=tuple(spikes),
        scenes=tuple(scenes),
        highlights=tuple(highlights),
        peaks=tuple(peaks),
        lowlights=tuple(find_lowlights(metrics)),
        pitches=tuple(pitches),
        metrics=metrics,
        language=transcript.language,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_version=__version__,
        extras={**extras, "insights": insights},
    )
    doc = write_timeline(timeline, work / "timeline.json")
    on_progress("report", 0.0, "writing reports")
    write_reports(doc, work, options.report)
    on_progress("report", 1.0, "done")
    return timeline
