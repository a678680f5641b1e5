"""A step the database refuses (a read-only failover, a restart, a lock) is rescheduled from
the same cursor instead of ending its stream's chain; the next step carries on. On SQLite and
PostgreSQL alike (CI runs PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from apps.batch.models import Job
from apps.cloud.scope import Scope
from apps.sync.models import SyncHealth
from apps.sync.streams import registered
from apps.sync.tasks import step_once
from tests.sync.drive import REGION, drive

# Committed for real: PostgreSQL refuses writes per transaction, not inside a test's own.
pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_read_only() -> Iterator[None]:
    """This connection's database refuses every write, as a read-only replica would."""
    on, off = (
        ("PRAGMA query_only = ON", "PRAGMA query_only = OFF")
        if connection.vendor == "sqlite"
        else ("SET default_transaction_read_only = on", "SET default_transaction_read_only = off")
    )
    with connection.cursor() as cursor:
        cursor.execute(on)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(off)


def test_a_refused_write_reschedules_the_step_and_the_stream_carries_on(emulator_account, caplog):
    scope = Scope(emulator_account, REGION)
    stream = registered()["batch.jobs"]
    with database_read_only(), caplog.at_level(logging.WARNING, "apps.sync.tasks"):
        step = step_once("batch.jobs", scope, {})
    assert step.cursor == stream.cursor() and step.delay == stream.error_delay
    assert not Job.objects.exists()  # nothing was written ...
    rescheduled = [r for r in caplog.records if "step rescheduled" in r.getMessage()]
    assert len(rescheduled) == 1  # ... and it says so once

    # The chain goes on from the cursor it was given back (the default one), and its health
    # says so once the database takes writes again.
    drive(emulator_account, streams=["batch.jobs"], until=Job.objects.exists)
    health = SyncHealth.objects.get(account=emulator_account, stream="batch.jobs")
    assert health.consecutive_failures == 0 and health.last_success_at is not None
