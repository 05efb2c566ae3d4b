"""A live session as a job: what to watch and how, stored in a job folder (``live-job.json``), and run from there.

The web app and the workers submit a live stream the way they submit a recording: the settings are checked and
written into the job's folder once, and the worker's task only names the folder (:func:`run_live_job`). The
clip settings are the pipeline's (:data:`mediaops.jobs.options.JOB_OPTIONS`); :data:`LIVE_SETTINGS` are the few
that watching a stream adds, with their defaults read from :class:`~mediaops.live.options.LiveOptions`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from mediaops.errors import InputFileError
from mediaops.jobs.options import JobOptionsError, ProcessOptions, StreamInputs
from mediaops.live.events import Event
from mediaops.live.options import LiveOptions
from mediaops.live.session import run_live
from mediaops.live.source import is_url
from mediaops.live.status import LiveStatus
from mediaops.serialize import decode, encode, write_json_atomic
from mediaops.types import ProgressCallback, Timeline, no_progress

SPEC_FILE = "live-job.json"


@dataclass(frozen=True, slots=True)
class LiveSetting:
    """One setting of :class:`LiveOptions` a submitted live job may change, with its bounds (inclusive)."""

    key: str
    low: float
    high: float
    description: str

    @property
    def default(self) -> float:
        """The live option's default (read from :class:`LiveOptions`, never repeated)."""
        return float(getattr(LiveOptions(), self.key))


#: the live settings a job may choose (forms, the API schema and the workers read them from here).
LIVE_SETTINGS: tuple[LiveSetting, ...] = (
    LiveSetting("idle_s", 5, 3600, "the stream is over once the recording has not grown for this many seconds"),
    LiveSetting("viewers_drop_pct", 5, 95,
                "alert when online viewers fall this many percent below the highest count of the last minute"),
)
_BY_KEY = {setting.key: setting for setting in LIVE_SETTINGS}


def check_live_settings(settings: Mapping[str, Any] | None) -> dict[str, float]:
    """A live job's settings checked against :data:`LIVE_SETTINGS` (numbers as floats).

    Raises:
        JobOptionsError: not a mapping, an unknown name, not a number, or a value out of range (``key`` names it).
    """
    if settings is None:
        return {}
    if not isinstance(settings, Mapping):
        raise JobOptionsError("live settings must be an object of setting names and values")
    checked: dict[str, float] = {}
    for key, value in settings.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            raise JobOptionsError(f"unknown live setting {key!r} — known settings: {', '.join(sorted(_BY_KEY))}",
                                  str(key))
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise JobOptionsError(f"live setting {key} must be a number, not {value!r}", key)
        if not setting.low <= value <= setting.high:
            raise JobOptionsError(f"live setting {key}={value} is out of range — use {setting.low:g} to "
                                  f"{setting.high:g}", key)
        checked[key] = float(value)
    return checked


def live_options(settings: Mapping[str, Any] | None, base: LiveOptions = LiveOptions()) -> LiveOptions:
    """``base`` with a job's live settings applied (checked first with :func:`check_live_settings`)."""
    return replace(base, **check_live_settings(settings))


@dataclass(frozen=True, slots=True)
class LiveJobSpec:
    """What a live job watches and how (stored as ``live-job.json`` in its folder).

    Attributes:
        source: the growing recording (an absolute path) or the stream URL to record.
        inputs: the metrics export and comment log (both may grow), the product list.
        options: the clip and analysis settings, as for a recording.
        live: how the stream is watched.
        out_dir: where clips, ``live.jsonl``, ``live-status.json`` and then the retrospective are written.
    """

    source: str
    inputs: StreamInputs
    options: ProcessOptions
    live: LiveOptions
    out_dir: Path

    @property
    def recording(self) -> Path:
        """The recording the job ends with: the source file, or the file a URL is recorded into."""
        return self.out_dir / "recording.ts" if is_url(self.source) else Path(self.source)


def prepare_live_job(root: Path, source: str, inputs: StreamInputs, options: ProcessOptions, live: LiveOptions,
                     out_dir: Path) -> LiveJobSpec:
    """Write the live job folder ``root`` (``live-job.json``) and return its spec; paths are made absolute."""
    absolute = {f.name: getattr(inputs, f.name).absolute() for f in fields(inputs)
                if isinstance(getattr(inputs, f.name), Path)}
    spec = LiveJobSpec(source if is_url(source) else str(Path(source).absolute()), replace(inputs, **absolute),
                       options, live, out_dir.absolute())
    write_json_atomic(root / SPEC_FILE, encode(spec))
    return spec


def is_live_job(root: Path) -> bool:
    """Whether the job folder ``root`` holds a live job."""
    return (root / SPEC_FILE).is_file()


def load_live_job(root: Path) -> LiveJobSpec:
    """The spec of the live job in ``root``.

    Raises:
        InputFileError: the folder holds no live job (or an unreadable spec).
    """
    try:
        return decode(LiveJobSpec, json.loads((root / SPEC_FILE).read_text("utf-8")))
    except FileNotFoundError as exc:
        raise InputFileError(f"no {SPEC_FILE} in {root} — the job folder is gone; submit the live stream again") \
            from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise InputFileError(f"{root / SPEC_FILE} cannot be read ({exc.__class__.__name__}) — submit the live "
                             "stream again") from exc


def run_live_job(
    root: Path,
    on_event: Callable[[Event], None] = lambda event: None,
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = lambda: None,
    on_poll: Callable[[LiveStatus], None] = lambda status: None,
) -> Timeline:
    """Run (or resume) the live session of the job folder ``root`` until the stream ends and its retrospective is
    written; see :func:`mediaops.live.run_live` for the callbacks and what is raised."""
    spec = load_live_job(root)
    return run_live(spec.source, spec.inputs, spec.out_dir, spec.options, spec.live, on_event=on_event,
                    on_progress=on_progress, check_cancelled=check_cancelled, on_poll=on_poll)


__all__ = ["LIVE_SETTINGS", "SPEC_FILE", "LiveJobSpec", "LiveSetting", "check_live_settings", "is_live_job",
           "live_options", "load_live_job", "prepare_live_job", "run_live_job"]
