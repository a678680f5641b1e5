"""Another writer holds the database: a page that writes answers 503 with Retry-After and a
plain message instead of a 500, nothing is half done, and the same request works once the
lock is gone. With a real lock on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (LOCK TABLE)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection

from apps.actions.models import Operation
from apps.batch.models import Job
from dashboard.envdb import LOCK_WAIT_S
from tests import factories

# Committed for real: the lock is another connection's, the request must wait on it.
pytestmark = pytest.mark.django_db(transaction=True)

WAIT_MS = 500  # how long this test's requests wait on the lock (the web waits longer)


@contextmanager
def another_writer_holds_the_database() -> Iterator[None]:
    """Another connection's write transaction, held until the block ends."""
    db: dict[str, Any] = connection.settings_dict
    other: sqlite3.Connection | psycopg.Connection[Any]
    if connection.vendor == "sqlite":
        other = sqlite3.connect(db["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        wait = f"PRAGMA busy_timeout = {WAIT_MS}"
        unwait = f"PRAGMA busy_timeout = {LOCK_WAIT_S * 1000}"
    else:
        other = psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            dbname=db["NAME"],
            user=db["USER"],
            password=db["PASSWORD"],
        )
        # A migration's lock: readers go on, writers to the table wait.
        other.execute(f"LOCK TABLE {Operation._meta.db_table} IN EXCLUSIVE MODE")
        wait, unwait = f"SET lock_timeout = {WAIT_MS}", "RESET lock_timeout"
    with connection.cursor() as cursor:
        cursor.execute(wait)
    try:
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute(unwait)


def test_a_write_to_a_locked_database_answers_503_with_retry_after(admin_client):
    account = factories.account()
    factories.jobs(account, 20)
    failed = Job.objects.filter(state="FAILED").first()
    assert failed is not None
    run = {"target": [failed.job_id], "back": "/jobs/"}

    with another_writer_holds_the_database():
        reply = admin_client.post("/actions/retry-jobs/run/", run)
    assert reply.status_code == 503
    assert reply["Retry-After"].isdigit()
    assert reply.content.decode() == "The database is busy; try again in a moment."
    assert not Operation.objects.exists()  # nothing half done

    reply = admin_client.post("/actions/retry-jobs/run/", run)  # trying again works
    operation = Operation.objects.get()
    assert reply.status_code == 302 and reply["Location"] == f"/actions/{operation.pk}/"
