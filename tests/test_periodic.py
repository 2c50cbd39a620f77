"""The periodic scheduler: a due callable runs once per interval however many workers tick,
a failure is recorded without stopping the others."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from lantai.core import periodic
from lantai.core.models import PeriodicRun


@pytest.fixture
def fresh_registry(monkeypatch):
    monkeypatch.setattr(periodic, "_REGISTRY", {})


def test_due_callable_runs_once_per_interval(db, fresh_registry):
    calls = []
    periodic.register("t.count", lambda: calls.append(1), timedelta(hours=1))
    assert periodic.run_due() == ["t.count"]
    assert periodic.run_due() == []  # not due again within the hour
    assert len(calls) == 1
    PeriodicRun.objects.filter(name="t.count").update(
        last_started_at=PeriodicRun.objects.get(name="t.count").last_started_at - timedelta(hours=2)
    )
    assert periodic.run_due() == ["t.count"]
    assert len(calls) == 2


def test_failure_is_recorded_and_others_still_run(db, fresh_registry):
    calls = []

    def boom():
        raise RuntimeError("disk on fire")

    periodic.register("t.a_boom", boom, timedelta(seconds=1))
    periodic.register("t.b_ok", lambda: calls.append(1), timedelta(seconds=1))
    assert periodic.run_due() == ["t.a_boom", "t.b_ok"]
    assert calls == [1]
    assert "disk on fire" in PeriodicRun.objects.get(name="t.a_boom").last_error
    assert PeriodicRun.objects.get(name="t.b_ok").last_error == ""


def test_concurrent_ticks_run_a_due_callable_once(transactional_db, fresh_registry):
    calls = []
    lock = threading.Lock()

    def work():
        with lock:
            calls.append(1)

    periodic.register("t.once", work, timedelta(hours=1))
    barrier = threading.Barrier(4)

    def tick():
        from django.db import connection

        barrier.wait()
        try:
            periodic.run_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
