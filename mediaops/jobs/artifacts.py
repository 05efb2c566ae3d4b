"""Stage artifacts on disk: exact JSON round-trips of the library's dataclasses, keyed by content hashes.

A stage's key is a hash of everything its result depends on (the fingerprints of its input files, the keys of
the stages it reads, its options), so a re-run finds the artifact a finished stage left and reuses it, and a
change of input or option gives a new key instead of a stale result.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, TypeVar

from mediaops.serialize import decode, encode, write_text_atomic

__all__ = ["ArtifactStore", "content_key", "decode", "encode", "file_fingerprint"]

T = TypeVar("T")

#: bytes read from each end of a large file for its fingerprint; smaller files are hashed whole.
FINGERPRINT_EDGE_BYTES = 4 << 20


def file_fingerprint(path: Path | None) -> str:
    """A content hash of ``path`` ("" for ``None``).

    Files up to twice :data:`FINGERPRINT_EDGE_BYTES` are hashed whole; larger ones (recordings of several GB)
    by their size, head and tail, which tells apart any two recordings in practice at a fraction of the cost.
    """
    if path is None:
        return ""
    digest = hashlib.sha256()
    size = path.stat().st_size
    digest.update(str(size).encode())
    with path.open("rb") as handle:
        if size <= 2 * FINGERPRINT_EDGE_BYTES:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        else:
            digest.update(handle.read(FINGERPRINT_EDGE_BYTES))
            handle.seek(size - FINGERPRINT_EDGE_BYTES)
            digest.update(handle.read(FINGERPRINT_EDGE_BYTES))
    return digest.hexdigest()


def content_key(*parts: Any) -> str:
    """A stable hex key of JSON-encodable ``parts`` (dataclasses included)."""
    text = json.dumps(encode(list(parts)), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class ArtifactStore:
    """A folder of stage results named ``<stage>-<key>.json`` (and any files a stage keeps beside them).

    Results are frozen dataclasses, so each one read or written is also kept in memory for this store's
    lifetime (checked against the file's size and modification time): a stage that reads the metrics or the
    transcript many times decodes the JSON once.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._memo: dict[tuple[str, str, Any], tuple[tuple[int, int], Any]] = {}

    def path(self, stage: str, key: str, suffix: str = ".json") -> Path:
        return self.root / f"{stage}-{key}{suffix}"

    def load(self, stage: str, key: str, kind: type[T] | Any) -> T | None:
        """The stored result of ``stage`` under ``key``, or ``None`` when there is none (or it is unreadable)."""
        path = self.path(stage, key)
        try:
            stat = path.stat()
            memo = self._memo.get((stage, key, kind))
            if memo is not None and memo[0] == (stat.st_size, stat.st_mtime_ns):
                return memo[1]
            value = decode(kind, json.loads(path.read_text("utf-8")))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError):
            # A torn or foreign file cannot come from write_text_atomic; treat it as absent and recompute.
            path.unlink(missing_ok=True)
            return None
        self._memo[(stage, key, kind)] = ((stat.st_size, stat.st_mtime_ns), value)
        return value

    def save(self, stage: str, key: str, value: Any) -> Path:
        """Store ``value`` atomically; readers see the old artifact or the whole new one, never a part."""
        path = self.path(stage, key)
        write_text_atomic(path, json.dumps(encode(value), ensure_ascii=False) + "\n")
        return path

    def clear(self) -> None:
        """Remove the store's folder and everything in it."""
        shutil.rmtree(self.root, ignore_errors=True)
