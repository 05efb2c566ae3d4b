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


@dataclass(frozen=True, slots=True)
class Word:
    start_s: float
    end_s: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Segment:
    """One recognised sentence or phrase."""

    start_s: float
    end_s: float
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
class Scene:
    start_s: float
    end_s: float
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
    extras: dict[str, object] = field(default_factory=dict)
