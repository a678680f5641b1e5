"""Reads of the sync engine's health for the pages: how old each stream's data is, and which
streams are failing or stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.cloud.models import CloudAccount
from apps.cloud.regions import missing_in
from apps.sync.models import SyncHealth
from apps.sync.streams import registered

STALE_AFTER = timedelta(seconds=60)

# Streams that run all the time: their last success says how old the lists are. The others
# (details, logs) wait for work, so only their failures matter.
CONTINUOUS = ("batch.jobs", "batch.envs", "omics.run_groups", "omics.environments")


@dataclass(frozen=True)
class StreamHealth:
    account: str
    region: str
    stream: str
    synced_at: datetime | None
    error_code: str
    error_message: str
    failures: int
    calls: int
    errors: int

    @property
    def stale(self) -> bool:
        if self.stream not in CONTINUOUS:
            return False
        return self.synced_at is None or timezone.now() - self.synced_at > STALE_AFTER

    @property
    def failing(self) -> bool:
        return self.failures > 0


def stream_health(accounts: QuerySet[CloudAccount], prefix: str) -> list[StreamHealth]:
    """Every stream of `accounts` whose name starts with `prefix` ("" for all)."""
    rows = SyncHealth.objects.filter(account__in=accounts, stream__startswith=prefix)
    streams = registered()
    rows_served = [
        r
        for r in rows.select_related("account").order_by("account__name", "region", "stream")
        # A row left by a stream in a region its product does not serve (before the planner
        # knew) says nothing an operator can act on: `not_served` says it once instead.
        if r.stream not in streams or streams[r.stream].served_in(r.region)
    ]
    return [
        StreamHealth(
            account=r.account.name,
            region=r.region,
            stream=r.stream,
            synced_at=r.last_success_at,
            error_code=r.last_error_code,
            error_message=r.last_error_message,
            failures=r.consecutive_failures,
            calls=r.calls,
            errors=r.errors,
        )
        for r in rows_served
    ]


@dataclass(frozen=True)
class NotServed:
    region: str
    products: list[str]  # what the region does not get, e.g. ["Omics"]


def not_served(accounts: QuerySet[CloudAccount]) -> list[NotServed]:
    """Each region the accounts watch where a product (or part of one) is not served, once:
    no stream of it runs there, so no data of it will appear."""
    regions = {region for account in accounts for region in account.regions}
    found = [NotServed(region, missing_in(region)) for region in sorted(regions)]
    return [n for n in found if n.products]


def freshness(accounts: QuerySet[CloudAccount], prefix: str) -> dict[str, Any]:
    """What a page says about its data: the age of its list streams (the oldest of them; the
    newest success of any stream when no list stream has run), and warnings."""
    health = stream_health(accounts, prefix)
    listed = [h.synced_at for h in health if h.synced_at and h.stream in CONTINUOUS]
    any_success = [h.synced_at for h in health if h.synced_at]
    return {
        "synced_at": min(listed) if listed else max(any_success, default=None),
        "stale": [h for h in health if h.stale],
        "failing": [h for h in health if h.failing],
    }
