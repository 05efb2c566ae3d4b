"""The pipeline's stages as idempotent functions over a job folder.

A job folder holds ``job.json`` (the recording, its side files and the options) and an artifact store. Each
stage reads the artifacts of the stages before it, computes its result and stores it atomically under a
content-hash key (see :mod:`mediaops.jobs.artifacts`); run again, it returns the stored result at once. So a job
interrupted anywhere (a killed worker, a power cut) resumes where it stopped, clips are rendered once per
highlight whatever the number of retries, and the published folder is swapped in whole by :func:`publish`.

Dependencies: ``probe`` and ``metrics`` read files; ``transcribe`` and ``scenes`` read the recording;
``highlights`` reads all four; ``render`` one highlight; ``publish`` everything. :func:`run_stages` runs them
in order in one process; the Celery workers run them as separate tasks, in parallel where the graph allows.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mediaops import __version__
from mediaops.analysis.attribution import find_sales_spikes
from mediaops.analysis.highlights import (
    candidate_peaks,
    choose_highlights,
    find_lowlights,
    find_peaks_in_engagement,
    scene_windows,
    transcript_spans,
)
from mediaops.analysis.pitches import find_pitches
from mediaops.analysis.scenes import SceneOptions, detect_scenes, detect_scenes_in_windows
from mediaops.analysis.scenes_keyframes import detect_scenes_by_keyframes, detect_scenes_in_windows_by_keyframes
from mediaops.errors import InputFileError, InvalidMediaError, JobCancelledError, MediaOpsError, ReportError
from mediaops.inputs.comments import comment_series, load_comments
from mediaops.inputs.metrics import load_metrics
from mediaops.inputs.products import load_products
from mediaops.jobs.artifacts import ArtifactStore, content_key, decode, encode, file_fingerprint
from mediaops.jobs.options import ProcessOptions, StreamInputs
from mediaops.jobs.outdir import scratch_prefix
from mediaops.media.probe import probe as probe_media
from mediaops.render.batch import render_extras
from mediaops.render.clips import render_highlight
from mediaops.render.reel import write_reel
from mediaops.report import REPORT_FAILURES, ReportOptions, report_settings, write_reports
from mediaops.report.header import choose_zone, in_zone
from mediaops.retrospective.insights import Insights, build_insights, load_run_of_show, load_targets
from mediaops.serialize import write_json_atomic, write_text_atomic
from mediaops.timeline import write_timeline
from mediaops.transcribe import transcribe as transcribe_audio
from mediaops.transcribe import transcribe_spans, transcript_to_srt, transcript_to_vtt
from mediaops.transcribe.spans import splice_transcript
from mediaops.types import (
    Clip,
    Comment,
    Highlight,
    MediaInfo,
    Metrics,
    Peak,
    PitchSegment,
    Product,
    ProgressCallback,
    Scene,
    Timeline,
    Transcript,
    no_progress,
)

__all__ = [
    "FIRST_CLIPS_ORDER", "STAGE_NAMES", "HighlightPlan", "JobCancelledError",
    "JobFolder", "JobSpec", "StreamData", "artifact_paths",
    "clip_folder", "first_highlights", "highlights", "metrics", "prepare_job", "probe", "publish", "reel", "render",
    "rendered", "run_stages", "scenes", "stage_order", "transcribe",
]

#: bump when a stage's output for the same inputs changes, so old artifacts are not reused.
STAGES_VERSION = 5  # 2: keyframe-first scenes, sentence-split transcripts; 3: starts from all evidence, one clip
#                       transcript for the first clips and the full analysis; 4: hints applied after recognition;
#                       5: clip reasons as records (reason_records), the metrics alignment as data (alignment_basis)

#: the stages in the order :func:`run_stages` runs them.
STAGE_NAMES = ("probe", "metrics", "transcribe", "scenes", "highlights", "render", "publish")
#: the order the stages run in when the first clips come first (the default): clips before the full analysis.
FIRST_CLIPS_ORDER = ("probe", "metrics", "highlights", "render", "transcribe", "scenes", "publish")


def stage_order(first_clips: bool) -> tuple[str, ...]:
    """The stages in the order a job runs them (:func:`run_stages` and the workers' canvas follow it)."""
    return FIRST_CLIPS_ORDER if first_clips else STAGE_NAMES


@dataclass(frozen=True, slots=True)
class JobSpec:
    """What a job folder is asked to produce (stored as ``job.json``)."""

    recording: Path
    inputs: StreamInputs
    options: ProcessOptions
    out_dir: Path


@dataclass(frozen=True, slots=True)
class StreamData:
    """The side files of a stream, parsed."""

    metrics: Metrics
    comments: tuple[Comment, ...] = ()
    products: tuple[Product, ...] = ()


@dataclass(frozen=True, slots=True)
class HighlightPlan:
    """What the highlights stage decided: the clips to render and the evidence behind them."""

    highlights: tuple[Highlight, ...]
    peaks: tuple[Peak, ...]
    lowlights: tuple[Peak, ...]
    pitches: tuple[PitchSegment, ...]
    #: the artifact ("transcribe" or "first-transcript") and key of the transcript the clips' captions use.
    transcript_stage: str = "transcribe"
    transcript_key: str = ""


class JobFolder:
    """A job's folder: ``job.json`` plus an artifact store (``artifacts/`` unless another is given).

    The store may be shared by several jobs (a storage-wide cache): keys depend only on content and options,
    so a re-run of the same recording with other clip settings reuses its transcript and scenes.
    """

    def __init__(self, root: Path, artifacts: Path | None = None) -> None:
        self.root = root
        self.store = ArtifactStore(artifacts or root / "artifacts")
        self._spec: JobSpec | None = None
        self._fingerprints: dict[Path, str] = {}

    @property
    def spec_path(self) -> Path:
        return self.root / "job.json"

    @property
    def spec(self) -> JobSpec:
        if self._spec is None:
            try:
                self._spec = decode(JobSpec, json.loads(self.spec_path.read_text("utf-8")))
            except FileNotFoundError as exc:
                raise InputFileError(f"no job.json in {self.root} — the job folder is gone; submit again") from exc
        return self._spec

    def fingerprint(self, path: Path | None) -> str:
        if path is None:
            return ""
        if path not in self._fingerprints:
            try:
                self._fingerprints[path] = file_fingerprint(path)
            except FileNotFoundError as exc:
                raise InputFileError(f"input file not found: {path} — it was moved or deleted") from exc
        return self._fingerprints[path]


def prepare_job(
    root: Path,
    recording: Path,
    inputs: StreamInputs,
    options: ProcessOptions,
    out_dir: Path,
    artifacts: Path | None = None,
) -> JobFolder:
    """Create (or update) the job folder ``root`` for ``recording`` and return it. Paths are made absolute."""
    absolute = {f.name: getattr(inputs, f.name).absolute() for f in fields(inputs)
                if isinstance(getattr(inputs, f.name), Path)}
    spec = JobSpec(recording=recording.absolute(), inputs=replace(inputs, **absolute), options=options,
                   out_dir=out_dir.absolute())
    write_json_atomic(root / "job.json", encode(spec))
    return JobFolder(root, artifacts)


# --- keys: what each stage's result depends on ---------------------------------------------------------------


def _probe_key(job: JobFolder) -> str:
    return content_key("probe", STAGES_VERSION, job.fingerprint(job.spec.recording))


def _metrics_key(job: JobFolder) -> str:
    spec = job.spec
    return content_key(
        "metrics", STAGES_VERSION, _probe_key(job), job.fingerprint(spec.inputs.metrics),
        job.fingerprint(spec.inputs.comments), job.fingerprint(spec.inputs.products), spec.inputs.start_time,
        spec.options.metrics,
    )


def _probe_artifact_key(job: JobFolder) -> str:
    """Where the probe of this job's recording is stored: its content key plus the recording's path.

    A probe names its file (``MediaInfo.path``) and the metrics name theirs (in warnings, ``Metrics.source``);
    both reach the timeline and the reports. So these two cheap stages are stored per path: a job made from the
    same bytes as another user's upload shows its own file names, never the other's. The stages after them are
    keyed by content alone (:func:`_probe_key`, :func:`_metrics_key`) and shared: what they hold names no file.
    """
    return content_key(_probe_key(job), str(job.spec.recording))


def _metrics_artifact_key(job: JobFolder) -> str:
    """Where this job's parsed side files are stored: their content key plus their paths (see above)."""
    inputs = job.spec.inputs
    return content_key(_metrics_key(job), str(job.spec.recording), *(str(getattr(inputs, f.name))
                                                                      for f in fields(inputs)))


def _transcribe_key(job: JobFolder) -> str:
    """The key of the recording's complete transcript. Whichever clips came first, the stored transcript is
    complete (their spans' words spliced in), so re-runs with other clip settings reuse it."""
    spec = job.spec
    return content_key("transcribe", STAGES_VERSION, job.fingerprint(spec.recording),
                       job.fingerprint(spec.inputs.products), spec.options.transcribe)


def _first_clip_transcript(job: JobFolder) -> Transcript | None:
    """The first clips' transcript (``None`` without first clips): the full pass skips the stretches it
    recognised and takes its words there, so nothing is recognised twice. Chooses the first clips if they have
    not been chosen yet (they always come first)."""
    if not job.spec.options.first_clips:
        return None
    plan = first_highlights(job)
    return job.store.load(plan.transcript_stage, plan.transcript_key, Transcript) if plan.transcript_key else None


def _scenes_key(job: JobFolder) -> str:
    options = job.spec.options
    if options.scenes.mode == "windowed":  # the windows come from the engagement peaks
        return content_key("scenes", STAGES_VERSION, job.fingerprint(job.spec.recording), options.scenes,
                           _metrics_key(job), options.comments, options.highlights)
    return content_key("scenes", STAGES_VERSION, job.fingerprint(job.spec.recording), options.scenes)


def _highlights_key(job: JobFolder) -> str:
    return content_key("highlights", STAGES_VERSION, _probe_key(job), _metrics_key(job), _transcribe_key(job),
                       _scenes_key(job), job.spec.options.highlights, job.spec.options.comments)


def _first_key(job: JobFolder) -> str:
    options = job.spec.options
    return content_key("first-clips", STAGES_VERSION, _probe_key(job), _metrics_key(job), options.scenes,
                       options.highlights, options.comments, job.fingerprint(job.spec.inputs.products),
                       options.transcribe)


def _plan_key(job: JobFolder) -> str:
    """The key of the highlight plan the clips come from (first-clips plan or the full one)."""
    return _first_key(job) if job.spec.options.first_clips else _highlights_key(job)


def _render_key(job: JobFolder, highlight: Highlight) -> str:
    return content_key("render", STAGES_VERSION, job.fingerprint(job.spec.recording), _plan_key(job),
                       highlight, job.spec.options.render)


# --- the stages -------------------------------------------------------------------------------------------------


def probe(job: JobFolder) -> MediaInfo:
    """Probe the recording; it must have audio and video.

    Raises:
        InputFileError, InvalidMediaError: the recording is missing, undecodable or lacks a stream.
    """
    key = _probe_artifact_key(job)
    if (found := job.store.load("probe", key, MediaInfo)) is not None:
        return found
    recording = job.spec.recording
    info = probe_media(recording)
    if not info.has_audio:
        raise InvalidMediaError(
            f"no audio track in {recording.name} — MediaOps needs the stream's sound to transcribe it"
        )
    if not info.has_video:
        raise InvalidMediaError(f"no video track in {recording.name} — give the video recording, not only its audio")
    job.store.save("probe", key, info)
    return info


def _start_time(job: JobFolder, info: MediaInfo) -> tuple[datetime | None, str]:
    """When the stream started (absolute times in the exports count from it) and where that came from."""
    if job.spec.inputs.start_time is not None:
        return job.spec.inputs.start_time, "--start-time"
    if info.creation_time is not None:
        return info.creation_time, "the recording's creation time"
    return None, "--start-time"


def metrics(job: JobFolder) -> StreamData:
    """Parse the metrics export and the optional comment log and product list (targets and run-of-show are
    checked here too, so that a bad file fails the job before the long stages).

    Raises:
        InputFileError, MetricsFormatError, PlanFormatError: a file is missing or cannot be understood.
    """
    key = _metrics_artifact_key(job)
    if (found := job.store.load("metrics", key, StreamData)) is not None:
        return found
    spec = job.spec
    info = probe(job)
    start_time, start_source = _start_time(job, info)
    # with the recording's length: exports that do not line up stop here, wider ones are trimmed to it
    loaded = load_metrics(spec.inputs.metrics, spec.options.metrics, start_time, start_source, info.duration_s)
    comments = (load_comments(spec.inputs.comments, spec.options.metrics.offset_s, start_time, start_source,
                              options=spec.options.metrics, duration_s=info.duration_s)
                if spec.inputs.comments else [])
    products = load_products(spec.inputs.products) if spec.inputs.products else []
    if spec.inputs.targets:
        load_targets(spec.inputs.targets)
    if spec.inputs.run_of_show:
        load_run_of_show(spec.inputs.run_of_show)
    data = StreamData(metrics=loaded, comments=tuple(comments), products=tuple(products))
    job.store.save("metrics", key, data)
    return data


def _peaks(job: JobFolder, info: MediaInfo, data: StreamData) -> list[Peak]:
    options = job.spec.options
    signals = comment_series(data.comments, info.duration_s, options.comments) if data.comments else ()
    return find_peaks_in_engagement(data.metrics, signals, options.highlights, info.duration_s)


def _asr_options(job: JobFolder):
    """The transcription options with the product names and aliases added as hot words."""
    spec = job.spec
    products = load_products(spec.inputs.products) if spec.inputs.products else []
    hotwords = tuple(dict.fromkeys(n for p in products for n in (p.name, *p.aliases)))
    return replace(spec.options.transcribe, hotwords=spec.options.transcribe.hotwords + hotwords)


def transcribe(job: JobFolder, on_progress: ProgressCallback = no_progress,
               check_cancelled: Callable[[], None] = lambda: None) -> Transcript:
    """Transcribe the recording, with the product names as hot words. With first clips the stretches their
    transcript recognised are skipped (silenced before recognition) and their words spliced in, so nothing is
    recognised twice. ``check_cancelled`` is called between segments in every decoding thread (see
    :func:`mediaops.transcribe.transcribe`).

    Raises:
        InvalidMediaError: no audio. ModelError: the model cannot be loaded. Whatever ``check_cancelled``
        raises (``JobCancelledError``).
    """
    key = _transcribe_key(job)
    if (found := job.store.load("transcribe", key, Transcript)) is not None:
        on_progress("transcribe", 1.0, "reused")
        return found
    spec = job.spec
    on_progress("transcribe", 0.0, "loading the model")
    part = _first_clip_transcript(job)
    asr = replace(_asr_options(job), skip_spans_s=part.spans_s if part is not None else ())
    transcript = transcribe_audio(spec.recording, asr, probe(job).duration_s, on_progress, check_cancelled)
    if part is not None:  # the skipped stretches: the first clips' words, as their captions say them
        transcript = splice_transcript(transcript, part)
        if not transcript.language:  # all the speech was in the clips' spans: nothing else to detect it from
            transcript = replace(transcript, language=part.language, language_probability=part.language_probability)
    job.store.save("transcribe", key, transcript)
    return transcript


def _scenes_in_windows(recording: Path, windows: list[tuple[float, float]], options: SceneOptions,
                       on_progress: ProgressCallback) -> list[Scene]:
    """The cuts inside ``windows``: keyframes first unless the ``full`` mode asks for every frame."""
    if options.mode == "full":
        return detect_scenes_in_windows(recording, windows, options, on_progress)
    return detect_scenes_in_windows_by_keyframes(recording, windows, options, on_progress)


def scenes(job: JobFolder, on_progress: ProgressCallback = no_progress) -> tuple[Scene, ...]:
    """Scene changes of the recording (in ``windowed`` mode only near the engagement peaks, which it reads from
    the metrics stage, running that first if needed)."""
    key = _scenes_key(job)
    if (found := job.store.load("scenes", key, tuple[Scene, ...])) is not None:
        on_progress("scenes", 1.0, "reused")
        return found
    on_progress("scenes", 0.0, "detecting scene changes")
    spec = job.spec
    info = probe(job)
    if spec.options.scenes.mode == "windowed":
        # clips only need the cuts just before each candidate peak; the report's scene list is then partial
        windows = scene_windows(_peaks(job, info, metrics(job)), info.duration_s, spec.options.highlights)
        found_scenes = _scenes_in_windows(spec.recording, windows, spec.options.scenes, on_progress)
    else:
        found_scenes = (detect_scenes_by_keyframes(spec.recording, spec.options.scenes, info.duration_s, on_progress)
                        if spec.options.scenes.mode == "keyframes"
                        else detect_scenes(spec.recording, spec.options.scenes, on_progress=on_progress))
    result = tuple(found_scenes)
    job.store.save("scenes", key, result)
    return result


def _require(job: JobFolder, stage: str, key: str, kind: Any) -> Any:
    found = job.store.load(stage, key, kind)
    if found is None:
        raise MediaOpsError(f"the {stage} stage has not finished for {job.root.name} — run it first")
    return found


def highlights(job: JobFolder, on_progress: ProgressCallback = no_progress,
               check_cancelled: Callable[[], None] = lambda: None) -> HighlightPlan:
    """Choose the highlights from the finished probe, metrics, transcribe and scenes stages, as the first clips
    would (see :func:`first_highlights`): from the same candidate peaks and the same clip transcript (made here if
    the first clips did not make it; ``on_progress`` and ``check_cancelled`` go to it), so that both orders give
    identical clips.

    Raises:
        MediaOpsError: a stage it reads has not finished.
    """
    if job.spec.options.first_clips:
        return first_highlights(job, on_progress, check_cancelled)
    key = _highlights_key(job)
    if (found := job.store.load("highlights", key, HighlightPlan)) is not None:
        return found
    info: MediaInfo = _require(job, "probe", _probe_artifact_key(job), MediaInfo)
    data: StreamData = _require(job, "metrics", _metrics_artifact_key(job), StreamData)
    transcript: Transcript = _require(job, "transcribe", _transcribe_key(job), Transcript)
    found_scenes: tuple[Scene, ...] = _require(job, "scenes", _scenes_key(job), tuple[Scene, ...])
    pitches = find_pitches(transcript, list(data.products))
    peaks = _peaks(job, info, data)
    # the clips are chosen as the first clips choose them (same candidates, same clip transcript), so that both
    # orders give identical starts and ends; the full transcript names the pitches of the report and captions
    candidates = candidate_peaks(peaks, job.spec.options.highlights)
    spoken, _ = _clip_transcript(job, info, candidates, found_scenes, on_progress, check_cancelled)
    chosen = choose_highlights(candidates, found_scenes, spoken, info.duration_s,
                               find_pitches(spoken, list(data.products)), job.spec.options.highlights)
    plan = HighlightPlan(highlights=tuple(chosen), peaks=tuple(peaks), lowlights=tuple(find_lowlights(data.metrics)),
                         pitches=tuple(pitches), transcript_stage="transcribe", transcript_key=_transcribe_key(job))
    job.store.save("highlights", key, plan)
    return plan


def first_highlights(job: JobFolder, on_progress: ProgressCallback = no_progress,
                     check_cancelled: Callable[[], None] = lambda: None) -> HighlightPlan:
    """Choose the clips without the full analysis: the strongest engagement peaks, scene detection only in the
    windows before them, and a transcript of only the spans the clips may cover (for their sentence ends,
    captions and product). The choice is the one a full pass would make wherever the windows reach; the full
    transcript and scene list follow for the report.
    """
    key = _first_key(job)
    if (found := job.store.load("highlights", key, HighlightPlan)) is not None:
        return found
    spec = job.spec
    options = spec.options.highlights
    info = probe(job)
    data = metrics(job)
    peaks = _peaks(job, info, data)
    candidates = candidate_peaks(peaks, options)
    on_progress("scenes", 0.0, f"scene changes near {len(candidates)} peaks")
    windows = scene_windows(candidates, info.duration_s, options)
    near = _scenes_in_windows(spec.recording, windows, spec.options.scenes, on_progress)
    transcript, transcript_key = _clip_transcript(job, info, candidates, near, on_progress, check_cancelled)
    pitches = find_pitches(transcript, list(data.products))
    chosen = choose_highlights(candidates, near, transcript, info.duration_s, pitches, options)
    plan = HighlightPlan(highlights=tuple(chosen), peaks=tuple(peaks), lowlights=tuple(find_lowlights(data.metrics)),
                         pitches=tuple(pitches), transcript_stage="first-transcript", transcript_key=transcript_key)
    job.store.save("highlights", key, plan)
    return plan


def _clip_transcript(job: JobFolder, info: MediaInfo, candidates: list[Peak], found_scenes: Sequence[Scene],
                     on_progress: ProgressCallback, check_cancelled: Callable[[], None]) -> tuple[Transcript, str]:
    """The transcript of just the spans the clips of ``candidates`` are chosen from (the words at the cuts of each
    reaction window, the sentences that may end each clip), and its artifact key. Keyed by those spans, so the
    first clips and the full analysis read the very same words and choose the same starts and ends."""
    spans = transcript_spans(candidates, found_scenes, info.duration_s, job.spec.options.highlights)
    asr = _asr_options(job)
    key = content_key("clip-transcript", STAGES_VERSION, job.fingerprint(job.spec.recording),
                      [(round(a, 3), round(b, 3)) for a, b in spans], asr)
    if (found := job.store.load("first-transcript", key, Transcript)) is not None:
        return found, key
    on_progress("transcribe", 0.0, f"transcribing the {len(spans)} clip spans first")
    check_cancelled()
    transcript = transcribe_spans(job.spec.recording, spans, asr, on_progress, check_cancelled)
    job.store.save("first-transcript", key, transcript)
    return transcript, key


def _plan_transcript(job: JobFolder, plan: HighlightPlan) -> Transcript:
    if not plan.transcript_key:  # a plan stored before the field existed
        return _require(job, "transcribe", _transcribe_key(job), Transcript)
    return _require(job, plan.transcript_stage, plan.transcript_key, Transcript)


def render(job: JobFolder, highlight_id: str, threads: int = 0) -> Clip:
    """Render the highlight ``highlight_id`` (video, cover, subtitles …); done once whatever the retries.

    The clip's files are made in a private temporary folder, which is then renamed into the store as a whole,
    and a small record that marks the clip finished is written last: a clip either has all its files or is
    rendered again. Two workers that got the same task (a redelivery) never write into the same folder.

    Returns a :class:`Clip` whose paths are relative to its folder in the store (:func:`clip_folder`).
    Raises:
        MediaOpsError: the highlights stage has not finished or has no such highlight. FFmpegError: ffmpeg failed.
    """
    plan: HighlightPlan = _require(job, "highlights", _plan_key(job), HighlightPlan)
    highlight = next((h for h in plan.highlights if h.id == highlight_id), None)
    if highlight is None:
        raise MediaOpsError(f"no highlight {highlight_id!r} in job {job.root.name} — its plan changed; re-run it")
    key = _render_key(job, highlight)
    folder = job.store.path("render", key, "")
    if (found := job.store.load("render", key, Clip)) is not None and (folder / found.file).is_file():
        return found
    info: MediaInfo = _require(job, "probe", _probe_artifact_key(job), MediaInfo)
    data: StreamData = _require(job, "metrics", _metrics_artifact_key(job), StreamData)
    transcript = _plan_transcript(job, plan)
    job.store.root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".render-{key}-", dir=job.store.root))
    try:
        clip = render_highlight(job.spec.recording, info, highlight, transcript, scratch, job.spec.options.render,
                                {p.sku: p for p in data.products}, threads)
        if not job.store.path("render", key).is_file():  # else a duplicate delivery finished first: keep its files
            shutil.rmtree(folder, ignore_errors=True)  # a folder without its record is a leftover of a crash
            os.replace(scratch, folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    job.store.save("render", key, clip)
    return clip


def _reel_key(job: JobFolder, plan: HighlightPlan) -> str:
    return content_key("reel", STAGES_VERSION, [_render_key(job, h) for h in plan.highlights], job.spec.options.render,
                       job.fingerprint(job.spec.inputs.products), job.spec.recording.stem)


def reel(job: JobFolder, on_progress: ProgressCallback = no_progress) -> dict[str, str]:
    """Render the highlight reel from the rendered clips into the store, where :func:`publish` takes it instead of
    rendering it. It needs nothing but the clips, so :func:`run_stages` renders it beside the full transcript and
    scene pass. Returns its files by kind (relative to its folder, :func:`reel_folder`); empty when the options
    want no reel or there are no clips.

    Raises:
        MediaOpsError: a clip has not been rendered. FFmpegError: ffmpeg failed.
    """
    plan: HighlightPlan = _require(job, "highlights", _plan_key(job), HighlightPlan)
    spec = job.spec
    if not spec.options.render.reel or not plan.highlights:
        return {}
    key = _reel_key(job, plan)
    folder = reel_folder(job, plan)
    found = job.store.load("reel", key, dict[str, str])
    if found is not None and all((folder / name).is_file() for name in found.values()):
        return found
    on_progress("replay", 0.0, "highlight reel")
    info: MediaInfo = _require(job, "probe", _probe_artifact_key(job), MediaInfo)
    data: StreamData = _require(job, "metrics", _metrics_artifact_key(job), StreamData)
    scratch = Path(tempfile.mkdtemp(prefix=f".reel-{key}-", dir=job.store.root))
    try:
        clips = _link_clips(job, plan, scratch)  # the reel reads the rendered clips (their crop and captions)
        written = write_reel(spec.recording, info, clips, scratch, spec.options.render,
                             {p.sku: p for p in data.products}, spec.recording.stem)
        shutil.rmtree(folder, ignore_errors=True)  # a folder without its record is a leftover of a crash
        folder.mkdir(parents=True)
        for name in written.values():
            os.replace(scratch / name, folder / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    job.store.save("reel", key, written)
    on_progress("replay", 1.0, "highlight reel")
    return written


def reel_folder(job: JobFolder, plan: HighlightPlan) -> Path:
    """The store's folder of the reel :func:`reel` rendered for ``plan``."""
    return job.store.path("reel", _reel_key(job, plan), "")


def _stored_reel(job: JobFolder, plan: HighlightPlan) -> dict[str, str] | None:
    """The reel :func:`reel` left for ``plan`` (its files by kind), or ``None``."""
    if not job.spec.options.render.reel or not plan.highlights:
        return None
    found = job.store.load("reel", _reel_key(job, plan), dict[str, str])
    folder = reel_folder(job, plan)
    return found if found and all((folder / name).is_file() for name in found.values()) else None


def clip_folder(job: JobFolder, highlight: Highlight) -> Path:
    """The store's folder of ``highlight``'s rendered files (the paths of its :class:`Clip` are relative to it)."""
    return job.store.path("render", _render_key(job, highlight), "")


def rendered(job: JobFolder) -> tuple[list[str], list[str]]:
    """``(done, missing)`` highlight ids of the render stage (for progress reports and checks)."""
    plan: HighlightPlan = _require(job, "highlights", _plan_key(job), HighlightPlan)
    done: list[str] = []
    missing: list[str] = []
    for highlight in plan.highlights:
        marker = job.store.path("render", _render_key(job, highlight))
        (done if marker.is_file() else missing).append(highlight.id)
    return done, missing


def artifact_paths(job: JobFolder, stage: str) -> list[Path]:
    """The files a finished ``stage`` left for ``job`` (its artifact; each clip's folder; the output folder)."""
    keys = {"probe": _probe_artifact_key, "metrics": _metrics_artifact_key, "transcribe": _transcribe_key,
            "scenes": _scenes_key, "highlights": _plan_key}
    if stage in keys:
        path = job.store.path(stage, keys[stage](job))
        return [path] if path.is_file() else []
    if stage == "render":
        plan = job.store.load("highlights", _plan_key(job), HighlightPlan)
        return [clip_folder(job, h) for h in plan.highlights if clip_folder(job, h).is_dir()] if plan else []
    if stage == "publish":
        return [job.spec.out_dir] if job.spec.out_dir.is_dir() else []
    return []


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _publish_folder(work: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by the finished ``work`` folder; the old results survive until the swap."""
    if out_dir.exists():
        old = out_dir.with_name(f"{scratch_prefix(out_dir, 'old')}swap")
        os.replace(out_dir, old)
        os.replace(work, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(work, out_dir)


def publish(
    job: JobFolder, on_progress: ProgressCallback = no_progress, check_cancelled: Callable[[], None] = lambda: None
) -> Timeline:
    """Attribute sales spikes, write transcripts, clips, ``timeline.json`` and the reports into the output folder.

    The folder is built beside the output and swapped in whole: readers see the previous results or the new
    ones, and the clips in it are exactly the plan's, each once.
    Raises:
        MediaOpsError: an earlier stage (or a clip) has not finished.
    """
    results = _finished_results(job)
    on_progress("publish", 0.0, "transcripts, clips, reel, insights, timeline and reports")
    out_dir = job.spec.out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=scratch_prefix(out_dir, "partial"), dir=out_dir.parent))
    work.chmod(0o755)
    try:
        timeline = _write_results(job, results, work, on_progress, check_cancelled)
        _publish_folder(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    on_progress("report", 1.0, "done")
    return timeline


@dataclass(frozen=True, slots=True)
class _FinishedResults:
    """What the stages before :func:`publish` stored, read back together."""

    info: MediaInfo
    data: StreamData
    transcript: Transcript
    scenes: tuple[Scene, ...]
    plan: HighlightPlan


def _finished_results(job: JobFolder) -> _FinishedResults:
    """The stored results of every stage before publishing; after first clips, the full transcript takes the clip
    spans' recognition over those spans (so captions and report agree) and the pitches are found again in it.

    Raises:
        MediaOpsError: a stage has not finished.
    """
    info: MediaInfo = _require(job, "probe", _probe_artifact_key(job), MediaInfo)
    data: StreamData = _require(job, "metrics", _metrics_artifact_key(job), StreamData)
    transcript: Transcript = _require(job, "transcribe", _transcribe_key(job), Transcript)
    found_scenes: tuple[Scene, ...] = _require(job, "scenes", _scenes_key(job), tuple[Scene, ...])
    plan = highlights(job)
    if plan.transcript_stage != "transcribe":
        transcript = splice_transcript(transcript, _plan_transcript(job, plan))
        plan = replace(plan, pitches=tuple(find_pitches(transcript, list(data.products))))
    return _FinishedResults(info=info, data=data, transcript=transcript, scenes=found_scenes, plan=plan)


def _write_results(job: JobFolder, results: _FinishedResults, work: Path, on_progress: ProgressCallback,
                   check_cancelled: Callable[[], None]) -> Timeline:
    """Fill the scratch folder ``work`` with everything the output folder holds; return the timeline written."""
    spec = job.spec
    clips = _link_clips(job, results.plan, work)
    reel_files = _stored_reel(job, results.plan)  # rendered beside the full analysis (run_stages)
    for name in (reel_files or {}).values():
        _link(reel_folder(job, results.plan) / name, work / name)
    check_cancelled()
    extras = render_extras(spec.recording, results.info, clips, results.plan.pitches, work, spec.options.render,
                           results.data.products, spec.recording.stem, on_progress, reel_files)
    check_cancelled()
    _write_transcripts(results.transcript, work)
    insights = _insights(job, results, on_progress)
    timeline = _timeline(job, results, clips, insights, extras)
    doc = write_timeline(timeline, work / "timeline.json")
    on_progress("report", 0.0, "writing reports")
    return write_job_reports(timeline, doc, work, spec.options.report)


def write_job_reports(timeline: Timeline, doc: dict[str, Any], work: Path, options: ReportOptions) -> Timeline:
    """Write the reports of ``timeline`` (written as ``doc`` into ``work``); returns the timeline as published.

    A PDF that cannot be written (no Chinese font, a layout failure) does not fail the job: it is written last, so
    the clips and the other reports stand, and the timeline records why it is missing
    (``extras.report_failures``, see :class:`~mediaops.errors.ReportError`) for the pages and the command line.
    Any other report's failure is raised.
    """
    try:
        write_reports(doc, work, options)
    except ReportError as exc:
        timeline = replace(timeline, extras={**timeline.extras, REPORT_FAILURES: [exc.record()]})
        write_timeline(timeline, work / "timeline.json")
    return timeline


def _link_clips(job: JobFolder, plan: HighlightPlan, work: Path) -> list[Clip]:
    """Link every rendered clip's files into ``work`` and return the clips, in the plan's order.

    Raises:
        MediaOpsError: a clip has not been rendered.
    """
    clips = []
    for highlight in plan.highlights:
        clips.append(_require(job, "render", _render_key(job, highlight), Clip))
        folder = clip_folder(job, highlight)
        for scratch in job.store.root.glob(f".render-{_render_key(job, highlight)}-*"):
            shutil.rmtree(scratch, ignore_errors=True)  # left by a render killed mid-way
        for path in folder.rglob("*"):
            if path.is_file():
                _link(path, work / path.relative_to(folder))
    return clips


def _write_transcripts(transcript: Transcript, work: Path) -> None:
    write_json_atomic(work / "transcript.json", transcript)
    write_text_atomic(work / "transcript.srt", transcript_to_srt(transcript))
    write_text_atomic(work / "transcript.vtt", transcript_to_vtt(transcript))


def _insights(job: JobFolder, results: _FinishedResults, on_progress: ProgressCallback) -> Insights:
    """The retrospective's insights, from the side files the job names (targets, run of show) and the results."""
    spec = job.spec
    on_progress("insights", 0.0, "targets, audience, delivery, script")
    targets = load_targets(spec.inputs.targets) if spec.inputs.targets else []
    run_of_show = load_run_of_show(spec.inputs.run_of_show) if spec.inputs.run_of_show else []
    start = spec.inputs.start_time
    if start is not None:  # the insights' times and sentences on the report's wall clock, as its header shows them
        start = in_zone(start, choose_zone(spec.options.report.timezone, results.data.metrics.zone, start))
    insights = build_insights(results.transcript, results.data.metrics, results.data.comments, results.plan.pitches,
                              results.info.duration_s, targets, run_of_show, start, spec.options.insights,
                              spec.recording)
    on_progress("insights", 1.0, f"{len(insights.actions)} next-time points")
    return insights


def _timeline(job: JobFolder, results: _FinishedResults, clips: list[Clip], insights: Insights,
              extras: Mapping[str, object]) -> Timeline:
    """The timeline of the finished job: the results, the clips, their sales spikes, ``insights`` and ``extras``."""
    plan = results.plan
    spikes = find_sales_spikes(results.data.metrics, clips, list(plan.pitches), job.spec.options.spikes)
    return Timeline(
        recording=results.info,
        clips=tuple(clips),
        sales_spikes=tuple(spikes),
        scenes=results.scenes,
        highlights=plan.highlights,
        peaks=plan.peaks,
        lowlights=plan.lowlights,
        pitches=plan.pitches,
        metrics=results.data.metrics,
        language=results.transcript.language,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_version=__version__,
        insights=insights,
        extras={**extras, "report": report_settings(job.spec.options.report)},
    )


def run_stages(
    job: JobFolder,
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = lambda: None,
) -> Timeline:
    """Run every stage of ``job`` in order in this process (finished ones are reused) and publish."""
    on_progress("probe", 0.0, str(job.spec.recording))
    info = probe(job)
    metrics(job)
    on_progress("probe", 1.0, f"{info.duration_s:.0f} s, {info.width}x{info.height}")
    check_cancelled()
    if job.spec.options.first_clips:
        plan = first_highlights(job, on_progress, check_cancelled)
    else:
        _analyse(job, on_progress, check_cancelled)
        plan = highlights(job)
    on_progress("highlights", 1.0, f"{len(plan.highlights)} highlights from {len(plan.peaks)} peaks")
    total = len(plan.highlights)
    cores = os.cpu_count() or 1
    workers = max(1, min(job.spec.options.render.workers or cores, total or 1))
    threads = max(1, cores // workers)  # share the cores between the encoders running at once
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, _clip in enumerate(pool.map(lambda h: render(job, h.id, threads), plan.highlights), start=1):
            on_progress("render", done / total, f"{done}/{total} clips")
    check_cancelled()
    if job.spec.options.first_clips:  # the clips are out; now the full analysis for the report, the reel beside it
        _analyse(job, on_progress, check_cancelled, with_reel=True)
    return publish(job, on_progress, check_cancelled)


def _analyse(job: JobFolder, on_progress: ProgressCallback, check_cancelled: Callable[[], None],
             with_reel: bool = False) -> None:
    """The full transcript and the full scene pass, side by side: CTranslate2 and OpenCV both work outside the
    GIL and neither keeps two cores busy all the time, so together they finish well before one after the other.
    With ``with_reel`` (the clips are rendered) the highlight reel too: it needs only the clips, and waiting for
    the transcript would leave its encoding to the end, alone."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        running: list[Future[object]] = [pool.submit(transcribe, job, on_progress, check_cancelled),
                                         pool.submit(scenes, job, on_progress)]
        if with_reel:
            running.append(pool.submit(reel, job, on_progress))
        for future in running:
            future.result()
    check_cancelled()
