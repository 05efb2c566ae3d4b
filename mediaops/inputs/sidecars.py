"""Finding a recording's side files by name: ``NAME.mp4`` + ``NAME.metrics.csv`` + ``NAME.comments.jsonl`` + …

The convention (for batch runs and watched folders):

- recording: ``NAME.mp4`` (or ``.mkv .flv .ts .mov .m4v .webm .avi``)
- metrics export (required): ``NAME.metrics.csv`` | ``.xlsx`` | ``.json``
- comment log (optional): ``NAME.comments.jsonl`` | ``.json`` | ``.csv`` | ``.xlsx`` | ``.xml`` (Bilibili danmaku)
- product list (optional): ``NAME.products.csv``
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mediaops.errors import InputFileError

RECORDING_SUFFIXES = (".mp4", ".mkv", ".flv", ".ts", ".mov", ".m4v", ".webm", ".avi")
METRICS_SUFFIXES = (".metrics.csv", ".metrics.xlsx", ".metrics.json")
COMMENTS_SUFFIXES = (".comments.jsonl", ".comments.json", ".comments.csv", ".comments.xlsx", ".comments.xml")
PRODUCTS_SUFFIXES = (".products.csv",)


@dataclass(frozen=True, slots=True)
class StreamFiles:
    """A recording and the side files found beside it (``None`` where absent)."""

    recording: Path
    metrics: Path | None
    comments: Path | None = None
    products: Path | None = None


def is_recording(path: Path) -> bool:
    """True for a file named like a recording (hidden and partial files are not)."""
    name = path.name
    return path.suffix.lower() in RECORDING_SUFFIXES and not name.startswith(".") and ".partial" not in name


def _first(recording: Path, suffixes: tuple[str, ...]) -> Path | None:
    stem = recording.with_suffix("")
    for suffix in suffixes:
        candidate = stem.with_name(stem.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def sidecars_of(recording: Path) -> StreamFiles:
    """The side files of ``recording`` that exist."""
    return StreamFiles(recording, _first(recording, METRICS_SUFFIXES), _first(recording, COMMENTS_SUFFIXES),
                       _first(recording, PRODUCTS_SUFFIXES))


def recordings_in(paths: Iterable[Path]) -> list[Path]:
    """The recordings named by ``paths``: files as given, folders searched (not recursively), sorted by name.

    Raises:
        InputFileError: a path does not exist, or a file given by name is not a recording.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file() and is_recording(p)))
        elif path.is_file():
            if path.suffix.lower() not in RECORDING_SUFFIXES:
                raise InputFileError(
                    f"{path} is not a recording — give video files ({', '.join(RECORDING_SUFFIXES)}) or folders"
                )
            found.append(path)
        else:
            raise InputFileError(f"not found: {path} — check the path")
    return list(dict.fromkeys(found))


def missing_metrics_message(recording: Path) -> str:
    stem = recording.with_suffix("").name
    return (f"no metrics export beside {recording.name} — save it as {stem}.metrics.csv (or .xlsx, .json) "
            "in the same folder")
