"""The emulator counts "at most N requests per second" as the cloud does, in a sliding
one-second window, and Jobdeck's limiter spending a bucket flat out stays under it.

Counts, not timings: a burst is judged only when all of it fell within one second (measured
with monotonic stamps around the calls), and is tried again otherwise."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from apps.cloud import gateway
from apps.cloud.scope import Scope
from tests import factories
from tests.conftest import start_emulator
from tests.emulator.raw import error_code, post
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db
ACTION = "DescribeInstanceCategories"  # 20/s (https://www.tencentcloud.com/document/api/599/30487)
LIMIT = 20
TRIES = 5


@pytest.fixture
def limited(clock):
    emu = start_emulator("demo", seed=1, clock=clock, limits_enabled=True)
    yield emu
    emu.stop()


@pytest.fixture
def cloud_rate_scale() -> float:
    """The documented rates, unscaled: the limiter must keep to the emulator's."""
    return 1.0


def burst(emulator, count: int) -> tuple[list[str | None], float, float]:
    """`count` calls as fast as they go: their codes, the first call's start and the spread
    from the first call's start to the last call's answer."""
    started = time.monotonic()
    codes = [error_code(post(emulator, ACTION)) for _ in range(count)]
    return codes, started, time.monotonic() - started


def within_one_second(emulator, count: int) -> tuple[list[str | None], float]:
    for _ in range(TRIES):
        emulator.limits.reset()
        codes, started, spread = burst(emulator, count)
        if spread < 1.0:
            return codes, started
    pytest.skip(f"no burst of {count} calls fitted in one second in {TRIES} tries")


def test_the_emulator_lets_exactly_n_through_in_one_second(limited):
    codes, _ = within_one_second(limited, LIMIT + 5)
    assert codes.count(None) == LIMIT  # a token bucket lets a few of the 5 more through
    assert codes[LIMIT:] == ["RequestLimitExceeded"] * 5


def test_half_a_second_later_the_window_is_still_full(limited):
    for _ in range(TRIES):
        codes, started = within_one_second(limited, LIMIT)
        assert codes.count(None) == LIMIT
        time.sleep(max(0.0, started + 0.5 - time.monotonic()))
        code = error_code(post(limited, ACTION))
        if time.monotonic() - started < 1.0:  # the whole burst is still inside the window
            # a token bucket would have refilled half its capacity by now
            assert code == "RequestLimitExceeded"
            return
    pytest.skip("the call after the burst never came within one second of it")


def test_once_the_window_slides_calls_pass_again(limited):
    codes, _ = within_one_second(limited, LIMIT + 1)
    assert codes[-1] == "RequestLimitExceeded"
    wait_for(lambda: error_code(post(limited, ACTION)) is None, 5, "a call passes again")


def test_the_gateway_spending_one_bucket_flat_out_is_never_refused(limited):
    account = factories.emulator_account(limited)
    scope = Scope(account, "ap-guangzhou")
    calls_each, threads = 20, 3  # 60 calls: three seconds at 20/s, from three workers
    failures: list[BaseException] = []

    def spend() -> None:
        try:
            for _ in range(calls_each):
                gateway.cloud_call(scope, "batch", ACTION, {})
        except BaseException as err:  # reported below, from the test thread
            failures.append(err)

    workers = [threading.Thread(target=spend) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    stats = requests.get(f"http://127.0.0.1:{limited.port}/_emulator/stats", timeout=5).json()
    row = next(r for r in stats["calls"] if r["action"] == ACTION)
    assert failures == []
    assert row["rate_limited"] == 0
    assert row["ok"] == calls_each * threads
