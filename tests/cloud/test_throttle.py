"""The Redis limiter: spacing, buckets, penalties, recovery and counters (real Redis)."""

from __future__ import annotations

import pytest
import redis

from apps.cloud.throttle import WINDOW_MARGIN, Bucket, Throttle

JOBS = Bucket("1", "ap-guangzhou", "batch", "DescribeJobs")


def make(redis_url: str) -> tuple[Throttle, redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    return Throttle(connection), connection


def test_first_call_is_granted_the_next_waits_about_one_interval(redis_url):
    throttle, _ = make(redis_url)
    assert throttle.try_acquire(JOBS, rate=1.0).granted
    second = throttle.try_acquire(JOBS, rate=1.0)
    assert not second.granted
    # one slot per second (and the margin), minus the time between the calls
    assert 0.5 < second.wait <= 1.0 + WINDOW_MARGIN


def test_buckets_are_independent_per_account_region_service_and_action(redis_url):
    throttle, _ = make(redis_url)
    assert throttle.try_acquire(JOBS, rate=1.0).granted
    for other in (
        Bucket("2", "ap-guangzhou", "batch", "DescribeJobs"),
        Bucket("1", "ap-shanghai", "batch", "DescribeJobs"),
        Bucket("1", "ap-guangzhou", "omics", "DescribeJobs"),
        Bucket("1", "ap-guangzhou", "batch", "DescribeJob"),
    ):
        assert throttle.try_acquire(other, rate=1.0).granted


def test_two_throttles_on_one_redis_share_the_bucket(redis_url):
    # Two processes (or machines) = two clients of the same Redis.
    first, _ = make(redis_url)
    second, _ = make(redis_url)
    assert first.try_acquire(JOBS, rate=1.0).granted
    assert not second.try_acquire(JOBS, rate=1.0).granted


def penalize_a_second_later(throttle: Throttle, connection: redis.Redis) -> float:
    """A penalty after the last one's second is over (the last one is moved back in time)."""
    connection.hset(JOBS.key, "penalized_at", _redis_now_us(connection) - 1_000_001)
    return throttle.penalize(JOBS, rate=2.0)


def test_a_penalty_halves_the_rate_and_is_counted(redis_url):
    throttle, connection = make(redis_url)
    throttle.try_acquire(JOBS, rate=2.0)
    # (approx: the rate starts recovering the microsecond after a penalty)
    assert throttle.penalize(JOBS, rate=2.0) == pytest.approx(1.0, abs=0.01)
    assert penalize_a_second_later(throttle, connection) == pytest.approx(0.5, abs=0.01)
    counters = throttle.counters(JOBS, rate=2.0)
    assert counters["limit_errors"] == 2
    assert counters["rate"] == pytest.approx(0.5, abs=0.01)
    assert counters["calls"] == 1


def test_refusals_within_a_second_of_a_penalty_are_counted_but_halve_nothing(redis_url):
    # The calls already in flight when the cloud first refused come back refused too: the
    # same overfull window, not a sign that the halved rate is still too high.
    throttle, _ = make(redis_url)
    assert throttle.penalize(JOBS, rate=2.0) == pytest.approx(1.0, abs=0.01)
    for _ in range(3):
        assert throttle.penalize(JOBS, rate=2.0) == pytest.approx(1.0, abs=0.01)
    counters = throttle.counters(JOBS, rate=2.0)
    assert counters["limit_errors"] == 4
    assert counters["rate"] == pytest.approx(1.0, abs=0.01)


def test_the_rate_never_drops_below_the_floor(redis_url):
    throttle, connection = make(redis_url)
    for _ in range(20):
        penalize_a_second_later(throttle, connection)
    assert throttle.counters(JOBS, rate=2.0)["rate"] == pytest.approx(2.0 * 0.05, abs=0.001)


def test_the_rate_recovers_quickly_to_85_percent_of_the_ceiling_and_holds_there(redis_url):
    throttle, connection = make(redis_url)
    throttle.penalize(JOBS, rate=2.0)  # factor 0.5, ceiling 1.0
    # Pretend the factor was set 3 s ago: 0.5 + 3 x 0.05 = 0.65 (still below the 0.85 knee).
    connection.hset(JOBS.key, "factor_at", _redis_now_us(connection) - 3_000_000)
    assert throttle.counters(JOBS, rate=2.0)["rate"] == pytest.approx(1.3, abs=0.01)
    # 20 s after that, still within the 30 s after the penalty: at the knee, no higher (the
    # other client still takes its share; creeping up would only be refused again).
    connection.hset(JOBS.key, "factor_at", _redis_now_us(connection) - 20_000_000)
    assert throttle.counters(JOBS, rate=2.0)["rate"] == pytest.approx(2.0 * 0.85, abs=0.01)


def test_after_the_hold_the_rate_probes_slowly_towards_the_ceiling(redis_url):
    throttle, connection = make(redis_url)
    throttle.penalize(JOBS, rate=2.0)  # factor 0.5, ceiling 1.0
    # Pretend the penalty was 60 s ago: the knee (0.85) after 7 s, held until 30 s after the
    # penalty, then 30 s x 0.0025 = +0.075.
    sixty_seconds_ago = _redis_now_us(connection) - 60_000_000
    connection.hset(
        JOBS.key, mapping={"factor_at": sixty_seconds_ago, "penalized_at": sixty_seconds_ago}
    )
    assert throttle.counters(JOBS, rate=2.0)["rate"] == pytest.approx(2.0 * 0.925, abs=0.01)


def test_a_slower_rate_spaces_calls_further(redis_url):
    throttle, _ = make(redis_url)
    throttle.penalize(JOBS, rate=2.0)  # now 1 per second
    throttle.try_acquire(JOBS, rate=2.0)
    assert throttle.try_acquire(JOBS, rate=2.0).wait > 0.5


def test_waits_are_counted_and_buckets_listed(redis_url):
    throttle, _ = make(redis_url)
    throttle.try_acquire(JOBS, rate=1.0)
    throttle.try_acquire(JOBS, rate=1.0)
    assert throttle.counters(JOBS, rate=1.0)["waits"] == 1
    assert throttle.buckets() == [JOBS]


def _redis_now_us(connection: redis.Redis) -> int:
    seconds, micros = connection.time()
    return seconds * 1_000_000 + micros
