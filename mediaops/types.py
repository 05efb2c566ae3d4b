"""Frozen dataclasses that flow between the pipeline stages.

Times are float seconds from the start of the recording (``start_s``, ``end_s``, ``t_s``);
units are in the field names. Every type here is JSON-ready through :func:`mediaops.serialize.to_jsonable`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

ProgressCallback = Callable[[str, float, str], None]
"""``on_progress(stage, fraction_done, message)``; ``fraction_done`` is in [0, 1]."""


def no_progress(stage: str, fraction: float, message: str) -> None:
    """Default progress callback: ignores every report."""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a probe learned about a recording."""

    path: str
    duration_s: float
    size_bytes: int
    container: str
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: Fraction | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    sample_rate_hz: int | None = None
    channels: int | None = None
    start_time_s: float = 0.0
    rotation_deg: int = 0
    creation_time: datetime | None = None
    #: how wide the upright picture's stored pixels are shown (anamorphic video: 4/3 for 1440×1080 HDV); ``None``
    #: for square pixels. ``width`` and ``height`` are the display size either way.
    sample_aspect_ratio: Fraction | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the recording, ``[start_s, end_s)``: the start of the many types that cover one."""

    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Word(Span):
    text: str
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Segment(Span):
    """One recognised sentence or phrase."""

    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


@dataclass(frozen=True, slots=True)
class Transcript:
    language: str
    segments: tuple[Segment, ...]
    duration_s: float
    engine: str = "faster-whisper"
    model: str = ""
    language_probability: float = 1.0
    #: the audio track recognised (0-based among the recording's audio tracks)
    audio_track: int = 0
    #: what the operator should know about the recognition (e.g. several audio tracks, and which one was used)
    warnings: tuple[str, ...] = ()
    #: the stretches recognised when only parts of the recording were (the first clips' spans); empty: all of it
    spans_s: tuple[tuple[float, float], ...] = ()

    def text_between(self, start_s: float, end_s: float) -> str:
        """The text of every segment that overlaps ``[start_s, end_s)``, joined by spaces."""
        return " ".join(s.text.strip() for s in self.segments if s.end_s > start_s and s.start_s < end_s).strip()


@dataclass(frozen=True, slots=True)
class Scene(Span):
    #: how large the visual change at ``start_s`` was (the detector's content score), where it reports one.
    change: float | None = None


@dataclass(frozen=True, slots=True)
class MetricSeries:
    """One engagement metric as per-interval amounts (never cumulative) at sample times ``t_s``.

    ``kind`` is ``"level"`` for gauges such as online viewers and ``"count"`` for events per
    interval such as comments or orders.
    """

    name: str
    t_s: tuple[float, ...]
    values: tuple[float, ...]
    interval_s: float
    kind: str = "count"
    source_column: str = ""


@dataclass(frozen=True, slots=True)
class Metrics:
    """All metric series read from one export, aligned to recording time."""

    series: tuple[MetricSeries, ...]
    interval_s: float
    offset_s: float = 0.0
    source: str = ""
    warnings: tuple[str, ...] = ()
    #: how the export's times were put on recording time (offsets, or absolute times and what they were
    #: measured from, plus any --metrics-offset), for the report.
    alignment: str = ""
    #: the wall-clock start absolute times were measured from (None for offset times).
    start_time: datetime | None = None
    #: the zone the export's times were read in (``UTC+08:00``, ``Asia/Shanghai``); empty for offset times or
    #: times with their own zone. Reports show wall-clock times in it unless told another.
    zone: str = ""
    #: ``alignment`` as data, for reports in other languages (see ``mediaops.inputs.placement.Placement.basis``).
    alignment_basis: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> MetricSeries | None:
        return next((s for s in self.series if s.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.series)


@dataclass(frozen=True, slots=True)
class Comment:
    t_s: float
    user: str
    text: str


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    aliases: tuple[str, ...] = ()
    price: float | None = None
    #: the price's currency code (``CNY``, ``USD`` …) where the products file says it; empty: the render setting.
    currency: str = ""


@dataclass(frozen=True, slots=True)
class PitchSegment:
    """A stretch of the recording in which the host talks about one product."""

    sku: str
    name: str
    start_s: float
    end_s: float
    mentions: int = 1
    #: when each sentence naming the product began, and each call to action (a link, a flash sale, a
    #: countdown, a price) said during the pitch (see mediaops.analysis.pitches).
    mentions_s: tuple[float, ...] = ()
    calls_s: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Peak:
    """A moment of unusual audience activity."""

    t_s: float
    score: float
    signals: dict[str, float] = field(default_factory=dict)
    #: when the audience started to react (the rise before the peak), and how precisely that is known
    #: (half the interval of the finest signal that rose).
    onset_s: float | None = None
    onset_precision_s: float = 0.0
    #: how much each signal rose: the peak rate over its rolling baseline (ratio), or, for online viewers,
    #: the change in viewers per minute.
    rises: dict[str, float] = field(default_factory=dict)
    #: the span the onset surely lies in, from the row structure of the finest signal that rose (a surge that
    #: fills a row and not the one before began inside that row).
    onset_low_s: float | None = None
    onset_high_s: float | None = None


#: the value of one reason parameter: a number, a text from the inputs (a product name, a sentence, a signal's
#: name) or a list of either.
ReasonValue = float | int | str | tuple[float, ...] | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a clip was chosen, as data: a ``code`` (what kind of evidence) and the numbers behind it.

    The words come later, in the reader's language (:func:`mediaops.analysis.reasons.describe_reasons`), so that
    ``timeline.json`` keeps the numbers and every report and page can say them in its own language. Codes and
    their ``params`` are listed in :mod:`mediaops.analysis.reasons`; a reader meeting a code it does not know skips
    it. Lists in ``params`` are kept as tuples (also when read back from JSON), so a reason read back equals the
    one written.
    """

    code: str
    params: dict[str, ReasonValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", {str(k): tuple(v) if isinstance(v, list) else v
                                            for k, v in self.params.items()})


