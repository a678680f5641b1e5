"""SQLite locked by another writer for 30 s while a real worker runs the sync: every step that
meets the lock fails after the busy timeout and is rescheduled from the same cursor, so no
stream chain is lost and the cache follows the cloud once the lock is gone, with no help
from the planner."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from apps.batch.models import Job
from apps.cloud.scope import Scope
from apps.sync.coordination import is_held
from apps.sync.streams import registered
from apps.sync.tasks import plan
from tests.reliability.workers import LOGS, celery_worker
from tests.sync.drive import REGION, converged
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.sqlite,  # make test runs it on SQLite when the suite runs on PostgreSQL
    pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite file lock"),
]

LOCK_S = 30.0  # longer than the busy timeout: steps do fail on it


@contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Another process's write transaction on the database file (what a long migration, a
    backup tool or a stuck writer holds), rolled back when the block ends."""
    other = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # waits for the worker's write in progress, if any
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_30_second_write_lock_loses_no_sync_chain(emulator, clock, emulator_account, redis_url):
    scope = Scope(emulator_account, REGION)
    with celery_worker(redis_url, name="database-locked", env={"CLOUD_RATE_SCALE": "100"}):
        assert plan() >= 6
        wait_for(Job.objects.exists, 60, "the worker syncs (the first jobs are cached)")
        with write_locked(Path(connection.settings_dict["NAME"])):
            time.sleep(LOCK_S)  # the scenario: the lock is held this long, whatever happens
        clock.advance(120)  # the cloud moved on meanwhile: only live chains bring it in
        wait_for(
            lambda: converged(emulator, emulator_account),
            180,
            "the cache matches the emulator after the lock, without a new plan",
        )
        assert all(is_held(scope.lock(name)) for name in registered())
    # What the operator reads: steps met the lock, and said so in a line each.
    log = (LOGS / "database-locked.log").read_text()
    assert "database error" in log and "database is locked" in log
    assert "Traceback" not in log
