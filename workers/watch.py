"""``mediaops watch``: submit each new recording of a folder once it has stopped growing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mediaops.inputs.sidecars import is_recording, sidecars_of
from mediaops.media.stability import GrowthTracker
from workers.batch import Submission, already_submitted, submit_recording
from workers.config import Settings


def watch_folder(
    settings: Settings,
    folder: Path,
    options: dict[str, Any] | None = None,
    interval_s: float = 5.0,
    settle_s: float = 10.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_submit: Callable[[Submission], object] = lambda s: None,
    max_polls: int | None = None,
) -> list[Submission]:
    """Poll ``folder`` every ``interval_s`` seconds; submit each recording not submitted before, once its size
    and modification time have not changed for ``settle_s`` seconds and its metrics export is beside it.

    Polling is bounded: one directory listing and one ``stat`` per file per interval, whatever happens.
    Stops when ``should_stop()`` is true or after ``max_polls`` polls; returns the submissions made.
    """
    tracker = GrowthTracker(settle_s)
    handled: set[Path] = set()
    made: list[Submission] = []
    polls = 0
    while not should_stop() and (max_polls is None or polls < max_polls):
        polls += 1
        present: set[Path] = set()
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path in handled or not is_recording(path):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            present.add(path)
            if not tracker.observe(path, stat.st_size, stat.st_mtime_ns, time.monotonic()):
                continue
            if sidecars_of(path).metrics is None:
                continue  # the export may land after the recording; look again next poll
            handled.add(path)
            tracker.forget(path)
            if already_submitted(settings, path):
                continue
            submission = submit_recording(settings, path, options)
            made.append(submission)
            on_submit(submission)
        tracker.forget_missing(present)
        if not should_stop() and (max_polls is None or polls < max_polls):
            time.sleep(interval_s)
    return made
