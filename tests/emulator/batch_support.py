"""Helpers shared by the Batch emulator tests (test_batch_*.py): building jobs and compute
environments through the official SDK, and moving the ManualClock until the world reaches a
state a test needs. Everything goes through the API, as a user would see it."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from apps.emulator.clock import ManualClock
from tests.emulator.sdk import call

T = TypeVar("T")

ZONE = "ap-guangzhou-3"  # a zone of the region the `batch_sdk` client talks to
IMAGE = "img-bd78fy2t"  # the image of the doc's examples
LOGS = "cos://jobdeck-test-1250000000.cos.ap-guangzhou.myqcloud.com/logs/"
# SUCCEED and FAILED end a job; FAILED_INTERRUPTED also stops it (the
# instance is kept), so a wait for "the end" must accept all three.
ENDED = frozenset({"SUCCEED", "FAILED", "FAILED_INTERRUPTED"})
ACTIVE_ORDER = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING")
JOB_ID = re.compile(r"^job-[a-z0-9]{8}$")  # as in the doc examples
ENV_ID = re.compile(r"^env-[a-z0-9]{8}$")
NODE_ID = re.compile(r"^node-[a-z0-9]{8}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


# --- errors ------------------------------------------------------------------------------
def error_code(client: Any, action: str, params: dict[str, Any]) -> str:
    """The documented error code the call is refused with (it must be refused)."""
    with pytest.raises(TencentCloudSDKException) as refused:
        call(client, action, params)
    return str(refused.value.code)


# --- the clock -----------------------------------------------------------------------------
def advance_until(
    clock: ManualClock, probe: Callable[[], T | None], *, step: float, limit: float, what: str
) -> T:
    """Move simulated time in `step`s until `probe` returns something truthy, at most `limit`."""
    waited = 0.0
    while True:
        found = probe()
        if found:
            return found
        if waited >= limit:
            raise AssertionError(f"{what}: not reached within {limit:.0f} simulated seconds")
        clock.advance(step)
        waited += step


# --- jobs ----------------------------------------------------------------------------------
ANONYMOUS_ENV = {"EnvType": "MANAGED", "EnvData": {"InstanceType": "S1.SMALL1", "ImageId": IMAGE}}


def task(
    name: str, *, instances: int = 1, env_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A Task on an anonymous compute environment, so it never waits for a free node; or,
    given `env_id`, on that environment (a Task names exactly one of them:
    https://www.tencentcloud.com/document/api/599/30482#Task)."""
    where: dict[str, Any] = {"EnvId": env_id} if env_id else {"ComputeEnv": ANONYMOUS_ENV}
    return {
        "TaskName": name,
        "TaskInstanceNum": instances,
        "Application": {"DeliveryForm": "LOCAL", "Command": f"echo {name}"},
        **where,
        "RedirectInfo": {"StdoutRedirectPath": LOGS, "StderrRedirectPath": LOGS},
        "FailedAction": "TERMINATE",
        "MaxRetryCount": 0,
        **extra,
    }


def job(
    *tasks: dict[str, Any],
    name: str = "unit-test-job",
    edges: tuple[tuple[str, str], ...] = (),
    tags: dict[str, str] | None = None,
    priority: int = 1,
) -> dict[str, Any]:
    """A `Job` structure (SubmitJob's, as the official SDK has it); one task called `main` by
    default."""
    return {
        "JobName": name,
        "JobDescription": f"{name} (tests)",
        "Priority": priority,
        "Tasks": list(tasks) or [task("main")],
        "Dependences": [{"StartTask": a, "EndTask": b} for a, b in edges],
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {"suite": "batch"}).items()],
    }


def submit(client: Any, spec: dict[str, Any] | None = None, *, zone: str = ZONE) -> str:
    return str(call(client, "SubmitJob", {"Placement": {"Zone": zone}, "Job": spec or job()}).JobId)


def describe_job(client: Any, job_id: str) -> Any:
    return call(client, "DescribeJob", {"JobId": job_id})


def job_state(client: Any, job_id: str) -> str:
    return str(describe_job(client, job_id).JobState)


