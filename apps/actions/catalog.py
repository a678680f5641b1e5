"""The operator actions: what each targets, when the docs say the cloud would refuse it, and
how its targets are packed into cloud calls.

Refusals follow the references: RetryJobs only on FAILED (batch-api.md §3.4.9); TerminateJob
refused in SUBMITTED and pointless in SUCCEED (§3.4.7); TerminateTaskInstance does nothing to
SUCCEED or FAILED instances (§3.4.8); compute nodes terminate only in CREATED,
CREATION_FAILED, RUNNING or ABNORMAL (§3.2.9); omics groups and runs per omics-api.md §7.4-7.5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from apps.batch.models import ComputeNode, Job, TaskInstance
from apps.cloud.models import CloudAccount
from apps.omics.models import GROUP_ENDED, Run, RunGroup

NODE_TERMINABLE = ("CREATED", "CREATION_FAILED", "RUNNING", "ABNORMAL")
RUN_RETRYABLE = ("EXECUTOR_ERROR", "CANCELED")


@dataclass(frozen=True)
class Target:
    key: str  # what the URL and the form carry: a job id, job/task/index, env/node, ...
    label: str
    obj: Any

    @property
    def owner(self) -> Any:
        """The cached cloud object that knows the account and region (an instance's job)."""
        return self.obj.task.job if isinstance(self.obj, TaskInstance) else self.obj


@dataclass(frozen=True)
class ActionSpec:
    key: str
    label: str
    service: str
    cloud_action: str
    kind: str
    per_call: int  # how many targets one cloud call takes
    refusal: Callable[[Any], str | None]  # why the cloud would refuse this target, or None
    params: Callable[[list[Target]], dict[str, Any]]
    group: Callable[[Target], str] = lambda t: ""  # targets of one call share this
    find: Callable[[QuerySet[CloudAccount], list[str]], list[Target]] = lambda a, k: []


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
    return (
        None if job.state == "FAILED" else f"only a FAILED job can be retried (it is {job.state})"
    )


def _job_terminate(job: Job) -> str | None:
    if job.state == "SUBMITTED":
        return "a SUBMITTED job cannot be terminated yet"
    if job.state in ("SUCCEED", "FAILED"):
        return f"it has already ended ({job.state})"
    return None


def _instance_terminate(inst: TaskInstance) -> str | None:
    return f"it has already ended ({inst.state})" if inst.state in ("SUCCEED", "FAILED") else None


def _node_terminate(node: ComputeNode) -> str | None:
    if node.state in NODE_TERMINABLE:
        return None
    return f"a {node.state} node cannot be terminated (only {', '.join(NODE_TERMINABLE)})"


def _group_terminate(group: RunGroup) -> str | None:
    return f"it has already ended ({group.status})" if group.status in GROUP_ENDED else None


def _run_retry(run: Run) -> str | None:
    if run.status in RUN_RETRYABLE:
        return None
    return f"only a failed or canceled run can be retried (it is {run.status})"


ACTIONS: dict[str, ActionSpec] = {
    spec.key: spec
    for spec in (
        ActionSpec(
            "retry-jobs",
            "Retry",
            "batch",
            "RetryJobs",
            "job",
            100,
            _job_retry,
            lambda ts: {"JobIds": [t.key for t in ts]},
            find=_jobs,
        ),
        ActionSpec(
            "terminate-job",
            "Terminate",
            "batch",
            "TerminateJob",
            "job",
            1,
            _job_terminate,
            lambda ts: {"JobId": ts[0].key},
            find=_jobs,
        ),
        ActionSpec(
            "terminate-instance",
            "Terminate instance",
            "batch",
            "TerminateTaskInstance",
            "instance",
            1,
            _instance_terminate,
            lambda ts: {
                "JobId": ts[0].obj.task.job.job_id,
                "TaskName": ts[0].obj.task.name,
                "TaskInstanceIndex": ts[0].obj.index,
            },
            find=_instances,
        ),
        ActionSpec(
            "terminate-nodes",
            "Terminate nodes",
            "batch",
            "TerminateComputeNodes",
            "node",
            100,
            _node_terminate,
            lambda ts: {"EnvId": ts[0].obj.env.env_id, "ComputeNodeIds": [t.key for t in ts]},
            group=lambda t: t.obj.env.env_id,
            find=_nodes,
        ),
        ActionSpec(
            "terminate-run-group",
            "Terminate run group",
            "omics",
            "TerminateRunGroup",
            "run_group",
            1,
            _group_terminate,
            lambda ts: {"RunGroupId": ts[0].key},
            find=_groups,
        ),
        ActionSpec(
            "retry-runs",
            "Retry runs",
            "omics",
            "RetryRuns",
            "run",
            100,
            _run_retry,
            lambda ts: {
                "RunGroupId": ts[0].obj.group.run_group_id,
                "RunUuids": [t.key for t in ts],
            },
            group=lambda t: t.obj.group.run_group_id,
            find=_runs,
        ),
    )
}


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


def available(kind: str, obj: Any) -> list[ActionSpec]:
    """The actions of `kind` the cloud would accept on `obj` now (the buttons a page shows)."""
    return [spec for spec in ACTIONS.values() if spec.kind == kind and spec.refusal(obj) is None]
