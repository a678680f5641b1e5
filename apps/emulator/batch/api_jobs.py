"""Batch job actions; their pages are https://www.tencentcloud.com/document/api/599/<id>:
DescribeJobs 30557, DescribeJob 30561, DescribeJobSubmitInfo 30559, DescribeTask 30555,
DescribeTaskLogs 30553, TerminateJob 30547, TerminateTaskInstance 30489, RetryJobs 30551,
DeleteJob 30563, DescribeJobMonitorData 79985 (https://cloud.tencent.com/document/api/599/120596
in Chinese; newer than the rest, its fields as the official SDK's
`tencentcloud/batch/v20170312/models.py` has them); SubmitJob is in api_submit."""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Any

from apps.emulator.batch import content, wire
from apps.emulator.batch import states as st
from apps.emulator.batch.product import PRODUCT
from apps.emulator.batch.world import BatchWorld, Instance, Job, Task
from apps.emulator.errors import ApiError, not_found
from apps.emulator.filters import compile_filters, filter_values, tag_getters
from apps.emulator.registry import Context
from apps.emulator.schema import FILTER, page
from apps.emulator.timefmt import batch_time, parse_batch_time

JOB_ID = re.compile(r"^job-[a-z0-9]{8}$")
JOB_FILTERS = {
    "job-id": lambda job: [job.id],
    "job-name": lambda job: [job.name],
    "job-state": lambda job: [job.state],
    "zone": lambda job: [job.zone],
    **tag_getters(lambda job: job.tags),
}


def _job_id_checked(job_id: str) -> str:
    if not JOB_ID.match(job_id):
        raise ApiError("InvalidParameter.JobIdMalformed", f"Invalid job ID format `{job_id}`.")
    return job_id


def job_or_404(world: BatchWorld, job_id: str) -> Job:
    job = world.jobs.get(_job_id_checked(job_id))
    if job is None:
        raise not_found("Job", job_id)
    return job


def task_or_404(world: BatchWorld, job_id: str, task_name: str) -> Task:
    # DescribeTask (https://www.tencentcloud.com/document/api/599/30555) lists JobIdMalformed, and
    # no ResourceNotFound.Job: an unknown job is an unknown task.
    job = world.jobs.get(_job_id_checked(job_id))
    task = job.tasks.get(task_name) if job else None
    if task is None:
        raise not_found("Task", f"{job_id}/{task_name}")
    return task


def instance_or_404(task: Task, index: int) -> Instance:
    if index < 0:
        raise ApiError("InvalidParameterValue.Negative", "TaskInstanceIndex must not be negative.")
    if index >= len(task.instances):
        raise not_found("TaskInstance", f"{task.job.id}/{task.name}/{index}")
    return task.instances[index]


