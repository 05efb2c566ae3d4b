"""The whole job: recording + metrics in, clips + timeline + report out.

The CLI, the Celery workers and the web UI all call :func:`run_pipeline` or the stages it runs
(:mod:`mediaops.jobs.stages`, where the order of the work lives); none of them holds logic of its own.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from mediaops.jobs import stages
from mediaops.jobs.options import ProcessOptions, StreamInputs
from mediaops.jobs.outdir import check_out_dir, remove_stale_scratch, scratch_prefix
from mediaops.types import ProgressCallback, Timeline, no_progress

__all__ = ["ProcessOptions", "StreamInputs", "run_pipeline"]


def run_pipeline(
    recording: Path,
    inputs: StreamInputs,
    out_dir: Path,
    options: ProcessOptions = ProcessOptions(),
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = lambda: None,
) -> Timeline:
    """Run every stage on ``recording`` and publish clips, ``timeline.json``, transcripts and the report.

    The stages are those of :mod:`mediaops.jobs.stages` (the Celery workers run the same functions as separate
    tasks), over a hidden job folder beside ``out_dir`` that is removed afterwards. Results are built in a
    hidden sibling folder and moved into ``out_dir`` only when complete, so a failed run never leaves a
    half-written folder nor destroys an earlier run's results.

    Raises:
        OutputFolderError: ``out_dir`` is a file, lies under a file, or cannot be written (checked first).
        MediaOpsError: bad input (missing or corrupt files, no audio, unusable metrics) or a failed tool.
    """
    check_out_dir(out_dir)
    remove_stale_scratch(out_dir)
    root = Path(tempfile.mkdtemp(prefix=scratch_prefix(out_dir, "partial-job"), dir=out_dir.parent))
    try:
        job = stages.prepare_job(root, recording, inputs, options, out_dir)
        return stages.run_stages(job, on_progress, check_cancelled)
    finally:
        shutil.rmtree(root, ignore_errors=True)
