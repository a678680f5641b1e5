"""Omics actions, one function each, returning typed records. Each cites its page; the
structures are on https://cloud.tencent.com/document/api/1643/89100 (data structures).

Parsing is tolerant, as in `apps.batch.api`: a missing field becomes its empty value, an
unknown status is kept as it is, a time that is "" (not reached yet) or malformed becomes
None, and the whole record is kept in `raw`. Every call goes through the gateway with
`block=False`: a busy bucket raises `Throttled` so the calling task can re-schedule itself.
The platform actions (run groups, runs, calls) need a region; the demo world is in ap-guangzhou.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from apps.cloud import records
from apps.cloud.gateway import cloud_call
from apps.cloud.records import integer as _int
from apps.cloud.records import text as _str
from apps.cloud.scope import Scope

SERVICE = "omics"
MAX_LIMIT = 100  # every Omics list's Limit
# A time without an offset is read as Beijing time, the offset every example carries.
_CST = timezone(timedelta(hours=8))


def parse_time(value: Any) -> datetime | None:
    """`2023-03-15T20:53:13+08:00` (https://cloud.tencent.com/document/api/1643/89100); "" (not reached) or anything else is None."""
    return records.parse_time(value, naive=_CST)


Filters = dict[str, list[str]]


def _bool(record: dict[str, Any], name: str) -> bool:
    value = record.get(name)
    if isinstance(value, str):  # filter-style "true" should it ever come back so
        return value.strip().lower() == "true"
    return bool(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _wire_filters(filters: Filters | None) -> list[dict[str, Any]]:
    """{Name: [values]} -> the Filter array (ANDed across names, ORed across values)."""
    return [{"Name": name, "Values": list(values)} for name, values in (filters or {}).items()]


def _call(scope: Scope, action: str, params: dict[str, Any], block: bool) -> dict[str, Any]:
    return cloud_call(scope, SERVICE, action, params, block=block)


def _list_params(offset: int, limit: int, filters: Filters | None) -> dict[str, Any]:
    params: dict[str, Any] = {"Offset": offset, "Limit": min(limit, MAX_LIMIT)}
    if filters:
        params["Filters"] = _wire_filters(filters)
    return params


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int


# --- environments and volumes ----------------------------------------------------------------
@dataclass(frozen=True)
class EnvironmentRecord:
    environment_id: str
    name: str
    status: str
    available: bool
    type: str
    is_default: bool
    is_managed: bool
    message: str
    description: str
    created_at: datetime | None
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> EnvironmentRecord:
        return cls(
            environment_id=_str(r, "EnvironmentId"),
            name=_str(r, "Name"),
            status=_str(r, "Status"),
            available=_bool(r, "Available"),
            type=_str(r, "Type"),
            is_default=_bool(r, "IsDefault"),
            is_managed=_bool(r, "IsManaged"),
            message=_str(r, "Message"),
            description=_str(r, "Description"),
            created_at=parse_time(
                r.get("CreationTime")
            ),  # not CreateTime (Environment, https://cloud.tencent.com/document/api/1643/89100)
            raw=r,
        )


@dataclass(frozen=True)
class VolumeRecord:
    volume_id: str
    environment_id: str
    name: str
    status: str
    spec: str
    type: str
    capacity: int | None
    usage: int | None
    is_default: bool
    default_mount_path: str
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> VolumeRecord:
        return cls(
            volume_id=_str(r, "VolumeId"),
            environment_id=_str(r, "EnvironmentId"),
            name=_str(r, "Name"),
            status=_str(r, "Status"),
            spec=_str(r, "Spec"),
            type=_str(r, "Type"),
            capacity=_int(r, "Capacity"),
            usage=_int(r, "Usage"),
            is_default=_bool(r, "IsDefault"),
            default_mount_path=_str(r, "DefaultMountPath"),
            raw=r,
        )


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
        [EnvironmentRecord.from_api(e) for e in _dicts(r.get("Environments"))],
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
        [VolumeRecord.from_api(v) for v in _dicts(r.get("Volumes"))], _int(r, "TotalCount") or 0
    )


# --- run groups and runs ---------------------------------------------------------------------
def _times(r: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """(StartTime, EndTime) of ExecutionTime."""
    execution = _dict(r.get("ExecutionTime"))
    return parse_time(execution.get("StartTime")), parse_time(execution.get("EndTime"))


def _status_counts(value: Any) -> dict[str, int]:
    """RunStatusCounts [{Status, Count}] -> {status: count}."""
    counts: dict[str, int] = {}
    for item in _dicts(value):
        status, count = _str(item, "Status"), _int(item, "Count")
        if status and count is not None:
            counts[status] = counts.get(status, 0) + count
    return counts


@dataclass(frozen=True)
class RunGroupRecord:
    run_group_id: str
    name: str
    description: str
    status: str
    type: str
    application_id: str
    application_name: str
    environment_id: str
    total_run: int
    status_counts: dict[str, int]
    table_id: str
    error_message: str
    created_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> RunGroupRecord:
        started, ended = _times(r)
        return cls(
            run_group_id=_str(r, "RunGroupId"),
            name=_str(r, "Name"),
            description=_str(r, "Description"),
            status=_str(r, "Status"),
            # `Type` arrived in release 17; older answers carry only ApplicationType.
            type=_str(r, "Type") or _str(r, "ApplicationType"),
            application_id=_str(r, "ApplicationId"),
            application_name=_str(r, "ApplicationName"),
            environment_id=_str(r, "EnvironmentId"),
            total_run=_int(r, "TotalRun") or 0,
            status_counts=_status_counts(r.get("RunStatusCounts")),
            table_id=_str(r, "TableId"),
            error_message=_str(r, "ErrorMessage"),
            created_at=parse_time(r.get("CreateTime")),
            started_at=started,
            ended_at=ended,
            updated_at=parse_time(r.get("UpdateTime")),
            raw=r,
        )


@dataclass(frozen=True)
class RunRecord:
    run_uuid: str
    run_group_id: str
    status: str
    user_defined_id: str
    table_row_uuid: str
    error_message: str
    input: str
    created_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any]

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> RunRecord:
        started, ended = _times(r)
        return cls(
            run_uuid=_str(r, "RunUuid"),
            run_group_id=_str(r, "RunGroupId"),
            status=_str(r, "Status"),
            user_defined_id=_str(r, "UserDefinedId"),
            table_row_uuid=_str(r, "TableRowUuid"),
            error_message=_str(r, "ErrorMessage"),
            input=_str(r, "Input"),
            created_at=parse_time(r.get("CreateTime")),
            started_at=started,
            ended_at=ended,
            updated_at=parse_time(r.get("UpdateTime")),
            raw=r,
        )


def describe_run_groups(
    scope: Scope,
    *,
    offset: int = 0,
    limit: int = MAX_LIMIT,
    filters: Filters | None = None,
    block: bool = False,
) -> Page:
    """Newest first; filters Name, RunGroupId, Status, ApplicationId, Type
    (https://cloud.tencent.com/document/api/1643/89099)."""
    r = _call(scope, "DescribeRunGroups", _list_params(offset, limit, filters), block)
    return Page(
        [RunGroupRecord.from_api(g) for g in _dicts(r.get("RunGroups"))],
        _int(r, "TotalCount") or 0,
    )


def describe_runs(
    scope: Scope,
    *,
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
    r = _call(scope, "DescribeRuns", _list_params(offset, limit, wanted), block)
    return Page([RunRecord.from_api(x) for x in _dicts(r.get("Runs"))], _int(r, "TotalCount") or 0)


# --- calls -----------------------------------------------------------------------------------
NESTED_RUN_TYPES = frozenset({"Workflow", "Scatter"})  # calls with calls of their own


@dataclass(frozen=True)
class CallRecord:
    """RunMetadata: one call of GetRunCalls, or the run itself from GetRunStatus."""

    call_id: str
    parent_id: str
    name: str
    run_type: str
    status: str
    job_id: str
    scatter_index: str
    submitted_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    error_message: str
    stdout_path: str
    stderr_path: str
    workdir: str
    raw: dict[str, Any]

    @property
    def has_children(self) -> bool:
        return self.run_type in NESTED_RUN_TYPES

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> CallRecord:
        return cls(
            call_id=_str(r, "RunId"),
            parent_id=_str(r, "ParentId"),
            name=_str(r, "CallName"),
            run_type=_str(r, "RunType"),
            status=_str(r, "Status"),
            job_id=_str(r, "JobId"),
            scatter_index=_str(r, "ScatterIndex"),
            submitted_at=parse_time(r.get("SubmitTime")),
            started_at=parse_time(r.get("StartTime")),
            ended_at=parse_time(r.get("EndTime")),
            error_message=_str(r, "ErrorMessage"),
            stdout_path=_str(r, "Stdout"),
            stderr_path=_str(r, "Stderr"),
            workdir=_str(r, "WorkDir"),
            raw=r,
        )


def get_run_calls(
    scope: Scope, run_uuid: str, path: str = "/", *, block: bool = False
) -> list[CallRecord]:
    """One level of the call tree (https://cloud.tencent.com/document/api/1643/89097); "/" for the top, "/<RunId>" under a Workflow or
    Scatter call. Not paginated."""
    r = _call(scope, "GetRunCalls", {"RunUuid": run_uuid, "Path": path}, block)
    return [CallRecord.from_api(c) for c in _dicts(r.get("Calls"))]


def get_run_status(scope: Scope, run_uuid: str, *, block: bool = False) -> CallRecord:
    """The run as a whole (https://cloud.tencent.com/document/api/1643/89096) (RunId = RunUuid), with the run's own status."""
    r = _call(scope, "GetRunStatus", {"RunUuid": run_uuid}, block)
    return CallRecord.from_api(_dict(r.get("Metadata")))
