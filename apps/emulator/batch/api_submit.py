"""Batch SubmitJob: no longer in the doc (Release 6 dropped it, though its page was still
printed) yet the only way to make a job; it and its `Job` structure follow that page and the
official SDK's `tencentcloud/batch/v20170312/models.py`."""

from __future__ import annotations

from typing import Any

from apps.emulator.batch.api_envs import ENV_ID
from apps.emulator.batch.product import PRODUCT
from apps.emulator.batch.world import BatchWorld
from apps.emulator.errors import ApiError, not_found
from apps.emulator.registry import Context
from apps.emulator.schema import TAG

PLACEMENT = {
    "Zone": "str",
    "ProjectId": "int",
    "HostIds": ["str"],
    "HostIps": ["str"],
    "HostId": "str",
}
DEPENDENCE = {"StartTask": "str", "EndTask": "str"}
JOB = {
    "Tasks": ["obj"],
    "JobName": "str",
    "JobDescription": "str",
    "Priority": "int",
    "Dependences": [DEPENDENCE],
    "Notifications": ["obj"],
    "TaskExecutionDependOn": "str",
    "StateIfCreateCvmFailed": "str",
    "Tags": [TAG],
    "NotificationTarget": "str",
}


def validate_job(world: BatchWorld, job: dict[str, Any]) -> None:
    """The checks SubmitJob documents: its error list, and the Task and Dependence types
    (https://www.tencentcloud.com/document/api/599/30482#Task, #Dependence)."""
    tasks = job.get("Tasks") or []
    if not tasks:
        raise ApiError(
            "MissingParameter", "The request is missing a required parameter `Job.Tasks`."
        )
    if len(job.get("JobName", "")) > 60:
        raise ApiError("InvalidParameter.JobNameTooLong", "The job name is too long.")
    names: list[str] = []
    for i, task in enumerate(tasks):
        task.setdefault("TaskName", f"Task{i}")
        if "Application" not in task:
            raise ApiError(
                "MissingParameter", f"The parameter `Job.Tasks.{i}.Application` is missing."
            )
        if ("ComputeEnv" in task) == ("EnvId" in task):
            raise ApiError(
                "AllowedOneAttributeInEnvIdAndComputeEnv",
                "One (and only one) parameter must be specified for ComputeEnv and EnvId.",
            )
        if "EnvId" in task and not ENV_ID.match(task["EnvId"]):
            raise ApiError(
                "InvalidParameter.EnvIdMalformed",
                f"Invalid compute environment ID `{task['EnvId']}`.",
            )
        if "EnvId" in task and task["EnvId"] not in world.fleet.envs:
            raise not_found("ComputeEnv", task["EnvId"])
        if task.get("FailedAction", "TERMINATE") not in (
            "TERMINATE",
            "INTERRUPT",
            "FAST_INTERRUPT",
        ):
            raise ApiError(
                "InvalidParameterValue",
                "FailedAction must be TERMINATE, INTERRUPT or FAST_INTERRUPT.",
            )
        for name in ("TaskInstanceNum", "MaxRetryCount"):  # a Task is not typed by the schema
            _integer(task, name, f"Job.Tasks.{i}.{name}")
        if not 0 <= int(task.get("MaxRetryCount", 0)) <= 5:
            raise ApiError("InvalidParameterValue.MaxRetryCount", "MaxRetryCount must be 0 to 5.")
        names.append(task["TaskName"])
    if len(set(names)) != len(names):
        raise ApiError("InvalidParameter.TaskName", "Task names must be unique within a job.")
    edges: dict[str, set[str]] = {name: set() for name in names}
    for dep in job.get("Dependences") or []:
        if dep.get("StartTask") not in edges or dep.get("EndTask") not in edges:
            raise ApiError(
                "InvalidParameterValue.DependenceNotFoundTaskName",
                "The dependent task definition was not found.",
            )
        edges[dep["StartTask"]].add(dep["EndTask"])
    if _has_cycle(edges):
        raise ApiError(
            "InvalidParameterValue.DependenceUnfeasible", "Loop task dependency is prohibited."
        )


def _integer(task: dict[str, Any], name: str, path: str) -> None:
    """Integer fields inside a Task, as JSON numbers or (GET/form requests) digit strings."""
    try:
        if name in task and not isinstance(task[name], bool):
            int(task[name])
            return
    except (TypeError, ValueError):
        pass
    if name in task:
        raise ApiError("InvalidParameter", f"The parameter `{path}` must be of type Integer.")


def _has_cycle(edges: dict[str, set[str]]) -> bool:
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in edges[node]:
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in edges)


@PRODUCT.action(
    "SubmitJob",
    params={"Placement": PLACEMENT, "Job": JOB, "ClientToken": "str"},
    required=("Placement", "Job"),
    limit=7,
    region_required=True,  # the only 2023 page that says "Region — Yes"
)
def submit_job(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    token = p.get("ClientToken")
    if token and token in world.client_tokens:
        return {"JobId": world.client_tokens[token]}
    zone = p["Placement"].get("Zone")
    if not zone:
        raise ApiError("MissingParameter", "The parameter `Placement.Zone` is missing.")
    if not zone.startswith(ctx.region + "-"):
        raise ApiError("InvalidZone.MismatchRegion", f"The zone `{zone}` is not in {ctx.region}.")
    validate_job(world, p["Job"])
    job = world.submit(p["Job"], zone)
    if token:
        world.client_tokens[token] = job.id
    return {"JobId": job.id}
