"""Sales spikes and the published timeline (``timeline.json``, schema version 1)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from mediaops.errors import TimelineError
from mediaops.serialize import to_jsonable, write_json_atomic
from mediaops.signals import peak_indices, robust_z
from mediaops.types import Clip, Metrics, PitchSegment, SalesSpike, Timeline

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class SpikeOptions:
    """How to find sales spikes and what caused them.

    Attributes:
        metrics: the sales metrics searched for spikes.
        height: minimum robust z-score of a spike.
        lag_min_s / lag_max_s: how long after a clip or pitch starts its orders may arrive.
    """

    metrics: tuple[str, ...] = ("orders", "gmv")
    height: float = 2.0
    lag_min_s: float = 0.0
    lag_max_s: float = 180.0


def find_sales_spikes(
    metrics: Metrics,
    clips: list[Clip] | tuple[Clip, ...] = (),
    pitches: list[PitchSegment] | tuple[PitchSegment, ...] = (),
    options: SpikeOptions = SpikeOptions(),
) -> list[SalesSpike]:
    """Spikes in orders and GMV, each linked to the latest clip and pitch that began within the lag window."""
    spikes: list[SalesSpike] = []
    for name in options.metrics:
        series = metrics.get(name)
        if series is None or len(series.values) < 3:
            continue
        values = np.nan_to_num(np.asarray(series.values, dtype=float))
        z = robust_z(values, max(5, round(600 / series.interval_s)))
        for i in peak_indices(z, options.height, 1.0):
            t_s = float(series.t_s[i] + series.interval_s / 2)

            def within(start_s: float, t: float = t_s) -> bool:
                return options.lag_min_s <= t - start_s <= options.lag_max_s

            clip = max((c for c in clips if within(c.start_s)), key=lambda c: c.start_s, default=None)
            pitch = max((p for p in pitches if within(p.start_s)), key=lambda p: p.start_s, default=None)
            confidence = 0.0 if clip is None and pitch is None else min(1.0, float(z[i]) / (2 * options.height))
            spikes.append(
                SalesSpike(
                    id=f"{name}-{len([s for s in spikes if s.metric == name]) + 1:02d}",
                    t_s=round(t_s, 3),
                    metric=name,
                    value=float(values[i]),
                    clip_id=clip.id if clip else None,
                    sku=pitch.sku if pitch else (clip.product_sku if clip else None),
                    confidence=round(confidence, 2),
                )
            )
    return sorted(spikes, key=lambda s: s.t_s)


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