@dataclass(frozen=True, slots=True)
class Highlight:
    """A segment chosen to become a clip, with the reasons it was chosen."""

    id: str
    start_s: float
    end_s: float
    score: float
    peak_t_s: float
    reasons: tuple[str, ...] = ()
    signals: dict[str, float] = field(default_factory=dict)
    scene_cut_s: float | None = None
    sentence_end_s: float | None = None
    product_sku: str | None = None
    title: str = ""
    #: when the audience started to react, how much each signal rose (see Peak), and the sentence the clip
    #: ends with.
    onset_s: float | None = None
    rises: dict[str, float] = field(default_factory=dict)
    end_sentence: str = ""
    #: the scene cuts the start was chosen from, the evidence that decided it ("timing", "row_structure",
    #: "transcript", "visual"; "only_cut" where one cut was in the window) and the words said at the start.
    start_candidates: tuple[float, ...] = ()
    start_evidence: tuple[str, ...] = ()
    start_cue: str = ""
    #: the reasons as data (``reasons`` is their English text, for scripts; reports and pages word these in
    #: their own language).
    reason_records: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Clip:
    """A rendered highlight: the file on disk and the times it really covers."""

    id: str
    start_s: float
    end_s: float
    score: float
    file: str
    reasons: tuple[str, ...] = ()
    cover: str | None = None
    subtitles: str | None = None
    product_sku: str | None = None
    title: str = ""
    width: int | None = None
    height: int | None = None
    #: the highlight's reasons as data (see :class:`Highlight`).
    reason_records: tuple[Reason, ...] = ()
    #: how a reframed clip fits the recording's picture: "track" (follows the host's face), "content" (a still
    #: crop where the text and product are), "center", "blur" (the whole frame over a blurred copy); "" for the
    #: original frame.
    reframe: str = ""
    #: how much the recording's pixels are enlarged to make a reframed clip (above 1: upscaled).
    upscale: float | None = None
    #: why ``width``/``height`` are not the asked size: "source_smaller" (the recording's crop is smaller, so
    #: the smaller frame was chosen); "" where they are.
    size_reason: str = ""


