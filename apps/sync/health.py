"""Sync health per stream: the age of the last success, the last error, consecutive failures."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from apps.cloud.errors import CloudError
from apps.cloud.models import CloudAccount
from apps.sync.models import SyncHealth


def _row(account: CloudAccount, region: str, stream: str) -> SyncHealth:
    row, _ = SyncHealth.objects.get_or_create(account=account, region=region, stream=stream)
    return row


def health_success(account: CloudAccount, region: str, stream: str) -> None:
    now = timezone.now()
    _row(account, region, stream)
    SyncHealth.objects.filter(account=account, region=region, stream=stream).update(
        last_attempt_at=now, last_success_at=now, consecutive_failures=0, calls=F("calls") + 1
    )


def health_failure(account: CloudAccount, region: str, stream: str, error: CloudError) -> None:
    now = timezone.now()
    _row(account, region, stream)
    SyncHealth.objects.filter(account=account, region=region, stream=stream).update(
        last_attempt_at=now,
        last_error_at=now,
        last_error_code=error.code[:128],
        last_error_message=(
            error.message + (f" (RequestId {error.request_id})" if error.request_id else "")
        )[:2000],
        consecutive_failures=F("consecutive_failures") + 1,
        calls=F("calls") + 1,
        errors=F("errors") + 1,
    )
