"""Omics actions (omics-api.md §3, §4)."""

from __future__ import annotations

from typing import Any

from apps.emulator.errors import ApiError
from apps.emulator.filters import compile_filters as _compile_filters
from apps.emulator.omics import views
from apps.emulator.omics.world import (
    GROUP_ENDED,
    MAX_RETRY_DEPTH,
    RETRYABLE,
    OmicsWorld,
    Run,
    RunGroup,
)
from apps.emulator.registry import Context, Product
from apps.emulator.schema import FILTER
from apps.emulator.schema import page as _page

PLATFORM_REGIONS = ("ap-beijing", "ap-guangzhou", "ap-shanghai")
PRODUCT = Product(
    service="omics",
    version="2022-11-28",
    regions=("ap-guangzhou", "ap-beijing", "ap-shanghai", "ap-nanjing"),
    region_required=True,
)
LIMIT = 20  # "默认接口请求频率限制：20次/秒" on every action page
RUN_OPTION = {
    "FailureMode": "str",
    "UseCallCache": "bool",
    "UseErrorOnHold": "bool",
    "FinalWorkflowOutputsDir": "str",
    "UseRelativeOutputPaths": "bool",
    "AddRunInfoToOutputDir": "bool",
}
NF_OPTION = {
    "Config": "str",
    "Profile": "str",
    "Report": "bool",
    "Resume": "bool",
    "NFVersion": "str",
    "LaunchDir": "str",
}
GIT_INFO = {
    "GitHttpPath": "str",
    "GitUserName": "str",
    "GitTokenOrPassword": "str",
    "Branch": "str",
    "Tag": "str",
}
NF_FILES = ("nextflow.log",)
NF_REPORT_FILES = (
    "execution_report.html",
    "execution_timeline.html",
    "execution_trace.txt",
    "pipeline_dag.html",
)


def platform_action(name: str, **kwargs: Any) -> Any:
    """The twelve "omics platform" actions answer only in three regions (omics-api.md §1.2)."""
    PRODUCT.action_regions[name] = PLATFORM_REGIONS
    return PRODUCT.action(name, limit=LIMIT, **kwargs)


def _omics_codes(error: ApiError) -> ApiError:
    """The shared paging and filter helpers speak Batch (`InvalidFilter`,
    `InvalidParameterValue.Negative`, ...); Omics documents no such codes, only
    `InvalidParameterValue` (omics-api.md §1.13-§1.14)."""
    return ApiError("InvalidParameterValue", error.message)


def page(p: dict[str, Any], *, default: int, maximum: int) -> tuple[int, int]:
    try:
        return _page(p, default=default, maximum=maximum)
    except ApiError as error:
        raise _omics_codes(error) from None


def compile_filters(filters: list[dict[str, Any]] | None, getters: dict[str, Any]) -> Any:
    try:
        return _compile_filters(filters, getters)
    except ApiError as error:
        raise _omics_codes(error) from None


def _project(world: OmicsWorld, p: dict[str, Any]) -> None:
    if p.get("ProjectId", world.project_id) not in ("", world.project_id):
        raise ApiError(
            "ResourceNotFound.ProjectNotExist", f"The project `{p['ProjectId']}` does not exist."
        )


def _run(world: OmicsWorld, run_uuid: str) -> Run:
    run = world.runs.get(run_uuid)
    if run is None:
        raise ApiError("ResourceNotFound.RunNotExist", f"The run `{run_uuid}` does not exist.")
    return run


def _available_env(world: OmicsWorld, env_id: str) -> dict[str, Any]:
    env = world.environments.get(env_id)
    if env is None:
        raise ApiError(
            "ResourceNotFound.EnvironmentNotExist", f"The environment `{env_id}` does not exist."
        )
    if not env["Available"]:
        raise ApiError(
            "InvalidParameterValue.EnvironmentNotAvailable",
            f"The environment `{env_id}` is not available.",
        )
    return env


# --- environments and volumes ---------------------------------------------------------------
ENV_FILTERS = {
    "EnvironmentId": lambda e: [e["EnvironmentId"]],
    "Name": lambda e: [e["Name"]],
    "Status": lambda e: [e["Status"]],
}


