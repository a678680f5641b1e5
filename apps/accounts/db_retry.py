"""A write that meets a busy database (SQLite's write lock held by another process for longer
than the busy timeout, a PostgreSQL serialization failure) is tried again a few times before
the request gives up."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, transaction

from dashboard.database_busy import is_transient

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 3
PAUSE_S = 0.5


class DatabaseBusy(Exception):
    """The database stayed locked through every attempt."""


def retry_when_locked(write: Callable[[], T], *, what: str) -> T:
    """Run `write` in one transaction; when the database is locked, roll back and run it again
    (`write` must be safe to repeat). Raises DatabaseBusy after the last attempt."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as err:
            if not is_transient(err):
                raise
            if attempt == ATTEMPTS:
                raise DatabaseBusy(what) from err
            log.warning(
                "%s: the database is locked, trying again (attempt %d of %d)",
                what,
                attempt + 1,
                ATTEMPTS,
            )
            time.sleep(PAUSE_S * attempt)
    raise AssertionError("unreachable")  # the loop returns or raises
