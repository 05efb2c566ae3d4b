"""The insights' frozen dataclasses, JSON-ready through :func:`mediaops.serialize.to_jsonable`.

They are defined in :mod:`mediaops.types` beside :class:`~mediaops.types.Timeline`, which carries them
(``Timeline.insights``, published under ``insights`` in ``timeline.json``): the published contract sits at the
bottom of the library. The insight modules and the reports name them from here.
"""

from __future__ import annotations

from mediaops.types import (
    Action,
    DeadAir,
    Insights,
    KeyPointResult,
    Keyword,
    KpiMoment,
    PacePoint,
    PlanSegment,
    ProductTime,
    QuestionBurst,
    QuestionGroup,
    ReactionPoint,
    ScriptSegmentResult,
    SegmentResponse,
    SegmentVoice,
    Target,
    TargetResult,
)

__all__ = [
    "Action", "DeadAir", "Insights", "KeyPointResult", "Keyword", "KpiMoment", "PacePoint", "PlanSegment",
    "ProductTime", "QuestionBurst", "QuestionGroup", "ReactionPoint", "ScriptSegmentResult", "SegmentResponse",
    "SegmentVoice", "Target", "TargetResult",
]
