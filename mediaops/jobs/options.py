"""The options of a whole job: the files that describe a stream and one dataclass per stage.

This is the one place where the job's defaults live; the CLI, the web forms, the API schema and the workers'
validation all read them from here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from mediaops.analysis.attribution import SpikeOptions
from mediaops.analysis.highlights import HighlightOptions
from mediaops.analysis.scenes import SceneOptions
from mediaops.errors import MediaOpsError
from mediaops.inputs.comments import CommentOptions
from mediaops.inputs.metrics import COUNT_READINGS, DATE_ORDERS, TIME_READINGS, MetricsOptions
from mediaops.inputs.placement import parse_timezone
from mediaops.render import RenderOptions
from mediaops.render.options import ASPECTS, CUT_MODES
from mediaops.report import ReportOptions
from mediaops.report.i18n import LANGUAGES
from mediaops.retrospective.insights import InsightOptions
from mediaops.transcribe import TranscribeOptions


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
    #: On by default everywhere (library, CLI, web and workers): one pipeline, whichever door a job comes in by.
    first_clips: bool = True


# --- the options of a submitted job ------------------------------------------------------------------------------
# The web form, the JSON API, the OpenAPI schema and the workers (``mediaops batch``/``watch``) all check a job's
# options with :func:`check_job_options` and turn them into pipeline options with :func:`job_process_options`.


class JobOptionsError(MediaOpsError):
    """A job option has an unknown name, the wrong type or a value out of range; ``key`` names it (empty when
    the options as a whole are wrong)."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class JobOption:
    """One setting a submitted job may change, and the rule its value must follow.

    Attributes:
        key: its name in a job's ``options`` object.
        target: the ``ProcessOptions`` field it sets, as ``"stage.field"`` (its default is that field's), or a
            :class:`StreamInputs` field as ``"inputs.field"`` (see :func:`job_stream_inputs`).
        kind: ``int``, ``float``, ``bool`` or ``str`` (a JSON integer is a valid ``float``; ``bool`` is never a
            number).
        low / high: inclusive bounds of a number.
        choices: the values a text option may take (empty: see ``pattern``).
        pattern: a regular expression a free text option must match whole.
        parse: reads a text value the way the pipeline will (raising ``ValueError`` for a bad one); a value other
            than the default must parse.
        description: one line for forms and the API schema.
    """

    key: str
    target: str
    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str = ""
    description: str = ""
    parse: Callable[[str], Any] | None = None

    @property
    def default(self) -> Any:
        """The pipeline's default for this option (read from :class:`ProcessOptions` or :class:`StreamInputs`,
        never repeated)."""
        stage, name = self.target.split(".")
        if stage == "inputs":
            return next(f.default for f in fields(StreamInputs) if f.name == name)
        return getattr(getattr(ProcessOptions(), stage), name)


#: every option a job may set. The model is special: its value must be one of the server's allowed models.
JOB_OPTIONS: tuple[JobOption, ...] = (
    JobOption("clips", "highlights.max_clips", int, 1, 50, description="clips to cut, best first"),
    JobOption("min_duration_s", "highlights.min_duration_s", float, 3, 600, description="shortest clip, seconds"),
    JobOption("max_duration_s", "highlights.max_duration_s", float, 3, 600, description="longest clip, seconds"),
    JobOption("aspect", "render.aspect", str, choices=ASPECTS, description="clip aspect ratio"),
    JobOption("captions", "render.captions", bool, description="burn captions into the clips"),
    JobOption("cut", "render.cut", str, choices=CUT_MODES, description="exact re-encodes; fast copies"),
    JobOption("lang", "report.lang", str, choices=LANGUAGES, description="language of the report and cards"),
    JobOption("language", "transcribe.language", str, pattern=r"auto|[a-z]{2,3}",
              description="spoken language: auto, or a code such as zh or en"),
    JobOption("model", "transcribe.model", str, description="speech model, one of the server's allowed models"),
    JobOption("metrics_offset_s", "metrics.offset_s", float, -86400, 86400,
              description="seconds to shift every metrics and comment time by"),
    # how exports and comment logs are read: what `mediaops inspect` and the upload page's preview flag as ambiguous
    JobOption("start_time", "inputs.start_time", str, parse=datetime.fromisoformat,
              description="wall-clock start of the recording, ISO 8601 such as 2026-11-20T20:00:00+08:00 (default: "
                          "the recording's creation time); times of day and date-times in the files count from it"),
    JobOption("timezone", "metrics.timezone", str, parse=parse_timezone,
              description="zone of file times written without one, such as +08:00, UTC or Asia/Shanghai (default: "
                          "the header's zone, the start time's, or Beijing time for Chinese platforms)"),
    JobOption("date_order", "metrics.date_order", str, choices=DATE_ORDERS,
              description="dates such as 05/11/2026: day-first, month-first, or auto (the reading that lines up "
                          "with the recording)"),
    JobOption("times", "metrics.times", str, choices=TIME_READINGS,
              description="20:01-style times: offsets from the stream's start, clock (times of day), or auto (the "
                          "reading that lines up with the recording)"),
    JobOption("counts", "metrics.counts", str, choices=COUNT_READINGS,
              description="count columns: per-interval amounts, running totals, or auto (from the header and the "
                          "numbers)"),
)

#: the options that decide how the metrics export and the comment log are read (the upload page's preview)
READING_OPTIONS = ("start_time", "timezone", "date_order", "times", "counts", "metrics_offset_s")

_BY_KEY = {option.key: option for option in JOB_OPTIONS}


