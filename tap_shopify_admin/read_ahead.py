"""Reading several sources at once while handing their items on in order: a stream's time window read as
slices by concurrent requests, so that a paged sync is not held to one round trip at a time."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def in_order(sources: Sequence[Callable[[], Iterable[Any]]], workers: int, ahead: int = 2) -> Iterator[Any]:
    """Every item of the first source, then of the second, …; up to `workers` sources are read at once,
    each at most `ahead` items ahead of the reader. An error in a source is raised when its turn comes;
    closing the iterator stops the readers."""
    stop = threading.Event()
    outputs: list[queue.Queue[Any]] = [queue.Queue(maxsize=ahead) for _ in sources]

    def put(out: queue.Queue[Any], item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read(source: Callable[[], Iterable[Any]], out: queue.Queue[Any]) -> None:
        try:
            for item in source() if not stop.is_set() else ():
                if not put(out, item):
                    return
            put(out, _DONE)
        except BaseException as exc:  # handed to the reader, who raises it in its turn
            put(out, _Failed(exc))

    pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="read-ahead")
    try:
        for source, out in zip(sources, outputs, strict=True):
            pool.submit(read, source, out)
        for out in outputs:
            while (item := out.get()) is not _DONE:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
