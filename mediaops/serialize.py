"""One serializer that turns the library's dataclasses into JSON-ready values."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any


def to_jsonable(value: Any, exact: bool = False) -> Any:
    """Convert dataclasses, tuples, Fractions and datetimes recursively into JSON-ready values.

    Floats are rounded to milliseconds for people and reports, and non-finite ones become ``null``; with
    ``exact`` they are kept as they are, so that values read back compare equal (artifacts, cache keys).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name), exact) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, exact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v, exact) for v in value]
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not exact:
        return None if not math.isfinite(value) else round(value, 3)
    if isinstance(value, Path):
        return str(value)
    return value


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, value: Any) -> None:
    """Serialize ``value`` with :func:`to_jsonable` and write it atomically as UTF-8 JSON."""
    write_text_atomic(path, json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")
