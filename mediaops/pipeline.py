"""The whole job: recording + metrics in, clips + timeline + report out.

The CLI, the Celery workers and the web UI all call :func:`run_pipeline` or the stages it runs
(:mod:`mediaops.stages`, where the order of the work lives); none of them holds logic of its own.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mediaops.comments import CommentOptions
from mediaops.highlights import HighlightOptions
from mediaops.insights import InsightOptions
from mediaops.metrics import MetricsOptions
from mediaops.render import RenderOptions
from mediaops.report import ReportOptions
from mediaops.scenes import SceneOptions
from mediaops.timeline import SpikeOptions
from mediaops.transcribe import TranscribeOptions
from mediaops.types import ProgressCallback, Timeline, no_progress


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
    #: choose and render the clips first, from the engagement peaks, scene detection near them only and a
    #: transcript of just the clips' spans; the full transcript and scene pass for the report follow. On a
    #: 1-hour recording the first clips are then out in about 2 minutes instead of after the whole analysis.
    first_clips: bool = False


def run_pipeline(
    recording: Path,
    inputs: StreamInputs,
    out_dir: Path,
    options: ProcessOptions = ProcessOptions(),
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = lambda: None,
) -> Timeline:
    """Run every stage on ``recording`` and publish clips, ``timeline.json``, transcripts and the report.

    The stages are those of :mod:`mediaops.stages` (the Celery workers run the same functions as separate
    tasks), over a hidden job folder beside ``out_dir`` that is removed afterwards. Results are built in a
    hidden sibling folder and moved into ``out_dir`` only when complete, so a failed run never leaves a
    half-written folder nor destroys an earlier run's results.

    Raises:
        MediaOpsError: bad input (missing or corrupt files, no audio, unusable metrics) or a failed tool.
    """
    from mediaops import stages  # the stages use this module's option types

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-job-", dir=out_dir.parent))
    try:
        job = stages.prepare_job(root, recording, inputs, options, out_dir)
        return stages.run_stages(job, on_progress, check_cancelled)
    finally:
        shutil.rmtree(root, ignore_errors=True)
