"""Preparing the next batch while the last one is written: a refresh's reading in a thread of its own.

A refresh spends its time in two places: Python reading, validating and indexing documents, and
PostgreSQL storing the rows (COPY, index and TOAST writes), while the Python process only waits for
it. ``read_ahead`` runs the producing iterator in a background thread, a bounded number of items
ahead, so the database stores one batch while the next is prepared; on a 2-core machine the two
overlap. Waiting on the database releases the GIL, so the producer runs during every write.

The producer must not use the database: it would get a connection of its own, outside the
caller's transaction. Processing reads files and documents only (``catalog.services.processing``).
An error in the producer is raised by the consumer, at the point the item would have come; when
the consumer stops early, the producer stops after the item it is on.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.db import connections

T = TypeVar("T")

_DONE = object()
# How often a producer blocked on a full buffer checks whether the consumer has gone.
_POLL_SECONDS = 0.1


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """``items`` in order, produced in a background thread at most ``depth`` items ahead."""
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    consumer_gone = threading.Event()

    def put(item: object) -> bool:
        while not consumer_gone.is_set():
            try:
                buffer.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as error:
            put(_Failure(error))
        finally:
            # Should processing ever touch the database, its connection must not outlive the thread.
            connections.close_all()

    # In the caller's context: log lines of the reading carry the job's request id (portal.ops).
    context = contextvars.copy_context()
    producer = threading.Thread(target=context.run, args=(produce,), name="catalog-read-ahead", daemon=True)
    producer.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        consumer_gone.set()
        producer.join()
