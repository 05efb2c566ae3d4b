"""The retrospective (复盘) of one stream: its timeline with the KPI block, the per-product table and the
transcript, ready for the report writers. Built from an output folder, so reports re-render without re-running."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from mediaops.errors import TimelineError
from mediaops.retrospective.kpis import Kpi, compute_kpis
from mediaops.retrospective.product_table import ProductResult, ProductTableOptions, product_results
from mediaops.timeline import read_timeline, timeline_from_dict
from mediaops.types import Segment, Timeline


@dataclass(frozen=True, slots=True)
class Retrospective:
    """Everything a review report shows about one stream.

    Attributes:
        title: the stream's name.
        timezone: the zone asked for the report's wall-clock times (``""``: the stream's own, see
            :func:`mediaops.report.header.report_zone`).
    """

    title: str
    timeline: Timeline
    kpis: tuple[Kpi, ...]
    products: tuple[ProductResult, ...]
    transcript: tuple[Segment, ...] = ()
    timezone: str = ""


def _saved_report_setting(timeline: Timeline, key: str) -> str:
    saved = timeline.extras.get("report") if isinstance(timeline.extras, dict) else None
    value = saved.get(key) if isinstance(saved, dict) else None
    return value if isinstance(value, str) else ""


def build_retrospective(
    timeline: Timeline,
    transcript: tuple[Segment, ...] | list[Segment] = (),
    options: ProductTableOptions = ProductTableOptions(),
    title: str = "",
    timezone: str = "",
) -> Retrospective:
    """KPIs and product results of ``timeline``. ``title`` (the stream's name) and ``timezone`` default to those
    the run recorded (``extras.report``), the title else to the recording's file name without its extension."""
    name = PurePath(timeline.recording.path.replace("\\", "/")).stem
    return Retrospective(
        title=title or _saved_report_setting(timeline, "title") or name or "stream",
        timezone=timezone or _saved_report_setting(timeline, "timezone"),
        timeline=timeline,
        kpis=compute_kpis(timeline.metrics, timeline.recording.duration_s),
        products=tuple(product_results(timeline.pitches, timeline.metrics, timeline.clips, timeline.sales_spikes,
                                       options)),
        transcript=tuple(transcript),
    )


def read_transcript_segments(path: Path) -> tuple[Segment, ...]:
    """The segments (times and text) of a ``transcript.json``; empty where the file is absent.

    Raises:
        TimelineError: the file exists but is not a transcript.
    """
    if not path.is_file():
        return ()
    try:
        doc: Any = json.loads(path.read_text("utf-8"))
        return tuple(Segment(float(s["start_s"]), float(s["end_s"]), str(s["text"]).strip())
                     for s in doc.get("segments", []))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TimelineError(f"{path} is not a readable transcript — re-run `mediaops process`") from exc


def load_retrospective(
    out_dir: Path, options: ProductTableOptions = ProductTableOptions(), title: str = "", timezone: str = ""
) -> Retrospective:
    """The retrospective of a ``mediaops process`` output folder (``timeline.json`` + ``transcript.json``);
    ``title`` and ``timezone`` as in :func:`build_retrospective`.

    Raises:
        TimelineError: the folder has no valid timeline.
    """
    if not out_dir.is_dir():
        raise TimelineError(f"output folder not found: {out_dir} — give a folder written by `mediaops process`")
    timeline = timeline_from_dict(read_timeline(out_dir))
    return build_retrospective(timeline, read_transcript_segments(out_dir / "transcript.json"), options, title,
                               timezone)
