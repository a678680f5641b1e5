"""Omics actions, one function each, returning typed records. Each cites its page; the
structures are on https://cloud.tencent.com/document/api/1643/89100 (data structures).

Parsing is tolerant, as in `apps.batch.api`: a missing field becomes its empty value, an
unknown status is kept as it is, a time that is "" (not reached yet) or malformed becomes
None, and the whole record is kept in `raw`. Every call goes through the gateway with
`block=False`: a busy bucket raises `Throttled` so the calling task can re-schedule itself.
The platform actions (run groups, runs, calls) need a region; the demo world is in ap-guangzhou.

Run groups, runs and calls belong to a project: each of their actions takes `ProjectId`, and
an omitted one means "the default project of the region" (不填使用指定地域下的默认项目,
https://cloud.tencent.com/document/api/1643/89098), so a client that never sends it sees
nothing of the other projects. `project_id=""` here omits it; every other value is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from apps.cloud import records
from apps.cloud.gateway import cloud_call
from apps.cloud.records import Record, as_dict, dicts, wire
from apps.cloud.records import integer as _int
from apps.cloud.records import text as _str
from apps.cloud.scope import Scope

SERVICE = "omics"
MAX_LIMIT = 100  # every Omics list's Limit
# A time without an offset is read as Beijing time, the offset every example carries.
_CST = timezone(timedelta(hours=8))


class OmicsRecord(Record):
    NAIVE_TZ = _CST


def parse_time(value: Any) -> datetime | None:
    """`2023-03-15T20:53:13+08:00`; "" (not reached) or anything else is None."""
    return records.parse_time(value, naive=_CST)


Filters = dict[str, list[str]]


def _wire_filters(filters: Filters | None) -> list[dict[str, Any]]:
    """{Name: [values]} -> the Filter array (ANDed across names, ORed across values)."""
    return [{"Name": name, "Values": list(values)} for name, values in (filters or {}).items()]


def _call(scope: Scope, action: str, params: dict[str, Any], block: bool) -> dict[str, Any]:
    return cloud_call(scope, SERVICE, action, params, block=block)


def _list_params(
    offset: int, limit: int, filters: Filters | None, project_id: str = ""
) -> dict[str, Any]:
    params: dict[str, Any] = {"Offset": offset, "Limit": min(limit, MAX_LIMIT)}
    if filters:
        params["Filters"] = _wire_filters(filters)
    return in_project(params, project_id)


def in_project(params: dict[str, Any], project_id: str) -> dict[str, Any]:
    """`params` naming the project (none: the region's default project). Every action on a
    run group, run or call takes it: the actions' parameters too (apps/actions/catalog.py)."""
    return {**params, "ProjectId": project_id} if project_id else params


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int


# --- projects --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectRecord(OmicsRecord):
    """Project (https://cloud.tencent.com/document/product/1643/130409)."""

    project_id: str = wire("ProjectId")
    name: str = wire("Name")
    description: str = wire("Description")
    is_default: bool = wire("IsDefault")
    raw: dict[str, Any] = wire()


def describe_projects(
    scope: Scope, *, offset: int = 0, limit: int = MAX_LIMIT, block: bool = False
) -> Page:
    """The region's projects (https://cloud.tencent.com/document/product/1643/130409)."""
    r = _call(scope, "DescribeProjects", _list_params(offset, limit, None), block)
    return Page(
        [ProjectRecord.from_api(p) for p in dicts(r.get("Projects"))],
        _int(r, "TotalCount") or 0,
    )


# --- environments and volumes ----------------------------------------------------------------
@dataclass(frozen=True)
class EnvironmentRecord(OmicsRecord):
    """Environment (https://cloud.tencent.com/document/api/1643/89100)."""

    environment_id: str = wire("EnvironmentId")
    name: str = wire("Name")
    status: str = wire("Status")
    available: bool = wire("Available")
    type: str = wire("Type")
    is_default: bool = wire("IsDefault")
    is_managed: bool = wire("IsManaged")
    message: str = wire("Message")
    description: str = wire("Description")
    created_at: datetime | None = wire("CreationTime")  # not CreateTime, unlike the others
    raw: dict[str, Any] = wire()


@dataclass(frozen=True)
class VolumeRecord(OmicsRecord):
    """Volume, a cache volume."""

    volume_id: str = wire("VolumeId")
    environment_id: str = wire("EnvironmentId")
    name: str = wire("Name")
    status: str = wire("Status")
    spec: str = wire("Spec")
    type: str = wire("Type")
    capacity: int | None = wire("Capacity")
    usage: int | None = wire("Usage")
    is_default: bool = wire("IsDefault")
    default_mount_path: str = wire("DefaultMountPath")
    raw: dict[str, Any] = wire()


def describe_environments(
    scope: Scope,
    *,
    offset: int = 0,
    limit: int = MAX_LIMIT,
    filters: Filters | None = None,
    block: bool = False,
) -> Page:
    """Filters EnvironmentId, Name, Status (https://cloud.tencent.com/document/api/1643/90907)."""
    r = _call(scope, "DescribeEnvironments", _list_params(offset, limit, filters), block)
    return Page(
        [EnvironmentRecord.from_api(e) for e in dicts(r.get("Environments"))],
        _int(r, "TotalCount") or 0,
    )


def describe_volumes(
    scope: Scope,
    environment_id: str,
    *,
    offset: int = 0,
    limit: int = MAX_LIMIT,
    filters: Filters | None = None,
    block: bool = False,
) -> Page:
    """The cache volumes of one environment; filters Name, IsDefault (https://cloud.tencent.com/document/api/1643/104062)."""
    params = {"EnvironmentId": environment_id, **_list_params(offset, limit, filters)}
    r = _call(scope, "DescribeVolumes", params, block)
    return Page(
        [VolumeRecord.from_api(v) for v in dicts(r.get("Volumes"))], _int(r, "TotalCount") or 0
    )


# --- run groups and runs ---------------------------------------------------------------------
def _status_counts(value: Any) -> dict[str, int]:
    """RunStatusCounts [{Status, Count}] -> {status: count}."""
    counts: dict[str, int] = {}
    for item in dicts(value):
        status, count = _str(item, "Status"), _int(item, "Count")
        if status and count is not None:
            counts[status] = counts.get(status, 0) + count
    return counts


@dataclass(frozen=True)
class Execution(OmicsRecord):
    """What run groups and runs both say of their execution."""

    status: str = wire("Status")
    error_message: str = wire("ErrorMessage")
    created_at: datetime | None = wire("CreateTime")
    started_at: datetime | None = wire("ExecutionTime.StartTime")
    ended_at: datetime | None = wire("ExecutionTime.EndTime")
    updated_at: datetime | None = wire("UpdateTime")
    raw: dict[str, Any] = wire()


@dataclass(frozen=True)
class RunGroupRecord(Execution):
    """RunGroup."""

    run_group_id: str = wire("RunGroupId")
    project_id: str = wire("ProjectId")
    project_name: str = wire("ProjectName")
    name: str = wire("Name")
    description: str = wire("Description")
    # `Type` arrived in release 17; older answers carry only ApplicationType.
    type: str = wire("Type", "ApplicationType")
    application_id: str = wire("ApplicationId")
    application_name: str = wire("ApplicationName")
    environment_id: str = wire("EnvironmentId")
    total_run: int = wire("TotalRun")
    status_counts: dict[str, int] = wire("RunStatusCounts", read=_status_counts)
    table_id: str = wire("TableId")
    error_message: str = wire("ErrorMessage")


@dataclass(frozen=True)
class RunRecord(Execution):
    """Run."""

    run_uuid: str = wire("RunUuid")
    run_group_id: str = wire("RunGroupId")
    project_id: str = wire("ProjectId")
    user_defined_id: str = wire("UserDefinedId")
    table_row_uuid: str = wire("TableRowUuid")
    input: str = wire("Input")


def describe_run_groups(
    scope: Scope,
    *,
    project_id: str = "",
    offset: int = 0,
    limit: int = MAX_LIMIT,
    filters: Filters | None = None,
    block: bool = False,
) -> Page:
    """Newest first; filters Name, RunGroupId, Status, ApplicationId, Type
    (https://cloud.tencent.com/document/api/1643/89099)."""
    params = _list_params(offset, limit, filters, project_id)
    r = _call(scope, "DescribeRunGroups", params, block)
    return Page(
        [RunGroupRecord.from_api(g) for g in dicts(r.get("RunGroups"))],
        _int(r, "TotalCount") or 0,
    )


def describe_runs(
    scope: Scope,
    *,
    project_id: str = "",
    run_group_id: str | None = None,
    offset: int = 0,
    limit: int = MAX_LIMIT,
    filters: Filters | None = None,
    block: bool = False,
) -> Page:
    """Filters RunGroupId, Status, RunUuid, ApplicationId, UserDefinedId
    (https://cloud.tencent.com/document/api/1643/89098)."""
    wanted = dict(filters or {})
    if run_group_id is not None:
        wanted["RunGroupId"] = [run_group_id]
    r = _call(scope, "DescribeRuns", _list_params(offset, limit, wanted, project_id), block)
    return Page([RunRecord.from_api(x) for x in dicts(r.get("Runs"))], _int(r, "TotalCount") or 0)


# --- calls -----------------------------------------------------------------------------------
NESTED_RUN_TYPES = frozenset({"Workflow", "Scatter"})  # calls with calls of their own


@dataclass(frozen=True)
class CallRecord(OmicsRecord):
    """RunMetadata: one call of GetRunCalls, or the run itself from GetRunStatus."""

    call_id: str = wire("RunId")
    parent_id: str = wire("ParentId")
    name: str = wire("CallName")
    run_type: str = wire("RunType")
    status: str = wire("Status")
    job_id: str = wire("JobId")
    scatter_index: str = wire("ScatterIndex")
    submitted_at: datetime | None = wire("SubmitTime")
    started_at: datetime | None = wire("StartTime")
    ended_at: datetime | None = wire("EndTime")
    error_message: str = wire("ErrorMessage")
    stdout_path: str = wire("Stdout")
    stderr_path: str = wire("Stderr")
    workdir: str = wire("WorkDir")
    raw: dict[str, Any] = wire()

    @property
    def has_children(self) -> bool:
        return self.run_type in NESTED_RUN_TYPES


def get_run_calls(
    scope: Scope, run_uuid: str, path: str = "/", *, project_id: str = "", block: bool = False
) -> list[CallRecord]:
    """One level of the call tree (https://cloud.tencent.com/document/api/1643/89097); "/" for the top, "/<RunId>" under a Workflow or
    Scatter call. Not paginated."""
    params = in_project({"RunUuid": run_uuid, "Path": path}, project_id)
    r = _call(scope, "GetRunCalls", params, block)
    return [CallRecord.from_api(c) for c in dicts(r.get("Calls"))]


def get_run_status(
    scope: Scope, run_uuid: str, *, project_id: str = "", block: bool = False
) -> CallRecord:
    """The run as a whole (https://cloud.tencent.com/document/api/1643/89096) (RunId = RunUuid), with the run's own status."""
    r = _call(scope, "GetRunStatus", in_project({"RunUuid": run_uuid}, project_id), block)
    return CallRecord.from_api(as_dict(r.get("Metadata")))