@dataclass(frozen=True, slots=True)
class SalesSpike:
    id: str
    t_s: float
    metric: str
    value: float
    clip_id: str | None = None
    sku: str | None = None
    confidence: float = 0.0
    #: "pitch_and_clip", "pitch", "clip" or "unattributed" (see mediaops.analysis.attribution).
    attribution: str = "unattributed"
    #: the rolling median the spike rose above, and how far it stood out in units of the series' noise.
    baseline: float | None = None
    significance: float = 0.0
    #: every clip that started within the lag window before the spike (``clip_id`` is the likeliest).
    clip_ids: tuple[str, ...] = ()
    pitch_start_s: float | None = None
    lag_s: float | None = None
    #: the SKUs of every pitch that could have caused the spike, strongest claim first (``sku`` is the first).
    candidate_skus: tuple[str, ...] = ()
    #: the sales moment the spike belongs to: the spikes of several metrics (orders and GMV) at one moment share
    #: it ("sale-01"…), and their attribution.
    event_id: str = ""
    #: when the rise began (the start of its first raised row), and the call to action of the credited pitch
    #: that preceded it (None: the pitch had none before the rise).
    rise_s: float | None = None
    call_s: float | None = None
    #: clips in the lag window not linked to the spike because they show another product than ``sku``.
    other_product_clip_ids: tuple[str, ...] = ()


# --- the retrospective's insights (mediaops.retrospective.insights), published under ``insights`` ------------------
# Viewer changes are percentages (``-18.0`` means 18 % fewer online viewers after a stretch than before it), ``None``
# where the export has no online-viewer column.


@dataclass(frozen=True, slots=True)
class Target:
    """One KPI target from a targets file: ``key`` is canonical, ``label`` is the key as the file spelled it."""

    key: str
    value: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class KpiMoment(Span):
    """An interval that moved a KPI: what it added (counts) or how much the level rose (gauges)."""

    value: float
    share_pct: float | None = None
    on_air: str | None = None
    said: str = ""


