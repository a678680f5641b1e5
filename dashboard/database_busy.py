"""A database that is busy for a moment (SQLite locked by another writer, PostgreSQL
restarting or failing over, a serialization failure) answers 503 with Retry-After, not 500:
the request did nothing that stays, and trying again shortly works."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

log = logging.getLogger(__name__)
RETRY_AFTER_S = 5

# SQLite primary result codes (https://www.sqlite.org/rescode.html): another connection
# holds the lock.
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
# PostgreSQL SQLSTATE classes and codes
# (https://www.postgresql.org/docs/current/errcodes-appendix.html): connection exceptions,
# transaction rollbacks (serialization failure, deadlock), too many connections,
# lock_not_available, and the server shutting down or starting.
_POSTGRES_BUSY = ("08", "40", "53300", "55P03", "57P01", "57P02", "57P03")


def is_transient(error: DatabaseError) -> bool:
    """Whether the same request is likely to work in a moment (busy, not broken)."""
    cause = error.__cause__  # Django wraps the driver's exception
    sqlite_name = getattr(cause, "sqlite_errorname", None)
    if sqlite_name is not None:
        return str(sqlite_name).startswith(_SQLITE_BUSY)
    state = getattr(cause, "sqlstate", "")
    if state is None:  # psycopg, no SQLSTATE: the server could not be reached at all
        return isinstance(error, OperationalError)
    return bool(state) and str(state).startswith(_POSTGRES_BUSY)


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError) or not is_transient(exception):
            return None  # a real error: Django's 500, logged with its traceback
        log.warning(
            "%s %s: database busy, answered 503: %s", request.method, request.path, exception
        )
        response = HttpResponse(
            gettext("The database is busy; try again in a moment."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
