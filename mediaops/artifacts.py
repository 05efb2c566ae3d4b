"""Stage artifacts on disk: exact JSON round-trips of the library's dataclasses, keyed by content hashes.

A stage's key is a hash of everything its result depends on (the fingerprints of its input files, the keys of
the stages it reads, its options), so a re-run finds the artifact a finished stage left and reuses it, and a
change of input or option gives a new key instead of a stale result.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import types
import typing
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from mediaops.serialize import to_jsonable, write_text_atomic

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


def encode(value: Any) -> Any:
    """Like :func:`mediaops.serialize.to_jsonable` but exact: floats are not rounded, so values read back equal."""
    return to_jsonable(value, exact=True)


def decode(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` (dataclass, ``tuple[X, ...]``, ``X | None`` …) from :func:`encode`'s output."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return decode(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:  # tuple[X, ...]
            return tuple(decode(args[0], v) for v in data)
        if args and len(args) == len(data):  # tuple[X, Y]
            return tuple(decode(a, v) for a, v in zip(args, data, strict=True))
        return tuple(data)
    if origin is list:
        return [decode(typing.get_args(kind)[0], v) for v in data]
    if origin is dict:
        value_kind = typing.get_args(kind)[1]
        return {k: decode(value_kind, v) for k, v in data.items()}
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{k: decode(hints[k], v) for k, v in data.items() if k in names})
    if kind is Fraction:
        return Fraction(data)
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is Path:
        return Path(data)
    if kind is float and isinstance(data, int):
        return float(data)
    return data


class ArtifactStore:
    """A folder of stage results named ``<stage>-<key>.json`` (and any files a stage keeps beside them)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, stage: str, key: str, suffix: str = ".json") -> Path:
        return self.root / f"{stage}-{key}{suffix}"

    def load(self, stage: str, key: str, kind: type[T] | Any) -> T | None:
        """The stored result of ``stage`` under ``key``, or ``None`` when there is none (or it is unreadable)."""
        path = self.path(stage, key)
        try:
            return decode(kind, json.loads(path.read_text("utf-8")))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError):
            # A torn or foreign file cannot come from write_text_atomic; treat it as absent and recompute.
            path.unlink(missing_ok=True)
            return None

    def save(self, stage: str, key: str, value: Any) -> Path:
        """Store ``value`` atomically; readers see the old artifact or the whole new one, never a part."""
        path = self.path(stage, key)
        write_text_atomic(path, json.dumps(encode(value), ensure_ascii=False) + "\n")
        return path

    def clear(self) -> None:
        """Remove the store's folder and everything in it."""
        shutil.rmtree(self.root, ignore_errors=True)
