"""Celery tasks of the sync engine: thin, ids in, one step of one stream out."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from itertools import islice
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from apps.cloud.errors import CloudError
from apps.cloud.gateway import Throttled
from apps.cloud.models import CloudAccount
from apps.cloud.scope import Scope, stream_lock
from apps.sync import coordination
from apps.sync.health import (
    health_database_error,
    health_failure,
    health_if_possible,
    health_success,
)
from apps.sync.streams import REGISTRY, Step, Stream, cursor_dump, cursor_load, registered

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def plan() -> int:
    """Start the streams of enabled accounts and regions that nobody is running (the first
    time, or after a worker died holding them). Returns how many it started.

    Fair across accounts: each account starts at most SYNC_PLAN_STARTS_PER_ACCOUNT streams a
    tick, and the accounts take turns, so the workers' one queue gets every account's first
    streams before any account's next ones. An account with hundreds of regions then starts
    over a few ticks instead of burying everyone else's streams behind thousands of its own."""
    per_account = settings.SYNC_PLAN_STARTS_PER_ACCOUNT
    accounts = CloudAccount.objects.filter(enabled=True).order_by("pk")
    turns = [(account.pk, islice(_claims(account), per_account)) for account in accounts]
    started = 0
    while turns:
        still = []
        for account_id, claims in turns:
            claim = next(claims, None)
            if claim is None:
                continue  # this account is done for this tick
            name, region, owner = claim
            run_stream.delay(name, account_id, region, owner, {})
            started += 1
            still.append((account_id, claims))
        turns = still
    return started


def _claims(account: CloudAccount) -> Iterator[tuple[str, str, str]]:
    """(stream, region, owner) of each of the account's streams nobody holds, claimed one at a
    time as the planner asks for the next (so what it does not ask for stays free)."""
    for region in account.regions:
        scope = Scope(account, region)
        for stream in registered().values():
            if not stream.served_in(region):
                continue  # the cloud would refuse every step there
            owner = uuid.uuid4().hex
            if coordination.claim(scope.lock(stream.name), owner):
                yield stream.name, region, owner


@shared_task(ignore_result=True, acks_late=True)
def run_stream(name: str, account_id: int, region: str, owner: str, cursor: dict[str, Any]) -> None:
    """One step of a stream, then the next one scheduled (or the stream released)."""
    stream = registered().get(name)
    account = CloudAccount.objects.filter(pk=account_id, enabled=True).first()
    lock = stream_lock(name, account_id, region)
    if stream is None or account is None or not _still_wanted(stream, account, region):
        coordination.release(lock, owner)
        return  # the account or region went away (or its product left it): the stream ends
    if not coordination.holds(lock, owner):
        return  # another chain took over (this one was presumed dead)
    step = step_once(stream.name, Scope(account, region), cursor)
    args = (name, account_id, region, owner, cursor_dump(step.cursor))
    run_stream.apply_async(args, countdown=step.delay)


def _still_wanted(stream: Stream, account: CloudAccount, region: str) -> bool:
    """Whether the stream still has a region to run in: watched and served."""
    return region in account.regions and stream.served_in(region)


def step_once(name: str, scope: Scope, cursor: dict[str, Any]) -> Step[Any]:
    """Run one step from the JSON `cursor` and record the stream's health; errors never
    break the chain (the step is tried again from the same cursor)."""
    registered()
    stream = REGISTRY[name]  # a test may step a stream of its own
    typed: Any = cursor_load(stream.cursor, cursor)
    try:
        step = stream.step(scope, typed)
    except Throttled as busy:
        return Step(typed, busy.wait)
    except CloudError as err:
        log.warning("%s %s: %s", name, scope, err)
        health_if_possible(health_failure, scope, name, err)
        return Step(typed, stream.error_delay)
    except DatabaseError as err:
        # Locked (SQLite), restarting or a serialization failure (PostgreSQL): the steps are
        # idempotent, so the same step later loses nothing; ending the chain would stop the
        # stream until its lock's lease ran out.
        log.warning("%s %s: database error, step rescheduled: %s", name, scope, err)
        health_if_possible(health_database_error, scope, name, err)  # logged above either way
        return Step(typed, stream.error_delay)
    if step.called and (refused := health_if_possible(health_success, scope, name)):
        # what the step learnt is saved, only its health is not
        log.warning("%s %s: database error, health not recorded: %s", name, scope, refused)
    return step


@shared_task(ignore_result=True)
def optimize_database() -> None:
    """Keep SQLite's query planner statistics current (the list pages rely on the right index);
    PostgreSQL's autovacuum does this by itself."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
