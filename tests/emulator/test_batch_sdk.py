"""The emulated Batch job actions through the official SDK: lifecycle, logs, operator actions.

Each test acts as a user would and checks what that user would notice: the returned model's
fields, and the world afterwards as another Describe call shows it. Time moves only when a
test advances the ManualClock. Compute environments are in test_batch_sdk_envs.py, templates
and the catalog in test_batch_sdk_config.py; refusals in test_batch_refusals.py and
test_batch_refusals_states.py.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest

from apps.emulator.batch import PRODUCT
from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator.batch_support import (
    ACTIVE_ORDER,
    ENDED,
    JOB_ID,
    TIME,
    ZONE,
    all_jobs,
    describe_job,
    error_code,
    failed_job,
    job,
    running_job,
    submit,
    succeeded_job,
    task,
    wait_for_job,
)
from tests.emulator.sdk import call

# the prefix of the DescribeTaskLogs example (https://www.tencentcloud.com/document/api/599/30553)
LOG_PREFIX = "data:text/plain;charset=utf-8;base64,"


# A request field the SDK model does not know is dropped with only a warning: make it fail.
pytestmark = pytest.mark.filterwarnings("error:.*fileds are useless")


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return batch_sdk(emulator)


def instances(client: Any, job_id: str, task_name: str = "main", **params: Any) -> list[Any]:
    found = call(client, "DescribeTask", {"JobId": job_id, "TaskName": task_name, **params})
    return list(found.TaskInstanceSet)


def decoded(log: str) -> bytes:
    assert log.startswith(LOG_PREFIX), log[:60]
    return base64.b64decode(log[len(LOG_PREFIX) :], validate=True)


# --- SubmitJob, DescribeJob, DescribeJobSubmitInfo -------------------------------------------
def test_a_submitted_job_is_described_as_submitted(client: Any) -> None:
    spec = job(
        task("prepare"),
        task("process", instances=2),
        name="fresh-job",
        edges=(("prepare", "process"),),
        tags={"team": "qa"},
        priority=7,
    )
    job_id = submit(client, spec)

    assert JOB_ID.match(job_id)
    found = describe_job(client, job_id)
    assert (found.JobName, found.Zone, found.Priority) == ("fresh-job", ZONE, 7)
    assert found.JobState == "SUBMITTED"
    assert found.EndTime is None and TIME.match(found.CreateTime)
    assert [(t.TaskName, t.TaskState) for t in found.TaskSet] == [
        ("prepare", "SUBMITTED"),
        ("process", "SUBMITTED"),
    ]
    assert [(d.StartTask, d.EndTask) for d in found.DependenceSet] == [("prepare", "process")]
    assert found.TaskMetrics.SubmittedCount == 2
    assert found.TaskInstanceMetrics.SubmittedCount == 3
    assert [(t.Key, t.Value) for t in found.Tags] == [("team", "qa")]
    # ... and it heads the list, which is newest first
    assert call(client, "DescribeJobs", {}).JobSet[0].JobId == job_id


def test_submit_job_with_the_same_client_token_creates_one_job(client: Any) -> None:
    before = call(client, "DescribeJobs", {}).TotalCount
    params = {"Placement": {"Zone": ZONE}, "Job": job(), "ClientToken": "token-1"}
    first = call(client, "SubmitJob", params).JobId
    second = call(client, "SubmitJob", params).JobId

    assert first == second
    assert call(client, "DescribeJobs", {}).TotalCount == before + 1


def test_describe_job_submit_info_returns_what_was_submitted(client: Any) -> None:
    spec = job(task("A", instances=2), task("B"), name="echo-me", edges=(("A", "B"),), priority=3)
    job_id = submit(client, spec)

    info = call(client, "DescribeJobSubmitInfo", {"JobId": job_id})
    assert (info.JobId, info.JobName, info.JobDescription, info.Priority) == (
        job_id,
        "echo-me",
        "echo-me (tests)",
        3,
    )
    assert [(t.TaskName, t.TaskInstanceNum, t.Application.Command) for t in info.Tasks] == [
        ("A", 2, "echo A"),
        ("B", 1, "echo B"),
    ]
    assert info.Tasks[0].ComputeEnv.EnvData.InstanceType == "S1.SMALL1"
    assert [(d.StartTask, d.EndTask) for d in info.Dependences] == [("A", "B")]
    assert [(t.Key, t.Value) for t in info.Tags] == [("suite", "batch")]


# --- the lifecycle -------------------------------------------------------------------------
def test_a_job_runs_from_submitted_to_an_end_with_times_and_exit_codes(
    client: Any, clock: ManualClock
) -> None:
    # one instance, so the job's state is that instance's and can only move forward
    job_id = submit(client, job(task("main")))
    seen: list[str] = []
    for _ in range(2000):
        found = describe_job(client, job_id)
        if not seen or seen[-1] != found.JobState:
            seen.append(found.JobState)
        if found.JobState in ENDED:
            break
        if found.JobState == "RUNNING":  # a running instance sits on a compute instance
            (inst,) = instances(client, job_id)
            assert inst.ComputeNodeInstanceId and inst.ExitCode is None and inst.EndTime is None
        clock.advance(2)

    # SUBMITTED first, then only forward through the active states, then one end state
    assert seen[0] == "SUBMITTED" and seen[-1] in {"SUCCEED", "FAILED"}
    order = [ACTIVE_ORDER.index(s) for s in seen[:-1]]
    assert order == sorted(order) and len(set(order)) == len(order)
    final = describe_job(client, job_id)
    assert TIME.match(final.EndTime) and final.EndTime >= final.CreateTime
    assert all(TIME.match(t.EndTime) for t in final.TaskSet)
    for inst in instances(client, job_id):
        assert inst.TaskInstanceState == seen[-1]
        assert inst.CreateTime <= inst.LaunchTime <= inst.RunningTime <= inst.EndTime
        # "empty if ... already completed"
        # (https://www.tencentcloud.com/document/api/599/30482#TaskInstanceView)
        assert inst.ComputeNodeInstanceId is None
        if inst.TaskInstanceState == "SUCCEED":
            assert inst.ExitCode == 0
        else:
            assert inst.ExitCode not in (None, 0) and inst.StateReason
        assert (
            inst.RedirectInfo.StdoutRedirectFileName
            == f"stdout.{job_id}.main.{inst.TaskInstanceIndex}.log"
        )


def test_a_downstream_task_starts_only_after_its_upstream_task_succeeded(
    client: Any, clock: ManualClock
) -> None:
    job_id = succeeded_job(
        client, clock, job(task("prepare"), task("process"), edges=(("prepare", "process"),))
    )

    (prepare,) = instances(client, job_id, "prepare")
    (process,) = instances(client, job_id, "process")
    assert process.LaunchTime >= prepare.EndTime
    metrics = describe_job(client, job_id).TaskMetrics
    assert (metrics.SucceedCount, metrics.FailedCount) == (2, 0)


def test_describe_task_pages_and_filters_the_instances(client: Any, clock: ManualClock) -> None:
    job_id = submit(client, job(task("main", instances=3)))
    wait_for_job(client, clock, job_id, {"PENDING"}, step=1, limit=900)
    call(
        client,
        "TerminateTaskInstance",
        {"JobId": job_id, "TaskName": "main", "TaskInstanceIndex": 1},
    )

    whole = call(client, "DescribeTask", {"JobId": job_id, "TaskName": "main"})
    assert (whole.JobId, whole.TaskName, whole.TaskInstanceTotalCount) == (job_id, "main", 3)
    assert [i.TaskInstanceIndex for i in whole.TaskInstanceSet] == [0, 1, 2]
    assert whole.TaskInstanceMetrics.FailedCount == 1
    page = call(
        client, "DescribeTask", {"JobId": job_id, "TaskName": "main", "Offset": 2, "Limit": 2}
    )
    assert [i.TaskInstanceIndex for i in page.TaskInstanceSet] == [2]
    failed = [{"Name": "task-instance-state", "Values": ["FAILED"]}]
    only = call(client, "DescribeTask", {"JobId": job_id, "TaskName": "main", "Filters": failed})
    assert [i.TaskInstanceIndex for i in only.TaskInstanceSet] == [1]
    assert only.TaskInstanceTotalCount == 1


def test_describe_task_logs_returns_capped_base64_data_uris(
    client: Any, clock: ManualClock
) -> None:
    job_id = submit(client, job(task("main", instances=7)))
    wait_for_job(client, clock, job_id, ENDED)
    base = {"JobId": job_id, "TaskName": "main"}

    first = call(client, "DescribeTaskLogs", base)
    assert first.TotalCount == 7
    assert [log.TaskInstanceIndex for log in first.TaskInstanceLogSet] == [
        0,
        1,
        2,
        3,
        4,
    ]  # default 5
    rest = call(client, "DescribeTaskLogs", {**base, "Offset": 5, "Limit": 10})
    assert [log.TaskInstanceIndex for log in rest.TaskInstanceLogSet] == [5, 6]
    chosen = call(client, "DescribeTaskLogs", {**base, "TaskInstanceIndexes": [6, 2]})
    assert sorted(log.TaskInstanceIndex for log in chosen.TaskInstanceLogSet) == [2, 6]
    for log in [*first.TaskInstanceLogSet, *rest.TaskInstanceLogSet]:
        stdout, stderr = decoded(log.StdoutLog), decoded(log.StderrLog)
        # "up to 2048 bytes" (https://www.tencentcloud.com/document/api/599/30482#TaskInstanceLog)
        assert 0 < len(stdout) <= 2048 and len(stderr) <= 2048
        assert log.StdoutRedirectFileName == f"stdout.{job_id}.main.{log.TaskInstanceIndex}.log"


def test_describe_job_monitor_data_gives_a_series_for_a_running_instance(
    client: Any, clock: ManualClock
) -> None:
    job_id = running_job(client, clock)
    clock.advance(20)
    params = {"JobId": job_id, "TaskName": "main", "TaskInstanceIndex": 0, "MetricName": "CpuUsage"}

    found = call(client, "DescribeJobMonitorData", params)
    assert found.Period > 0
    stamps, values = found.DataPoints.Timestamps, found.DataPoints.Values
    assert stamps and len(stamps) == len(values) and stamps == sorted(stamps)
    assert all(b - a == found.Period for a, b in zip(stamps, stamps[1:], strict=False))
    measured = [v for v in values if v is not None]
    assert measured and all(0 <= v <= 100 for v in measured)  # CpuUsage is a percentage


# --- operator actions ------------------------------------------------------------------------
def test_terminate_job_fails_a_running_job_asynchronously(client: Any, clock: ManualClock) -> None:
    job_id = running_job(client, clock)

    call(client, "TerminateJob", {"JobId": job_id})
    assert describe_job(client, job_id).JobState == "RUNNING"  # "an asynchronous process"
    clock.advance(10)
    found = describe_job(client, job_id)
    assert found.JobState == "FAILED" and TIME.match(found.EndTime)
    (inst,) = instances(client, job_id)
    assert inst.TaskInstanceState == "FAILED" and inst.ExitCode not in (None, 0)


def test_terminate_task_instance_fails_only_that_instance(client: Any, clock: ManualClock) -> None:
    job_id = submit(client, job(task("main", instances=2)))
    wait_for_job(client, clock, job_id, {"PENDING"}, step=1, limit=900)

    call(
        client,
        "TerminateTaskInstance",
        {"JobId": job_id, "TaskName": "main", "TaskInstanceIndex": 0},
    )
    # a queued instance turns FAILED at once; the other one carries on
    assert [i.TaskInstanceState for i in instances(client, job_id)] == ["FAILED", "PENDING"]
    assert describe_job(client, job_id).JobState not in ENDED
    ended = wait_for_job(client, clock, job_id, ENDED)
    assert ended.JobState == "FAILED" and ended.TaskInstanceMetrics.FailedCount >= 1


def test_retry_jobs_takes_a_failed_job_out_of_failed(client: Any, clock: ManualClock) -> None:
    job_id = running_job(client, clock)
    call(client, "TerminateJob", {"JobId": job_id})
    wait_for_job(client, clock, job_id, {"FAILED"}, step=1, limit=60)
    (before,) = instances(client, job_id)
    assert before.ExitCode is not None and before.LaunchTime is not None

    call(client, "RetryJobs", {"JobIds": [job_id]})
    found = describe_job(client, job_id)
    assert found.JobState in ACTIVE_ORDER and found.EndTime is None
    # "the history information of the task instances will be reset"
    (inst,) = instances(client, job_id)
    assert inst.TaskInstanceState in ACTIVE_ORDER
    assert (inst.ExitCode, inst.LaunchTime, inst.RunningTime, inst.EndTime, inst.StateReason) == (
        None,
        None,
        None,
        None,
        "",
    )
    assert wait_for_job(client, clock, job_id, ENDED).EndTime  # and it runs to an end again


def test_delete_job_removes_a_finished_job(client: Any, clock: ManualClock) -> None:
    job_id = failed_job(client, clock)
    before = call(client, "DescribeJobs", {}).TotalCount

    call(client, "DeleteJob", {"JobId": job_id})
    assert error_code(client, "DescribeJob", {"JobId": job_id}) == "ResourceNotFound.Job"
    assert call(client, "DescribeJobs", {"JobIds": [job_id]}).JobSet == []
    assert call(client, "DescribeJobs", {}).TotalCount == before - 1


def test_a_failed_interrupted_job_is_terminated_then_deleted(
    client: Any, clock: ManualClock
) -> None:
    # FAILED_INTERRUPTED keeps its compute instance: terminate it first, then delete
    # (https://www.tencentcloud.com/document/api/599/30563)
    found = call(
        client,
        "DescribeJobs",
        {"Filters": [{"Name": "job-state", "Values": ["FAILED_INTERRUPTED"]}]},
    )
    assert found.JobSet, "the demo scenario (seed 1) was expected to hold a FAILED_INTERRUPTED job"
    job_id = found.JobSet[0].JobId

    call(client, "TerminateJob", {"JobId": job_id})
    clock.advance(10)
    assert describe_job(client, job_id).JobState == "FAILED"
    call(client, "DeleteJob", {"JobId": job_id})
    assert error_code(client, "DescribeJob", {"JobId": job_id}) == "ResourceNotFound.Job"


# --- DescribeJobs: pages, order, filters ----------------------------------------------------
def test_describe_jobs_pages_with_default_20_and_at_most_100(client: Any) -> None:
    everything = call(client, "DescribeJobs", {"Limit": 100})
    total = everything.TotalCount
    assert 20 < total <= 100, "the demo scenario has about sixty jobs"
    assert len(everything.JobSet) == total

    default = call(client, "DescribeJobs", {})
    assert len(default.JobSet) == 20 and default.TotalCount == total
    pages = [
        call(client, "DescribeJobs", {"Offset": o, "Limit": 25}).JobSet for o in range(0, total, 25)
    ]
    assert [j.JobId for page in pages for j in page] == [j.JobId for j in everything.JobSet]
    beyond = call(client, "DescribeJobs", {"Offset": total})
    assert beyond.JobSet == [] and beyond.TotalCount == total


def test_describe_jobs_lists_newest_first(client: Any, clock: ManualClock) -> None:
    older = submit(client)
    clock.advance(5)
    newer = submit(client)

    listed = all_jobs(client)
    created = [j.CreateTime for j in listed]
    assert created == sorted(created, reverse=True)
    assert [j.JobId for j in listed[:2]] == [newer, older]
    # also when asked by id, whatever the order of the ids
    asked = call(client, "DescribeJobs", {"JobIds": [older, newer]}).JobSet
    assert [j.JobId for j in asked] == [newer, older]


def test_describe_jobs_with_job_ids_and_filters_is_refused(client: Any) -> None:
    job_id = submit(client)
    params = {"JobIds": [job_id], "Filters": [{"Name": "job-state", "Values": ["SUBMITTED"]}]}
    assert (
        error_code(client, "DescribeJobs", params) == "InvalidParameter.InvalidParameterCombination"
    )


# filter name -> (what a listed job shows for it, whether to OR in a value of another job)
FILTER_CASES: dict[str, tuple[Any, bool]] = {
    "job-state": (lambda j: [j.JobState], True),
    "job-name": (lambda j: [j.JobName], True),
    "zone": (lambda j: [j.Placement.Zone], False),  # two zones only: one of them narrows
    "job-id": (lambda j: [j.JobId], True),
    "tag-key": (lambda j: [t.Key for t in j.Tags], False),  # every demo job has `team`
    "tag-value": (lambda j: [t.Value for t in j.Tags], True),
    "tag:team": (lambda j: [t.Value for t in j.Tags if t.Key == "team"], True),
}


@pytest.mark.parametrize("name", FILTER_CASES)
def test_describe_jobs_filters_select_exactly_the_matching_jobs(client: Any, name: str) -> None:
    mine = submit(client, job(name="filtered-job", tags={"owner": "me", "team": "qa"}))
    everything = all_jobs(client)
    shows, or_another = FILTER_CASES[name]
    own = shows(next(j for j in everything if j.JobId == mine))
    values = own[:1]
    if or_another:  # the values of one filter OR together
        values += next(
            shows(j)[:1] for j in everything if shows(j) and not set(shows(j)) & set(own)
        )

    found = all_jobs(client, Filters=[{"Name": name, "Values": values}])
    expected = [j.JobId for j in everything if set(shows(j)) & set(values)]
    assert [j.JobId for j in found] == expected
    assert mine in expected and len(expected) < len(everything)  # the filter did narrow


def test_describe_jobs_filters_and_together(client: Any) -> None:
    wanted = submit(client, job(name="needle", tags={"team": "qa"}), zone="ap-guangzhou-4")
    submit(client, job(name="needle", tags={"team": "qa"}), zone="ap-guangzhou-3")
    filters = [
        {"Name": "job-name", "Values": ["needle"]},
        {"Name": "zone", "Values": ["ap-guangzhou-4"]},
        {"Name": "tag:team", "Values": ["qa", "nobody"]},
    ]

    found = call(client, "DescribeJobs", {"Filters": filters})
    assert [j.JobId for j in found.JobSet] == [wanted] and found.TotalCount == 1


# --- every action has a test --------------------------------------------------------------
def test_every_registered_batch_action_is_called_by_these_tests() -> None:
    here = Path(__file__).parent
    sources = "".join(p.read_text() for p in here.glob("test_batch_sdk*.py"))
    sources += (here / "batch_support.py").read_text()
    called = set(re.findall(r'(?:call|error_code)\(\s*client,\s*"(\w+)"', sources))
    assert set(PRODUCT.actions) - called == set()
