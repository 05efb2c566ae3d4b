"""What a live session shows the people watching it: ``live-status.json`` (replaced whole at every poll) beside
the event log ``live.jsonl``.

The status says how far the stream has got (seconds written and recognised), which phase the session is in (on
air, writing the retrospective, ended) and the online-viewers curve read so far, exactly as the session read it
(the export's times put on recording time with the session's own options). A page or a worker reads it with
:func:`read_live_status` and the events with :func:`read_live_events`; both tolerate a session writing at the
same moment. Pure data: nothing here decides anything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediaops.serialize import decode, encode, write_text_atomic
from mediaops.types import Metrics

STATUS_FILE = "live-status.json"
EVENTS_FILE = "live.jsonl"
#: the session's phases, in order.
PHASES = ("on_air", "retrospective", "ended")


@dataclass(frozen=True, slots=True)
class ViewerCurve:
    """Online viewers at row times ``t_s`` (recording seconds); ``None`` where a row had no usable count."""

    t_s: tuple[float, ...]
    values: tuple[float | None, ...]
    interval_s: float


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """A live session at one poll.

    Attributes:
        phase: one of :data:`PHASES`.
        written_s: seconds of the recording on disk.
        recognised_s: seconds of speech recognition done.
        clips: clips announced so far.
        alerts: alerts announced so far.
        viewers: the online-viewers curve read so far (``None`` while the export has no such column or no row).
        updated_at: wall time of this poll (ISO 8601 UTC).
    """

    phase: str
    written_s: float
    recognised_s: float
    clips: int
    alerts: int
    viewers: ViewerCurve | None
    updated_at: str


def viewer_curve(metrics: Metrics | None) -> ViewerCurve | None:
    """The online-viewers series of ``metrics`` as a :class:`ViewerCurve` (non-finite counts as ``None``)."""
    series = metrics.get("online_viewers") if metrics is not None else None
    if series is None or not series.t_s:
        return None
    values = tuple(v if math.isfinite(v) else None for v in series.values)
    return ViewerCurve(tuple(series.t_s), values, series.interval_s)


def write_live_status(out_dir: Path, status: LiveStatus) -> None:
    """Replace ``out_dir/live-status.json`` by ``status`` atomically (readers see the old or the new file)."""
    write_text_atomic(out_dir / STATUS_FILE, json.dumps(encode(status), ensure_ascii=False) + "\n")


def read_live_status(out_dir: Path) -> LiveStatus | None:
    """The status the session last wrote into ``out_dir``, or ``None`` while there is none (or it is unreadable)."""
    try:
        data = json.loads((out_dir / STATUS_FILE).read_text("utf-8"))
        return decode(LiveStatus, data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def read_live_events(out_dir: Path) -> list[dict[str, Any]]:
    """The events of ``out_dir/live.jsonl`` written whole so far, in order (a line still being written, or one that
    is not a JSON object, is left out)."""
    try:
        data = (out_dir / EVENTS_FILE).read_bytes()
    except OSError:
        return []
    events = []
    for line in data[: data.rfind(b"\n") + 1].decode("utf-8", "replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


__all__ = ["EVENTS_FILE", "PHASES", "STATUS_FILE", "LiveStatus", "ViewerCurve", "read_live_events",
           "read_live_status", "viewer_curve", "write_live_status"]
