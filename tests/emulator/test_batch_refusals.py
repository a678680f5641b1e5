"""Documented Batch refusals of a request's content, through the official SDK: unknown and
malformed ids, invalid jobs and templates, filters, pages and parameters an action does not
have (the action pages' error tables). A refusal must carry the
documented `Code` and leave the world as it was. Refusals because of an object's state are in
test_batch_refusals_states.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator import raw
from tests.emulator.batch_support import (
    ANONYMOUS_ENV,
    ZONE,
    all_jobs,
    describe_env,
    describe_job,
    error_code,
    job,
    submit,
    task,
)
from tests.emulator.sdk import call

# A request field the SDK model does not know is dropped with only a warning: make it fail.
pytestmark = pytest.mark.filterwarnings("error:.*fileds are useless")


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return batch_sdk(emulator)


@dataclass(frozen=True)
class Real:
    """Ids that exist, so that each case is refused for one reason only."""

    job: str  # SUBMITTED, one task `main` with one instance
    env: str  # a demo environment
    node: str  # a RUNNING node of `env`
    template: str

    def fill(self, params: Any) -> Any:
        """`params` with the placeholders "<job>", "<env>", "<node>", "<template>" replaced."""
        if isinstance(params, dict):
            return {k: self.fill(v) for k, v in params.items()}
        if isinstance(params, list):
            return [self.fill(v) for v in params]
        if isinstance(params, str) and params.startswith("<") and params.endswith(">"):
            return getattr(self, params[1:-1])
        return params


@pytest.fixture
def real(client: Any) -> Real:
    env = call(client, "DescribeComputeEnvs", {}).ComputeEnvSet[0].EnvId
    states = {n.ComputeNodeId: n.ComputeNodeState for n in describe_env(client, env).ComputeNodeSet}
    node = next(node for node, state in states.items() if state == "RUNNING")
    made = call(
        client, "CreateTaskTemplate", {"TaskTemplateName": "t", "TaskTemplateInfo": task("t")}
    )
    return Real(job=submit(client), env=env, node=node, template=made.TaskTemplateId)


def job_count(client: Any) -> int:
    return int(call(client, "DescribeJobs", {}).TotalCount)


# --- ids of nothing, and ids that cannot be ids ------------------------------------------------
NO_JOB, NO_ENV, NO_NODE, NO_TMPL = (
    "job-zzzzzzzz",
    "env-zzzzzzzz",
    "node-zzzzzzzz",
    "task-tmpl-zzzzzzzz",
)
MAIN = {"JobId": "<job>", "TaskName": "main"}
IN_ZONE = {"Placement": {"Zone": ZONE}}
INS, INS_IDS = [{"InstanceId": "ins-aaaaaaaa"}], ["ins-aaaaaaaa"]
ON_NODE = {"Name": "compute-node-id", "Values": ["x"]}
# (action, parameters, X of ResourceNotFound.X)
NOT_FOUND: list[tuple[str, dict[str, Any], str]] = [
    ("DescribeJob", {"JobId": NO_JOB}, "Job"),
    ("DescribeJobSubmitInfo", {"JobId": NO_JOB}, "Job"),
    ("TerminateJob", {"JobId": NO_JOB}, "Job"),
    ("DeleteJob", {"JobId": NO_JOB}, "Job"),
    ("RetryJobs", {"JobIds": [NO_JOB]}, "Job"),
    ("DescribeTaskLogs", {**MAIN, "JobId": NO_JOB}, "Job"),
    ("DescribeTask", {**MAIN, "TaskName": "nope"}, "Task"),
    # DescribeTask lists no ResourceNotFound.Job: inferred, an unknown job is an unknown task
    ("DescribeTask", {**MAIN, "JobId": NO_JOB}, "Task"),
    ("DescribeTaskLogs", {**MAIN, "TaskName": "nope"}, "Task"),
    ("DescribeTaskLogs", {**MAIN, "TaskInstanceIndexes": [9]}, "TaskInstance"),
    ("TerminateTaskInstance", {**MAIN, "TaskInstanceIndex": 9}, "TaskInstance"),
    ("DescribeComputeEnv", {"EnvId": NO_ENV}, "ComputeEnv"),
    ("DescribeComputeEnvCreateInfo", {"EnvId": NO_ENV}, "ComputeEnv"),
    ("DescribeComputeEnvActivities", {"EnvId": NO_ENV}, "ComputeEnv"),
    ("ModifyComputeEnv", {"EnvId": NO_ENV, "EnvName": "x"}, "ComputeEnv"),
    ("DeleteComputeEnv", {"EnvId": NO_ENV}, "ComputeEnv"),
    ("TerminateComputeNode", {"EnvId": NO_ENV, "ComputeNodeId": "<node>"}, "ComputeEnv"),
    ("TerminateComputeNodes", {"EnvId": NO_ENV, "ComputeNodeIds": ["<node>"]}, "ComputeEnv"),
    ("AttachInstances", {"EnvId": NO_ENV, "Instances": INS}, "ComputeEnv"),
    ("DetachInstances", {"EnvId": NO_ENV, "InstanceIds": INS_IDS}, "ComputeEnv"),
    ("SubmitJob", {**IN_ZONE, "Job": job(task("main", env_id=NO_ENV))}, "ComputeEnv"),
    ("TerminateComputeNode", {"EnvId": "<env>", "ComputeNodeId": NO_NODE}, "ComputeNode"),
    (
        "TerminateComputeNodes",
        {"EnvId": "<env>", "ComputeNodeIds": ["<node>", NO_NODE]},
        "ComputeNode",
    ),
    ("DeleteTaskTemplates", {"TaskTemplateIds": ["<template>", NO_TMPL]}, "TaskTemplate"),
    ("ModifyTaskTemplate", {"TaskTemplateId": NO_TMPL, "TaskTemplateName": "x"}, "TaskTemplate"),
]
# (action, parameters, X of InvalidParameter.XIdMalformed)
MALFORMED: list[tuple[str, dict[str, Any], str]] = [
    ("DescribeJobs", {"JobIds": ["<job>", "job-1"]}, "Job"),
    ("DescribeJob", {"JobId": "job_97zcl3wt"}, "Job"),
    ("DescribeJobSubmitInfo", {"JobId": "97zcl3wt"}, "Job"),
    ("DescribeTask", {**MAIN, "JobId": "job-"}, "Job"),
    ("DescribeTaskLogs", {**MAIN, "JobId": "JOB-ABCDEFGH"}, "Job"),
    ("TerminateJob", {"JobId": "job-toolong12"}, "Job"),
    ("TerminateTaskInstance", {**MAIN, "JobId": "job-1", "TaskInstanceIndex": 0}, "Job"),
    ("RetryJobs", {"JobIds": ["<job>", "job-1"]}, "Job"),
    ("DeleteJob", {"JobId": "env-12345678"}, "Job"),
    ("DescribeComputeEnv", {"EnvId": "env-1"}, "Env"),
    ("DescribeComputeEnvs", {"EnvIds": ["<env>", "env-1"]}, "Env"),
    ("DescribeComputeEnvCreateInfo", {"EnvId": "env_lcpcej85"}, "Env"),
    ("DescribeComputeEnvCreateInfos", {"EnvIds": ["lcpcej85"]}, "Env"),
    ("DescribeComputeEnvActivities", {"EnvId": "env-1"}, "Env"),
    ("ModifyComputeEnv", {"EnvId": "env-1", "EnvName": "x"}, "Env"),
    ("DeleteComputeEnv", {"EnvId": "env-1"}, "Env"),
    ("TerminateComputeNode", {"EnvId": "env-1", "ComputeNodeId": "<node>"}, "Env"),
    ("TerminateComputeNodes", {"EnvId": "env-1", "ComputeNodeIds": ["<node>"]}, "Env"),
    ("AttachInstances", {"EnvId": "env-1", "Instances": INS}, "Env"),
    ("DetachInstances", {"EnvId": "env-1", "InstanceIds": INS_IDS}, "Env"),
    ("SubmitJob", {**IN_ZONE, "Job": job(task("main", env_id="env-1"))}, "Env"),
    (
        "CreateTaskTemplate",
        {"TaskTemplateName": "t", "TaskTemplateInfo": task("t", env_id="e")},
        "Env",
    ),
    ("TerminateComputeNode", {"EnvId": "<env>", "ComputeNodeId": "node-1"}, "ComputeNode"),
    (
        "TerminateComputeNodes",
        {"EnvId": "<env>", "ComputeNodeIds": ["<node>", "n-1"]},
        "ComputeNode",
    ),
    ("DescribeComputeEnvActivities", {"EnvId": "<env>", "Filters": ON_NODE}, "ComputeNode"),
    ("DeleteTaskTemplates", {"TaskTemplateIds": ["task-tmpl-1"]}, "TaskTemplate"),
    (
        "ModifyTaskTemplate",
        {"TaskTemplateId": "tmpl-12345678", "TaskTemplateName": "x"},
        "TaskTemplate",
    ),
    ("DescribeTaskTemplates", {"TaskTemplateIds": ["task-tmpl-1"]}, "TaskTemplate"),
]
ID_CASES = [(a, p, f"ResourceNotFound.{c}") for a, p, c in NOT_FOUND]
ID_CASES += [(a, p, f"InvalidParameter.{c}IdMalformed") for a, p, c in MALFORMED]


@pytest.mark.parametrize(
    ("action", "params", "code"), ID_CASES, ids=[f"{a}-{c.split('.')[-1]}" for a, _, c in ID_CASES]
)
def test_unknown_or_malformed_ids_are_refused(
    client: Any, real: Real, action: str, params: dict[str, Any], code: str
) -> None:
    jobs_before = job_count(client)
    assert error_code(client, action, real.fill(params)) == code
    # nothing happened on the way: the real objects the request names are untouched
    assert job_count(client) == jobs_before
    assert describe_job(client, real.job).JobState == "SUBMITTED"
    states = {
        n.ComputeNodeId: n.ComputeNodeState for n in describe_env(client, real.env).ComputeNodeSet
    }
    assert states[real.node] == "RUNNING"
    found = call(client, "DescribeTaskTemplates", {"TaskTemplateIds": [real.template]})
    assert [t.TaskTemplateId for t in found.TaskTemplateSet] == [real.template]


# --- jobs and templates that cannot be (SubmitJob's errors; the Task and Dependence types) ------
CYCLE = (("A", "B"), ("B", "C"), ("C", "A"))
ONE_ENV = "AllowedOneAttributeInEnvIdAndComputeEnv"  # "one (and only one)" of the two
SUBMIT_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "both-envs": (job(task("main", env_id="env-e41jrqx2", ComputeEnv=ANONYMOUS_ENV)), ONE_ENV),
    "no-env": (job({k: v for k, v in task("main").items() if k != "ComputeEnv"}), ONE_ENV),
    "cycle": (
        job(task("A"), task("B"), task("C"), edges=CYCLE),
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
    "retries": (job(task("A", MaxRetryCount=6)), "InvalidParameterValue.MaxRetryCount"),  # 0 - 5
    "long-name": (job(name="n" * 61), "InvalidParameter.JobNameTooLong"),  # the SDK: at most 60
    "retries-not-a-number": (job(task("A", MaxRetryCount="x")), "InvalidParameter"),
}
PLACEMENT_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "no-zone": ({}, "MissingParameter"),
    "zone-of-another-region": ({"Zone": "ap-beijing-2"}, "InvalidZone.MismatchRegion"),
}


@pytest.mark.parametrize("case", [*SUBMIT_CASES, *PLACEMENT_CASES])
def test_submit_job_refusals_create_no_job(client: Any, case: str) -> None:
    if case in SUBMIT_CASES:
        (spec, code), placement = SUBMIT_CASES[case], IN_ZONE["Placement"]
    else:
        (placement, code), spec = PLACEMENT_CASES[case], job()
    before = job_count(client)
    assert error_code(client, "SubmitJob", {"Placement": placement, "Job": spec}) == code
    assert job_count(client) == before


def test_task_template_refusals_leave_the_templates_alone(client: Any) -> None:
    def create(name: str, info: dict[str, Any]) -> str:
        params = {"TaskTemplateName": name, "TaskTemplateInfo": info}
        return error_code(client, "CreateTaskTemplate", params)

    both = task("t", env_id="env-e41jrqx2", ComputeEnv=ANONYMOUS_ENV)
    assert create("t", both) == ONE_ENV
    assert create("n" * 61, task("t")) == "InvalidParameter.TaskTemplateNameTooLong"
    made = call(
        client, "CreateTaskTemplate", {"TaskTemplateName": "t", "TaskTemplateInfo": task("t")}
    )
    nothing = {"TaskTemplateId": made.TaskTemplateId}
    assert (
        error_code(client, "ModifyTaskTemplate", nothing) == "InvalidParameterAtLeastOneAttribute"
    )
    (view,) = call(client, "DescribeTaskTemplates", {}).TaskTemplateSet
    assert (view.TaskTemplateId, view.TaskTemplateName) == (made.TaskTemplateId, "t")


# --- filters, combinations and pages of the Describe actions ---------------------------------
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
    colour = [{"Name": "colour", "Values": ["blue"]}]
    assert error_code(client, action, {"Filters": colour}) == "InvalidFilter"


def one(name: str, *values: str) -> list[dict[str, Any]]:
    return [{"Name": name, "Values": list(values)}]


COMBINED = "InvalidParameter.InvalidParameterCombination"
BY_NAME = one("env-name", "x")
FILTER_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "DescribeJobs",
        {"Filters": one("job-name", *[f"n{i}" for i in range(101)])},
        "InvalidParameterValue.LimitExceeded",
    ),
    (
        "DescribeAvailableCvmInstanceTypes",
        {"Filters": one("zone", "ap-beijing-2")},
        "InvalidParameterValue.InvalidZoneMismatchRegion",
    ),
    (
        "DescribeCvmZoneInstanceConfigInfos",
        {"Filters": one("instance-charge-type", "CDHPAID")},
        "InvalidParameterValue.UnsupportedBatchInstanceChargeType",
    ),
    ("DescribeComputeEnvs", {"EnvIds": ["<env>"], "Filters": BY_NAME}, COMBINED),
    ("DescribeComputeEnvCreateInfos", {"EnvIds": ["<env>"], "Filters": BY_NAME}, COMBINED),
    (
        "DescribeTaskTemplates",
        {"TaskTemplateIds": ["<template>"], "Filters": one("task-template-name", "t")},
        COMBINED,
    ),
    ("DescribeTaskLogs", {**MAIN, "TaskInstanceIndexes": [0], "Offset": 0}, COMBINED),  # SDK
]


@pytest.mark.parametrize(
    ("action", "params", "code"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES]
)
def test_bad_filters_and_combinations_are_refused(
    client: Any, real: Real, action: str, params: dict[str, Any], code: str
) -> None:
    assert error_code(client, action, real.fill(params)) == code


# action -> (the maximum of Limit, the parameters it needs besides Offset and Limit)
PAGED: dict[str, tuple[int, dict[str, Any]]] = {
    "DescribeJobs": (100, {}),
    "DescribeComputeEnvs": (100, {}),
    "DescribeComputeEnvCreateInfos": (100, {}),
    "DescribeComputeEnvActivities": (100, {"EnvId": "<env>"}),
    "DescribeTaskTemplates": (100, {}),
    "DescribeTask": (1000, MAIN),  # the doc's own figure; the others are the SDK's docstrings
    "DescribeTaskLogs": (10, MAIN),
}


@pytest.mark.parametrize("action", PAGED)
def test_limit_over_the_maximum_and_negative_offsets_are_refused(
    client: Any, real: Real, action: str
) -> None:
    maximum, needs = PAGED[action]
    base = real.fill(needs)
    call(client, action, {**base, "Limit": maximum})  # the maximum itself is fine
    assert error_code(client, action, {**base, "Limit": maximum + 1}) == "InvalidParameterValue"
    assert error_code(client, action, {**base, "Offset": -1}) == "InvalidParameterValue.Negative"
    assert error_code(client, action, {**base, "Limit": -1}) == "InvalidParameterValue.Negative"


# --- parameters an action does not have: the SDK cannot send them, so a signed raw request ------
FUZZY = {"Name": "compute-node-id", "Values": [], "Fuzzy": True}
UNKNOWN_PARAMETERS: list[tuple[str, dict[str, Any]]] = [
    ("DescribeJobs", {"Limit": 1, "PageSize": 10}),
    ("DescribeComputeEnvs", {"Verbose": True}),
    ("DescribeComputeEnvActivities", {"EnvId": NO_ENV, "Filters": FUZZY}),
    ("SubmitJob", {"Placement": {"Zone": ZONE, "Rack": "r1"}, "Job": job()}),
    ("SubmitJob", {**IN_ZONE, "Job": {**job(), "Owner": "me"}}),
    ("DetachInstances", {"EnvId": NO_ENV, "InstanceIds": INS_IDS, "Force": True}),
]


@pytest.mark.parametrize(("action", "params"), UNKNOWN_PARAMETERS)
def test_a_parameter_the_action_does_not_have_is_refused(
    emulator: Emulator, client: Any, action: str, params: dict[str, Any]
) -> None:
    before = [j.JobId for j in all_jobs(client)]
    assert raw.error_code(raw.post(emulator, action, params)) == "UnknownParameter"
    assert [j.JobId for j in all_jobs(client)] == before  # nothing was submitted
