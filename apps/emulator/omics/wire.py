"""The Omics data structures on the wire, built from the world's objects. The structures:
https://cloud.tencent.com/document/api/1643/89100
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from apps.emulator.omics.world import Call, OmicsWorld, Run, RunGroup
from apps.emulator.timefmt import omics_plain_time
from apps.emulator.timefmt import omics_time as ot

# RunGroup.Option / NFOption come back whole, unset members at their zero value or null, as the
# doc's examples show them (DescribeRunGroups, https://cloud.tencent.com/document/api/1643/89099:
# `"FailureMode": ""`; RunGroup, https://cloud.tencent.com/document/api/1643/89100#RunGroup:
# `AddRunInfoToOutputDir: null`); the undocumented keys of the RunGroup example (RunGroupName,
# InputFileKeys, ...) are left out, as the SDK models lack them.
RUN_OPTION_UNSET = {
    "FailureMode": "",
    "UseCallCache": False,
    "UseErrorOnHold": False,
    "FinalWorkflowOutputsDir": "",
    "UseRelativeOutputPaths": False,
    "AddRunInfoToOutputDir": None,
}
NF_OPTION_UNSET = {
    "Config": "",
    "Profile": "",
    "Report": False,
    "Resume": False,
    "NFVersion": "",
    "LaunchDir": "",
}


def _execution(submit: float, start: float | None, end: float | None) -> dict[str, str]:
    return {"SubmitTime": ot(submit), "StartTime": ot(start), "EndTime": ot(end)}


def group_view(world: OmicsWorld, group: RunGroup) -> dict[str, Any]:
    app = group.app
    env = world.environments.get(group.env_id, {})
    counts = Counter(run.status for run in group.runs)
    version = app.versions[-1] if app and app.versions else None
    return {
        "RunGroupId": group.id,
        "ProjectId": group.project_id,
        "ProjectName": world.projects.get(group.project_id, ""),
        "ApplicationId": app.id if app else "",
        "ApplicationName": app.name if app else "",
        "ApplicationType": group.type,
        "ApplicationVersion": version,
        "AccessMode": group.access_mode,
        "EnvironmentId": group.env_id,
        "EnvironmentName": env.get("Name", ""),
        "TableId": group.table_id,
        "Name": group.name,
        "Description": group.description,
        "Status": group.status,
        "Type": group.type,
        "WorkDir": group.work_dir,
        "Input": group.input,
        "InputType": group.input_type,
        "InputCosUri": group.input_cos_uri,
        "InputTemplateId": "",
        "Option": {**RUN_OPTION_UNSET, **group.option},
        "NFOption": {**NF_OPTION_UNSET, **group.nf_option},
        "Volumes": [
            {"VolumeId": v, "Name": world.volumes[v]["Name"], "MountPath": f"/{v}"}
            for v in group.volume_ids
            if v in world.volumes
        ],
        "TotalRun": len(group.runs),
        "RunStatusCounts": [{"Status": s, "Count": n} for s, n in sorted(counts.items())],
        "ExecutionTime": _execution(group.created, group.started, group.ended),
        "ErrorMessage": group.error_message,
        "CreateTime": ot(group.created),
        "UpdateTime": ot(group.updated),
        "Creator": "operator",
        "CreatorId": "100000000001",
        "ResultNotify": "StationMessage",
    }


def _cache(run: Run, now: float) -> dict[str, Any]:
    """CacheInfo: the cache is cleaned CacheClearDelay hours after the run ends (0: never)."""
    delay = run.group.cache_clear_delay
    clear_at = run.ended + delay * 3600 if delay and run.ended is not None else None
    return {
        "CacheClearDelay": delay,
        "CacheClearTime": ot(clear_at),
        "CacheCleared": clear_at is not None and now >= clear_at,
    }


def run_view(run: Run, now: float) -> dict[str, Any]:
    group = run.group
    return {
        "RunUuid": run.uuid,
        "ProjectId": group.project_id,
        "ApplicationId": group.app.id if group.app else "",
        "RunGroupId": group.id,
        "EnvironmentId": group.env_id,
        "UserDefinedId": run.user_defined_id,
        "TableId": group.table_id,
        "TableRowUuid": run.table_row_uuid,
        "Status": run.status,
        "Input": run.input,
        "ExecutionTime": _execution(run.created, run.started, run.ended),
        "Cache": _cache(run, now),
        "ErrorMessage": run.error_message,
        "CreateTime": ot(run.created),
        "UpdateTime": ot(run.updated),
    }


def _metadata(**fields: Any) -> dict[str, Any]:
    base = {
        "RunType": "Task",
        "RunId": "",
        "ParentId": "",
        "JobId": "",
        "CallName": "",
        "ScatterIndex": "",
        "Input": "{}",
        "Output": "{}",
        "Status": "",
        "ErrorMessage": "",
        "StartTime": "",
        "SubmitTime": "",
        "EndTime": "",
        "Command": "",
        "Runtime": "{}",
        "Preprocess": False,
        "PostProcess": False,
        "CallCached": False,
        "WorkDir": "",
        "Stdout": "",
        "Stderr": "",
        "Meta": "{}",
    }
    base.update(fields)
    return base


def call_view(world: OmicsWorld, run: Run, call: Call, now: float) -> dict[str, Any]:
    status, start, end = world.call_status(run, call, now)
    assert run.started is not None
    workdir = f"/vol-default/execution/{run.group.id}/{run.uuid}/call-{call.name.split('.')[-1]}"
    return _metadata(
        RunType=call.run_type,
        RunId=call.run_id,
        ParentId=call.parent_id,
        JobId=call.job_id,
        CallName=call.name,
        ScatterIndex=call.scatter_index,
        Input=json.dumps({f"{call.name}.input": f"cos://omics-data/{run.uuid}/input.bam"}),
        Output=json.dumps({f"{call.name}.output": f"{workdir}/execution/out.txt"})
        if status == "COMPLETE"
        else "{}",
        Status=status,
        ErrorMessage=json.dumps({"error": "exit code 1"}) if status == "FAILED" else "",
        SubmitTime=ot(run.started + call.submit),
        StartTime=ot(start),
        EndTime=ot(end),
        Command="" if call.run_type != "Task" else f"run_{call.name.split('.')[-1]} --threads 4",
        Runtime=json.dumps(
            {
                "docker": "ccr.ccs.tencentyun.com/omics/tools:1.0",
                "cpu": "2",
                "memory": "8 GB",
                "maxRetries": "0",
            }
        )
        if call.run_type == "Task"
        else "{}",
        WorkDir=workdir,
        Stdout=f"{workdir}/execution/stdout" if call.run_type == "Task" else "",
        Stderr=f"{workdir}/execution/stderr" if call.run_type == "Task" else "",
    )


def run_metadata(run: Run) -> dict[str, Any]:
    """GetRunStatus: the run as a whole, with the run's own status."""
    group = run.group
    name = (group.app.name if group.app else group.name).replace("-", "_")
    return _metadata(
        RunType="Workflow",
        RunId=run.uuid,
        ParentId=run.uuid,
        CallName=name,
        Input=run.input if run.input.startswith("{") else "{}",
        Output=json.dumps({f"{name}.output": f"cos://omics-results/{run.uuid}/"})
        if run.status == "SUCCESS"
        else "{}",
        Status=run.status,
        ErrorMessage=run.error_message,
        SubmitTime=ot(run.created),
        StartTime=ot(run.started),
        EndTime=ot(run.ended),
        WorkDir=f"/vol-default/execution/{group.id}/{run.uuid}",
    )


def environment_view(env: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in env.items() if not key.startswith("_")}


def table_view(table: dict[str, Any]) -> dict[str, Any]:
    return {
        "TableId": table["TableId"],
        "ProjectId": table["ProjectId"],
        "Name": table["Name"],
        "Description": table["Description"],
        "Columns": table["Columns"],
        "CreateTime": omics_plain_time(table["_created"]),
        "Creator": "operator",
        "CreatorId": "100000000001",
    }
