"""Frozen dataclasses of the retrospective insights, JSON-ready through :func:`mediaops.serialize.to_jsonable`.

Times are float seconds from the start of the recording; viewer changes are percentages (``-18.0`` means 18 %
fewer online viewers after a stretch than before it), ``None`` where the export has no online-viewer column.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Target:
    """One KPI target from a targets file: ``key`` is canonical, ``label`` is the key as the file spelled it."""

    key: str
    value: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class KpiMoment:
    """An interval that moved a KPI: what it added (counts) or how much the level rose (gauges)."""

    start_s: float
    end_s: float
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
class ReactionPoint:
    """Positive and negative comments in one window; ``score`` is (pos − neg) / (pos + neg), 0 when neither."""

    start_s: float
    end_s: float
    comments: int
    positive: int
    negative: int
    score: float


@dataclass(frozen=True, slots=True)
class DeadAir:
    """A stretch with no recognised speech at least the configured gap long.

    ``loudness_dbfs`` is the stretch's RMS level in the recording (``None`` where not measured): a quiet stretch is
    silence; a loud one holds sound without recognised words (music, or speech the transcription missed).
    """

    start_s: float
    end_s: float
    duration_s: float
    viewers_before: float | None = None
    viewers_after: float | None = None
    viewer_change_pct: float | None = None
    loudness_dbfs: float | None = None
    quiet: bool | None = None


@dataclass(frozen=True, slots=True)
class PacePoint:
    """Speaking pace in one window: ``rate_per_min`` words (or CJK characters) per minute of the window."""

    start_s: float
    end_s: float
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
