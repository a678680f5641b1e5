"""The real thing: a Celery worker on the real (embedded) Redis broker runs the planner's
stream chains until the cache matches the emulator; a dead chain is restarted."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from apps.cloud.scope import Scope
from apps.sync import coordination
from apps.sync.tasks import plan
from dashboard.celery import app
from tests.sync.drive import REGION, converged
from tests.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_celery_worker_converges_the_cache(emulator, emulator_account):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert plan() >= 6  # every Batch stream of the account's region started
        assert plan() == 0  # ... and only once
        wait_for(
            lambda: converged(emulator, emulator_account), 90, "the cache matches the emulator"
        )


def test_the_planner_restarts_a_stream_whose_worker_died(emulator_account):
    lock = Scope(emulator_account, REGION).lock("batch.jobs")
    assert coordination.claim(lock, "a-worker-that-will-die")
    started = plan()
    assert not coordination.holds(lock, "someone-else")
    coordination.connection().delete(f"jobdeck:sync:lock:{lock}")  # its lease ran out
    assert plan() == 1
    assert started >= 5
