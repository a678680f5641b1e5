"""The operator actions: what each targets, when the docs say the cloud would refuse it, and
how its targets are packed into cloud calls.

Refusals follow each action's page: RetryJobs only on FAILED
(https://www.tencentcloud.com/document/api/599/30551); TerminateJob refused in SUBMITTED and
pointless once ended (https://www.tencentcloud.com/document/api/599/30547);
TerminateTaskInstance does nothing to an ended instance
(https://www.tencentcloud.com/document/api/599/30489); compute nodes terminate only in
CREATED, CREATION_FAILED, RUNNING or ABNORMAL (https://www.tencentcloud.com/document/api/599/30505);
TerminateRunGroup (https://cloud.tencent.com/document/api/1643/100856) only while the group
runs, RetryRuns (https://cloud.tencent.com/document/api/1643/90978) only failed or canceled runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from apps.batch.models import NODE_TERMINABLE, ComputeNode, Job, JobState, TaskInstance
from apps.cloud.models import CloudAccount
from apps.omics.api import in_project
from apps.omics.models import Run, RunGroup
from apps.sync.models import Kind


@dataclass(frozen=True)
class Target:
    key: str  # what the URL and the form carry: a job id, job/task/index, env/node, ...
    label: str
    obj: Any

    @property
    def owner(self) -> Any:
        """The cached cloud object that knows the account and region (an instance's job)."""
        return self.obj.task.job if isinstance(self.obj, TaskInstance) else self.obj

    @property
    def state(self) -> str:
        """The target's state in the cache (a job's state, a run group's status ...)."""
        return str(getattr(self.obj, "state", None) or getattr(self.obj, "status", ""))

    @property
    def page(self) -> str:
        """The page showing the target's current state: where an unknown outcome is checked."""
        obj = self.obj
        if isinstance(obj, TaskInstance):
            return reverse(
                "batch:instance-detail", args=[obj.task.job.job_id, obj.task.name, obj.index]
            )
        if isinstance(obj, ComputeNode):
            return reverse("batch:env-detail", args=[obj.env.env_id])
        if isinstance(obj, RunGroup):
            return reverse("omics:run-group-detail", args=[obj.run_group_id])
        if isinstance(obj, Run):
            return reverse("omics:run-detail", args=[obj.run_uuid])
        return reverse("batch:job-detail", args=[obj.job_id])


@dataclass(frozen=True, kw_only=True)
class ActionSpec:
    key: str  # in the URL: /actions/<key>/
    label: str  # the button
    service: str
    cloud_action: str
    kind: Kind  # what it acts on
    per_call: int  # how many targets one cloud call takes
    refusal: Callable[[Any], str | None]  # why the cloud would refuse this target, or None
    params: Callable[[list[Target]], dict[str, Any]]
    find: Callable[[QuerySet[CloudAccount], list[str]], list[Target]]
    group: Callable[[Target], str] = lambda t: ""  # targets of one call share this
    # What the target looks like, read back from the cloud, once the action was done: how an
    # unknown outcome is confirmed. None: the target alone cannot tell (RetryRuns makes a new
    # run group, the run itself stays failed).
    done: Callable[[Any], bool] | None = None


def _jobs(accounts: QuerySet[CloudAccount], keys: list[str]) -> list[Target]:
    return [
        Target(j.job_id, f"{j.job_id} {j.name}", j)
        for j in Job.objects.filter(account__in=accounts, job_id__in=keys).select_related("account")
    ]


def _instances(accounts: QuerySet[CloudAccount], keys: list[str]) -> list[Target]:
    found = []
    for key in keys:
        job_id, _, rest = key.partition("/")
        task, _, index = rest.rpartition("/")
        inst = (
            TaskInstance.objects.filter(
                task__job__account__in=accounts,
                task__job__job_id=job_id,
                task__name=task,
                index=int(index) if index.isdigit() else -1,
            )
            .select_related("task__job__account")
            .first()
        )
        if inst:
            found.append(Target(key, key, inst))
    return found


def _nodes(accounts: QuerySet[CloudAccount], keys: list[str]) -> list[Target]:
    nodes = ComputeNode.objects.filter(account__in=accounts, node_id__in=keys).select_related(
        "env", "account"
    )
    return [Target(n.node_id, f"{n.node_id} ({n.env.env_id})", n) for n in nodes]


def _groups(accounts: QuerySet[CloudAccount], keys: list[str]) -> list[Target]:
    groups = RunGroup.objects.filter(account__in=accounts, run_group_id__in=keys).select_related(
        "account"
    )
    return [Target(g.run_group_id, f"{g.run_group_id} {g.name}", g) for g in groups]


def _runs(accounts: QuerySet[CloudAccount], keys: list[str]) -> list[Target]:
    runs = Run.objects.filter(account__in=accounts, run_uuid__in=keys).select_related(
        "group", "account"
    )
    return [
        Target(r.run_uuid, f"{r.run_uuid} ({r.user_defined_id or r.group.name})", r) for r in runs
    ]


def _job_retry(job: Job) -> str | None:
    if job.state == JobState.FAILED:
        return None
    return f"only a FAILED job can be retried (it is {job.state})"


def _job_terminate(job: Job) -> str | None:
    if job.state == JobState.SUBMITTED:
        return "a SUBMITTED job cannot be terminated yet"
    if job.is_released:
        return f"it has already ended ({job.state})"
    return None


def _instance_terminate(inst: TaskInstance) -> str | None:
    return f"it has already ended ({inst.state})" if inst.is_released else None


def _node_terminate(node: ComputeNode) -> str | None:
    if node.is_terminable:
        return None
    return f"a {node.state} node cannot be terminated (only {', '.join(NODE_TERMINABLE)})"


def _group_terminate(group: RunGroup) -> str | None:
    return f"it has already ended ({group.status})" if group.is_ended else None


def _run_retry(run: Run) -> str | None:
    if run.is_retryable:
        return None
    return f"only a failed or canceled run can be retried (it is {run.status})"


def _instance_params(targets: list[Target]) -> dict[str, Any]:
    instance = targets[0].obj
    return {
        "JobId": instance.task.job.job_id,
        "TaskName": instance.task.name,
        "TaskInstanceIndex": instance.index,
    }


def _retry_runs_params(targets: list[Target]) -> dict[str, Any]:
    group = targets[0].obj.group
    params = {"RunGroupId": group.run_group_id, "RunUuids": [t.key for t in targets]}
    return in_project(params, group.project_id)


def _terminate_group_params(targets: list[Target]) -> dict[str, Any]:
    return in_project({"RunGroupId": targets[0].key}, targets[0].obj.project_id)


def _nodes_params(targets: list[Target]) -> dict[str, Any]:
    return {"EnvId": targets[0].obj.env.env_id, "ComputeNodeIds": [t.key for t in targets]}


SPECS = (
    ActionSpec(
        key="retry-jobs",
        label="Retry",
        service="batch",
        cloud_action="RetryJobs",
        kind=Kind.JOB,
        per_call=100,
        refusal=_job_retry,
        params=lambda targets: {"JobIds": [t.key for t in targets]},
        find=_jobs,
        done=lambda job: job.state != JobState.FAILED,
    ),
    ActionSpec(
        key="terminate-job",
        label="Terminate",
        service="batch",
        cloud_action="TerminateJob",
        kind=Kind.JOB,
        per_call=1,
        refusal=_job_terminate,
        params=lambda targets: {"JobId": targets[0].key},
        find=_jobs,
        done=lambda job: job.is_released,
    ),
    ActionSpec(
        key="terminate-instance",
        label="Terminate instance",
        service="batch",
        cloud_action="TerminateTaskInstance",
        kind=Kind.INSTANCE,
        per_call=1,
        refusal=_instance_terminate,
        params=_instance_params,
        find=_instances,
        done=lambda instance: instance.is_released,
    ),
    ActionSpec(
        key="terminate-nodes",
        label="Terminate nodes",
        service="batch",
        cloud_action="TerminateComputeNodes",
        kind=Kind.NODE,
        per_call=100,
        refusal=_node_terminate,
        params=_nodes_params,
        group=lambda target: target.obj.env.env_id,
        find=_nodes,
    ),
    ActionSpec(
        key="terminate-run-group",
        label="Terminate run group",
        service="omics",
        cloud_action="TerminateRunGroup",
        kind=Kind.RUN_GROUP,
        per_call=1,
        refusal=_group_terminate,
        params=_terminate_group_params,
        find=_groups,
        done=lambda group: group.is_ended,
    ),
    ActionSpec(
        key="retry-runs",
        label="Retry runs",
        service="omics",
        cloud_action="RetryRuns",
        kind=Kind.RUN,
        per_call=100,
        refusal=_run_retry,
        params=_retry_runs_params,
        group=lambda target: target.obj.group.run_group_id,
        find=_runs,
    ),
)
ACTIONS: dict[str, ActionSpec] = {spec.key: spec for spec in SPECS}


def chunks(spec: ActionSpec, targets: list[Target]) -> list[list[Target]]:
    """Targets packed into cloud calls: at most `per_call` each, sharing their group."""
    by_group: dict[str, list[Target]] = {}
    for target in targets:
        by_group.setdefault(spec.group(target), []).append(target)
    return [
        items[i : i + spec.per_call]
        for items in by_group.values()
        for i in range(0, len(items), spec.per_call)
    ]


def available(kind: Kind, obj: Any) -> list[ActionSpec]:
    """The actions of `kind` the cloud would accept on `obj` now (the buttons a page shows)."""
    return [spec for spec in ACTIONS.values() if spec.kind == kind and spec.refusal(obj) is None]
