"""Recognising several windows at once: one model, a few decoding workers, results in time order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def ordered_map(work: Callable[[Item], Result], items: Iterable[Item], workers: int) -> Generator[Result, None, None]:
    """``work(item)`` for each item, in the items' order, with at most ``workers`` items in flight.

    The items are pulled lazily, so a generator of audio windows is never read more than ``workers`` windows
    ahead: memory stays bounded however long the recording. With ``workers <= 1`` everything runs in the
    calling thread. An exception from ``work`` is raised here, after the items already in flight finish.

    Closing the generator (or an exception) drops the items not started yet and waits for the running ones:
    to stop those promptly, ``work`` itself must notice the reason (a cancellation it checks between steps).
    """
    if workers <= 1:
        for item in items:
            yield work(item)
        return
    pending: deque[Future[Result]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="asr") as pool:
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
