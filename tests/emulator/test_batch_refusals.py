"""Every documented Batch refusal, through the official SDK (batch-api.md §6.3, the action
pages' error tables, §1.10 for paging and filters). A refusal must come with the documented
`Code` and must leave the world as it was, so most tests look again after being refused.

Where the doc names no code for a state, the reference's [INFERRED] mapping (§6.3) is used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator import raw
from tests.emulator.batch_support import (
    ENDED,
    ZONE,
    all_jobs,
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


@dataclass(frozen=True)
class Real:
    """Ids that exist in the world, so each case is refused for one reason only."""

    job: str  # SUBMITTED, one task `main` with one instance
    env: str  # a demo environment
    node: str  # a RUNNING node of `env`
    template: str


@pytest.fixture
def real(client: Any) -> Real:
    env = call(client, "DescribeComputeEnvs", {}).ComputeEnvSet[0].EnvId
    node = next(
        n.ComputeNodeId
        for n in describe_env(client, env).ComputeNodeSet
        if n.ComputeNodeState == "RUNNING"
    )
    template = call(
        client, "CreateTaskTemplate", {"TaskTemplateName": "t", "TaskTemplateInfo": task("t")}
    ).TaskTemplateId
    return Real(job=submit(client), env=env, node=node, template=template)


def fields(model: Any) -> dict[str, Any]:
    """A response model as a dict, without the RequestId that differs on every call."""
    found = json.loads(model.to_json_string())
    found.pop("RequestId")
    return dict(found)


def job_count(client: Any) -> int:
    return int(call(client, "DescribeJobs", {}).TotalCount)


# --- ids that do not exist or are malformed (§1.11; each action's error table) ----------------
Case = tuple[str, Callable[[Real], dict[str, Any]], str]
MISSING = "job-zzzzzzzz", "env-zzzzzzzz", "node-zzzzzzzz", "task-tmpl-zzzzzzzz"
ID_CASES: list[Case] = [
    # ResourceNotFound.*: well-formed ids of nothing
    ("DescribeJob", lambda r: {"JobId": MISSING[0]}, "ResourceNotFound.Job"),
    ("DescribeJobSubmitInfo", lambda r: {"JobId": MISSING[0]}, "ResourceNotFound.Job"),
    ("TerminateJob", lambda r: {"JobId": MISSING[0]}, "ResourceNotFound.Job"),
    ("DeleteJob", lambda r: {"JobId": MISSING[0]}, "ResourceNotFound.Job"),
    ("RetryJobs", lambda r: {"JobIds": [MISSING[0]]}, "ResourceNotFound.Job"),
    (
        "DescribeTaskLogs",
        lambda r: {"JobId": MISSING[0], "TaskName": "main"},
        "ResourceNotFound.Job",
    ),
    ("DescribeTask", lambda r: {"JobId": r.job, "TaskName": "nope"}, "ResourceNotFound.Task"),
    # DescribeTask lists no ResourceNotFound.Job: [INFERRED] an unknown job is an unknown task
    ("DescribeTask", lambda r: {"JobId": MISSING[0], "TaskName": "main"}, "ResourceNotFound.Task"),
    ("DescribeTaskLogs", lambda r: {"JobId": r.job, "TaskName": "nope"}, "ResourceNotFound.Task"),
    (
        "DescribeTaskLogs",
        lambda r: {"JobId": r.job, "TaskName": "main", "TaskInstanceIndexes": [9]},
        "ResourceNotFound.TaskInstance",
    ),
    (
        "TerminateTaskInstance",
        lambda r: {"JobId": r.job, "TaskName": "main", "TaskInstanceIndex": 9},
        "ResourceNotFound.TaskInstance",
    ),
    ("DescribeComputeEnv", lambda r: {"EnvId": MISSING[1]}, "ResourceNotFound.ComputeEnv"),
    (
        "DescribeComputeEnvCreateInfo",
        lambda r: {"EnvId": MISSING[1]},
        "ResourceNotFound.ComputeEnv",
    ),
    (
        "DescribeComputeEnvActivities",
        lambda r: {"EnvId": MISSING[1]},
        "ResourceNotFound.ComputeEnv",
    ),
    (
        "ModifyComputeEnv",
        lambda r: {"EnvId": MISSING[1], "EnvName": "x"},
        "ResourceNotFound.ComputeEnv",
    ),
    ("DeleteComputeEnv", lambda r: {"EnvId": MISSING[1]}, "ResourceNotFound.ComputeEnv"),
    (
        "TerminateComputeNode",
        lambda r: {"EnvId": MISSING[1], "ComputeNodeId": r.node},
        "ResourceNotFound.ComputeEnv",
    ),
    (
        "AttachInstances",
        lambda r: {"EnvId": MISSING[1], "Instances": [{"InstanceId": "ins-aaaaaaaa"}]},
        "ResourceNotFound.ComputeEnv",
    ),
    (
        "DetachInstances",
        lambda r: {"EnvId": MISSING[1], "InstanceIds": ["ins-aaaaaaaa"]},
        "ResourceNotFound.ComputeEnv",
    ),
    (
        "SubmitJob",
        lambda r: {
            "Placement": {"Zone": ZONE},
            "Job": job(task("main", EnvId=MISSING[1]) | {"ComputeEnv": None}),
        },
        "ResourceNotFound.ComputeEnv",
    ),
    (
        "TerminateComputeNode",
        lambda r: {"EnvId": r.env, "ComputeNodeId": MISSING[2]},
        "ResourceNotFound.ComputeNode",
    ),
    (
        "TerminateComputeNodes",
        lambda r: {"EnvId": r.env, "ComputeNodeIds": [r.node, MISSING[2]]},
        "ResourceNotFound.ComputeNode",
    ),
    (
        "DeleteTaskTemplates",
        lambda r: {"TaskTemplateIds": [r.template, MISSING[3]]},
        "ResourceNotFound.TaskTemplate",
    ),
    (
        "ModifyTaskTemplate",
        lambda r: {"TaskTemplateId": MISSING[3], "TaskTemplateName": "x"},
        "ResourceNotFound.TaskTemplate",
    ),
    # InvalidParameter.*IdMalformed: ids that cannot be ids
    ("DescribeJobs", lambda r: {"JobIds": [r.job, "job-1"]}, "InvalidParameter.JobIdMalformed"),
    ("DescribeJob", lambda r: {"JobId": "job_97zcl3wt"}, "InvalidParameter.JobIdMalformed"),
    ("DescribeJobSubmitInfo", lambda r: {"JobId": "97zcl3wt"}, "InvalidParameter.JobIdMalformed"),
    (
        "DescribeTask",
        lambda r: {"JobId": "job-", "TaskName": "main"},
        "InvalidParameter.JobIdMalformed",
    ),
    (
        "DescribeTaskLogs",
        lambda r: {"JobId": "JOB-ABCDEFGH", "TaskName": "main"},
        "InvalidParameter.JobIdMalformed",
    ),
    ("TerminateJob", lambda r: {"JobId": "job-toolong12"}, "InvalidParameter.JobIdMalformed"),
    (
        "TerminateTaskInstance",
        lambda r: {"JobId": "job-1", "TaskName": "main", "TaskInstanceIndex": 0},
        "InvalidParameter.JobIdMalformed",
    ),
    ("RetryJobs", lambda r: {"JobIds": ["job-1"]}, "InvalidParameter.JobIdMalformed"),
    ("DeleteJob", lambda r: {"JobId": "env-12345678"}, "InvalidParameter.JobIdMalformed"),
    ("DescribeComputeEnv", lambda r: {"EnvId": "env-1"}, "InvalidParameter.EnvIdMalformed"),
    ("DescribeComputeEnvs", lambda r: {"EnvIds": ["env-1"]}, "InvalidParameter.EnvIdMalformed"),
    (
        "DescribeComputeEnvCreateInfo",
        lambda r: {"EnvId": "env_lcpcej85"},
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "DescribeComputeEnvCreateInfos",
        lambda r: {"EnvIds": ["lcpcej85"]},
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "DescribeComputeEnvActivities",
        lambda r: {"EnvId": "env-1"},
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "ModifyComputeEnv",
        lambda r: {"EnvId": "env-1", "EnvName": "x"},
        "InvalidParameter.EnvIdMalformed",
    ),
    ("DeleteComputeEnv", lambda r: {"EnvId": "env-1"}, "InvalidParameter.EnvIdMalformed"),
    (
        "TerminateComputeNode",
        lambda r: {"EnvId": "env-1", "ComputeNodeId": r.node},
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "TerminateComputeNodes",
        lambda r: {"EnvId": "env-1", "ComputeNodeIds": [r.node]},
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "AttachInstances",
        lambda r: {"EnvId": "env-1", "Instances": [{"InstanceId": "ins-aaaaaaaa"}]},
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "DetachInstances",
        lambda r: {"EnvId": "env-1", "InstanceIds": ["ins-aaaaaaaa"]},
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "SubmitJob",
        lambda r: {
            "Placement": {"Zone": ZONE},
            "Job": job(task("main", EnvId="env-1") | {"ComputeEnv": None}),
        },
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "CreateTaskTemplate",
        lambda r: {
            "TaskTemplateName": "t",
            "TaskTemplateInfo": task("t", EnvId="env-1") | {"ComputeEnv": None},
        },
        "InvalidParameter.EnvIdMalformed",
    ),
    (
        "TerminateComputeNode",
        lambda r: {"EnvId": r.env, "ComputeNodeId": "node-1"},
        "InvalidParameter.ComputeNodeIdMalformed",
    ),
    (
        "TerminateComputeNodes",
        lambda r: {"EnvId": r.env, "ComputeNodeIds": [r.node, "n-1"]},
        "InvalidParameter.ComputeNodeIdMalformed",
    ),
    (
        "DescribeComputeEnvActivities",
        lambda r: {"EnvId": r.env, "Filters": {"Name": "compute-node-id", "Values": ["node-1"]}},
        "InvalidParameter.ComputeNodeIdMalformed",
    ),
    (
        "DeleteTaskTemplates",
        lambda r: {"TaskTemplateIds": ["task-tmpl-1"]},
        "InvalidParameter.TaskTemplateIdMalformed",
    ),
    (
        "ModifyTaskTemplate",
        lambda r: {"TaskTemplateId": "tmpl-12345678", "TaskTemplateName": "x"},
        "InvalidParameter.TaskTemplateIdMalformed",
    ),
    (
        "DescribeTaskTemplates",
        lambda r: {"TaskTemplateIds": ["task-tmpl-1"]},
        "InvalidParameter.TaskTemplateIdMalformed",
    ),
]


def without_nones(params: Any) -> Any:
    """`task(...) | {"ComputeEnv": None}` drops the anonymous environment of the helper task."""
    if isinstance(params, dict):
        return {k: without_nones(v) for k, v in params.items() if v is not None}
    if isinstance(params, list):
        return [without_nones(v) for v in params]
    return params


@pytest.mark.parametrize(
    ("action", "params", "code"),
    ID_CASES,
    ids=[f"{a}-{c.rsplit('.', 1)[-1]}" for a, _, c in ID_CASES],
)
def test_unknown_or_malformed_ids_are_refused(
    client: Any, real: Real, action: str, params: Callable[[Real], dict[str, Any]], code: str
) -> None:
    jobs_before = job_count(client)
    assert error_code(client, action, without_nones(params(real))) == code
    # nothing happened on the way: the real objects named in the request are untouched
    assert job_count(client) == jobs_before
    assert describe_job(client, real.job).JobState == "SUBMITTED"
    states = {
        n.ComputeNodeId: n.ComputeNodeState for n in describe_env(client, real.env).ComputeNodeSet
    }
    assert states[real.node] == "RUNNING"
    templates = call(
        client, "DescribeTaskTemplates", {"TaskTemplateIds": [real.template]}
    ).TaskTemplateSet
    assert [t.TaskTemplateId for t in templates] == [real.template]


# --- jobs in the wrong state (§6.3) ----------------------------------------------------------
def demo_job_in(client: Any, state: str) -> str:
    found = call(
        client, "DescribeJobs", {"Filters": [{"Name": "job-state", "Values": [state]}]}
    ).JobSet
    assert found, f"the demo scenario (seed 1) was expected to hold a {state} job"
    return str(found[0].JobId)


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
    failed = failed_job(client, clock)
    bad = demo_job_in(client, other) if other == "SUCCEED" else other

    assert error_code(client, "RetryJobs", {"JobIds": [failed, bad]}) == code
    assert describe_job(client, failed).JobState == "FAILED"  # the good one was not retried either


def test_terminate_job_refuses_a_submitted_job(client: Any, clock: ManualClock) -> None:
    job_id = submit(client)
    assert error_code(client, "TerminateJob", {"JobId": job_id}) == "UnsupportedOperation"
    assert describe_job(client, job_id).JobState == "SUBMITTED"
    assert wait_for_job(client, clock, job_id, ENDED).TaskInstanceMetrics.SucceedCount in (0, 1)


def test_terminate_job_on_a_succeeded_job_succeeds_and_changes_nothing(
    client: Any, clock: ManualClock
) -> None:
    job_id = demo_job_in(client, "SUCCEED")
    before = describe_job(client, job_id)

    call(client, "TerminateJob", {"JobId": job_id})  # "does not take effect" (§3.4.7)
    clock.advance(60)
    assert fields(describe_job(client, job_id)) == fields(before)


def test_delete_job_refuses_a_running_job(client: Any, clock: ManualClock) -> None:
    job_id = running_job(client, clock)
    assert error_code(client, "DeleteJob", {"JobId": job_id}) == "ResourceInUse.Job"
    assert describe_job(client, job_id).JobState == "RUNNING"


def test_delete_job_refuses_a_failed_job_whose_instances_have_not_all_ended(
    client: Any, clock: ManualClock
) -> None:
    # prepare fails, so process can never run: the job is FAILED, process's instance PENDING
    spec = job(task("prepare"), task("process"), edges=(("prepare", "process"),))
    job_id = submit(client, spec)
    wait_for_job(client, clock, job_id, {"PENDING"}, step=1, limit=900)
    call(
        client,
        "TerminateTaskInstance",
        {"JobId": job_id, "TaskName": "prepare", "TaskInstanceIndex": 0},
    )
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


# --- SubmitJob and task templates ------------------------------------------------------------
ANONYMOUS = task("x")["ComputeEnv"]
SUBMIT_CASES = {
    "both-envs": (
        job(task("main", EnvId="env-e41jrqx2", ComputeEnv=ANONYMOUS)),
        "AllowedOneAttributeInEnvIdAndComputeEnv",
    ),
    "no-env": (job(task("main") | {"ComputeEnv": None}), "AllowedOneAttributeInEnvIdAndComputeEnv"),
    "cycle": (
        job(task("A"), task("B"), task("C"), edges=(("A", "B"), ("B", "C"), ("C", "A"))),
        "InvalidParameterValue.DependenceUnfeasible",
    ),
    "self-loop": (
        job(task("A"), edges=(("A", "A"),)),
        "InvalidParameterValue.DependenceUnfeasible",
    ),
    "unknown-task": (
        job(task("A"), edges=(("A", "Z"),)),
        "InvalidParameterValue.DependenceNotFoundTaskName",
    ),
    "retries": (job(task("A", MaxRetryCount=6)), "InvalidParameterValue.MaxRetryCount"),
    "long-name": (job(name="n" * 61), "InvalidParameter.JobNameTooLong"),
}


@pytest.mark.parametrize("case", SUBMIT_CASES)
def test_submit_job_refusals_create_no_job(client: Any, case: str) -> None:
    spec, code = SUBMIT_CASES[case]
    before = job_count(client)
    assert (
        error_code(client, "SubmitJob", {"Placement": {"Zone": ZONE}, "Job": without_nones(spec)})
        == code
    )
    assert job_count(client) == before


def test_task_template_refusals(client: Any) -> None:
    both = task("t", EnvId="env-e41jrqx2")
    assert error_code(
        client, "CreateTaskTemplate", {"TaskTemplateName": "t", "TaskTemplateInfo": both}
    ) == ("AllowedOneAttributeInEnvIdAndComputeEnv")
    assert error_code(
        client, "CreateTaskTemplate", {"TaskTemplateName": "n" * 61, "TaskTemplateInfo": task("t")}
    ) == ("InvalidParameter.TaskTemplateNameTooLong")
    made = call(
        client, "CreateTaskTemplate", {"TaskTemplateName": "t", "TaskTemplateInfo": task("t")}
    ).TaskTemplateId
    assert (
        error_code(client, "ModifyTaskTemplate", {"TaskTemplateId": made})
        == "InvalidParameterAtLeastOneAttribute"
    )
    assert call(client, "DescribeTaskTemplates", {}).TotalCount == 1


# --- compute nodes and environments (§5.4, §6.3) ---------------------------------------------
def test_terminate_compute_node_refuses_a_node_being_terminated(
    client: Any, clock: ManualClock
) -> None:
    env_id, nodes = ready_env(client, clock, desired=2)
    call(client, "TerminateComputeNode", {"EnvId": env_id, "ComputeNodeId": nodes[0]})

    again = {"EnvId": env_id, "ComputeNodeId": nodes[0]}
    assert (
        error_code(client, "TerminateComputeNode", again)
        == "UnsupportedOperation.ComputeNodeIsTerminating"
    )
    # the plural action's table has no IsTerminating: it answers UnsupportedOperation
    several = {"EnvId": env_id, "ComputeNodeIds": [nodes[1], nodes[0]]}
    assert error_code(client, "TerminateComputeNodes", several) == "UnsupportedOperation"
    env = describe_env(client, env_id)
    assert env.DesiredComputeNodeCount == 1  # counted down once, not twice
    assert {n.ComputeNodeId: n.ComputeNodeState for n in env.ComputeNodeSet} == {
        nodes[0]: "DELETING",
        nodes[1]: "RUNNING",
    }


def test_terminate_compute_nodes_refuses_the_same_node_twice(
    client: Any, clock: ManualClock
) -> None:
    env_id, nodes = ready_env(client, clock, desired=2)
    twice = {"EnvId": env_id, "ComputeNodeIds": [nodes[0], nodes[0]]}
    assert error_code(client, "TerminateComputeNodes", twice) == "UnsupportedOperation"
    assert {n.ComputeNodeState for n in describe_env(client, env_id).ComputeNodeSet} == {"RUNNING"}


def test_terminate_compute_node_refuses_a_node_still_being_created(
    client: Any, clock: ManualClock
) -> None:
    env_id = create_env(client, desired=1)
    (node,) = describe_env(client, env_id).ComputeNodeSet
    target = {"EnvId": env_id, "ComputeNodeId": node.ComputeNodeId}
    for state in ("SUBMITTED", "CREATING"):
        (node,) = describe_env(client, env_id).ComputeNodeSet
        assert node.ComputeNodeState == state
        assert (
            error_code(client, "TerminateComputeNode", target)
            == "UnsupportedOperation.ComputeNodeForbidTerminate"
        )
        clock.advance(3)  # SUBMITTED -> CREATING after a moment; creating takes longer


def test_modify_compute_env_refuses_to_remove_more_nodes_than_exist(client: Any) -> None:
    # just created: three nodes requested, none created yet, so none can be removed
    env_id = create_env(client, desired=3)
    shrink = {"EnvId": env_id, "DesiredComputeNodeCount": 0}
    assert (
        error_code(client, "ModifyComputeEnv", shrink)
        == "UnsupportedOperation.NotEnoughComputeNodesToTerminate"
    )
    env = describe_env(client, env_id)
    assert env.DesiredComputeNodeCount == 3 and env.ComputeNodeMetrics.DeletingCount == 0


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
        lambda e: (
            "AttachInstances",
            {"EnvId": e, "Instances": [{"InstanceId": "ins-aaaaaaaa"}] * 2},
        ),
        "InvalidParameterValue.InstanceIdDuplicated",
    ),
    "detach-not-attached": (
        lambda e: ("DetachInstances", {"EnvId": e, "InstanceIds": ["ins-aaaaaaaa"]}),
        "UnsupportedOperation",
    ),
    "zone-of-another-region": (
        lambda e: (
            "CreateComputeEnv",
            {
                "ComputeEnv": {"EnvName": "x", "DesiredComputeNodeCount": 0},
                "Placement": {"Zone": "ap-beijing-2"},
            },
        ),
        "InvalidZone.MismatchRegion",
    ),
}


@pytest.mark.parametrize("case", ENV_CASES)
def test_compute_env_parameter_refusals_change_nothing(
    client: Any, clock: ManualClock, case: str
) -> None:
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
    assert (
        error_code(client, "AttachInstances", attach)
        == "UnsupportedOperation.InstancesNotAllowToAttach"
    )
    assert describe_env(client, env_id).AttachedComputeNodeCount == 0


def test_an_environment_being_deleted_refuses_more_work(client: Any, clock: ManualClock) -> None:
    env_id, nodes = ready_env(client, clock, desired=1)
    call(client, "DeleteComputeEnv", {"EnvId": env_id})

    assert (
        error_code(client, "DeleteComputeEnv", {"EnvId": env_id})
        == "UnsupportedOperation.AcceptOtherRequest"
    )
    modify = {"EnvId": env_id, "DesiredComputeNodeCount": 3}
    assert (
        error_code(client, "ModifyComputeEnv", modify)
        == "UnsupportedOperation.ComputeEnvAcceptOtherRequest"
    )
    assert describe_env(client, env_id).DesiredComputeNodeCount == 0


# --- Describe parameters: filters, combinations, pages (§1.10) --------------------------------
UNKNOWN_FILTER = [{"Name": "colour", "Values": ["blue"]}]


@pytest.mark.parametrize(
    "action",
    [
        "DescribeJobs",
        "DescribeComputeEnvs",
        "DescribeAvailableCvmInstanceTypes",
        "DescribeCvmZoneInstanceConfigInfos",
    ],
)
def test_an_unknown_filter_is_refused(client: Any, action: str) -> None:
    assert error_code(client, action, {"Filters": UNKNOWN_FILTER}) == "InvalidFilter"


def test_filter_and_combination_refusals(client: Any, real: Real) -> None:
    too_many = [{"Name": "job-name", "Values": [f"n{i}" for i in range(101)]}]
    assert (
        error_code(client, "DescribeJobs", {"Filters": too_many})
        == "InvalidParameterValue.LimitExceeded"
    )
    zone = [{"Name": "zone", "Values": ["ap-beijing-2"]}]
    assert error_code(client, "DescribeAvailableCvmInstanceTypes", {"Filters": zone}) == (
        "InvalidParameterValue.InvalidZoneMismatchRegion"
    )
    cdh = [{"Name": "instance-charge-type", "Values": ["CDHPAID"]}]
    assert error_code(client, "DescribeCvmZoneInstanceConfigInfos", {"Filters": cdh}) == (
        "InvalidParameterValue.UnsupportedBatchInstanceChargeType"
    )
    by_name = [{"Name": "env-name", "Values": ["x"]}]
    for action in ("DescribeComputeEnvs", "DescribeComputeEnvCreateInfos"):
        assert error_code(client, action, {"EnvIds": [real.env], "Filters": by_name}) == (
            "InvalidParameter.InvalidParameterCombination"
        )
    templates = {
        "TaskTemplateIds": [real.template],
        "Filters": [{"Name": "task-template-name", "Values": ["t"]}],
    }
    assert (
        error_code(client, "DescribeTaskTemplates", templates)
        == "InvalidParameter.InvalidParameterCombination"
    )
    logs = {"JobId": real.job, "TaskName": "main", "TaskInstanceIndexes": [0], "Offset": 0}
    assert (
        error_code(client, "DescribeTaskLogs", logs)
        == "InvalidParameter.InvalidParameterCombination"
    )


# action -> (the documented maximum of Limit, the parameters it needs besides Offset/Limit)
PAGED: dict[str, tuple[int, Callable[[Real], dict[str, Any]]]] = {
    "DescribeJobs": (100, lambda r: {}),
    "DescribeComputeEnvs": (100, lambda r: {}),
    "DescribeComputeEnvCreateInfos": (100, lambda r: {}),
    "DescribeComputeEnvActivities": (100, lambda r: {"EnvId": r.env}),
    "DescribeTaskTemplates": (100, lambda r: {}),
    "DescribeTask": (1000, lambda r: {"JobId": r.job, "TaskName": "main"}),
    "DescribeTaskLogs": (10, lambda r: {"JobId": r.job, "TaskName": "main"}),
}


@pytest.mark.parametrize("action", PAGED)
def test_limit_over_the_maximum_and_negative_offsets_are_refused(
    client: Any, real: Real, action: str
) -> None:
    maximum, needs = PAGED[action]
    base = needs(real)
    call(client, action, {**base, "Limit": maximum})  # the maximum itself is fine
    assert error_code(client, action, {**base, "Limit": maximum + 1}) == "InvalidParameterValue"
    assert error_code(client, action, {**base, "Offset": -1}) == "InvalidParameterValue.Negative"
    assert error_code(client, action, {**base, "Limit": -1}) == "InvalidParameterValue.Negative"


# --- parameters an action does not have (the SDK would never send them) ------------------------
@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("DescribeJobs", {"Limit": 1, "PageSize": 10}),
        ("DescribeComputeEnvs", {"EnvIds": [], "Verbose": True}),
        (
            "DescribeComputeEnvActivities",
            {
                "EnvId": "env-zzzzzzzz",
                "Filters": {"Name": "compute-node-id", "Values": [], "Fuzzy": True},
            },
        ),
        ("SubmitJob", {"Placement": {"Zone": ZONE, "Rack": "r1"}, "Job": job()}),
        (
            "DetachInstances",
            {"EnvId": "env-zzzzzzzz", "InstanceIds": ["ins-aaaaaaaa"], "Force": True},
        ),
    ],
)
def test_a_parameter_the_action_does_not_have_is_refused(
    emulator: Emulator, action: str, params: dict[str, Any]
) -> None:
    client = batch_sdk(emulator)
    before = all_jobs(client)
    reply = raw.post(emulator, action, params)
    assert raw.error_code(reply) == "UnknownParameter"
    assert [j.JobId for j in all_jobs(client)] == [j.JobId for j in before]  # nothing was submitted
