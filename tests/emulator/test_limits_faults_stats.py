"""Frequency limits, injected faults, the emulator's own counters, and determinism."""

from __future__ import annotations

import json

import pytest
import requests

from apps.emulator.clock import ManualClock
from apps.emulator.faults import Fault
from tests.conftest import batch_sdk, start_emulator
from tests.emulator.raw import error_code, post


@pytest.fixture
def limited(clock):
    """The demo with the documented frequency limits on."""
    emu = start_emulator("demo", seed=1, clock=clock, limits_enabled=True)
    yield emu
    emu.stop()


def stats_of(emulator) -> dict:
    return requests.get(f"http://127.0.0.1:{emulator.port}/_emulator/stats", timeout=5).json()


def row(stats: dict, action: str) -> dict:
    return next(r for r in stats["calls"] if r["action"] == action)


def test_a_burst_beyond_the_documented_limit_is_request_limit_exceeded(limited):
    # DescribeJobs allows 2 requests/s: a burst of 5 gets at most 2 through.
    codes = [error_code(post(limited, "DescribeJobs", {"Limit": 1})) for _ in range(5)]
    assert codes.count(None) <= 2
    assert "RequestLimitExceeded" in codes
    stats = row(stats_of(limited), "DescribeJobs")
    assert stats["rate_limited"] == codes.count("RequestLimitExceeded")
    assert stats["answered"] == 5


def test_limits_are_per_action(limited):
    for _ in range(3):
        post(limited, "DescribeJobs", {"Limit": 1})
    # DescribeTaskLogs has its own budget (20/s): still answered
    assert error_code(post(limited, "DescribeInstanceCategories")) is None


def test_limits_are_per_region(limited):
    for _ in range(3):
        post(limited, "DescribeJobs", {"Limit": 1})
    assert error_code(post(limited, "DescribeJobs", {"Limit": 1}, region="ap-shanghai")) is None


def test_the_sdk_sees_the_limit_as_an_error_code(limited):
    from tencentcloud.batch.v20170312 import models
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    client = batch_sdk(limited)
    codes: list[str | None] = []
    for _ in range(4):
        try:
            client.DescribeComputeEnvs(models.DescribeComputeEnvsRequest())
            codes.append(None)
        except TencentCloudSDKException as err:
            codes.append(err.code)
    assert "RequestLimitExceeded" in codes


def test_other_client_share_is_settable_over_http(limited):
    reply = requests.post(
        f"http://127.0.0.1:{limited.port}/_emulator/config",
        json={"other_client_share": 0.5},
        timeout=5,
    )
    assert reply.json()["other_client_share"] == 0.5
    assert limited.limits.other_client_share == 0.5


# --- faults ---------------------------------------------------------------------------------
def test_internal_error_fault(emulator):
    emulator.faults.set("DescribeJobs", Fault(internal_error=1.0))
    assert error_code(post(emulator, "DescribeJobs")) == "InternalError"
    assert error_code(post(emulator, "DescribeComputeEnvs")) is None  # other actions untouched


def test_rate_limited_fault_as_many_times_as_asked(emulator):
    """`rate_limited` answers as the cloud does when another client spent the budget; `times`
    bounds the faults, then the action answers normally."""
    emulator.faults.set("DescribeJobs", Fault(rate_limited=1.0, times=2))
    codes = [error_code(post(emulator, "DescribeJobs", {"Limit": 1})) for _ in range(3)]
    assert codes == ["RequestLimitExceeded", "RequestLimitExceeded", None]
    counted = row(stats_of(emulator), "DescribeJobs")
    assert (counted["rate_limited"], counted["faults"], counted["ok"]) == (2, 2, 1)


def test_http_502_fault(emulator):
    emulator.faults.set("DescribeJobs", Fault(http_502=1.0))
    reply = post(emulator, "DescribeJobs")
    assert reply.status_code == 502
    assert "json" not in reply.headers["Content-Type"]


def test_dropped_connection_fault(emulator):
    emulator.faults.set("*", Fault(drop=1.0))
    with pytest.raises(requests.ConnectionError):
        post(emulator, "DescribeJobs")


def test_malformed_body_fault(emulator):
    emulator.faults.set("DescribeJobs", Fault(malformed=1.0))
    reply = post(emulator, "DescribeJobs")
    assert reply.status_code == 200
    with pytest.raises(ValueError):
        json.loads(reply.content)


def test_fault_rates_are_proportions(emulator):
    emulator.faults.set("DescribeJobs", Fault(internal_error=0.3))
    codes = [error_code(post(emulator, "DescribeJobs", {"Limit": 1})) for _ in range(200)]
    assert 30 <= codes.count("InternalError") <= 90  # 60 expected; seeded, so never flaky


def test_faults_are_settable_over_http_and_counted(emulator):
    reply = requests.post(
        f"http://127.0.0.1:{emulator.port}/_emulator/faults",
        json={"DescribeJob": {"internal_error": 1.0}},
        timeout=5,
    )
    assert reply.json()["faults"]["DescribeJob"]["internal_error"] == 1.0
    post(emulator, "DescribeJob", {"JobId": "job-00000000"})
    assert row(stats_of(emulator), "DescribeJob")["faults"] == 1


def test_fault_command_line_syntax():
    assert Fault.parse("DescribeJobs:internal_error=0.1,latency=0.2") == (
        "DescribeJobs",
        Fault(latency=0.2, internal_error=0.1),
    )
    assert Fault.parse(":drop=1")[0] == "*"
    with pytest.raises(ValueError, match="unknown fault"):
        Fault.parse("DescribeJobs:explode=1")


def test_latency_fault_still_answers(emulator):
    emulator.faults.set("DescribeJobs", Fault(latency=0.05))
    assert error_code(post(emulator, "DescribeJobs")) is None


# --- counters -------------------------------------------------------------------------------
def test_stats_count_answers_auth_failures_per_action_and_secret_id(emulator):
    post(emulator, "DescribeJobs")
    post(emulator, "DescribeJobs", secret_key="0" * 32)
    stats = stats_of(emulator)
    described = row(stats, "DescribeJobs")
    assert described["answered"] == 2
    assert described["ok"] == 1
    assert described["auth_failures"] == 1
    assert described["secret_id"].startswith("AKID")
    assert stats["totals"]["answered"] == 2


# --- determinism and movement ----------------------------------------------------------------
def _snapshot(emulator) -> list:
    jobs = post(emulator, "DescribeJobs", {"Limit": 100}).json()["Response"]["JobSet"]
    return [(j["JobId"], j["JobState"], j["CreateTime"]) for j in jobs]


def test_same_seed_same_world_other_seed_other_world():
    start = 1_790_000_000.0
    first = start_emulator("demo", seed=7, clock=ManualClock(start), limits_enabled=False)
    second = start_emulator("demo", seed=7, clock=ManualClock(start), limits_enabled=False)
    third = start_emulator("demo", seed=8, clock=ManualClock(start), limits_enabled=False)
    try:
        assert _snapshot(first) == _snapshot(second)
        assert _snapshot(first) != _snapshot(third)
    finally:
        for emu in (first, second, third):
            emu.stop()


def test_the_world_moves_with_the_clock(emulator, clock):
    before = dict((job_id, state) for job_id, state, _ in _snapshot(emulator))
    clock.advance(600)
    after = dict((job_id, state) for job_id, state, _ in _snapshot(emulator))
    assert len(after) > len(before)  # new jobs arrived
    assert any(before[j] != after[j] for j in before if j in after)  # and old ones moved on