def model_names(allowed_models: Sequence[str]) -> dict[str, str]:
    """The names a job may give as its ``model`` option, each with the model it selects.

    An allowed model is a name (``base``) or a local folder; a folder is chosen by its folder name, so that
    neither forms nor error messages show server paths. The first of two entries with one name wins.
    """
    names: dict[str, str] = {}
    for model in allowed_models:
        if model:
            names.setdefault(model, model)
            names.setdefault(PurePath(model).name or model, model)
    return names


def _model_error(allowed_models: Sequence[str]) -> JobOptionsError:
    # One message for every refused value: whether such a folder exists on the server must not show.
    shown = sorted({PurePath(m).name or m for m in allowed_models if m})
    return JobOptionsError(f"option model is not a model this server allows — use one of: {', '.join(shown)} "
                           "(ask an administrator to allow another)", "model")


def _checked(option: JobOption, value: Any) -> Any:
    key = option.key
    if option.kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                option.kind is int and not isinstance(value, int)):
            raise JobOptionsError(f"option {key} must be {'a whole' if option.kind is int else 'a'} number, "
                                  f"not {value!r}", key)
        if not math.isfinite(value) or not option.low <= value <= option.high:  # type: ignore[operator]
            raise JobOptionsError(f"option {key}={value} is out of range — use {option.low:g} to {option.high:g}",
                                  key)
        return option.kind(value)
    if not isinstance(value, option.kind):
        raise JobOptionsError(f"option {key} must be {'true or false' if option.kind is bool else 'text'}, "
                              f"not {value!r}", key)
    if option.choices and value not in option.choices:
        raise JobOptionsError(f"option {key}={value!r} — use one of {', '.join(option.choices)}", key)
    if option.pattern and not re.fullmatch(option.pattern, str(value)):
        raise JobOptionsError(f"option {key}={value!r} is not valid — {option.description}", key)
    if option.parse is not None and value != option.default:
        try:
            option.parse(str(value))
        except ValueError:
            raise JobOptionsError(f"option {key}={value!r} is not valid — {option.description}", key) from None
    return value


def check_job_options(options: Mapping[str, Any] | None, allowed_models: Sequence[str]) -> dict[str, Any]:
    """The options of a job, checked against :data:`JOB_OPTIONS` (values normalised: ``clips`` an int, …).

    ``allowed_models``: the models the server lets jobs use (names or local folders, the default first).

    Raises:
        JobOptionsError: not a mapping, an unknown key, a wrong type, a value out of range, a model that is not
            allowed (the same message whatever the value), or a minimum clip length above the maximum.
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise JobOptionsError("options must be an object of option names and values")
    checked: dict[str, Any] = {}
    for key, value in options.items():
        option = _BY_KEY.get(key)
        if option is None:
            raise JobOptionsError(f"unknown job option {key!r} — known options: {', '.join(sorted(_BY_KEY))}", str(key))
        if key == "model":
            if not isinstance(value, str) or value not in model_names(allowed_models):
                raise _model_error(allowed_models)
            checked[key] = value
            continue
        checked[key] = _checked(option, value)
    low = checked.get("min_duration_s", _BY_KEY["min_duration_s"].default)
    high = checked.get("max_duration_s", _BY_KEY["max_duration_s"].default)
    if low > high:
        raise JobOptionsError(f"option min_duration_s ({low:g}) is longer than max_duration_s ({high:g}) — "
                              "swap them", "min_duration_s")
    return checked


def job_process_options(options: Mapping[str, Any] | None, allowed_models: Sequence[str],
                        base: ProcessOptions = ProcessOptions()) -> ProcessOptions:
    """``base`` with a job's ``options`` applied (checked first with :func:`check_job_options`).

    The model option selects an entry of ``allowed_models``; without it the job uses ``base``'s model.
    The preferred clip length is kept between the clip bounds, as the command line does.

    Raises:
        JobOptionsError: see :func:`check_job_options`.
    """
    checked = check_job_options(options, allowed_models)
    stages: dict[str, dict[str, Any]] = {}
    for key, value in checked.items():
        stage, name = _BY_KEY[key].target.split(".")
        if stage == "inputs":  # see job_stream_inputs
            continue
        if key == "model":
            value = model_names(allowed_models)[value]
        stages.setdefault(stage, {})[name] = value
    if "lang" in checked:  # the chapter titles and cards follow the report's language
        stages.setdefault("render", {})["labels"] = checked["lang"]
    if checked.get("timezone"):  # as on the command line: the reports show wall-clock times in the export's zone
        stages.setdefault("report", {})["timezone"] = checked["timezone"]
    updated = {stage: replace(getattr(base, stage), **values) for stage, values in stages.items()}
    highlights = updated.get("highlights", base.highlights)
    target = min(max(highlights.target_duration_s, highlights.min_duration_s), highlights.max_duration_s)
    updated["highlights"] = replace(highlights, target_duration_s=target)
    return replace(base, **updated)


def job_stream_inputs(options: Mapping[str, Any] | None, allowed_models: Sequence[str],
                      inputs: StreamInputs) -> StreamInputs:
    """``inputs`` with a job's options that describe the stream rather than a stage (``start_time``) applied,
    read as the pipeline takes them (checked first with :func:`check_job_options`).

    Raises:
        JobOptionsError: see :func:`check_job_options`.
    """
    changes: dict[str, Any] = {}
    for key, value in check_job_options(options, allowed_models).items():
        option = _BY_KEY[key]
        stage, name = option.target.split(".")
        if stage == "inputs":
            changes[name] = option.parse(value) if option.parse is not None else value
    return replace(inputs, **changes)
