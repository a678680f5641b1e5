"""The planner is fair across accounts: an account with many regions cannot bury another
account's streams behind thousands of its own in the workers' one queue."""

from __future__ import annotations

import base64
import json

import pytest
import redis

from apps.cloud.models import CloudAccount
from apps.emulator.batch.product import REGIONS
from apps.sync.streams import registered
from apps.sync.tasks import plan
from tests import factories

pytestmark = pytest.mark.django_db


def delivery_order(redis_url: str) -> list[int]:
    """The account of each task waiting in the `celery` queue, in the order a worker takes
    them (kombu pushes on the left and pops on the right)."""
    waiting = redis.Redis.from_url(redis_url).lrange("celery", 0, -1)
    accounts = []
    for raw in reversed(waiting):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        accounts.append(args[1])  # run_stream(name, account_id, region, owner, cursor)
    return accounts


def test_another_accounts_streams_are_not_queued_behind_a_big_one(emulator, redis_url, settings):
    settings.SYNC_PLAN_STARTS_PER_ACCOUNT = 24
    big = factories.emulator_account(emulator, name="many-regions")
    CloudAccount.objects.filter(pk=big.pk).update(regions=list(REGIONS))
    small = factories.emulator_account(emulator, name="one-region")
    streams = len(registered())

    started = plan()

    order = delivery_order(redis_url)
    assert order.count(small.pk) == streams  # every stream of the small account started ...
    # ... within the first turns, not after all of the big account's.
    assert max(i for i, account in enumerate(order) if account == small.pk) < 2 * streams
    assert started == len(order) == streams + 24

    # The big account's streams all start over the next ticks, each once (in each region,
    # those of the products served there).
    served = sum(s.served_in(region) for region in REGIONS for s in registered().values())
    for _ in range(served):
        if plan() == 0:
            break
    assert delivery_order(redis_url).count(big.pk) == served
