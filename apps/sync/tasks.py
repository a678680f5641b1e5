"""Celery tasks of the sync engine: thin, ids in, one step of one stream out."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import shared_task

from apps.cloud.errors import CloudError
from apps.cloud.gateway import Throttled
from apps.cloud.models import CloudAccount
from apps.sync import coordination
from apps.sync.health import health_failure, health_success
from apps.sync.streams import REGISTRY, Step, lock_name

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def plan() -> int:
    """Start every stream of every enabled account and region that nobody is running (the
    first time, or after a worker died holding it). Returns how many it started."""
    import apps.sync.catalog  # noqa: F401  (registers the streams)

    started = 0
    for account in CloudAccount.objects.filter(enabled=True):
        for region in account.regions:
            for stream in REGISTRY.values():
                owner = uuid.uuid4().hex
                if coordination.claim(lock_name(stream.name, account.pk, region), owner):
                    run_stream.delay(stream.name, account.pk, region, owner, {})
                    started += 1
    return started


@shared_task(ignore_result=True, acks_late=True)
def run_stream(name: str, account_id: int, region: str, owner: str, cursor: dict[str, Any]) -> None:
    """One step of a stream, then the next one scheduled (or the stream released)."""
    import apps.sync.catalog  # noqa: F401

    stream = REGISTRY.get(name)
    account = CloudAccount.objects.filter(pk=account_id, enabled=True).first()
    lock = lock_name(name, account_id, region)
    if stream is None or account is None or region not in account.regions:
        coordination.release(lock, owner)
        return  # the account or region went away: the stream ends with it
    if not coordination.holds(lock, owner):
        return  # another chain took over (this one was presumed dead)
    step = step_once(stream.name, account, region, cursor)
    run_stream.apply_async((name, account_id, region, owner, step.cursor), countdown=step.delay)


def step_once(name: str, account: CloudAccount, region: str, cursor: dict[str, Any]) -> Step:
    """Run one step and record the stream's health; errors never break the chain."""
    stream = REGISTRY[name]
    try:
        step = stream.step(account, region, cursor)
    except Throttled as busy:
        return Step(cursor, busy.wait)
    except CloudError as err:
        log.warning("%s %s/%s: %s", name, account.name, region, err)
        health_failure(account, region, name, err)
        return Step(cursor, stream.error_delay)
    if step.called:
        health_success(account, region, name)
    return step


@shared_task(ignore_result=True)
def optimize_database() -> None:
    """Keep SQLite's query planner statistics current (the list pages rely on the right index);
    PostgreSQL's autovacuum does this by itself."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
