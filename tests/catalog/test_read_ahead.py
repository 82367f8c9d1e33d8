"""``read_ahead``: items in order from a background thread, errors raised where they happened, and a
producer that stops when its consumer does."""

from __future__ import annotations

import threading
import time

import pytest

from catalog.services.read_ahead import read_ahead


def test_items_arrive_in_order_from_another_thread():
    threads: set[str] = set()

    def produce():
        for number in range(50):
            threads.add(threading.current_thread().name)
            yield number

    assert list(read_ahead(produce(), depth=3)) == list(range(50))
    assert threads == {"catalog-read-ahead"}


def test_the_producer_runs_at_most_depth_items_ahead():
    produced: list[int] = []

    def produce():
        for number in range(100):
            produced.append(number)
            yield number

    items = read_ahead(produce(), depth=2)
    assert next(items) == 0
    time.sleep(0.3)
    # One item taken, two waiting in the buffer, one held by the blocked producer.
    assert len(produced) <= 4
    items.close()


def test_an_error_in_the_producer_is_raised_after_the_items_before_it():
    def produce():
        yield 1
        yield 2
        raise ValueError("bad document")

    received = []
    with pytest.raises(ValueError, match="bad document"):
        for item in read_ahead(produce()):
            received.append(item)
    assert received == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer():
    produced: list[int] = []

    def produce():
        for number in range(10_000):
            produced.append(number)
            yield number

    for item in read_ahead(produce(), depth=2):
        if item == 3:
            break
    # The generator is closed: its thread has ended and produced no more than a buffer's worth.
    assert not any(thread.name == "catalog-read-ahead" for thread in threading.enumerate())
    assert len(produced) < 10


def test_the_producer_sees_the_callers_context_variables():
    from portal.ops.request_id import current_request_id

    token = current_request_id.set("req-123")
    try:
        seen = list(read_ahead(current_request_id.get() for _ in range(3)))
    finally:
        current_request_id.reset(token)
    assert seen == ["req-123"] * 3