# --- reading -------------------------------------------------------------------------------
@PRODUCT.action(
    "DescribeJobs",
    params={"JobIds": ["str"], "Filters": [FILTER], "Offset": "int", "Limit": "int"},
    limit=2,
)
def describe_jobs(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if "JobIds" in p and "Filters" in p:
        raise ApiError(
            "InvalidParameter.InvalidParameterCombination",
            "JobIds and Filters cannot both be given.",
        )
    offset, limit = page(p, default=20, maximum=100)
    zones_in_region(p.get("Filters"), ctx.region)
    matches = compile_filters(p.get("Filters"), JOB_FILTERS)
    if "JobIds" in p:
        for job_id in p["JobIds"]:
            if not JOB_ID.match(job_id):
                raise ApiError(
                    "InvalidParameter.JobIdMalformed", f"Invalid job ID format `{job_id}`."
                )
        jobs = sorted(
            (world.jobs[j] for j in set(p["JobIds"]) if j in world.jobs),
            key=lambda job: job.seq,
            reverse=True,
        )
    else:
        jobs = _newest_first(world, p.get("Filters"))
        if any(f.get("Name") != "job-state" for f in p.get("Filters") or []):
            jobs = [job for job in jobs if matches(job)]
    return {
        "JobSet": [wire.job_view(j) for j in jobs[offset : offset + limit]],
        "TotalCount": len(jobs),
    }


def zones_in_region(filters: list[dict[str, Any]] | None, region: str) -> None:
    """A `zone` filter naming a zone of another region is `InvalidZone.MismatchRegion` (in the
    error list of https://www.tencentcloud.com/document/api/599/30557)."""
    zones = [z for f in filters or [] if f.get("Name") == "zone" for z in f.get("Values") or []]
    for zone in zones:
        if not zone.startswith(region + "-"):
            raise ApiError("InvalidZone.MismatchRegion", f"The zone `{zone}` is not in {region}.")


def _newest_first(world: BatchWorld, filters: list[dict[str, Any]] | None) -> list[Job]:
    """Candidates newest first, using the state index when a `job-state` filter narrows them."""
    states = filter_values(filters, "job-state")
    if states is None:
        return world.job_order[::-1]
    found = [job for state in states for job in world.by_state.get(state, {}).values()]
    return sorted(found, key=attrgetter("seq"), reverse=True)


@PRODUCT.action("DescribeJob", params={"JobId": "str"}, required=("JobId",), limit=2)
def describe_job(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return wire.job_detail(job_or_404(world, p["JobId"]))


@PRODUCT.action("DescribeJobSubmitInfo", params={"JobId": "str"}, required=("JobId",), limit=2)
def describe_job_submit_info(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    job = job_or_404(world, p["JobId"])
    return {
        "JobId": job.id,
        "JobName": job.name,
        "JobDescription": job.spec.get("JobDescription", ""),
        "Priority": job.priority,
        "Tasks": job.spec["Tasks"],
        "Dependences": job.dependences,
        "Tags": job.tags,
    }


INSTANCE_FILTERS = {
    "task-instance-state": lambda inst: [inst.state],
    # the name in the parameter table of https://www.tencentcloud.com/document/api/599/30555
    "task-instance-type": lambda inst: [inst.state],
}


@PRODUCT.action(
    "DescribeTask",
    params={
        "JobId": "str",
        "TaskName": "str",
        "Offset": "int",
        "Limit": "int",
        "Filters": [FILTER],
    },
    required=("JobId", "TaskName"),
    limit=3,
)
def describe_task(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    task = task_or_404(world, p["JobId"], p["TaskName"])
    offset, limit = page(p, default=100, maximum=1000)
    matches = compile_filters(p.get("Filters"), INSTANCE_FILTERS)
    instances = [inst for inst in task.instances if matches(inst)]
    return {
        "JobId": task.job.id,
        "TaskName": task.name,
        "TaskState": task.state,
        "CreateTime": batch_time(task.created),
        "EndTime": batch_time(task.ended),
        "TaskInstanceTotalCount": len(instances),
        "TaskInstanceSet": [wire.instance_view(i) for i in instances[offset : offset + limit]],
        "TaskInstanceMetrics": st.metrics(i.state for i in task.instances),
    }


@PRODUCT.action(
    "DescribeTaskLogs",
    params={
        "JobId": "str",
        "TaskName": "str",
        "TaskInstanceIndexes": ["int"],
        "Offset": "int",
        "Limit": "int",
    },
    required=("JobId", "TaskName"),
    limit=20,
)
def describe_task_logs(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    job = job_or_404(world, p["JobId"])
    task = job.tasks.get(p["TaskName"])
    if task is None:
        raise not_found("Task", f"{job.id}/{p['TaskName']}")
    if "TaskInstanceIndexes" in p and "Offset" in p:
        raise ApiError(
            "InvalidParameter.InvalidParameterCombination",
            "TaskInstanceIndexes and Offset cannot both be given.",
        )
    offset, limit = page(p, default=5, maximum=10)
    if "TaskInstanceIndexes" in p:
        chosen = [instance_or_404(task, index) for index in p["TaskInstanceIndexes"]]
        offset = 0
    else:
        chosen = task.instances
    with_logs = [inst for inst in chosen if wire.has_log(inst)]
    return {
        "TotalCount": len(with_logs),
        "TaskInstanceLogSet": [
            wire.instance_log(i, ctx.now) for i in with_logs[offset : offset + limit]
        ],
    }


@PRODUCT.action(
    "DescribeJobMonitorData",
    params={
        "JobId": "str",
        "TaskName": "str",
        "TaskInstanceIndex": "int",
        "MetricName": "str",
        "StartTime": "str",
        "EndTime": "str",
        "Dimensions": [{"Name": "str", "Value": "str"}],
    },
    required=("JobId", "TaskName", "TaskInstanceIndex", "MetricName"),
    limit=20,  # its page: "A maximum of 20 requests can be initiated per second for this API"
    region_required=True,  # its page: "Region — Yes"
)
def describe_job_monitor_data(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    task = task_or_404(world, p["JobId"], p["TaskName"])
    inst = instance_or_404(task, p["TaskInstanceIndex"])
    if p["MetricName"] not in content.METRICS:
        raise ApiError("InvalidParameterValue", f"Unsupported MetricName `{p['MetricName']}`.")
    try:
        start = max(parse_batch_time(p["StartTime"]) if "StartTime" in p else 0.0, inst.created)
        end = min(
            parse_batch_time(p["EndTime"]) if "EndTime" in p else ctx.now, inst.ended or ctx.now
        )
    except ValueError:
        raise ApiError(
            "InvalidParameterValue", "Times must look like 2023-05-04T08:00:00Z."
        ) from None
    period = content.period_for(max(end - start, 0))
    stamps = list(range(int(start) - int(start) % period, int(end) + 1, period))
    values = [
        content.metric_value(inst.log_seed, p["MetricName"], t)
        if inst.running is not None and t >= inst.running
        else None
        for t in stamps
    ]
    return {"Period": period, "DataPoints": {"Timestamps": stamps, "Values": values}}


# --- operator actions ----------------------------------------------------------------------
@PRODUCT.action("TerminateJob", params={"JobId": "str"}, required=("JobId",), limit=2)
def terminate_job(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    job = job_or_404(world, p["JobId"])
    if job.state == st.SUBMITTED:
        raise ApiError(
            "UnsupportedOperation",
            "Termination is prohibited while the job is in the SUBMITTED state.",
        )
    if job.state != st.SUCCEED:  # "does not take effect if it is in the SUCCEED state"
        world.terminate_job(job)
    return {}


@PRODUCT.action(
    "TerminateTaskInstance",
    params={"JobId": "str", "TaskName": "str", "TaskInstanceIndex": "int"},
    required=("JobId", "TaskName", "TaskInstanceIndex"),
    limit=2,
)
def terminate_task_instance(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    # JobIdMalformed is in the action's error list
    # (https://www.tencentcloud.com/document/api/599/30489)
    job = world.jobs.get(_job_id_checked(p["JobId"]))
    task = job.tasks.get(p["TaskName"]) if job else None
    if task is None or not 0 <= p["TaskInstanceIndex"] < len(task.instances):
        raise not_found("TaskInstance", f"{p['JobId']}/{p['TaskName']}/{p['TaskInstanceIndex']}")
    world.terminate_instance(task.instances[p["TaskInstanceIndex"]])
    return {}


@PRODUCT.action("RetryJobs", params={"JobIds": ["str"]}, required=("JobIds",), limit=2)
def retry_jobs(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if not p["JobIds"]:
        raise ApiError("InvalidParameterValue", "JobIds must not be empty.")
    if len(p["JobIds"]) > 100:
        raise ApiError("InvalidParameterValue", "At most 100 JobIds can be given.")
    jobs = [job_or_404(world, job_id) for job_id in p["JobIds"]]  # all checked before any change
    for job in jobs:
        if job.state != st.FAILED:
            raise ApiError(
                "UnsupportedOperation",
                f"Job `{job.id}` is {job.state}; retry is supported only in the FAILED state.",
            )
    for job in jobs:
        world.retry_job(job)
    return {}


@PRODUCT.action("DeleteJob", params={"JobId": "str"}, required=("JobId",), limit=30)
def delete_job(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    job = job_or_404(world, p["JobId"])
    done = (st.SUCCEED, st.FAILED)
    if job.state not in done or any(inst.state not in done for inst in job.instances()):
        raise ApiError(
            "ResourceInUse.Job", "The job and all its task instances must be SUCCEED or FAILED."
        )
    world.delete_job(job)
    return {}
