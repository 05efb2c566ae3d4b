"""Reading insights back from the JSON document they were published as (``timeline.json`` → ``extras.insights``),
so that reports re-render from an output folder without re-running anything."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any

from mediaops.errors import TimelineError
from mediaops.insights.types import Insights


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [h for h in typing.get_args(hint) if h is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_convert(item, v) for v in value)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value)
    if hint is float and isinstance(value, int | float):
        return float(value)
    return value


def _build(cls: type, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: _convert(hints[k], v) for k, v in data.items() if k in known})


def insights_from_dict(data: dict[str, Any] | None) -> Insights | None:
    """The :class:`Insights` of a published document (``None`` for ``None``); keys it does not know are ignored.

    Raises:
        TimelineError: the document does not have the shape of insights.
    """
    if data is None:
        return None
    try:
        return _build(Insights, data)
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise TimelineError(f"the insights in timeline.json cannot be read back ({exc}) — re-run `mediaops process`") \
            from exc
