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

from apps.cloud.gateway import cloud_call
from apps.cloud.records import as_dict, as_list, dicts, parse_time
from apps.cloud.records import integer as _int
from apps.cloud.records import text as _str
from apps.cloud.scope import Scope

SERVICE = "batch"


def _call(scope: Scope, action: str, params: dict[str, Any], block: bool) -> dict[str, Any]:
    return cloud_call(scope, SERVICE, action, params, block=block)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int


# --- jobs ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JobRecord:
    """JobView (DescribeJobs) or the job part of DescribeJob."""

    job_id: str
    name: str
    state: str
    priority: int
    zone: str
    created_at: datetime | None
    ended_at: datetime | None
    tags: list[dict[str, Any]]
    task_metrics: dict[str, Any]
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> JobRecord:
        placement = as_dict(r.get("Placement"))
        return cls(
            job_id=_str(r, "JobId"),
            name=_str(r, "JobName"),
            state=_str(r, "JobState"),
            priority=_int(r, "Priority") or 0,
            zone=_str(r, "Zone") or str(placement.get("Zone") or ""),
            created_at=parse_time(r.get("CreateTime")),
            ended_at=parse_time(r.get("EndTime")),
            tags=as_list(r.get("Tags")),
            task_metrics=as_dict(r.get("TaskMetrics")),
            raw=r,
        )


@dataclass(frozen=True)
class TaskRecord:
    name: str
    state: str
    created_at: datetime | None
    ended_at: datetime | None


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
        tasks=[
            TaskRecord(
                _str(t, "TaskName"),
                _str(t, "TaskState"),
                parse_time(t.get("CreateTime")),
                parse_time(t.get("EndTime")),
            )
            for t in dicts(r.get("TaskSet"))
        ],
        dependences=dicts(r.get("DependenceSet")),
        instance_metrics=as_dict(r.get("TaskInstanceMetrics")),
    )


# --- tasks and instances ---------------------------------------------------------------------
@dataclass(frozen=True)
class InstanceRecord:
    index: int
    state: str
    exit_code: int | None
    reason: str
    detailed_reason: str
    node_instance_id: str
    created_at: datetime | None
    launched_at: datetime | None
    running_at: datetime | None
    ended_at: datetime | None
    redirect: dict[str, Any]
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> InstanceRecord:
        return cls(
            index=_int(r, "TaskInstanceIndex") or 0,
            state=_str(r, "TaskInstanceState"),
            exit_code=_int(r, "ExitCode"),
            reason=_str(r, "StateReason"),
            detailed_reason=_str(r, "StateDetailedReason"),
            node_instance_id=_str(r, "ComputeNodeInstanceId"),
            created_at=parse_time(r.get("CreateTime")),
            launched_at=parse_time(r.get("LaunchTime")),
            running_at=parse_time(r.get("RunningTime")),
            ended_at=parse_time(r.get("EndTime")),
            redirect=as_dict(r.get("RedirectInfo")),
            raw=r,
        )


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
class EnvRecord:
    env_id: str
    name: str
    zone: str
    env_type: str
    resource_type: str
    desired_count: int
    attached_count: int
    next_action: str
    node_metrics: dict[str, Any]
    tags: list[dict[str, Any]]
    created_at: datetime | None
    # There is no state in this API: the cache's `state` mirrors NextAction, for the history.
    state: str
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> EnvRecord:
        return cls(
            env_id=_str(r, "EnvId"),
            name=_str(r, "EnvName"),
            zone=str(as_dict(r.get("Placement")).get("Zone") or ""),
            env_type=_str(r, "EnvType"),
            resource_type=_str(r, "ResourceType"),
            desired_count=_int(r, "DesiredComputeNodeCount") or 0,
            attached_count=_int(r, "AttachedComputeNodeCount") or 0,
            next_action=_str(r, "NextAction"),
            node_metrics=as_dict(r.get("ComputeNodeMetrics")),
            tags=as_list(r.get("Tags")),
            created_at=parse_time(r.get("CreateTime")),
            state=_str(r, "NextAction") or "ACTIVE",
            raw={k: v for k, v in r.items() if k != "ComputeNodeSet"},
        )


@dataclass(frozen=True)
class NodeRecord:
    node_id: str
    instance_id: str
    state: str
    cpu: int | None
    mem: int | None
    private_ips: list[str]
    public_ips: list[str]
    agent_version: str
    origin: str
    available_slots: int | None
    resource_created_at: datetime | None
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> NodeRecord:
        return cls(
            node_id=_str(r, "ComputeNodeId"),
            instance_id=_str(r, "ComputeNodeInstanceId"),
            state=_str(r, "ComputeNodeState"),
            cpu=_int(r, "Cpu"),
            mem=_int(r, "Mem"),
            private_ips=as_list(r.get("PrivateIpAddresses")),
            public_ips=as_list(r.get("PublicIpAddresses")),
            agent_version=_str(r, "AgentVersion"),
            origin=_str(r, "ResourceOrigin"),
            available_slots=_int(r, "TaskInstanceNumAvailable"),
            resource_created_at=parse_time(r.get("ResourceCreatedTime")),
            raw=r,
        )


@dataclass(frozen=True)
class ActivityRecord:
    activity_id: str
    node_id: str
    instance_id: str
    kind: str
    state: str
    cause: str
    reason: str
    started_at: datetime | None
    ended_at: datetime | None
    raw: dict[str, Any]


def describe_compute_envs(
    scope: Scope, *, offset: int = 0, limit: int = 100, block: bool = False
) -> Page:
    """https://www.tencentcloud.com/document/api/599/30509."""
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
        [
            ActivityRecord(
                _str(a, "ActivityId"),
                _str(a, "ComputeNodeId"),
                _str(a, "InstanceId"),
                _str(a, "ComputeNodeActivityType"),
                _str(a, "ActivityState"),
                _str(a, "Cause"),
                _str(a, "StateReason"),
                parse_time(a.get("StartTime")),
                parse_time(a.get("EndTime")),
                a,
            )
            for a in dicts(r.get("ActivitySet"))
        ],
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
    """Appendix A.4: one metric's series over the instance's life."""
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
