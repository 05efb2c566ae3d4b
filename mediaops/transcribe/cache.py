"""Finished transcripts kept on disk, keyed by the recording's content and the transcription options.

The content key hashes the file's size and sampled blocks (start, end and evenly spaced blocks between):
reading ~10 MiB identifies a multi-GB recording in well under a second, unlike a full hash, and unlike size
plus modification time it does not change when a file is copied nor stay the same when it is re-encoded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from mediaops.serialize import write_json_atomic
from mediaops.transcribe.formats import transcript_from_jsonable
from mediaops.transcribe.options import TranscribeOptions
from mediaops.types import Transcript

#: bump when the transcript a given key produces changes (engine handling, text tidying, key layout).
CACHE_VERSION = 4  # 2: overlong segments split into sentences; 3: names applied after recognition, track choice;
#                    4: speech-only windows (a VAD pass first; seams move)
_EDGE_BYTES = 1024 * 1024
_BLOCK_BYTES = 256 * 1024
_SAMPLED_BLOCKS = 32
#: options that change how fast a transcript is made, or where it is kept, but not what it says.
_NOT_IN_KEY = frozenset({"cpu_threads", "workers", "cache_dir", "allow_download"})


def content_fingerprint(path: Path) -> str:
    """A hex digest of ``path``'s size, first and last MiB and 32 blocks spread evenly between them."""
    size = path.stat().st_size
    digest = hashlib.blake2b(digest_size=20)
    digest.update(str(size).encode())
    with path.open("rb") as handle:
        if size <= 2 * _EDGE_BYTES + _SAMPLED_BLOCKS * _BLOCK_BYTES:
            while block := handle.read(_EDGE_BYTES):
                digest.update(block)
            return digest.hexdigest()
        step = (size - 2 * _EDGE_BYTES) // (_SAMPLED_BLOCKS + 1)
        reads = [(0, _EDGE_BYTES)]
        reads += [(_EDGE_BYTES + step * (i + 1), _BLOCK_BYTES) for i in range(_SAMPLED_BLOCKS)]
        reads += [(size - _EDGE_BYTES, _EDGE_BYTES)]
        for offset, length in reads:
            handle.seek(offset)
            digest.update(handle.read(length))
    return digest.hexdigest()


def _model_identity(model: str) -> str:
    """The model name, or for a local model its resolved path with the size and mtime of its weights."""
    local = Path(model).expanduser()
    if not local.exists():
        return model
    weights = local / "model.bin" if local.is_dir() else local
    stat = weights.stat() if weights.exists() else None
    return f"{local.resolve()}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}"


def cache_key(path: Path, options: TranscribeOptions) -> str:
    """The cache key of transcribing ``path`` with ``options``."""
    settings = {f.name: getattr(options, f.name) for f in dataclasses.fields(options) if f.name not in _NOT_IN_KEY}
    settings["model"] = _model_identity(options.model)
    settings["compute_type"] = options.resolved_compute_type()
    settings["hotwords"] = list(options.hotwords)
    text = json.dumps({"v": CACHE_VERSION, "content": content_fingerprint(path), "options": settings},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_cached(cache_dir: Path, key: str) -> Transcript | None:
    """The transcript cached under ``key``, or ``None`` when there is none or it cannot be read."""
    file = cache_dir / f"{key}.json"
    try:
        return transcript_from_jsonable(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_cached(cache_dir: Path, key: str, transcript: Transcript) -> None:
    """Keep ``transcript`` under ``key`` (written atomically)."""
    write_json_atomic(cache_dir / f"{key}.json", transcript)
