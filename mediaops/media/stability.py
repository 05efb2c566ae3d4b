"""Telling when a file that is being written (a recording still uploading or recording) has stopped growing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class _Seen:
    size: int
    mtime_ns: int
    since_s: float


class GrowthTracker:
    """Remembers each file's size and modification time across polls; a file is *settled* once both have stayed
    the same for ``settle_s`` seconds (and it is not empty). Pure: the caller supplies the clock and the stats."""

    def __init__(self, settle_s: float) -> None:
        self.settle_s = settle_s
        self._seen: dict[Path, _Seen] = {}

    def observe(self, path: Path, size: int, mtime_ns: int, now_s: float) -> bool:
        """Record one poll of ``path``; True when it has not changed for ``settle_s`` seconds."""
        seen = self._seen.get(path)
        if seen is None or seen.size != size or seen.mtime_ns != mtime_ns:
            self._seen[path] = _Seen(size, mtime_ns, now_s)
            return False
        return size > 0 and now_s - seen.since_s >= self.settle_s

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def forget_missing(self, present: set[Path]) -> None:
        """Drop files that disappeared since the last poll."""
        for path in [p for p in self._seen if p not in present]:
            del self._seen[path]
