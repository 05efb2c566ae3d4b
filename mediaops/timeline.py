"""The published timeline (``timeline.json``, schema version 1): writing, validating and reading it back.

This module is the contract between the library and everything that reads its results; it sits at the bottom
of the library (beside :mod:`mediaops.types`) and imports no stage. Sales spikes are found in
:mod:`mediaops.analysis.attribution`.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from mediaops.errors import TimelineError
from mediaops.serialize import decode, to_jsonable, write_json_atomic
from mediaops.types import (
    Clip,
    Highlight,
    Insights,
    MediaInfo,
    Metrics,
    MetricSeries,
    Peak,
    PitchSegment,
    Reason,
    SalesSpike,
    Scene,
    Timeline,
)

SCHEMA_VERSION = 1

__all__ = [
    "SCHEMA_VERSION",
    "insights_from_dict",
    "load_schema",
    "read_timeline",
    "timeline_from_dict",
    "validate_timeline",
    "write_timeline",
]


def load_schema() -> dict[str, Any]:
    """The JSON Schema of ``timeline.json`` shipped inside the package."""
    return json.loads(resources.files("mediaops").joinpath("schema/timeline.schema.json").read_text("utf-8"))


def timeline_to_dict(timeline: Timeline, out_dir: Path | None = None) -> dict[str, Any]:
    """The JSON document of ``timeline`` (paths made relative to ``out_dir`` where given)."""
    doc = to_jsonable(timeline)
    doc["recording"]["path"] = str(timeline.recording.path)
    return doc


def validate_timeline(doc: dict[str, Any]) -> None:
    """Raise :class:`TimelineError` if ``doc`` does not follow the schema."""
    import jsonschema

    try:
        jsonschema.validate(doc, load_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise TimelineError(f"timeline.json is invalid at {where}: {exc.message}") from exc


def write_timeline(timeline: Timeline, path: Path) -> dict[str, Any]:
    """Validate and atomically write ``timeline.json``; returns the written document."""
    doc = timeline_to_dict(timeline)
    validate_timeline(doc)
    write_json_atomic(path, doc)
    return doc


def read_timeline(out_dir: Path) -> dict[str, Any]:
    """The validated ``timeline.json`` document of an output folder.

    Raises:
        TimelineError: the folder has no readable, valid timeline.
    """
    path = out_dir / "timeline.json"
    if not path.is_file():
        raise TimelineError(f"no timeline.json in {out_dir} — run `mediaops process` into that folder first")
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TimelineError(f"{path} is not valid JSON — re-run `mediaops process`") from exc
    validate_timeline(doc)
    return doc


def _build(cls: type, data: dict[str, Any] | None, **convert: Any) -> Any:
    """An instance of dataclass ``cls`` from the known keys of ``data``; ``convert`` maps keys to converters.

    Unknown keys (written by a newer version) are ignored and missing ones take their defaults, so that older
    and newer timelines both read back.
    """
    data = data or {}
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in convert and value is not None:
            value = convert[f.name](value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _fraction(text: Any) -> Fraction | None:
    try:
        return Fraction(str(text))
    except (ValueError, ZeroDivisionError):
        return None


def _reasons(items: Any) -> tuple[Reason, ...]:
    """``reason_records`` read back: each ``{code, params}`` object (anything else is skipped)."""
    return tuple(Reason(item["code"], dict(item.get("params") or {})) for item in items
                 if isinstance(item, dict) and isinstance(item.get("code"), str))


def insights_from_dict(data: dict[str, Any] | None) -> Insights | None:
    """The :class:`Insights` of a published document's ``insights`` (``None`` for ``None``); keys it does not know
    are ignored.

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


def _insights_and_extras(doc: dict[str, Any]) -> tuple[Insights | None, dict[str, object]]:
    """The insights of ``doc`` and its other extras; timelines written before ``insights`` had its own key kept
    them in ``extras.insights``."""
    extras = dict(doc.get("extras") or {})
    old = extras.pop("insights", None)
    found = doc.get("insights") or old
    return insights_from_dict(found if isinstance(found, dict) else None), extras


def _metrics_from_dict(data: dict[str, Any]) -> Metrics:
    series = tuple(
        _build(MetricSeries, s, t_s=tuple, values=lambda v: tuple(float("nan") if x is None else x for x in v))
        for s in data.get("series", [])
    )
    return _build(Metrics, data, series=lambda _: series, warnings=tuple)


def timeline_from_dict(doc: dict[str, Any]) -> Timeline:
    """The :class:`Timeline` of a ``timeline.json`` document (as :func:`read_timeline` returns it).

    Raises:
        TimelineError: a required part is missing or has the wrong shape.
    """
    def many(cls: type, key: str, **convert: Any) -> tuple[Any, ...]:
        return tuple(_build(cls, item, **convert) for item in doc.get(key) or [])

    insights, extras = _insights_and_extras(doc)

    try:
        return Timeline(
            recording=_build(MediaInfo, {"size_bytes": 0, "container": "", "has_video": True, "has_audio": True,
                                         **doc["recording"]},
                             fps=_fraction, creation_time=datetime.fromisoformat,
                             sample_aspect_ratio=_fraction),
            clips=many(Clip, "clips", reason_records=_reasons),
            sales_spikes=many(SalesSpike, "sales_spikes"),
            scenes=many(Scene, "scenes"),
            highlights=many(Highlight, "highlights", reason_records=_reasons),
            peaks=many(Peak, "peaks"),
            lowlights=many(Peak, "lowlights"),
            pitches=many(PitchSegment, "pitches"),
            metrics=_metrics_from_dict(doc["metrics"]) if doc.get("metrics") else None,
            language=doc.get("language") or "",
            created_at=doc.get("created_at") or "",
            tool_version=doc.get("tool_version") or "",
            schema_version=doc.get("schema_version", SCHEMA_VERSION),
            insights=insights,
            extras=extras,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TimelineError(
            f"timeline.json cannot be read back ({exc.__class__.__name__}: {exc}) — re-run `mediaops process`"
        ) from exc
