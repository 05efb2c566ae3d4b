"""Giving freed memory back to the system during a session that runs for hours.

Each recognition stretch and scene pass allocates and frees tens of megabytes (decoded audio and frames, the
model's buffers) from several threads. glibc keeps freed memory in per-thread arenas and hands it back only
from the top of each heap, so over hours the process's resident size creeps up although nothing is kept:
``malloc_trim(0)`` returns every free page. On a C library without it (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; whether the C library could (glibc's ``malloc_trim``)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