@dataclass(frozen=True, slots=True)
class TargetResult:
    """A target next to the actual figure; ``actual`` is ``None`` where the export lacks what it needs."""

    key: str
    label: str
    target: float
    actual: float | None
    attainment_pct: float | None
    met: bool | None
    moments: tuple[KpiMoment, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Viewers' questions of one kind (``category``: price, how_to_buy, coupon, size, colour, …)."""

    category: str
    count: int
    peak_t_s: float
    peak_count: int
    first_t_s: float
    last_t_s: float
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionBurst:
    """A surge of one kind of question and whether the host answered it within the answer window.

    ``answer_t_s`` is the start of the first answering sentence after the surge began (``None`` if none was
    heard before the stream ended); ``wait_s`` the time from the surge's start to it.
    """

    category: str
    start_s: float
    end_s: float
    count: int
    answered: bool
    answer_t_s: float | None = None
    wait_s: float | None = None
    answer_text: str = ""


@dataclass(frozen=True, slots=True)
class Keyword:
    term: str
    count: int


@dataclass(frozen=True, slots=True)
class SegmentVoice:
    """What viewers wrote while one product was on air (``sku`` is ``None`` for the whole stream)."""

    sku: str | None
    name: str
    start_s: float
    end_s: float
    comments: int
    keywords: tuple[Keyword, ...] = ()
    phrases: tuple[Keyword, ...] = ()


@dataclass(frozen=True, slots=True)
class ReactionPoint(Span):
    """Positive and negative comments in one window; ``score`` is (pos − neg) / (pos + neg), 0 when neither."""

    comments: int
    positive: int
    negative: int
    score: float


@dataclass(frozen=True, slots=True)
class DeadAir(Span):
    """A stretch with no recognised speech at least the configured gap long.

    ``loudness_dbfs`` is the stretch's RMS level in the recording (``None`` where not measured): a quiet stretch is
    silence; a loud one holds sound without recognised words (music, or speech the transcription missed).
    """

    duration_s: float
    viewers_before: float | None = None
    viewers_after: float | None = None
    viewer_change_pct: float | None = None
    loudness_dbfs: float | None = None
    quiet: bool | None = None


@dataclass(frozen=True, slots=True)
class PacePoint(Span):
    """Speaking pace in one window: ``rate_per_min`` words (or CJK characters) per minute of the window."""

    rate_per_min: float
    speaking_s: float
    slow: bool = False
    viewer_change_pct: float | None = None


@dataclass(frozen=True, slots=True)
class ProductTime:
    """Time a product was on air (from its pitch segments) against the run-of-show plan."""

    sku: str
    name: str
    actual_s: float
    planned_s: float | None = None
    over_s: float | None = None
    viewer_change_pct: float | None = None


@dataclass(frozen=True, slots=True)
class PlanSegment:
    """One row of a run-of-show: a segment planned to start ``planned_start_s`` into the stream."""

    title: str
    planned_start_s: float
    sku: str | None = None
    key_points: tuple[str, ...] = ()
    planned_duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class KeyPointResult:
    text: str
    said: bool
    t_s: float | None = None
    heard: str = ""


@dataclass(frozen=True, slots=True)
class SegmentResponse:
    """How the audience responded while a segment was on: viewer change and activity totals."""

    viewers_before: float | None
    viewers_after: float | None
    viewer_change_pct: float | None
    comments: float | None
    comments_per_min: float | None
    likes: float | None
    orders: float | None
    gmv: float | None


@dataclass(frozen=True, slots=True)
class ScriptSegmentResult:
    """A run-of-show segment against what was said: ``status`` is on_time, early, late or skipped."""

    title: str
    sku: str | None
    planned_start_s: float
    planned_end_s: float
    status: str
    actual_start_s: float | None = None
    actual_end_s: float | None = None
    delay_s: float | None = None
    key_points: tuple[KeyPointResult, ...] = ()
    said_count: int = 0
    response: SegmentResponse | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """One "next time" point with the evidence that triggered it, in Chinese and English.

    ``kind`` names the rule (target_missed, unanswered_question, dead_air, overrun, skipped_segment, …);
    ``severity`` in [0, 1] orders the list.
    """

    kind: str
    severity: float
    advice_zh: str
    advice_en: str
    evidence_zh: str
    evidence_en: str
    t_s: float | None = None


@dataclass(frozen=True, slots=True)
class Insights:
    """Everything the insight sections of the report show; published under ``insights`` in ``timeline.json``."""

    targets: tuple[TargetResult, ...] = ()
    questions: tuple[QuestionGroup, ...] = ()
    unanswered: tuple[QuestionBurst, ...] = ()
    bursts: tuple[QuestionBurst, ...] = ()
    voices: tuple[SegmentVoice, ...] = ()
    reactions: tuple[ReactionPoint, ...] = ()
    dead_air: tuple[DeadAir, ...] = ()
    pace: tuple[PacePoint, ...] = ()
    pace_unit: str = "words"
    product_time: tuple[ProductTime, ...] = ()
    script: tuple[ScriptSegmentResult, ...] = ()
    actions: tuple[Action, ...] = ()
    dead_air_gap_s: float = 0.0
    answer_window_s: float = 0.0
    start_time: str | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    """Everything a review needs, as published in ``timeline.json`` (schema version 1)."""

    recording: MediaInfo
    clips: tuple[Clip, ...]
    sales_spikes: tuple[SalesSpike, ...]
    scenes: tuple[Scene, ...]
    highlights: tuple[Highlight, ...] = ()
    peaks: tuple[Peak, ...] = ()
    lowlights: tuple[Peak, ...] = ()
    pitches: tuple[PitchSegment, ...] = ()
    metrics: Metrics | None = None
    language: str = ""
    created_at: str = ""
    tool_version: str = ""
    schema_version: int = 1
    #: the retrospective's insights (None: not computed, e.g. a timeline made before they existed).
    insights: Insights | None = None
    #: output files and settings of this run (``report``, the reel …), by name
    extras: dict[str, object] = field(default_factory=dict)
