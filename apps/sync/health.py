"""Recording sync health per stream: the last success, the last error, consecutive failures
(read by `apps.sync.selectors`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.cloud.errors import CloudError
from apps.cloud.scope import Scope
from apps.sync.models import SyncHealth


def _rows(scope: Scope, stream: str) -> QuerySet[SyncHealth]:
    SyncHealth.objects.get_or_create(**scope.lookup, stream=stream)
    return SyncHealth.objects.filter(**scope.lookup, stream=stream)


def health_if_possible(record: Callable[..., None], *args: Any) -> DatabaseError | None:
    """Record health if the database allows it (the failure being recorded may be the
    database's own; the next step records again). Returns the database's refusal, if any."""
    try:
        record(*args)
    except DatabaseError as refused:
        return refused
    return None


def health_success(scope: Scope, stream: str) -> None:
    now = timezone.now()
    _rows(scope, stream).update(
        last_attempt_at=now, last_success_at=now, consecutive_failures=0, calls=F("calls") + 1
    )


def health_failure(scope: Scope, stream: str, error: CloudError) -> None:
    request = f" (RequestId {error.request_id})" if error.request_id else ""
    _failure(scope, stream, error.code, error.message + request)


def health_database_error(scope: Scope, stream: str, error: DatabaseError) -> None:
    """The step could not write what it learnt (locked, restarting): it is tried again."""
    _failure(scope, stream, f"Database.{type(error).__name__}", str(error) or repr(error))


def _failure(scope: Scope, stream: str, code: str, message: str) -> None:
    now = timezone.now()
    _rows(scope, stream).update(
        last_attempt_at=now,
        last_error_at=now,
        last_error_code=code[:128],
        last_error_message=message[:2000],
        consecutive_failures=F("consecutive_failures") + 1,
        calls=F("calls") + 1,
        errors=F("errors") + 1,
    )