@PRODUCT.action(
    "DescribeEnvironments",
    params={"Offset": "int", "Limit": "int", "Filters": [FILTER]},
    limit=LIMIT,
)
def describe_environments(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    offset, limit = page(p, default=20, maximum=100)
    matches = compile_filters(p.get("Filters"), ENV_FILTERS)
    envs = [views.environment_view(e) for e in world.environments.values() if matches(e)]
    return {"TotalCount": len(envs), "Environments": envs[offset : offset + limit]}


VOLUME_FILTERS = {
    "Name": lambda v: [v["Name"]],
    "IsDefault": lambda v: ["true" if v["IsDefault"] else "false"],
}


@PRODUCT.action(
    "DescribeVolumes",
    params={"EnvironmentId": "str", "Limit": "int", "Offset": "int", "Filters": [FILTER]},
    required=("EnvironmentId",),
    limit=LIMIT,
)
def describe_volumes(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if p["EnvironmentId"] not in world.environments:
        raise ApiError(
            "ResourceNotFound", f"The environment `{p['EnvironmentId']}` does not exist."
        )
    offset, limit = page(p, default=20, maximum=100)
    matches = compile_filters(p.get("Filters"), VOLUME_FILTERS)
    vols = [
        v for v in world.volumes.values() if v["EnvironmentId"] == p["EnvironmentId"] and matches(v)
    ]
    return {"Volumes": vols[offset : offset + limit], "TotalCount": len(vols)}


# --- run groups, runs and calls --------------------------------------------------------------
GROUP_FILTERS = {
    "Name": lambda g: [g.name],
    "RunGroupId": lambda g: [g.id],
    "Status": lambda g: [g.status],
    "ApplicationId": lambda g: [g.app.id] if g.app else [],
    "Type": lambda g: [g.type],
}
RUN_FILTERS = {
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
    _project(world, p)
    offset, limit = page(p, default=10, maximum=100)
    matches = compile_filters(p.get("Filters"), GROUP_FILTERS)
    groups = sorted(
        (g for g in world.groups.values() if matches(g)), key=lambda g: g.seq, reverse=True
    )
    return {
        "TotalCount": len(groups),
        "RunGroups": [views.group_view(world, g) for g in groups[offset : offset + limit]],
    }


@platform_action(
    "DescribeRuns",
    params={"ProjectId": "str", "Limit": "int", "Offset": "int", "Filters": [FILTER]},
)
def describe_runs(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    _project(world, p)
    offset, limit = page(p, default=10, maximum=100)
    matches = compile_filters(p.get("Filters"), RUN_FILTERS)
    runs = [r for r in reversed(world.runs.values()) if matches(r)]
    return {
        "TotalCount": len(runs),
        "Runs": [views.run_view(r, ctx.now) for r in runs[offset : offset + limit]],
    }


@platform_action(
    "GetRunCalls",
    params={"RunUuid": "str", "Path": "str", "ProjectId": "str"},
    required=("RunUuid", "Path"),
)
def get_run_calls(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    _project(world, p)
    run = _run(world, p["RunUuid"])
    path = p["Path"].strip("/")
    calls = run.calls
    if path:  # "/<RunId>" of a Workflow or Scatter call of the level above
        parent = next((c for c in _walk(run.calls) if c.run_id == path.split("/")[-1]), None)
        if parent is None or parent.run_type not in ("Workflow", "Scatter"):
            raise ApiError(
                "InvalidParameterValue", f"No Workflow or Scatter call has the path `{p['Path']}`."
            )
        calls = parent.children
    visible = world.visible_calls(run, calls, ctx.now)
    return {"Calls": [views.call_view(world, run, c, ctx.now) for c in visible]}


def _walk(calls: list[Any]) -> list[Any]:
    found = []
    for call in calls:
        found.append(call)
        found.extend(_walk(call.children))
    return found


@platform_action(
    "GetRunStatus", params={"RunUuid": "str", "ProjectId": "str"}, required=("RunUuid",)
)
def get_run_status(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    _project(world, p)
    return {"Metadata": views.run_metadata(_run(world, p["RunUuid"]))}


@platform_action(
    "GetRunMetadataFile",
    params={"RunUuid": "str", "ProjectId": "str", "Key": "str", "Keys": ["str"]},
    required=("RunUuid",),
)
def get_run_metadata_file(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    _project(world, p)
    run = _run(world, p["RunUuid"])
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
    _project(world, p)
    group = world.groups.get(p["RunGroupId"])
    if group is None:  # the action documents RunNotExist, not RunGroupNotExist
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
    _project(world, p)
    if "RunGroupId" not in p and not p.get("RunUuids"):
        raise ApiError("MissingParameter", "Give RunGroupId, RunUuids or both.")
    group = None
    if "RunGroupId" in p:
        group = world.groups.get(p["RunGroupId"])
        if group is None:
            raise ApiError(
                "ResourceNotFound.RunGroupNotExist",
                f"The run group `{p['RunGroupId']}` does not exist.",
            )
    if p.get("RunUuids"):
        runs = [_run(world, uuid) for uuid in p["RunUuids"]]
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
    _available_env(world, runs[0].group.env_id)
    new = world.retry(runs, option=p.get("WDLOption"), nf_option=p.get("NFOption"))
    return {"RunGroupId": new.id}


# --- tables ----------------------------------------------------------------------------------
TABLE_FILTERS = {"Name": lambda t: [t["Name"]], "TableId": lambda t: [t["TableId"]]}


@platform_action(
    "DescribeTables",
    params={"ProjectId": "str", "Limit": "int", "Offset": "int", "Filters": [FILTER]},
    required=("ProjectId",),
)
def describe_tables(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    _project(world, p)
    offset, limit = page(p, default=10, maximum=100)
    matches = compile_filters(p.get("Filters"), TABLE_FILTERS)
    tables = [views.table_view(t) for t in world.tables.values() if matches(t)]
    return {"TotalCount": len(tables), "Tables": tables[offset : offset + limit]}


@platform_action(
    "DescribeTablesRows",
    params={
        "ProjectId": "str",
        "TableId": "str",
        "Limit": "int",
        "Offset": "int",
        "Filters": [FILTER],
    },
    required=("ProjectId", "TableId"),
)
def describe_tables_rows(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    _project(world, p)
    table = world.tables.get(p["TableId"])
    if table is None:
        raise ApiError(
            "ResourceNotFound.TableNotExist", f"The table `{p['TableId']}` does not exist."
        )
    offset, limit = page(p, default=10, maximum=100)
    fuzzy = [f for f in p.get("Filters") or [] if f.get("Name") == "Tr"]
    exact = [f for f in p.get("Filters") or [] if f.get("Name") != "Tr"]
    matches = compile_filters(exact, {"TableRowUuid": lambda r: [r["TableRowUuid"]]})
    rows = [
        r
        for r in table["_rows"]
        if matches(r)
        and all(any(v in cell for v in f["Values"] for cell in r["Content"]) for f in fuzzy)
    ]
    return {"TotalCount": len(rows), "Rows": rows[offset : offset + limit]}


__all__ = ["PRODUCT", "RunGroup"]

# RunApplication and RunWorkflow live in their own module; importing it registers them.
from apps.emulator.omics import api_submit  # noqa: E402, F401
