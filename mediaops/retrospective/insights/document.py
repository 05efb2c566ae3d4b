"""Reading insights back from the JSON document they were published as (``timeline.json`` → ``extras.insights``),
so that reports re-render from an output folder without re-running anything."""

from __future__ import annotations

from typing import Any

from mediaops.errors import TimelineError
from mediaops.retrospective.insights.types import Insights
from mediaops.serialize import decode


def insights_from_dict(data: dict[str, Any] | None) -> Insights | None:
    """The :class:`Insights` of a published document (``None`` for ``None``); keys it does not know are ignored.

    Raises:
        TimelineError: the document does not have the shape of insights.
    """
    if data is None:
        return None
    try:
        return decode(Insights, data)
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise TimelineError(f"the insights in timeline.json cannot be read back ({exc}) — re-run `mediaops process`") \
            from exc
