"""Recording sync health per stream: the last success, the last error, consecutive failures
(read by `apps.sync.selectors`)."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils import timezone

from apps.cloud.errors import CloudError
from apps.cloud.scope import Scope
from apps.sync.models import SyncHealth


def _rows(scope: Scope, stream: str) -> QuerySet[SyncHealth]:
    SyncHealth.objects.get_or_create(**scope.lookup, stream=stream)
    return SyncHealth.objects.filter(**scope.lookup, stream=stream)


def health_success(scope: Scope, stream: str) -> None:
    now = timezone.now()
    _rows(scope, stream).update(
        last_attempt_at=now, last_success_at=now, consecutive_failures=0, calls=F("calls") + 1
    )


def health_failure(scope: Scope, stream: str, error: CloudError) -> None:
    now = timezone.now()
    request = f" (RequestId {error.request_id})" if error.request_id else ""
    _rows(scope, stream).update(
        last_attempt_at=now,
        last_error_at=now,
        last_error_code=error.code[:128],
        last_error_message=(error.message + request)[:2000],
        consecutive_failures=F("consecutive_failures") + 1,
        calls=F("calls") + 1,
        errors=F("errors") + 1,
    )
