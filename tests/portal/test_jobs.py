"""Sending jobs: a broker outage is logged and counted, never raised into the request that asked."""

from __future__ import annotations

import logging

import pytest
from celery import shared_task
from django.db import transaction

from portal.jobs import send_job, send_job_after_commit
from portal.metrics import CELERY_PUBLISH_FAILURES
from tests.workers import broker_unreachable


@shared_task(name="tests.portal.noop")
def noop(*args: object) -> None:
    """A task the tests send (its ``delay`` is replaced; it never runs)."""


def failures() -> float:
    return CELERY_PUBLISH_FAILURES.labels("tests.portal.noop")._value.get()


def test_sends_the_job_with_its_arguments(monkeypatch):
    sent = []
    monkeypatch.setattr(noop, "delay", lambda *args: sent.append(args))

    assert send_job(noop, "a", 1) is True
    assert sent == [("a", 1)]


def test_an_unreachable_broker_is_logged_and_counted_not_raised(monkeypatch, caplog):
    monkeypatch.setattr(noop, "delay", broker_unreachable)
    before = failures()

    with caplog.at_level(logging.WARNING, logger="portal.jobs"):
        assert send_job(noop, "a") is False

    assert failures() == before + 1
    assert caplog.messages == [
        "job queue unavailable: tests.portal.noop('a',) not sent (OperationalError: Error 111 connecting to "
        "127.0.0.1:6379. Connection refused.)"
    ]


def test_a_socket_error_counts_as_an_unreachable_broker(monkeypatch):
    def reset(*args: object) -> None:
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(noop, "delay", reset)

    assert send_job(noop) is False


def test_other_errors_are_not_hidden(monkeypatch):
    def broken(*args: object) -> None:
        raise TypeError("not serializable")

    monkeypatch.setattr(noop, "delay", broken)

    with pytest.raises(TypeError):
        send_job(noop)


@pytest.mark.django_db
def test_after_commit_sends_once_the_transaction_commits(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(noop, "delay", lambda *args: sent.append(args))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_job_after_commit(noop, 7)
        assert sent == []

    assert sent == [(7,)]


@pytest.mark.django_db
def test_after_commit_with_the_broker_down_does_not_raise(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(noop, "delay", broker_unreachable)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        send_job_after_commit(noop, 7)

    assert len(callbacks) == 1
