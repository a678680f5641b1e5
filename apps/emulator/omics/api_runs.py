"""Omics run groups, runs and calls; their pages are
https://cloud.tencent.com/document/api/1643/<id>:
DescribeRunGroups 89099, DescribeRuns 89098, GetRunCalls 89097, GetRunStatus 89096,
GetRunMetadataFile 100858, TerminateRunGroup 100856, RetryRuns 90978. Submissions are in
api_submit."""

from __future__ import annotations

from typing import Any

from apps.emulator.errors import ApiError
from apps.emulator.filters import Getter
from apps.emulator.omics import wire
from apps.emulator.omics.api_envs import available_env
from apps.emulator.omics.params import NF_OPTION, RUN_OPTION, check_project, compile_filters, page
from apps.emulator.omics.product import platform_action
from apps.emulator.omics.world import (
    GROUP_ENDED,
    MAX_RETRY_DEPTH,
    RETRYABLE,
    Call,
    OmicsWorld,
    Run,
)
from apps.emulator.registry import Context
from apps.emulator.schema import FILTER

NF_FILES = ("nextflow.log",)
NF_REPORT_FILES = (
    "execution_report.html",
    "execution_timeline.html",
    "execution_trace.txt",
    "pipeline_dag.html",
)


def run_or_404(world: OmicsWorld, run_uuid: str, project_id: str) -> Run:
    """The run, when it is in the project the request names (each project sees only its own)."""
    run = world.runs.get(run_uuid)
    if run is None or run.group.project_id != project_id:
        raise ApiError("ResourceNotFound.RunNotExist", f"The run `{run_uuid}` does not exist.")
    return run


GROUP_FILTERS: dict[str, Getter] = {
    "Name": lambda g: [g.name],
    "RunGroupId": lambda g: [g.id],
    "Status": lambda g: [g.status],
    "ApplicationId": lambda g: [g.app.id] if g.app else [],
    "Type": lambda g: [g.type],
}
RUN_FILTERS: dict[str, Getter] = {
    "RunGroupId": lambda r: [r.group.id],
    "Status": lambda r: [r.status],
    "RunUuid": lambda r: [r.uuid],
    "ApplicationId": lambda r: [r.group.app.id] if r.group.app else [],
    "UserDefinedId": lambda r: [r.user_defined_id],
}


