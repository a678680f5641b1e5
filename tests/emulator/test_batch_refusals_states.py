"""Documented Batch refusals because of an object's state, through the official SDK
jobs that cannot be retried, terminated or deleted yet, nodes that
cannot be terminated, environments that cannot shrink or are being deleted. A refusal must
carry the documented `Code` and leave the world as it was. Where the doc names no code for a
state, the code is inferred from the action's error list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator.batch_support import (
    ENDED,
    create_env,
    describe_env,
    describe_job,
    error_code,
    failed_job,
    job,
    ready_env,
    running_job,
    submit,
    task,
    wait_for_job,
)
from tests.emulator.sdk import call

# A request field the SDK model does not know is dropped with only a warning: make it fail.
pytestmark = pytest.mark.filterwarnings("error:.*fileds are useless")


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return batch_sdk(emulator)


def fields(model: Any) -> dict[str, Any]:
    """A response model as a dict, without the RequestId that differs on every call."""
    found = json.loads(model.to_json_string())
    found.pop("RequestId")
    return dict(found)


def demo_job_in(client: Any, state: str) -> str:
    found = call(client, "DescribeJobs", {"Filters": [{"Name": "job-state", "Values": [state]}]})
    assert found.JobSet, f"the demo scenario (seed 1) was expected to hold a {state} job"
    return str(found.JobSet[0].JobId)


# --- jobs: TerminateJob, RetryJobs, DeleteJob -----------------------------------------------
@pytest.mark.parametrize(
    "state", ["SUBMITTED", "PENDING", "RUNNABLE", "RUNNING", "SUCCEED", "FAILED_INTERRUPTED"]
)
def test_retry_jobs_refuses_a_job_that_is_not_failed(client: Any, state: str) -> None:
    job_id = demo_job_in(client, state)
    assert error_code(client, "RetryJobs", {"JobIds": [job_id]}) == "UnsupportedOperation"
    assert describe_job(client, job_id).JobState == state


@pytest.mark.parametrize(
    ("other", "code"),
    [
        ("job-zzzzzzzz", "ResourceNotFound.Job"),
        ("job-1", "InvalidParameter.JobIdMalformed"),
        ("SUCCEED", "UnsupportedOperation"),
    ],
)
def test_retry_jobs_retries_nothing_when_one_id_is_bad(
    client: Any, clock: ManualClock, other: str, code: str
) -> None:
    # inferred (https://www.tencentcloud.com/document/api/599/30551 does not say): every id is
    # checked before any job is retried
    failed = failed_job(client, clock)
    bad = demo_job_in(client, other) if other == "SUCCEED" else other

    assert error_code(client, "RetryJobs", {"JobIds": [failed, bad]}) == code
    assert describe_job(client, failed).JobState == "FAILED"


def test_terminate_job_refuses_a_submitted_job(client: Any, clock: ManualClock) -> None:
    job_id = submit(client)
    assert error_code(client, "TerminateJob", {"JobId": job_id}) == "UnsupportedOperation"
    assert describe_job(client, job_id).JobState == "SUBMITTED"
    # and it was not terminated behind the scenes: it runs (a terminated one never would)
    wait_for_job(client, clock, job_id, ENDED)
    (inst,) = call(client, "DescribeTask", {"JobId": job_id, "TaskName": "main"}).TaskInstanceSet
    assert inst.RunningTime is not None


def test_terminate_job_on_a_succeeded_job_succeeds_and_changes_nothing(
    client: Any, clock: ManualClock
) -> None:
    job_id = demo_job_in(client, "SUCCEED")
    before = describe_job(client, job_id)

    # on a SUCCEED job TerminateJob "does not take effect"
    # (https://www.tencentcloud.com/document/api/599/30547)
    call(client, "TerminateJob", {"JobId": job_id})
    clock.advance(60)
    assert fields(describe_job(client, job_id)) == fields(before)


def test_delete_job_refuses_a_running_job(client: Any, clock: ManualClock) -> None:
    job_id = running_job(client, clock)
    assert error_code(client, "DeleteJob", {"JobId": job_id}) == "ResourceInUse.Job"
    assert describe_job(client, job_id).JobState == "RUNNING"


def test_delete_job_refuses_a_failed_job_with_instances_not_ended(
    client: Any, clock: ManualClock
) -> None:
    # prepare fails, so process can never run: the job is FAILED, process's instance PENDING
    job_id = submit(client, job(task("prepare"), task("process"), edges=(("prepare", "process"),)))
    wait_for_job(client, clock, job_id, {"PENDING"}, step=1, limit=900)
    prepare = {"JobId": job_id, "TaskName": "prepare", "TaskInstanceIndex": 0}
    call(client, "TerminateTaskInstance", prepare)
    assert describe_job(client, job_id).JobState == "FAILED"

    # "the job and all its task instances must be in SUCCEED or FAILED status"
    assert error_code(client, "DeleteJob", {"JobId": job_id}) == "ResourceInUse.Job"
    call(client, "TerminateJob", {"JobId": job_id})  # ends the waiting instance
    call(client, "DeleteJob", {"JobId": job_id})
    assert error_code(client, "DescribeJob", {"JobId": job_id}) == "ResourceNotFound.Job"


def test_delete_job_refuses_a_failed_interrupted_job(client: Any) -> None:
    job_id = demo_job_in(client, "FAILED_INTERRUPTED")
    assert error_code(client, "DeleteJob", {"JobId": job_id}) == "ResourceInUse.Job"
    assert describe_job(client, job_id).JobState == "FAILED_INTERRUPTED"


# --- compute nodes: TerminateComputeNode(s) --------------------------------------------------
def node_states(client: Any, env_id: str) -> dict[str, str]:
    env = describe_env(client, env_id)
    return {n.ComputeNodeId: n.ComputeNodeState for n in env.ComputeNodeSet}


def test_terminate_compute_node_refuses_a_node_being_terminated(
    client: Any, clock: ManualClock
) -> None:
    env_id, nodes = ready_env(client, clock, desired=2)
    call(client, "TerminateComputeNode", {"EnvId": env_id, "ComputeNodeId": nodes[0]})

    again = {"EnvId": env_id, "ComputeNodeId": nodes[0]}
    assert error_code(client, "TerminateComputeNode", again) == (
        "UnsupportedOperation.ComputeNodeIsTerminating"
    )
    # the plural action's table has no IsTerminating: it answers UnsupportedOperation
    several = {"EnvId": env_id, "ComputeNodeIds": [nodes[1], nodes[0]]}
    assert error_code(client, "TerminateComputeNodes", several) == "UnsupportedOperation"
    assert describe_env(client, env_id).DesiredComputeNodeCount == 1  # counted down once
    assert node_states(client, env_id) == {nodes[0]: "DELETING", nodes[1]: "RUNNING"}


def test_terminate_compute_nodes_refuses_the_same_node_twice(
    client: Any, clock: ManualClock
) -> None:
    env_id, nodes = ready_env(client, clock, desired=2)
    twice = {"EnvId": env_id, "ComputeNodeIds": [nodes[0], nodes[0]]}
    assert error_code(client, "TerminateComputeNodes", twice) == "UnsupportedOperation"
    assert set(node_states(client, env_id).values()) == {"RUNNING"}


def test_terminate_compute_node_refuses_a_node_still_being_created(
    client: Any, clock: ManualClock
) -> None:
    env_id = create_env(client, desired=1)
    ((node_id, _),) = node_states(client, env_id).items()
    target = {"EnvId": env_id, "ComputeNodeId": node_id}
    for state in ("SUBMITTED", "CREATING"):
        assert node_states(client, env_id) == {node_id: state}
        assert error_code(client, "TerminateComputeNode", target) == (
            "UnsupportedOperation.ComputeNodeForbidTerminate"
        )
        clock.advance(3)  # SUBMITTED turns CREATING after a moment; creating takes longer


# --- compute environments: Delete, Modify, Attach, Detach -----------------------------------
def test_modify_compute_env_refuses_to_remove_more_nodes_than_exist(client: Any) -> None:
    # just created: three nodes asked for, none created yet, so none can be removed
    env_id = create_env(client, desired=3)
    shrink = {"EnvId": env_id, "DesiredComputeNodeCount": 0}
    assert error_code(client, "ModifyComputeEnv", shrink) == (
        "UnsupportedOperation.NotEnoughComputeNodesToTerminate"
    )
    env = describe_env(client, env_id)
    assert env.DesiredComputeNodeCount == 3 and env.ComputeNodeMetrics.DeletingCount == 0


ONE_INSTANCE = [{"InstanceId": "ins-aaaaaaaa"}]
ELSEWHERE = {"ComputeEnv": {"EnvName": "x", "DesiredComputeNodeCount": 0}}
# case -> (action and parameters for an environment id, the documented code)
ENV_CASES: dict[str, tuple[Callable[[str], tuple[str, dict[str, Any]]], str]] = {
    "negative-count": (
        lambda e: ("ModifyComputeEnv", {"EnvId": e, "DesiredComputeNodeCount": -1}),
        "InvalidParameterValue.Negative",
    ),
    "no-instance-types": (
        lambda e: ("ModifyComputeEnv", {"EnvId": e, "EnvData": {"InstanceTypes": []}}),
        "InvalidParameterValue.InstanceTypesEmpty",
    ),
    "same-type-twice": (
        lambda e: (
            "ModifyComputeEnv",
            {"EnvId": e, "EnvData": {"InstanceTypes": ["S5.LARGE8"] * 2}},
        ),
        "InvalidParameterValue.InstanceTypeDuplicate",
    ),
    "long-name": (
        lambda e: ("ModifyComputeEnv", {"EnvId": e, "EnvName": "n" * 61}),
        "InvalidParameter.EnvNameTooLong",
    ),
    "attach-twice": (
        lambda e: ("AttachInstances", {"EnvId": e, "Instances": ONE_INSTANCE * 2}),
        "InvalidParameterValue.InstanceIdDuplicated",
    ),
    "detach-not-attached": (
        lambda e: ("DetachInstances", {"EnvId": e, "InstanceIds": ["ins-aaaaaaaa"]}),
        "UnsupportedOperation",
    ),
    "zone-of-another-region": (
        lambda e: ("CreateComputeEnv", {**ELSEWHERE, "Placement": {"Zone": "ap-beijing-2"}}),
        "InvalidZone.MismatchRegion",
    ),
}


@pytest.mark.parametrize("case", ENV_CASES)
def test_compute_env_refusals_change_nothing(client: Any, clock: ManualClock, case: str) -> None:
    env_id, _ = ready_env(client, clock, desired=1)
    before = fields(describe_env(client, env_id))
    envs_before = call(client, "DescribeComputeEnvs", {}).TotalCount
    make, code = ENV_CASES[case]

    assert error_code(client, *make(env_id)) == code
    assert fields(describe_env(client, env_id)) == before
    assert call(client, "DescribeComputeEnvs", {}).TotalCount == envs_before


def test_attach_instances_refuses_an_instance_already_in_batch(
    client: Any, clock: ManualClock
) -> None:
    env_id, _ = ready_env(client, clock, desired=1)
    other_id, _ = ready_env(client, clock, desired=1)
    (taken,) = [n.ComputeNodeInstanceId for n in describe_env(client, other_id).ComputeNodeSet]

    attach = {"EnvId": env_id, "Instances": [{"InstanceId": taken}]}
    assert error_code(client, "AttachInstances", attach) == (
        "UnsupportedOperation.InstancesNotAllowToAttach"
    )
    assert describe_env(client, env_id).AttachedComputeNodeCount == 0


def test_an_environment_being_deleted_refuses_more_work(client: Any, clock: ManualClock) -> None:
    env_id, _ = ready_env(client, clock, desired=1)
    call(client, "DeleteComputeEnv", {"EnvId": env_id})

    again = {"EnvId": env_id}
    assert (
        error_code(client, "DeleteComputeEnv", again) == "UnsupportedOperation.AcceptOtherRequest"
    )
    grow = {"EnvId": env_id, "DesiredComputeNodeCount": 3}
    assert error_code(client, "ModifyComputeEnv", grow) == (
        "UnsupportedOperation.ComputeEnvAcceptOtherRequest"
    )
    assert describe_env(client, env_id).DesiredComputeNodeCount == 0
