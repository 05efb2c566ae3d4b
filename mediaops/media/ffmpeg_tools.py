"""Locating and running the ffmpeg executable.

The binary shipped by ``imageio-ffmpeg`` is the default so that a plain ``pip install`` is enough.
An explicit path (the adapters pass ``MEDIAOPS_FFMPEG``) or an ``ffmpeg`` on ``PATH`` overrides it.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from mediaops.errors import FFmpegError, ToolNotFoundError
from mediaops.media import subprocs

_override: str | None = None


def use_ffmpeg(path: str | None) -> None:
    """Make every later ffmpeg run use ``path`` (``None`` restores the default search)."""
    global _override
    if path and not Path(path).is_file() and shutil.which(path) is None:
        raise ToolNotFoundError(f"ffmpeg not found at {path!r}: point MEDIAOPS_FFMPEG at an ffmpeg executable")
    _override = path or None
    ffmpeg_exe.cache_clear()


@functools.cache
def ffmpeg_exe() -> str:
    """The ffmpeg executable to run: the override, else ``ffmpeg`` on PATH, else imageio-ffmpeg's."""
    if _override:
        return shutil.which(_override) or _override
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise ToolNotFoundError("ffmpeg not found: install imageio-ffmpeg or put ffmpeg on PATH") from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg_into(args: Sequence[str], partial: Path, out: Path, what: str = "ffmpeg failed",
                    env: Mapping[str, str] | None = None) -> Path:
    """Run ffmpeg with ``args`` writing ``partial``, then move it to ``out``: readers never see a half-written
    ``out``, and a failed run leaves the previous ``out`` (if any) and no ``partial`` behind."""
    try:
        run_ffmpeg(args, what, env=env)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def run_ffmpeg(args: Sequence[str], what: str = "ffmpeg failed", timeout_s: float | None = None,
               env: Mapping[str, str] | None = None) -> None:
    """Run ffmpeg with ``args`` (everything after the executable), with ``env`` added to the environment;
    raise :class:`FFmpegError` on failure. ffmpeg dies with this process (:mod:`mediaops.media.subprocs`)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    try:
        proc = subprocs.run(cmd, timeout_s=timeout_s, env={**os.environ, **env} if env else None)
    except FileNotFoundError as exc:
        raise ToolNotFoundError(
            f"ffmpeg not found at {cmd[0]!r}: install imageio-ffmpeg or put ffmpeg on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise FFmpegError(cmd, -1, f"timed out after {timeout_s} s", what) from exc
    if proc.returncode != 0:
        raise FFmpegError(cmd, proc.returncode, proc.stderr.decode("utf-8", "replace")[-2000:], what)
