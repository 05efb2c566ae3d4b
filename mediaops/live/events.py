"""The live event log (``live.jsonl``: one JSON object a line) and its optional webhook.

The log is also the record of what was announced: after a crash or a restart the session reads it back and
announces nothing twice. A line is written whole and flushed to disk before the event counts as announced; a
line cut short by a crash is removed when the log is opened again (its event is then announced anew).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mediaops.serialize import to_jsonable

log = logging.getLogger("mediaops.live")

Event = dict[str, Any]


def wall_time() -> str:
    """Now, as ISO 8601 UTC with milliseconds (the ``wall_time`` of every event)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class EventLog:
    """Appends events to ``path`` and remembers every event already in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.events: list[Event] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            data = path.read_bytes()
            whole = data[: data.rfind(b"\n") + 1]
            if len(whole) != len(data):  # a line cut short by a crash: drop it, its event is announced again
                with path.open("r+b") as handle:
                    handle.truncate(len(whole))
            for line in whole.decode("utf-8", "replace").splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    self.events.append(event)

    def ids(self, event: str) -> set[str]:
        """The ``id`` of every logged event of type ``event``."""
        return {str(e.get("id")) for e in self.events if e.get("event") == event and e.get("id") is not None}

    def of(self, event: str) -> list[Event]:
        """Every logged event of type ``event``, in order."""
        return [e for e in self.events if e.get("event") == event]

    def append(self, event: Event) -> Event:
        """Write ``event`` (with ``wall_time`` added unless it has one) as one line, flushed to disk."""
        record = {**to_jsonable(event), "wall_time": event.get("wall_time") or wall_time()}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self.events.append(record)
        return record


class Webhook:
    """POSTs each event as JSON to ``url`` from a background thread, in order. A failure is logged as a warning
    and the event dropped: the stream goes on whatever the receiver does."""

    def __init__(self, url: str, timeout_s: float = 5.0,
                 on_failure: Callable[[Event, str], None] | None = None) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.failures = 0
        self._on_failure = on_failure
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="mediaops-webhook", daemon=True)
        self._thread.start()

    def send(self, event: Event) -> None:
        self._queue.put(event)

    def _post(self, event: Event) -> None:
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8",
                                                  "User-Agent": "mediaops-live"})
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            response.read()

    def _run(self) -> None:
        while (event := self._queue.get()) is not None:
            try:
                self._post(event)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                self.failures += 1
                reason = str(getattr(exc, "reason", exc)) or exc.__class__.__name__
                log.warning("webhook %s failed for %s event %s: %s", self.url, event.get("event"), event.get("id"),
                            reason)
                if self._on_failure is not None:
                    self._on_failure(event, reason)
            finally:
                self._queue.task_done()

    def close(self, timeout_s: float | None = None) -> None:
        """Send what is queued (waiting at most about ``timeout_s`` per event), then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout=None if timeout_s is None else timeout_s * (self._queue.qsize() + 1))