@platform_action(
    "DescribeRunGroups",
    params={"ProjectId": "str", "Limit": "int", "Offset": "int", "Filters": [FILTER]},
)
def describe_run_groups(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    offset, limit = page(p, default=10, maximum=100)
    matches = compile_filters(p.get("Filters"), GROUP_FILTERS)
    groups = sorted(
        (g for g in world.groups.values() if g.project_id == project_id and matches(g)),
        key=lambda g: g.seq,
        reverse=True,
    )
    return {
        "TotalCount": len(groups),
        "RunGroups": [wire.group_view(world, g) for g in groups[offset : offset + limit]],
    }


@platform_action(
    "DescribeRuns",
    params={"ProjectId": "str", "Limit": "int", "Offset": "int", "Filters": [FILTER]},
)
def describe_runs(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    offset, limit = page(p, default=10, maximum=100)
    matches = compile_filters(p.get("Filters"), RUN_FILTERS)
    runs = [
        r for r in reversed(world.runs.values()) if r.group.project_id == project_id and matches(r)
    ]
    return {
        "TotalCount": len(runs),
        "Runs": [wire.run_view(r, ctx.now) for r in runs[offset : offset + limit]],
    }


@platform_action(
    "GetRunCalls",
    params={"RunUuid": "str", "Path": "str", "ProjectId": "str"},
    required=("RunUuid", "Path"),
)
def get_run_calls(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    run = run_or_404(world, p["RunUuid"], check_project(world, p))
    visible = world.visible_calls(run, _calls_at(run, p["Path"]), ctx.now)
    return {"Calls": [wire.call_view(world, run, c, ctx.now) for c in visible]}


def _calls_at(run: Run, path: str) -> list[Call]:
    """The level of the call tree that `Path` names, in the doc's forms
    (https://cloud.tencent.com/document/api/1643/89097): "/" the top level; "/<RunId>" of a
    `Workflow` or `Scatter` call of the level above, the run itself included (GetRunStatus
    gives it as a Workflow whose RunId is the RunUuid, the ParentId of the top-level calls).
    Nesting RunIds ("/<id>/<id>") is a form the doc does not describe: refused."""
    run_id = path[1:] if path.startswith("/") else ""
    if path == "/" or run_id == run.uuid:
        return run.calls
    parent = next((c for c in _walk(run.calls) if c.run_id == run_id), None) if run_id else None
    if parent is None or parent.run_type not in ("Workflow", "Scatter"):
        raise ApiError(
            "InvalidParameterValue", f"No Workflow or Scatter call has the path `{path}`."
        )
    return parent.children


def _walk(calls: list[Call]) -> list[Call]:
    found: list[Call] = []
    for call in calls:
        found.append(call)
        found.extend(_walk(call.children))
    return found


@platform_action(
    "GetRunStatus", params={"RunUuid": "str", "ProjectId": "str"}, required=("RunUuid",)
)
def get_run_status(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    run = run_or_404(world, p["RunUuid"], check_project(world, p))
    return {"Metadata": wire.run_metadata(run)}


@platform_action(
    "GetRunMetadataFile",
    params={"RunUuid": "str", "ProjectId": "str", "Key": "str", "Keys": ["str"]},
    required=("RunUuid",),
)
def get_run_metadata_file(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    run = run_or_404(world, p["RunUuid"], check_project(world, p))
    keys = ([p["Key"]] if "Key" in p else []) + list(p.get("Keys", []))
    if not keys:
        raise ApiError("MissingParameter", "Give Key or Keys.")
    report = bool(run.group.nf_option.get("Report"))
    urls = []
    for key in keys:
        if key not in NF_FILES + NF_REPORT_FILES:
            raise ApiError(
                "InvalidParameterValue.InvalidCosKey", f"The file `{key}` is not supported."
            )
        if (
            run.group.type != "NEXTFLOW"
            or (key in NF_REPORT_FILES and not report)
            or run.started is None
        ):
            raise ApiError(
                "ResourceNotFound.CosObjectNotExist",
                f"The file `{key}` does not exist for this run.",
            )
        urls.append(
            f"https://omics-{ctx.region}-1250000000.cos.{ctx.region}.myqcloud.com/omics/{run.uuid}/{key}"
            f"?q-sign-algorithm=sha1&q-key-time={int(ctx.now)};{int(ctx.now) + 60}"
        )
    fields: dict[str, Any] = {}
    if "Key" in p:
        fields["CosSignedUrl"] = urls[0]
    if "Keys" in p:
        fields["CosSignedUrls"] = urls[1:] if "Key" in p else urls
    return fields


@platform_action(
    "TerminateRunGroup", params={"RunGroupId": "str", "ProjectId": "str"}, required=("RunGroupId",)
)
def terminate_run_group(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    group = world.groups.get(p["RunGroupId"])
    if group is None or group.project_id != project_id:  # RunNotExist, as the action documents
        raise ApiError(
            "ResourceNotFound.RunNotExist", f"The run group `{p['RunGroupId']}` does not exist."
        )
    if group.status in GROUP_ENDED:
        raise ApiError(
            "OperationDenied", f"The run group `{group.id}` has already ended ({group.status})."
        )
    world.terminate_group(group)
    return {}


@platform_action(
    "RetryRuns",
    params={
        "ProjectId": "str",
        "RunGroupId": "str",
        "RunUuids": ["str"],
        "WDLOption": RUN_OPTION,
        "NFOption": NF_OPTION,
    },
)
def retry_runs(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    if "RunGroupId" not in p and not p.get("RunUuids"):
        raise ApiError("MissingParameter", "Give RunGroupId, RunUuids or both.")
    group = None
    if "RunGroupId" in p:
        group = world.groups.get(p["RunGroupId"])
        if group is None or group.project_id != project_id:
            raise ApiError(
                "ResourceNotFound.RunGroupNotExist",
                f"The run group `{p['RunGroupId']}` does not exist.",
            )
    if p.get("RunUuids"):
        runs = [run_or_404(world, uuid, project_id) for uuid in p["RunUuids"]]
        if group is not None and any(r.group is not group for r in runs):
            raise ApiError("ResourceNotFound.RunNotExist", "A run is not in the given run group.")
        if len({r.group.id for r in runs}) > 1:
            raise ApiError(
                "InvalidParameterValue", "The runs to retry must belong to one run group."
            )
    else:
        assert group is not None
        runs = [r for r in group.runs if r.status in RETRYABLE]
        if not runs:
            raise ApiError(
                "FailedOperation.StatusNotSupported", f"No run of `{group.id}` can be retried."
            )
    for run in runs:
        if run.status not in RETRYABLE:
            raise ApiError(
                "FailedOperation.StatusNotSupported",
                f"Run `{run.uuid}` is {run.status}; only EXECUTOR_ERROR or CANCELED runs can be retried.",
            )
        if run.retry_depth >= MAX_RETRY_DEPTH:
            raise ApiError(
                "FailedOperation.RetryLimitExceeded", f"Run `{run.uuid}` was retried too often."
            )
    available_env(world, runs[0].group.env_id)
    new = world.retry(runs, option=p.get("WDLOption"), nf_option=p.get("NFOption"))
    return {"RunGroupId": new.id}
