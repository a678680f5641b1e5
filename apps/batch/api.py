"""BatchCompute actions, one function each, returning typed records. Each cites its page;
the structures are on https://www.tencentcloud.com/document/api/599/30482 (data types).

Parsing is tolerant: a missing field becomes its empty value, an unknown state is kept as it
is, a malformed time becomes None; the whole record is kept in `raw` so nothing is lost.
Every call goes through the gateway (the limiter) and `block=False` by default: a busy bucket
raises `Throttled` so the calling task can re-schedule itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apps.batch.models import ENDED_STATES
from apps.cloud.gateway import cloud_call
from apps.cloud.records import Record, as_dict, as_list, dicts, parse_time, wire
from apps.cloud.records import integer as _int
from apps.cloud.records import text as _str
from apps.cloud.scope import Scope

SERVICE = "batch"


# The actions whose page says "Region — Yes" (every other Batch page says "No"): SubmitJob
# and DescribeJobMonitorData (https://www.tencentcloud.com/document/api/599/79985).
REGION_REQUIRED = frozenset({"SubmitJob", "DescribeJobMonitorData"})


class RegionRequired(ValueError):
    """A call the cloud would refuse with MissingParameter: it is never sent."""


def _call(scope: Scope, action: str, params: dict[str, Any], block: bool) -> dict[str, Any]:
    if action in REGION_REQUIRED and not scope.region:
        raise RegionRequired(f"{action} needs a region")
    return cloud_call(scope, SERVICE, action, params, block=block)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int


# --- jobs ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JobRecord(Record):
    """JobView (DescribeJobs) or the job part of DescribeJob."""

    job_id: str = wire("JobId")
    name: str = wire("JobName")
    state: str = wire("JobState")
    priority: int = wire("Priority")
    zone: str = wire("Zone", "Placement.Zone")
    created_at: datetime | None = wire("CreateTime")
    ended_at: datetime | None = wire("EndTime")
    tags: list[dict[str, Any]] = wire("Tags")
    task_metrics: dict[str, Any] = wire("TaskMetrics")
    raw: dict[str, Any] = wire()

    @property
    def is_ended(self) -> bool:
        return self.state in ENDED_STATES


@dataclass(frozen=True)
class TaskRecord(Record):
    """TaskView, a task of DescribeJob."""

    name: str = wire("TaskName")
    state: str = wire("TaskState")
    created_at: datetime | None = wire("CreateTime")
    ended_at: datetime | None = wire("EndTime")

    @property
    def is_ended(self) -> bool:
        return self.state in ENDED_STATES


@dataclass(frozen=True)
class JobDetail:
    job: JobRecord
    state_reason: str
    tasks: list[TaskRecord]
    dependences: list[dict[str, str]]
    instance_metrics: dict[str, Any]


def describe_jobs(
    scope: Scope,
    *,
    offset: int = 0,
    limit: int = 100,
    states: list[str] | None = None,
    job_ids: list[str] | None = None,
    block: bool = False,
) -> Page:
    """Newest first; JobIds and Filters are exclusive (https://www.tencentcloud.com/document/api/599/30557)."""
    params: dict[str, Any] = {"Offset": offset, "Limit": limit}
    if job_ids is not None:
        params = {"JobIds": job_ids, "Limit": limit}
    elif states:
        params["Filters"] = [{"Name": "job-state", "Values": states}]
    reply = _call(scope, "DescribeJobs", params, block)
    return Page(
        [JobRecord.from_api(j) for j in dicts(reply.get("JobSet"))], _int(reply, "TotalCount") or 0
    )


def describe_job(scope: Scope, job_id: str, *, block: bool = False) -> JobDetail:
    """The job with its tasks and dependencies (https://www.tencentcloud.com/document/api/599/30561)."""
    r = _call(scope, "DescribeJob", {"JobId": job_id}, block)
    return JobDetail(
        job=JobRecord.from_api(r),
        state_reason=_str(r, "StateReason"),
        tasks=[TaskRecord.from_api(t) for t in dicts(r.get("TaskSet"))],
        dependences=dicts(r.get("DependenceSet")),
        instance_metrics=as_dict(r.get("TaskInstanceMetrics")),
    )


# --- tasks and instances ---------------------------------------------------------------------
@dataclass(frozen=True)
class InstanceRecord(Record):
    """TaskInstanceView, an instance of DescribeTask."""

    index: int = wire("TaskInstanceIndex")
    state: str = wire("TaskInstanceState")
    exit_code: int | None = wire("ExitCode")
    reason: str = wire("StateReason")
    detailed_reason: str = wire("StateDetailedReason")
    node_instance_id: str = wire("ComputeNodeInstanceId")
    created_at: datetime | None = wire("CreateTime")
    launched_at: datetime | None = wire("LaunchTime")
    running_at: datetime | None = wire("RunningTime")
    ended_at: datetime | None = wire("EndTime")
    redirect: dict[str, Any] = wire("RedirectInfo")
    raw: dict[str, Any] = wire()


@dataclass(frozen=True)
class TaskDetail:
    state: str
    created_at: datetime | None
    ended_at: datetime | None
    total: int
    instances: list[InstanceRecord]
    instance_metrics: dict[str, Any]


def describe_task(
    scope: Scope,
    job_id: str,
    task_name: str,
    *,
    offset: int = 0,
    limit: int = 1000,
    block: bool = False,
) -> TaskDetail:
    """One page of a task's instances, Limit up to 1000 (https://www.tencentcloud.com/document/api/599/30555)."""
    r = _call(
        scope,
        "DescribeTask",
        {"JobId": job_id, "TaskName": task_name, "Offset": offset, "Limit": limit},
        block,
    )
    return TaskDetail(
        state=_str(r, "TaskState"),
        created_at=parse_time(r.get("CreateTime")),
        ended_at=parse_time(r.get("EndTime")),
        total=_int(r, "TaskInstanceTotalCount") or 0,
        instances=[InstanceRecord.from_api(i) for i in dicts(r.get("TaskInstanceSet"))],
        instance_metrics=as_dict(r.get("TaskInstanceMetrics")),
    )


@dataclass(frozen=True)
class LogRecord:
    index: int
    stdout: str | None
    stderr: str | None
    redirect: dict[str, str] = field(default_factory=dict)


def describe_task_logs(
    scope: Scope,
    job_id: str,
    task_name: str,
    indexes: list[int],
    *,
    block: bool = False,
) -> list[LogRecord]:
    """stdout/stderr (base64, ≤2048 decoded bytes) of up to 10 instances
    (https://www.tencentcloud.com/document/api/599/30553)."""
    r = _call(
        scope,
        "DescribeTaskLogs",
        {"JobId": job_id, "TaskName": task_name, "TaskInstanceIndexes": indexes[:10], "Limit": 10},
        block,
    )
    return [
        LogRecord(
            index=_int(item, "TaskInstanceIndex") or 0,
            stdout=item.get("StdoutLog"),
            stderr=item.get("StderrLog"),
            redirect={
                k: _str(item, k)
                for k in (
                    "StdoutRedirectPath",
                    "StderrRedirectPath",
                    "StdoutRedirectFileName",
                    "StderrRedirectFileName",
                )
            },
        )
        for item in dicts(r.get("TaskInstanceLogSet"))
    ]


# --- compute environments --------------------------------------------------------------------
@dataclass(frozen=True)
class EnvRecord(Record):
    """ComputeEnvView (DescribeComputeEnvs) or DescribeComputeEnv without its nodes."""

    RAW_WITHOUT = ("ComputeNodeSet",)  # stored as nodes

    env_id: str = wire("EnvId")
    name: str = wire("EnvName")
    zone: str = wire("Placement.Zone")
    env_type: str = wire("EnvType")
    resource_type: str = wire("ResourceType")
    desired_count: int = wire("DesiredComputeNodeCount")
    attached_count: int = wire("AttachedComputeNodeCount")
    next_action: str = wire("NextAction")
    node_metrics: dict[str, Any] = wire("ComputeNodeMetrics")
    tags: list[dict[str, Any]] = wire("Tags")
    created_at: datetime | None = wire("CreateTime")
    # There is no state in this API: the cache's `state` mirrors NextAction, for the history.
    state: str = wire("NextAction", default="ACTIVE")
    raw: dict[str, Any] = wire()


@dataclass(frozen=True)
class NodeRecord(Record):
    """ComputeNode, of DescribeComputeEnv."""

    node_id: str = wire("ComputeNodeId")
    instance_id: str = wire("ComputeNodeInstanceId")
    state: str = wire("ComputeNodeState")
    cpu: int | None = wire("Cpu")
    mem: int | None = wire("Mem")
    private_ips: list[str] = wire("PrivateIpAddresses")
    public_ips: list[str] = wire("PublicIpAddresses")
    agent_version: str = wire("AgentVersion")
    origin: str = wire("ResourceOrigin")
    available_slots: int | None = wire("TaskInstanceNumAvailable")
    resource_created_at: datetime | None = wire("ResourceCreatedTime")
    raw: dict[str, Any] = wire()


@dataclass(frozen=True)
class ActivityRecord(Record):
    """Activity, of DescribeComputeEnvActivities."""

    activity_id: str = wire("ActivityId")
    node_id: str = wire("ComputeNodeId")
    instance_id: str = wire("InstanceId")
    kind: str = wire("ComputeNodeActivityType")
    state: str = wire("ActivityState")
    cause: str = wire("Cause")
    reason: str = wire("StateReason")
    started_at: datetime | None = wire("StartTime")
    ended_at: datetime | None = wire("EndTime")
    raw: dict[str, Any] = wire()


def describe_compute_envs(
    scope: Scope, *, offset: int = 0, limit: int = 100, block: bool = False
) -> Page:
    """Every environment, a page at a time, Limit ≤ 100
    (https://www.tencentcloud.com/document/api/599/30509). It names no EnvIds (≤ 100 allowed)
    and no `zone` filter (one of another region is InvalidZone.MismatchRegion): the cache is
    filtered by zone, the cloud never is."""
    r = _call(scope, "DescribeComputeEnvs", {"Offset": offset, "Limit": limit}, block)
    return Page(
        [EnvRecord.from_api(e) for e in dicts(r.get("ComputeEnvSet"))], _int(r, "TotalCount") or 0
    )


def describe_compute_env(
    scope: Scope, env_id: str, *, block: bool = False
) -> tuple[EnvRecord, list[NodeRecord]]:
    """The environment with every node (https://www.tencentcloud.com/document/api/599/30517)."""
    r = _call(scope, "DescribeComputeEnv", {"EnvId": env_id}, block)
    return EnvRecord.from_api(r), [NodeRecord.from_api(n) for n in dicts(r.get("ComputeNodeSet"))]


def describe_compute_env_activities(
    scope: Scope,
    env_id: str,
    *,
    offset: int = 0,
    limit: int = 100,
    block: bool = False,
) -> Page:
    """Newest first (https://www.tencentcloud.com/document/api/599/30515)."""
    r = _call(
        scope,
        "DescribeComputeEnvActivities",
        {"EnvId": env_id, "Offset": offset, "Limit": limit},
        block,
    )
    return Page(
        [ActivityRecord.from_api(a) for a in dicts(r.get("ActivitySet"))],
        _int(r, "TotalCount") or 0,
    )


# --- metrics ---------------------------------------------------------------------------------
MONITOR_METRICS = ("CpuUsage", "MemUsage", "LanOuttraffic", "LanIntraffic", "MaxDiskUsage")


def describe_job_monitor_data(
    scope: Scope,
    job_id: str,
    task_name: str,
    index: int,
    metric: str,
    *,
    block: bool = False,
) -> list[tuple[datetime, float | None]]:
    """One metric's series over the instance's life; Region required, 20/s
    (https://www.tencentcloud.com/document/api/599/79985)."""
    r = _call(
        scope,
        "DescribeJobMonitorData",
        {"JobId": job_id, "TaskName": task_name, "TaskInstanceIndex": index, "MetricName": metric},
        block,
    )
    points = as_dict(r.get("DataPoints"))
    stamps, values = as_list(points.get("Timestamps")), as_list(points.get("Values"))
    return [
        (datetime.fromtimestamp(int(t), UTC), None if v is None else float(v))
        for t, v in zip(stamps, values, strict=False)
        if isinstance(t, (int, float))
    ]
