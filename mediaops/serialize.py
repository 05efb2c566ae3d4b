"""One serializer that turns the library's dataclasses into JSON-ready values, and the one decoder back."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import tempfile
import types
import typing
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
        return {name: to_jsonable(getattr(value, name), exact) for name in _field_names(type(value))}
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


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


@functools.cache
def _init_field_types(kind: type) -> dict[str, Any]:
    """A dataclass's ``__init__`` fields and their resolved types (resolving them is slow: once per class)."""
    hints = typing.get_type_hints(kind)
    return {f.name: hints[f.name] for f in dataclasses.fields(kind) if f.init}


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


def encode(value: Any) -> Any:
    """Like :func:`to_jsonable` but exact: floats are not rounded, so values read back equal."""
    return to_jsonable(value, exact=True)


def decode(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` (dataclass, ``tuple[X, ...]``, ``X | None`` …) from :func:`encode`'s output."""
    if data is None:
        return None
    if kind is str or kind is int or kind is bool:
        return data
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
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        types_ = _init_field_types(kind)
        return kind(**{k: decode(types_[k], v) for k, v in data.items() if k in types_})
    if kind is Fraction:
        return Fraction(data)
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is Path:
        return Path(data)
    if kind is float and isinstance(data, int):
        return float(data)
    return data
