"""A write that meets SQLite's write lock, held by another process for longer than the
connection's busy timeout, is tried again a few times before the request gives up."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, transaction

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 3
PAUSE_S = 0.5


class DatabaseBusy(Exception):
    """The database stayed locked through every attempt."""


def is_database_locked(err: OperationalError) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY, SQLITE_LOCKED), by its error code."""
    cause = err.__cause__
    return isinstance(cause, sqlite3.OperationalError) and (cause.sqlite_errorcode & 0xFF) in {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    }


def retry_when_locked(write: Callable[[], T], *, what: str) -> T:
    """Run `write` in one transaction; when the database is locked, roll back and run it again
    (`write` must be safe to repeat). Raises DatabaseBusy after the last attempt."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as err:
            if not is_database_locked(err):
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