def wait_for_job(
    client: Any,
    clock: ManualClock,
    job_id: str,
    states: Collection[str],
    *,
    step: float = 10,
    limit: float = 4000,
) -> Any:
    """DescribeJob once the job is in one of `states`."""

    def probe() -> Any:
        found = describe_job(client, job_id)
        return found if found.JobState in states else None

    return advance_until(clock, probe, step=step, limit=limit, what=f"{job_id} in {sorted(states)}")


def running_job(client: Any, clock: ManualClock, spec: dict[str, Any] | None = None) -> str:
    """A job with an instance RUNNING (instances run for 30 s or more, so 2 s steps catch it)."""
    job_id = submit(client, spec)
    wait_for_job(client, clock, job_id, {"RUNNING"}, step=2, limit=1200)
    return job_id


def failed_job(client: Any, clock: ManualClock, spec: dict[str, Any] | None = None) -> str:
    """A FAILED job, made so on purpose: parsed, then terminated (TerminateJob,
    https://www.tencentcloud.com/document/api/599/30547)."""
    job_id = submit(client, spec)
    wait_for_job(
        client, clock, job_id, set(ACTIVE_ORDER) - {"SUBMITTED"} | ENDED, step=1, limit=900
    )
    call(client, "TerminateJob", {"JobId": job_id})
    wait_for_job(client, clock, job_id, {"FAILED"}, step=1, limit=60)
    return job_id


def succeeded_job(
    client: Any, clock: ManualClock, spec: dict[str, Any] | None = None, *, copies: int = 4
) -> str:
    """A job that SUCCEED. Some jobs fail on their own (the world's dice), so submit a few
    copies and keep the first that succeeded."""
    ids = [submit(client, spec) for _ in range(copies)]

    def all_ended() -> list[Any] | None:
        found = call(client, "DescribeJobs", {"JobIds": ids}).JobSet
        return found if all(j.JobState in ENDED for j in found) else None

    ended = advance_until(clock, all_ended, step=30, limit=6000, what="the copies ended")
    winners = [j.JobId for j in ended if j.JobState == "SUCCEED"]
    assert winners, f"none of {copies} copies succeeded: {[j.JobState for j in ended]}"
    return str(winners[0])


def all_jobs(client: Any, **params: Any) -> list[Any]:
    """Every job the filters match, newest first, read page by page."""
    jobs: list[Any] = []
    while True:
        page = call(client, "DescribeJobs", {**params, "Offset": len(jobs), "Limit": 100})
        jobs.extend(page.JobSet)
        if not page.JobSet or len(jobs) >= page.TotalCount:
            return jobs


# --- compute environments ------------------------------------------------------------------
def create_env(
    client: Any, *, desired: int, name: str = "unit-test-env", zone: str = ZONE, **spec: Any
) -> str:
    compute_env = {
        "EnvName": name,
        "EnvType": "MANAGED",
        "DesiredComputeNodeCount": desired,
        "EnvData": {"InstanceType": "S1.SMALL2", "ImageId": IMAGE},
        **spec,
    }
    return str(
        call(
            client, "CreateComputeEnv", {"ComputeEnv": compute_env, "Placement": {"Zone": zone}}
        ).EnvId
    )


def describe_env(client: Any, env_id: str) -> Any:
    return call(client, "DescribeComputeEnv", {"EnvId": env_id})


def wait_for_running_nodes(client: Any, clock: ManualClock, env_id: str, count: int) -> Any:
    """DescribeComputeEnv once exactly `count` nodes exist and all of them are RUNNING."""

    def probe() -> Any:
        env = describe_env(client, env_id)
        states = [n.ComputeNodeState for n in env.ComputeNodeSet]
        return env if len(states) == count and set(states) <= {"RUNNING"} else None

    return advance_until(clock, probe, step=5, limit=900, what=f"{count} RUNNING nodes in {env_id}")


def ready_env(
    client: Any, clock: ManualClock, *, desired: int, **spec: Any
) -> tuple[str, list[str]]:
    """A new environment whose `desired` nodes are all RUNNING, and their ids."""
    env_id = create_env(client, desired=desired, **spec)
    env = wait_for_running_nodes(client, clock, env_id, desired)
    return env_id, [n.ComputeNodeId for n in env.ComputeNodeSet]


def activities(client: Any, env_id: str, **params: Any) -> list[Any]:
    found = call(client, "DescribeComputeEnvActivities", {"EnvId": env_id, "Limit": 100, **params})
    return list(found.ActivitySet)
